// SPDX-License-Identifier: MIT
/*
 * thread.c - per-thread state, and following threads: the pthread_create interposer starts
 * each new thread in thread_main(), which makes its state, records THREAD_START and arms
 * its CPU-time timer before the program's start routine runs. A pthread key destructor
 * ends it however the thread ends (return, pthread_exit, cancellation).
 *
 * Per-thread state is mmap'ed (never malloc'ed) so that the signal handler only ever touches
 * memory that stays put, and is reached through an initial-exec TLS pointer (xp_self) that
 * the handler can read without calling into the loader. Normal context only, except where
 * a comment says AS-safe.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libunwind.h>

#include "xprof-int.h"

__thread struct xp_thread *xp_self __attribute__((tls_model("initial-exec")));

/* Live threads, for the CPU snapshot at exit and for descriptor moves. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xp_thread *registry;

struct start_arg {
	void *(*fn)(void *);
	void *arg;
	pid_t creator;
};

void thread_registry_lock(void)
{
	pthread_mutex_lock(&registry_lock);
}

void thread_registry_unlock(void)
{
	pthread_mutex_unlock(&registry_lock);
}

static struct xp_thread *state_new(void)
{
	size_t frames = 2 * (size_t)xp.cfg.depth + XP_SKIP_FRAMES;
	size_t size = sizeof(struct xp_thread) + frames * sizeof(uintptr_t);
	struct xp_thread *t;

	size = (size + 4095) & ~(size_t)4095;
	t = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED)
		return NULL;
	t->map_size = size;
	t->prev = (uintptr_t *)(t + 1);
	t->scratch = t->prev + xp.cfg.depth;
	t->timer_fd = -1;
	t->timer_fd_sig = -1;
	t->tid = xp_gettid();
	return t;
}

static void registry_add(struct xp_thread *t)
{
	thread_registry_lock();
	t->next = registry;
	registry = t;
	thread_registry_unlock();
}

static void registry_del(struct xp_thread *t)
{
	thread_registry_lock();
	for (struct xp_thread **p = &registry; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	thread_registry_unlock();
}

/* libunwind makes its per-thread trace cache on first use: do that here, not in the handler. */
static void unwind_warm_up(struct xp_thread *t)
{
	unw_backtrace((void **)t->scratch, 4);
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
	t = state_new();
	if (!t)
		return NULL;
	pthread_getname_np(pthread_self(), t->name, sizeof(t->name));
	XP_BUSY(t, unwind_warm_up(t));
	xp_self = t;
	pthread_setspecific(xp.key, t);
	registry_add(t);
	XP_BUSY(t, record_start(t, creator));
	if (timer_arm(t) != 0) {
		static const char note[] = "a thread could not get a CPU-time timer";
		size_t len = sizeof(note) - 1;
		const char *s = note;

		XP_BUSY(t, rec_fields(t, XPF_REC_NOTE, NULL, 0, &s, &len, 1));
	}
	return t;
}

/* Not AS-safe: see declaration. prctl(PR_SET_NAME) renames bypass pthread_setname_np. */
void thread_name_refresh(struct xp_thread *t)
{
	char now[16];
	size_t len;
	const char *s = now;

	if (pthread_getname_np(pthread_self(), now, sizeof(now)) != 0 || !strcmp(now, t->name))
		return;
	memcpy(t->name, now, sizeof(now));
	len = strlen(now);
	XP_BUSY(t, rec_fields(t, XPF_REC_THREAD_NAME, NULL, 0, &s, &len, 1));
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
		thread_name_refresh(t);
		thread_record_handler_time(t, t);
		XP_BUSY(t, rec_fields(t, XPF_REC_THREAD_END, &cpu, 1, NULL, NULL, 0));
	}
	out_block_done(t->blk);
	registry_del(t);
	xp_self = NULL;
	munmap(t, t->map_size);
}

static void key_destructor(void *p)
{
	thread_end(p);
}

/* Not AS-safe: see declaration. */
struct xp_thread *thread_self(void)
{
	struct xp_thread *t = xp_self;

	/* A task made by raw clone without its own TLS sees its creator's pointer: not its. */
	if (t && t->tid != xp_gettid())
		return NULL;
	if (t || !xp.active || !process_is_self())
		return t;
	/* A thread we did not see start (made before our constructor, or by a library that
	 * bypasses pthread_create's symbol): give it a state now, sampled from here on. */
	return thread_begin(0);
}

/* Not AS-safe: see declaration. */
void thread_after_fork_child(struct xp_thread *t)
{
	registry = NULL;
	pthread_mutex_init(&registry_lock, NULL);
	if (t)
		registry_add(t);
}

/* Not AS-safe: see declaration. */
void thread_record_handler_time(struct xp_thread *w, struct xp_thread *t)
{
	uint64_t nums[3 + XP_HIST_BUCKETS] = { (uint64_t)t->tid, XP_HIST_NS, XP_HIST_BUCKETS };
	int any = 0;

	for (int i = 0; i < XP_HIST_BUCKETS; i++) {
		nums[3 + i] = t->handler_hist[i];
		any |= !!t->handler_hist[i];
	}
	if (any)
		XP_BUSY(w, rec_fields(w, XPF_REC_HANDLER_TIME, nums, 3 + XP_HIST_BUCKETS, NULL,
				      NULL, 0));
}

/* Not AS-safe: see declaration. */
void thread_record_others(struct xp_thread *self)
{
	thread_registry_lock();
	for (struct xp_thread *t = registry; t; t = t->next) {
		uint64_t nums[2];

		thread_record_handler_time(self, t);
		if (t == self)
			continue;
		nums[0] = (uint64_t)t->tid;
		nums[1] = xp_tid_cpu(t->tid);
		if (nums[1])
			XP_BUSY(self, rec_fields(self, XPF_REC_THREAD_CPU, nums, 2, NULL, NULL, 0));
	}
	thread_registry_unlock();
}

/* Not AS-safe: see declaration. */
void thread_fd_moved(int from, int to)
{
	thread_registry_lock();
	for (struct xp_thread *t = registry; t; t = t->next)
		if (t->timer_fd == from)
			t->timer_fd = to;
	thread_registry_unlock();
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

		memcpy(t->name, name, len);
		t->name[len] = 0;
		XP_BUSY(t, rec_fields(t, XPF_REC_THREAD_NAME, NULL, 0, &name, &len, 1));
	}
	return err;
}
