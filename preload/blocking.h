/* SPDX-License-Identifier: MIT */
/*
 * blocking.h - the fast path every interposer of a blocking call shares (blocking.c,
 * blocking_pthread.c, wait.c): whether to time the call, the one-instruction count, and the
 * two clocks (see offcpu.c for why the coarse one around calls that may not block, the
 * precise one around calls known to wait).
 *
 * AS-safe: the calling thread's own state, vDSO clocks, nothing that sets errno on the path
 * that did not block. A call goes straight to the real function before xprof is set up, with
 * XPROF_OFFCPU=0, in a thread xprof does not follow (no state), and while xprof's own code
 * runs on the thread (busy: our handler, our writes, or a program's handler that interrupted
 * them), so nothing of ours ever nests.
 */
#ifndef XPROF_BLOCKING_H
#define XPROF_BLOCKING_H

#include <errno.h>
#include <time.h>

#include "xprof-int.h"

/* AS-safe: the calling thread's state if its calls are timed now, else NULL. */
static inline struct xp_thread *blk_thread(void)
{
	struct xp_thread *t = xp_self;

	if (__builtin_expect(!xp.offcpu || !t || t->busy, 0))
		return NULL;
	return t;
}

/* AS-safe: one more call of `call`, in one instruction: a signal handler that interrupts
 * the interposer and makes a call of its own cannot make either count get lost. */
static inline void blk_count(struct xp_thread *t, unsigned call)
{
	__asm__ volatile("addq $1, %0" : "+m"(t->off.calls[call]));
}

/* AS-safe: CLOCK_MONOTONIC_COARSE through the vDSO (3 ns here). */
static inline uint64_t blk_coarse(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* AS-safe: after a coarse-timed call: blocked if a tick passed. */
static inline void blk_coarse_end(struct xp_thread *t, unsigned call, uint64_t c0, void *ra)
{
	uint64_t c1 = blk_coarse();

	if (__builtin_expect(c1 != c0, 0))
		offcpu_blocked(t, call, c1 - c0, 0, ra);
}

/* AS-safe: after a precisely timed call that waited (started at t0, xp_now()). */
static inline void blk_precise_end(struct xp_thread *t, unsigned call, uint64_t t0, void *ra)
{
	uint64_t t1 = xp_now();

	offcpu_blocked(t, call, t1 > t0 ? t1 - t0 : 0, 1, ra);
}

/*
 * The body of an interposer of a call that may return at once: returns REAL(fn) args,
 * timed with the coarse clock. Nothing is updated after the real call but what the return
 * path does, so a cancellation acted upon inside it unwinds through here leaving only the
 * count, which is right: the call was made.
 */
#define BLK_COARSE(call, fn, args)                                                         \
	do {                                                                               \
		struct xp_thread *t_ = blk_thread();                                       \
		__typeof__(REAL(fn) args) r_;                                              \
		uint64_t c0_;                                                              \
                                                                                           \
		if (!t_)                                                                   \
			return REAL(fn) args;                                              \
		blk_count(t_, call);                                                       \
		c0_ = blk_coarse();                                                        \
		r_ = REAL(fn) args;                                                        \
		blk_coarse_end(t_, call, c0_, __builtin_return_address(0));                \
		return r_;                                                                 \
	} while (0)

/* The same for a call that cannot block now (a zero timeout): counted, not timed. */
#define BLK_COUNT_ONLY(call, fn, args)                                                     \
	do {                                                                               \
		struct xp_thread *t_ = blk_thread();                                       \
                                                                                           \
		if (t_)                                                                    \
			blk_count(t_, call);                                               \
		return REAL(fn) args;                                                      \
	} while (0)

/* The body of an interposer of a call that always waits (a sleep), timed precisely. */
#define BLK_PRECISE(call, fn, args)                                                        \
	do {                                                                               \
		struct xp_thread *t_ = blk_thread();                                       \
		__typeof__(REAL(fn) args) r_;                                              \
		uint64_t t0_;                                                              \
                                                                                           \
		if (!t_)                                                                   \
			return REAL(fn) args;                                              \
		blk_count(t_, call);                                                       \
		t0_ = xp_now();                                                            \
		r_ = REAL(fn) args;                                                        \
		blk_precise_end(t_, call, t0_, __builtin_return_address(0));               \
		return r_;                                                                 \
	} while (0)

/*
 * The body of an interposer of a lock with a try variant: try first, and only if that would
 * have had to wait, the real call, timed precisely. The try returns what the real call
 * would have returned whenever it does not wait (success, EOWNERDEAD, EAGAIN, EINVAL...),
 * so only EBUSY (the try's "would block") takes the waiting path. Neither the try nor
 * the locks are cancellation points.
 */
#define BLK_TRY(call, fn, args, tryfn, tryargs)                                            \
	do {                                                                               \
		struct xp_thread *t_ = blk_thread();                                       \
		uint64_t t0_;                                                              \
		int r_;                                                                    \
                                                                                           \
		if (!t_)                                                                   \
			return REAL(fn) args;                                              \
		blk_count(t_, call);                                                       \
		r_ = REAL(tryfn) tryargs;                                                  \
		if (r_ != EBUSY)                                                           \
			return r_;                                                         \
		t0_ = xp_now();                                                            \
		r_ = REAL(fn) args;                                                        \
		blk_precise_end(t_, call, t0_, __builtin_return_address(0));               \
		return r_;                                                                 \
	} while (0)

#endif /* XPROF_BLOCKING_H */
