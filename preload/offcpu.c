// SPDX-License-Identifier: MIT
/*
 * offcpu.c - blocked time: what the interposers of the blocking calls (blocking.c,
 * blocking_pthread.c, wait.c) measured becomes per-thread totals and OFFCPU records with
 * the stack of the call, sampled by time.
 *
 * Timing (measured on this VM, 2 vCPUs, x86_64, glibc 2.36, bench/offcpu_bench.c and a
 * loop of 2 million calls): clock_gettime(CLOCK_MONOTONIC) 21-46 ns, rdtsc 9-16 ns alone
 * but +90 ns for the pair around a read() system call (the TSC read right after the
 * kernel's return stalls), CLOCK_MONOTONIC_COARSE 3.3 ns. A read of /dev/zero is 185 ns.
 * The budget for a call that did not block is 30 ns, so:
 *  - calls that may return at once (I/O, poll, wait, file locks, sigwait) read the coarse
 *    clock before and after: +7..15 ns for the pair. Its value moves in steps of one tick
 *    (4 ms at CONFIG_HZ=250); a call whose two readings differ spanned at least one tick
 *    and counts as blocked with the difference as its duration. For a call of duration D
 *    starting at a random phase the difference is on average exactly D (it is k ticks with
 *    the probability that k boundaries fall inside): time sampling at tick granularity,
 *    unbiased, with at most one record per tick per thread. A call shorter than a tick is
 *    seen with probability D / tick, with a tick's weight.
 *  - calls that are known to wait before they do (pthread_mutex_lock after a failed
 *    trylock, a condition wait, a sleep, sem_wait after a failed trywait, pthread_join
 *    after a failed tryjoin, rwlocks, barriers, sigsuspend) are timed precisely with
 *    CLOCK_MONOTONIC: 2 x 21 ns on a path that waits anyway, nothing on the path that
 *    acquires at once.
 * Rejected: CLOCK_MONOTONIC around every call (42-90 ns, over budget by 2-3x); the TSC
 * (calibration at start, invariant-TSC flags to check, and +90 ns around a system call
 * here: worse than the vDSO clock); counting context switches to decide whether a call
 * slept (getrusage(RUSAGE_THREAD) is a system call: 380-490 ns).
 *
 * Frequency: blocks of at least XPROF_OFFCPU_US (and, for coarse-timed calls, at least two
 * ticks, so that the interval drawn on a timeline is really the call's) get a record of their
 * own (XPF_SF_ONE_CALL); shorter ones add to the thread's accumulator, written as one record
 * (the call and stack of the block that filled it) once XPROF_OFFCPU_US of blocked time has
 * gathered: records per thread <= blocked time / XPROF_OFFCPU_US + one per tick.
 *
 * The stack is taken only once a record is to be written, after the real call returned (the
 * stack at return is the stack at entry for the interposer's caller), on the thread's private
 * stack, through the unwind gate (handler.c). Everything here touches the calling thread's
 * own state and is AS-safe: POSIX lets signal handlers call read, write, poll, sleep...
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "xprof-int.h"

#define SCHED_EVERY_NS	1000000000ull	/* SCHED records while a thread runs */

/* Not AS-safe: see declaration. */
void offcpu_init(void)
{
	struct timespec res;

	xp.offcpu_period = (uint64_t)xp.cfg.offcpu_us * 1000;
	if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) != 0)
		return;		/* no coarse clock: the feature stays off */
	xp.offcpu_tick = (uint64_t)res.tv_sec * 1000000000ull + (uint64_t)res.tv_nsec;
	xp.offcpu = xp.cfg.offcpu;
}

/* AS-safe, pure: see declaration. */
uint64_t offcpu_weigh(uint64_t *acc, uint64_t d, uint64_t one_min, uint64_t period,
		      unsigned *flags)
{
	uint64_t w;

	if (d >= one_min) {
		*flags = XPF_SF_ONE_CALL;
		return d;
	}
	*acc += d;
	if (*acc < period)
		return 0;
	w = *acc;
	*acc = 0;
	*flags = 0;
	return w;
}

struct offcpu_job {
	struct xp_thread *t;
	uint64_t now, weight;
	uintptr_t ra;
	unsigned call, flags;
};

/* AS-safe, on the private stack with t->busy set: the record with the caller's stack (and
 * the interpreter's frames in a CPython process). */
static void offcpu_take(void *arg)
{
	struct offcpu_job *j = arg;
	struct xp_thread *t = j->t;
	unsigned flags = j->flags;
	uint32_t at, n, npy;

	handler_walk_from(t, j->ra, &flags, &at, &n);
	npy = py_take(t, j->now, &flags);
	rec_offcpu(t, j->now, j->weight, j->call, flags, t->scratch + at, n, npy);
}

/* AS-safe: see declaration. */
void offcpu_blocked(struct xp_thread *t, unsigned call, uint64_t d, int precise, void *ra)
{
	int saved = errno;
	uint64_t one_min = xp.offcpu_period;
	struct offcpu_job j = { .t = t, .ra = (uintptr_t)ra, .call = call };

	if (t->busy)
		return;
	t->busy = 1;
	t->off.blocked[call]++;
	t->off.blocked_ns[call] += d;
	if (!precise && one_min < 2 * xp.offcpu_tick)
		one_min = 2 * xp.offcpu_tick;
	j.weight = offcpu_weigh(&t->off.acc, d, one_min, xp.offcpu_period, &j.flags);
	/* A task that shares the state without being its thread (a raw clone on its creator's
	 * TLS, a vfork child) counts, but writes nothing: the blocks are the owner's. */
	if ((j.weight || !t->off.sched_last) && t->tid == xp_gettid() && process_is_self() &&
	    !atomic_load_explicit(&xp.stopped, memory_order_relaxed)) {
		j.now = xp_now();
		if (j.weight)
			xp_call_on_stack(offcpu_take, &j, t->stack_top);
		offcpu_sched_tick(t, j.now);
	}
	t->busy = 0;
	errno = saved;
}

/* AS-safe (w->busy set): the exact totals of t's calls, one entry per call it made. */
static void record_calls(struct xp_thread *w, const struct xp_thread *t, uint64_t now)
{
	uint64_t calls[XPF_CALL_NR];	/* a snapshot: t may be another thread, still calling */
	uint8_t *p, *q;
	unsigned n = 0;

	for (unsigned c = 1; c < XPF_CALL_NR; c++)
		n += (calls[c] = t->off.calls[c]) != 0;
	if (!n || !(p = rec_reserve(w, 10 * (3 + 4 * (size_t)n), now)))
		return;
	q = p + 3;
	q += xpf_put_uleb(q, now > w->last_t ? now - w->last_t : 0);
	q += xpf_put_uleb(q, (uint64_t)t->tid);
	q += xpf_put_uleb(q, n);
	for (unsigned c = 1; c < XPF_CALL_NR; c++) {
		if (!calls[c])
			continue;
		q += xpf_put_uleb(q, c);
		q += xpf_put_uleb(q, calls[c]);
		q += xpf_put_uleb(q, t->off.blocked[c]);
		q += xpf_put_uleb(q, t->off.blocked_ns[c]);
	}
	rec_commit(w, p, XPF_REC_OFFCPU_CALLS, (size_t)(q - (p + 3)), now);
}

/* AS-safe (w->busy set): one SCHED record of thread t (t == w: the calling thread). */
static void record_sched(struct xp_thread *w, const struct xp_thread *t)
{
	struct xp_sched s;
	uint64_t nums[6];

	if (sched_read(t == w ? 0 : t->tid, &s) != 0)
		return;
	nums[0] = (uint64_t)t->tid;
	nums[1] = s.on_cpu_ns;
	nums[2] = s.run_delay_ns;
	nums[3] = s.timeslices;
	nums[4] = s.nvcsw;
	nums[5] = s.nivcsw;
	rec_fields(w, XPF_REC_SCHED, nums, 6, NULL, NULL, 0);
}

/* AS-safe (w->busy set by the caller): see declaration. */
void offcpu_record_thread(struct xp_thread *w, struct xp_thread *t, bool sched)
{
	if (!xp.offcpu)
		return;
	record_calls(w, t, xp_now());
	if (sched)
		record_sched(w, t);
}

/* AS-safe (t->busy set by the caller): see declaration. */
void offcpu_sched_tick(struct xp_thread *t, uint64_t now)
{
	if (!xp.offcpu || (t->off.sched_last && now - t->off.sched_last < SCHED_EVERY_NS))
		return;
	t->off.sched_last = now;
	record_sched(t, t);
}
