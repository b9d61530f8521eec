/* SPDX-License-Identifier: MIT */
/*
 * shares [SECONDS]: one thread burns CPU in f60, f30 and f10 in interleaved slices so that
 * they get exactly 60 %, 30 % and 10 % of SECONDS (default 1) of CPU time.
 */
#include <stdio.h>

#include "spin.h"

static void __attribute__((noinline)) f60(int64_t ns) { SPIN_CPU(ns); }
static void __attribute__((noinline)) f30(int64_t ns) { SPIN_CPU(ns); }
static void __attribute__((noinline)) f10(int64_t ns) { SPIN_CPU(ns); }

int main(int argc, char **argv)
{
	int64_t slice = secs_ns(argc > 1 ? argv[1] : NULL, 1.0) / 20;

	for (int i = 0; i < 20; i++) {
		f60(slice * 6 / 10);
		f30(slice * 3 / 10);
		f10(slice / 10);
	}
	printf("shares done\n");
	return 0;
}
