// SPDX-License-Identifier: MIT
/*
 * split.c - burns CPU in two functions, PERCENT % of it in burn_first and the rest in
 * burn_second, interleaved in 10 rounds. Usage: split PERCENT [SECONDS] (default 0.6 s).
 * Two runs with different PERCENTs are what a differential profile should tell apart.
 */
#include "spin.h"

__attribute__((noinline)) static void burn_first(int64_t ns)
{
	SPIN_CPU(ns);
}

__attribute__((noinline)) static void burn_second(int64_t ns)
{
	SPIN_CPU(ns);
}

int main(int argc, char **argv)
{
	int pct = argc > 1 ? atoi(argv[1]) : 50;
	int64_t total = secs_ns(argc > 2 ? argv[2] : NULL, 0.6);

	if (pct < 0 || pct > 100)
		return 64;
	for (int i = 0; i < 10; i++) {
		burn_first(total * pct / 100 / 10);
		burn_second(total * (100 - pct) / 100 / 10);
	}
	return 0;
}
