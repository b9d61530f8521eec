/* SPDX-License-Identifier: MIT */
/*
 * xprof.h - optional region markers for programs that want exact per-call figures.
 *
 *	#include <xprof.h>
 *	XPROF_REGION_BEGIN("init");
 *	...
 *	XPROF_REGION_END("init");
 *
 * The functions are weak references: in a program run without libxprof.so they are NULL and
 * the macros cost one predictable branch; under LD_PRELOAD=libxprof.so they resolve to the
 * library, which records one XPF_REC_REGION per BEGIN/END pair (wall and thread-CPU time).
 * Regions nest (up to 32 deep per thread) and must be ended on the thread that began them,
 * innermost first. Nothing else is needed: an unmodified program is profiled without them.
 */
#ifndef XPROF_H
#define XPROF_H

#ifdef __cplusplus
extern "C" {
#endif

void xprof_region_begin(const char *name) __attribute__((weak));
void xprof_region_end(const char *name) __attribute__((weak));

#define XPROF_REGION_BEGIN(name)                                                           \
	do {                                                                               \
		if (xprof_region_begin)                                                    \
			xprof_region_begin(name);                                          \
	} while (0)
#define XPROF_REGION_END(name)                                                             \
	do {                                                                               \
		if (xprof_region_end)                                                      \
			xprof_region_end(name);                                            \
	} while (0)

#ifdef __cplusplus
}
#endif

#endif /* XPROF_H */
