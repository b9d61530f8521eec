/* SPDX-License-Identifier: MIT */
/*
 * sleepy: one thread burns 0.3 s of CPU in busy_part, then sleeps 0.3 s in sleep_part
 * (nanosleep), twice. CPU time is 0.6 s out of 1.2 s of wall time.
 */
#include <stdio.h>
#include <time.h>

#include "spin.h"

static void __attribute__((noinline)) busy_part(void) { SPIN_CPU(300 * 1000000LL); }

static void __attribute__((noinline)) sleep_part(void)
{
	struct timespec ts = { 0, 300 * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

int main(void)
{
	for (int i = 0; i < 2; i++) {
		busy_part();
		sleep_part();
	}
	printf("sleepy done\n");
	return 0;
}
