// SPDX-License-Identifier: MIT
/*
 * analyzer_inline.c - burns CPU in hot_inlined(), a static always_inline function that the
 * compiler folds into outer_fn(); built -O2 -g (see progs.mk) so that only the DWARF inline
 * scopes tell it apart. Usage: analyzer_inline [SECONDS] (default 0.5).
 */
#include "spin.h"

static inline __attribute__((always_inline)) void hot_inlined(int64_t ns)
{
	SPIN_CPU(ns);
}

__attribute__((noinline)) static void outer_fn(int64_t ns)
{
	hot_inlined(ns);
	__asm__ volatile("" ::: "memory");	/* keep outer_fn a real function */
}

int main(int argc, char **argv)
{
	outer_fn(secs_ns(argc > 1 ? argv[1] : NULL, 0.5));
	return 0;
}
