/* SPDX-License-Identifier: MIT */
/*
 * spin.h - CPU burning helpers shared by the integration test programs (header only, no
 * knowledge of xprof). SPIN_CPU(ns) is a macro so that the burning loop is part of the calling
 * function: a sampler must attribute the time to the caller, not to a helper.
 */
#ifndef XPROF_TEST_SPIN_H
#define XPROF_TEST_SPIN_H

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define NS_PER_SEC 1000000000LL

static inline int64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static inline int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* Seconds (as text, e.g. "0.5") to nanoseconds; `def` when s is NULL. */
static inline int64_t secs_ns(const char *s, double def)
{
	return (int64_t)((s ? atof(s) : def) * 1e9);
}

/*
 * Burn `ns` of this thread's CPU time inside the calling function. The inner loop runs a few
 * tens of microseconds between clock reads so that nearly all samples land in the caller.
 */
#define SPIN_CPU(ns)                                                                       \
	do {                                                                               \
		int64_t spin_end_ = thread_cpu_ns() + (ns);                                \
		volatile uint64_t spin_x_ = 1;                                             \
		while (thread_cpu_ns() < spin_end_)                                        \
			for (int spin_i_ = 0; spin_i_ < 20000; spin_i_++)                  \
				spin_x_ = spin_x_ * 6364136223846793005ULL + 1;            \
	} while (0)

#endif /* XPROF_TEST_SPIN_H */
