/* SPDX-License-Identifier: MIT */
/*
 * dlab.c - built twice, as libdlA.so (DLAB_FN=a_fn) and libdlB.so (DLAB_FN=b_fn): two
 * libraries of the same size and layout, so that dlopen after dlclose maps the second one at
 * the address the first one had. DLAB_FN(ns) burns ns of CPU and returns its own address.
 */
#include "../spin.h"

void *DLAB_FN(long ns);

void *DLAB_FN(long ns)
{
	SPIN_CPU(ns);
	return (void *)DLAB_FN;
}
