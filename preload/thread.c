// SPDX-License-Identifier: MIT
/*
 * thread.c - per-thread state, and following threads: the pthread_create interposer starts
 * each new thread in thread_main(), which makes its state, records THREAD_START and arms
 * its CPU-time timer before the program's start routine runs. A pthread key destructor
 * ends it however the thread ends (return, pthread_exit, cancellation).
 *
 * A state is one mmap: [guard page][private unwind stack][struct xp_thread][frame arrays],
 * reached through an initial-exec TLS pointer (xp_self) that a handler reads without calling
 * into the loader. States are never unmapped: an ended thread's state goes to a pool for the
 * next thread, and every state ever made stays on a push-only list, so the end of the process
 * (which may be a program's signal handler calling _exit) can walk the live threads with no
 * lock and no risk of touching freed memory. The pool itself is locked, in normal context.
 * Functions are normal context except where a comment says AS-safe.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "xprof-int.h"

__thread struct xp_thread *xp_self __attribute__((tls_model("initial-exec")));

/* Every state ever mapped (push-only, lock-free) and the free ones (pool_lock). */
static _Atomic(struct xp_thread *) all_states;
static pthread_mutex_t pool_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;	/* as modules.c's */
static struct xp_thread *pool;

struct start_arg {
	void *(*fn)(void *);
	void *arg;
	pid_t creator;
};

void thread_pool_lock(void)
{
	REAL(pthread_mutex_lock)(&pool_lock);
}

void thread_pool_unlock(void)
{
	pthread_mutex_unlock(&pool_lock);
}

/* Pure: see declaration. */
size_t thread_arrays_size(uint32_t depth)
{
	return (9 * (size_t)depth + XP_SKIP_FRAMES) * sizeof(uintptr_t);
}

/* AS-safe, pure: see declaration. */
void thread_arrays_lay(struct xp_thread *t, uint32_t depth)
{
	t->prev = (uintptr_t *)(t + 1);
	t->scratch = t->prev + depth;
	t->py_codes = (uint64_t *)(t->scratch + depth + XP_SKIP_FRAMES);
	t->py_instr = t->py_codes + depth;
	t->py_prev_codes = t->py_instr + depth;
	t->py_prev_instr = t->py_prev_codes + depth;
	t->off_prev = (uintptr_t *)(t->py_prev_instr + depth);
	t->off_py_codes = (uint64_t *)(t->off_prev + depth);
	t->off_py_instr = t->off_py_codes + depth;
}

static struct xp_thread *state_map(void)
{
	size_t arrays = thread_arrays_size(xp.cfg.depth);
	size_t body = (sizeof(struct xp_thread) + arrays + XP_PAGE - 1) & ~(size_t)(XP_PAGE - 1);
	size_t size = XP_PAGE + XP_STACK_BYTES + body;
	uint8_t *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct xp_thread *t, *head;

	if (m == MAP_FAILED)
		return NULL;
	mprotect(m, XP_PAGE, PROT_NONE);	/* the guard under the private stack */
	t = (struct xp_thread *)(void *)(m + XP_PAGE + XP_STACK_BYTES);
	t->map = m;
	t->map_size = size;
	t->stack_lo = m + XP_PAGE;
	t->stack_top = m + XP_PAGE + XP_STACK_BYTES;
	thread_arrays_lay(t, xp.cfg.depth);
	head = atomic_load(&all_states);
	do
		t->all_next = head;
	while (!atomic_compare_exchange_weak(&all_states, &head, t));
	return t;
}

/* A state for the calling thread, from the pool or new; its per-thread fields zeroed. */
static struct xp_thread *state_get(void)
{
	struct xp_thread *t;

	thread_pool_lock();
	t = pool;
	if (t)
		pool = t->pool_next;
	thread_pool_unlock();
	if (!t && !(t = state_map()))
		return NULL;
	memset(t, 0, offsetof(struct xp_thread, live));
	t->timer_fd = -1;
	t->timer_fd_sig = -1;
	t->tid = xp_gettid();
	atomic_store(&t->live, t->tid);
	return t;
}

/* The state back to the pool; its private stack's pages back to the kernel (zero again, so
 * the next owner's stack use is measured from scratch). */
static void state_put(struct xp_thread *t)
{
	madvise(t->stack_lo, XP_STACK_BYTES, MADV_DONTNEED);
	atomic_store(&t->live, 0);
	thread_pool_lock();
	t->pool_next = pool;
	pool = t;
	thread_pool_unlock();
}

static void record_start(struct xp_thread *t, pid_t creator)
{
	uint64_t nums[2] = { xp_thread_cpu(), (uint64_t)creator };
	const char *name = t->name;
	size_t len = strlen(t->name);

	rec_fields(t, XPF_REC_THREAD_START, nums, 2, &name, &len, 1);
}

/* Not AS-safe: see declaration. */
struct xp_thread *thread_begin(pid_t creator)
{
	struct xp_thread *t;

	if (!xp.active)
		return NULL;
	t = state_get();
	if (!t)
		return NULL;
	prctl(PR_GET_NAME, t->name);
	XP_BUSY(t, unwind_thread_init(t));
	xp_self = t;
	pthread_setspecific(xp.key, t);
	XP_BUSY(t, record_start(t, creator));
	if (timer_arm(t) != 0) {
		static const char note[] = "a thread could not get a CPU-time timer";
		size_t len = sizeof(note) - 1;
		const char *s = note;

		XP_BUSY(t, rec_fields(t, XPF_REC_NOTE, NULL, 0, &s, &len, 1));
	}
	return t;
}

/* AS-safe (t->busy set by the caller): see declaration. */
void thread_name_refresh(struct xp_thread *t)
{
	char now[16] = "";
	size_t len;
	const char *s = now;

	if (prctl(PR_GET_NAME, now) != 0 || !strncmp(now, t->name, sizeof(now)))
		return;
	memcpy(t->name, now, sizeof(now));
	len = strnlen(now, sizeof(now));
	rec_fields(t, XPF_REC_THREAD_NAME, NULL, 0, &s, &len, 1);
}

/* AS-safe: the most of t's private stack ever used: from its top down to the lowest
 * non-zero word (the stack starts zeroed; pages never touched are not resident). */
static uint32_t stack_used(const struct xp_thread *t)
{
	unsigned char vec[XP_STACK_BYTES / XP_PAGE];
	const uint64_t *w, *end = (const uint64_t *)(const void *)t->stack_top;
	unsigned i;

	if (mincore(t->stack_lo, XP_STACK_BYTES, vec) != 0)
		return 0;
	for (i = 0; i < sizeof(vec) && !(vec[i] & 1); i++)
		;
	for (w = (const uint64_t *)(const void *)(t->stack_lo + (size_t)i * XP_PAGE);
	     w < end && !*w; w++)
		;
	return (uint32_t)(t->stack_top - (const uint8_t *)w);
}

/* AS-safe (w->busy set by the caller): see declaration. Trailing empty buckets are left
 * out (the record says how many follow). */
void thread_record_stats(struct xp_thread *w, struct xp_thread *t)
{
	uint64_t nums[3 + XP_HIST_BUCKETS] = { (uint64_t)t->tid, XP_HIST_NS, 0 };
	uint64_t st[5] = { (uint64_t)t->tid, XP_STACK_BYTES, 0, t->own_max, t->frame_max };
	int n = 0;

	for (int i = 0; i < XP_HIST_BUCKETS; i++) {
		nums[3 + i] = t->handler_hist[i];
		if (t->handler_hist[i])
			n = i + 1;
	}
	if (!n && !t->own_max)
		return;
	if (n) {
		nums[2] = (uint64_t)n;
		rec_fields(w, XPF_REC_HANDLER_TIME, nums, 3 + n, NULL, NULL, 0);
		memset(t->handler_hist, 0, sizeof(t->handler_hist));
	}
	st[2] = stack_used(t);
	rec_fields(w, XPF_REC_STACK_USE, st, 5, NULL, NULL, 0);
}

/* AS-safe (self->busy set by the caller): see declaration. The off-CPU totals and scheduler
 * figures of each other live thread too. */
void thread_record_others(struct xp_thread *self)
{
	for (struct xp_thread *t = atomic_load(&all_states); t; t = t->all_next) {
		pid_t tid = atomic_load(&t->live);
		uint64_t nums[2] = { (uint64_t)tid, 0 };

		if (!tid || t == self)
			continue;
		thread_record_stats(self, t);
		offcpu_record_thread(self, t, true);
		nums[1] = xp_tid_cpu(tid);
		if (nums[1])
			rec_fields(self, XPF_REC_THREAD_CPU, nums, 2, NULL, NULL, 0);
	}
}

/* Not AS-safe: see declaration. */
void thread_end(struct xp_thread *t)
{
	uint64_t cpu;

	if (!t)
		return;
	timer_disarm(t);
	cpu = xp_thread_cpu();
	if (process_is_self()) {
		XP_BUSY(t, thread_name_refresh(t); thread_record_stats(t, t);
			offcpu_record_thread(t, t, true);
			rec_fields(t, XPF_REC_THREAD_END, &cpu, 1, NULL, NULL, 0));
	}
	out_block_done(t->blk);
	xp_self = NULL;
	state_put(t);
}

static void key_destructor(void *p)
{
	thread_end(p);
}

/* AS-safe: see declaration. A task made by raw clone without its own TLS sees its
 * creator's pointer: not its. */
struct xp_thread *thread_mine(void)
{
	struct xp_thread *t = xp_self;

	return t && t->tid == xp_gettid() ? t : NULL;
}

/* Not AS-safe: see declaration. */
struct xp_thread *thread_self(void)
{
	struct xp_thread *t = xp_self;

	if (t && t->tid != xp_gettid())
		return NULL;
	if (t || !xp.active || !process_is_self())
		return t;
	/* A thread we did not see start (made before our constructor, or by a library that
	 * bypasses pthread_create's symbol): give it a state now, sampled from here on. */
	return thread_begin(0);
}

/* Not AS-safe: see declaration. The other threads' states are free in the child. */
void thread_after_fork_child(struct xp_thread *self)
{
	pool_lock = (pthread_mutex_t)PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
	for (struct xp_thread *t = atomic_load(&all_states); t; t = t->all_next) {
		if (t == self || !atomic_load(&t->live))
			continue;
		atomic_store(&t->live, 0);
		t->pool_next = pool;
		pool = t;
	}
}

/* Not AS-safe: see declaration. */
void thread_fd_moved(int from, int to)
{
	for (struct xp_thread *t = atomic_load(&all_states); t; t = t->all_next)
		if (atomic_load(&t->live) && t->timer_fd == from)
			t->timer_fd = to;
}

int thread_key_init(void)
{
	return -pthread_key_create(&xp.key, key_destructor);
}

static void *thread_main(void *p)
{
	struct start_arg a = *(struct start_arg *)p;

	free(p);
	thread_begin(a.creator);
	return a.fn(a.arg);
}

/* Interposer: every thread the program starts is sampled from its first instruction. */
XP_API int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *),
			  void *arg)
{
	struct start_arg *a;
	int err;

	if (!xp.active || !(xp.cfg.follow & XPROF_FOLLOW_THREADS) || !process_is_self())
		return REAL(pthread_create)(th, attr, fn, arg);
	a = malloc(sizeof(*a));
	if (!a)
		return REAL(pthread_create)(th, attr, fn, arg);
	a->fn = fn;
	a->arg = arg;
	a->creator = xp_gettid();
	err = REAL(pthread_create)(th, attr, thread_main, a);
	if (err)
		free(a);
	return err;
}

/* Interposer: thread names show in the report; record renames as they happen. */
XP_API int pthread_setname_np(pthread_t th, const char *name)
{
	int err = REAL(pthread_setname_np)(th, name);
	struct xp_thread *t = xp_self;

	if (!err && t && xp.active && pthread_equal(th, pthread_self()) && process_is_self()) {
		size_t len = strnlen(name, sizeof(t->name) - 1);

		XP_BUSY(t, memcpy(t->name, name, len); t->name[len] = 0;
			rec_fields(t, XPF_REC_THREAD_NAME, NULL, 0, &name, &len, 1));
	}
	return err;
}
