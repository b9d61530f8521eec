// SPDX-License-Identifier: MIT
/*
 * time.c - the clocks of libxprof.so. All functions are AS-safe: clock_gettime on
 * CLOCK_MONOTONIC goes through the vDSO, thread CPU clocks are one syscall each.
 */
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "xprof-int.h"

/* The kernel's clock id for "the CPU clock of thread tid" (CPUCLOCK_SCHED, per-thread). */
#define XP_THREAD_CLOCK(tid) ((clockid_t)((~(unsigned)(tid) << 3) | 6))

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

/* AS-safe: vDSO. */
uint64_t xp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_ns(&ts);
}

/* AS-safe: one syscall, errno untouched on success. */
uint64_t xp_thread_cpu(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return ts_ns(&ts);
}

/* AS-safe: one syscall; CPU of every thread of the process, dead ones and earlier images of
 * the same pid (exec) included. */
uint64_t xp_process_cpu(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
		return 0;
	return ts_ns(&ts);
}

/* AS-safe: one syscall; 0 when the thread is gone. */
uint64_t xp_tid_cpu(pid_t tid)
{
	struct timespec ts;

	if (clock_gettime(XP_THREAD_CLOCK(tid), &ts) != 0)
		return 0;
	return ts_ns(&ts);
}

/* AS-safe: raw syscall (glibc's gettid() wrapper is 2.30+ only). */
pid_t xp_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}
