// SPDX-License-Identifier: MIT
/*
 * blocking_pthread.c - interposers of the waiting calls of POSIX threads: mutexes,
 * condition variables, join, semaphores, rwlocks, barriers; timed for off-CPU profiles
 * (offcpu.c, blocking.h).
 *
 * Locks try first: an uncontended pthread_mutex_lock costs the count and the trylock, no
 * clock (bench/offcpu_bench.c measures it); only a lock that would wait is timed, precisely.
 * The try returns what the lock itself returns whenever it does not wait, so results are the
 * program's; sem_trywait's EAGAIN is taken back out of errno before the real wait.
 * pthread_join tries pthread_tryjoin_np, which glibc implements as the same join without
 * the wait (and so without the cancellation check, which the real join makes only when it
 * must wait).
 *
 * Condition variables have two implementations under one name: pthread_cond_wait@GLIBC_2.2.5
 * for binaries built before glibc 2.3.2 and the default pthread_cond_wait@@GLIBC_2.3.2.
 * Ours stands in front of the default one only (preload/libxprof.map gives it that
 * version), and the real one is looked up at that version (real.c), so an old binary keeps
 * its old implementation untouched. The condition waits are cancellation points: a
 * cancellation acted upon in the real wait unwinds through our frame, which holds nothing
 * to undo (the call is counted before, timed after), and the real function re-acquires the
 * mutex before the program's cleanup handlers run, as POSIX says.
 *
 * AS-safe like blocking.c (none of these is async-signal-safe by POSIX; sem_post is, and is
 * not interposed).
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>

#include "blocking.h"

XP_API int pthread_mutex_lock(pthread_mutex_t *m)
{
	BLK_TRY(XPF_CALL_MUTEX_LOCK, pthread_mutex_lock, (m), pthread_mutex_trylock, (m));
}

XP_API int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	BLK_TRY(XPF_CALL_MUTEX_TIMEDLOCK, pthread_mutex_timedlock, (m, abstime),
		pthread_mutex_trylock, (m));
}

XP_API int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	BLK_TRY(XPF_CALL_RWLOCK_RDLOCK, pthread_rwlock_rdlock, (l), pthread_rwlock_tryrdlock, (l));
}

XP_API int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	BLK_TRY(XPF_CALL_RWLOCK_WRLOCK, pthread_rwlock_wrlock, (l), pthread_rwlock_trywrlock, (l));
}

XP_API int pthread_join(pthread_t th, void **ret)
{
	BLK_TRY(XPF_CALL_JOIN, pthread_join, (th, ret), pthread_tryjoin_np, (th, ret));
}

/* Every arrival but the last waits; the last one's short call counts as a wait too. */
XP_API int pthread_barrier_wait(pthread_barrier_t *b)
{
	BLK_PRECISE(XPF_CALL_BARRIER_WAIT, pthread_barrier_wait, (b));
}

int xp_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int xp_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abs);
__asm__(".symver xp_pthread_cond_wait, pthread_cond_wait@@GLIBC_2.3.2");
__asm__(".symver xp_pthread_cond_timedwait, pthread_cond_timedwait@@GLIBC_2.3.2");

XP_API int xp_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	BLK_PRECISE(XPF_CALL_COND_WAIT, pthread_cond_wait, (c, m));
}

XP_API int xp_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
				     const struct timespec *abs)
{
	BLK_PRECISE(XPF_CALL_COND_TIMEDWAIT, pthread_cond_timedwait, (c, m, abs));
}

/* sem_wait and sem_timedwait: sem_trywait first, as glibc's own fast path does (without a
 * cancellation check either). */
static int sem_try(sem_t *s, struct xp_thread **tp, unsigned call)
{
	int saved = errno;

	if (!(*tp = blk_thread()))
		return -1;
	blk_count(*tp, call);
	if (REAL(sem_trywait)(s) == 0)
		return 0;
	if (errno != EAGAIN)
		return 1;	/* EINVAL: the real call says so itself */
	errno = saved;
	return -1;
}

XP_API int sem_wait(sem_t *s)
{
	struct xp_thread *t;
	uint64_t t0;
	int r = sem_try(s, &t, XPF_CALL_SEM_WAIT);

	if (r == 0)
		return 0;
	if (!t || r > 0)
		return REAL(sem_wait)(s);
	t0 = xp_now();
	r = REAL(sem_wait)(s);
	blk_precise_end(t, XPF_CALL_SEM_WAIT, t0, __builtin_return_address(0));
	return r;
}

XP_API int sem_timedwait(sem_t *s, const struct timespec *abs)
{
	struct xp_thread *t;
	uint64_t t0;
	int r = sem_try(s, &t, XPF_CALL_SEM_TIMEDWAIT);

	if (r == 0)
		return 0;
	if (!t || r > 0)
		return REAL(sem_timedwait)(s, abs);
	t0 = xp_now();
	r = REAL(sem_timedwait)(s, abs);
	blk_precise_end(t, XPF_CALL_SEM_TIMEDWAIT, t0, __builtin_return_address(0));
	return r;
}
