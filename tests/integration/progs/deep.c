/* SPDX-License-Identifier: MIT */
/*
 * deep [DEPTH]: recurses DEPTH (default 10000) frames deep through deep_rec and burns 0.5 s
 * of CPU in deep_bottom at the bottom, then returns and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>

#include "spin.h"

static int __attribute__((noinline)) deep_bottom(void)
{
	SPIN_CPU(500 * 1000000LL);
	return 1;
}

static int __attribute__((noinline)) deep_rec(int n)
{
	volatile int pad[4] = { n, n, n, n };	/* a real frame, and no tail call */

	if (n <= 0)
		return deep_bottom();
	return deep_rec(n - 1) + pad[0] * 0 + 1;
}

int main(int argc, char **argv)
{
	int depth = argc > 1 ? atoi(argv[1]) : 10000;

	printf("deep %d -> %d\n", depth, deep_rec(depth));
	return 0;
}
