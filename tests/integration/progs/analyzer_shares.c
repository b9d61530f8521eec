// SPDX-License-Identifier: MIT
/*
 * analyzer_shares.c - burns CPU in two functions, 75 % in burn_big and 25 % in burn_small by
 * construction, interleaved in 20 rounds. Usage: analyzer_shares [SECONDS] (default 1).
 */
#include "spin.h"

__attribute__((noinline)) static void burn_big(int64_t ns)
{
	SPIN_CPU(ns);
}

__attribute__((noinline)) static void burn_small(int64_t ns)
{
	SPIN_CPU(ns);
}

int main(int argc, char **argv)
{
	int64_t total = secs_ns(argc > 1 ? argv[1] : NULL, 1.0);

	for (int i = 0; i < 20; i++) {
		burn_big(total * 3 / 4 / 20);
		burn_small(total / 4 / 20);
	}
	return 0;
}
