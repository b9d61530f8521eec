/* SPDX-License-Identifier: MIT */
/*
 * execchain N SECONDS: burns SECONDS of CPU, then execs itself as `execchain N-1 SECONDS`,
 * until N is 0, which exits 0: N + 1 images of one process, each with the same CPU of its
 * own. Knows nothing of xprof.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "spin.h"

static void __attribute__((noinline)) burn_image(int64_t ns)
{
	SPIN_CPU(ns);
}

int main(int argc, char **argv)
{
	char next[16];
	int n;

	if (argc < 3)
		return 2;
	n = atoi(argv[1]);
	burn_image(secs_ns(argv[2], 0.2));
	if (n <= 0)
		return 0;
	snprintf(next, sizeof(next), "%d", n - 1);
	execl("/proc/self/exe", argv[0], next, argv[2], (char *)NULL);
	perror("execl");
	return 1;
}
