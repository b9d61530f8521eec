/* SPDX-License-Identifier: MIT */
/*
 * regions: uses the optional region markers of <xprof.h>: 10 regions "step" of 20 ms of CPU
 * each, one region "idle" of 100 ms asleep, and one "outer" enclosing all of them. Without
 * libxprof.so the markers do nothing.
 */
#include <stdio.h>
#include <unistd.h>
#include <xprof.h>

#include "spin.h"

static void __attribute__((noinline)) step_fn(void) { SPIN_CPU(20 * 1000000LL); }

int main(void)
{
	XPROF_REGION_BEGIN("outer");
	for (int i = 0; i < 10; i++) {
		XPROF_REGION_BEGIN("step");
		step_fn();
		XPROF_REGION_END("step");
	}
	XPROF_REGION_BEGIN("idle");
	usleep(100 * 1000);
	XPROF_REGION_END("idle");
	XPROF_REGION_END("outer");
	printf("regions done\n");
	return 0;
}
