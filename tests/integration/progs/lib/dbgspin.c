/* SPDX-License-Identifier: MIT */
/*
 * dbgspin.c - libdbgspin.so, the library the stripped-library tests strip: dbgspin_run(ns)
 * burns ns of CPU, 2/3 of it in dbg_alpha and 1/3 in dbg_beta, in rounds. Both are static, so
 * once the library is stripped only separate debug info can name them (the dynamic symbol
 * table keeps dbgspin_run alone).
 */
#include "../spin.h"

long dbgspin_run(long ns);

__attribute__((noinline)) static void dbg_alpha(long ns)
{
	SPIN_CPU(ns);
}

__attribute__((noinline)) static void dbg_beta(long ns)
{
	SPIN_CPU(ns);
}

long dbgspin_run(long ns)
{
	for (int i = 0; i < 8; i++) {
		dbg_alpha(ns / 12);
		dbg_beta(ns / 24);
	}
	return ns;
}
