// SPDX-License-Identifier: MIT
/*
 * unwind.c - libunwind, loaded apart from the program.
 *
 * Why dlopen with RTLD_LOCAL and not a link-time dependency: libunwind.so.8 exports the
 * _Unwind_* personality API (_Unwind_RaiseException, _Unwind_Resume, ...) and `backtrace`.
 * Linked into libxprof.so it lands in the program's global scope ahead of libgcc_s, and every
 * C++ exception or Rust panic in code loaded later (a Python extension, a JNI library, a
 * dlopen'ed plugin) was thrown through libunwind's implementation instead of libgcc's: the
 * program behaved differently under the profiler. Loaded RTLD_LOCAL, its symbols serve only
 * us. RTLD_NOW binds everything it calls before any sample is taken.
 *
 * unwind_load and unwind_thread_init run in normal context; unwind_backtrace is AS-safe (it
 * is libunwind's fast trace path, unw_backtrace, which reads the stack and its own caches).
 */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "xprof-int.h"

#define UNWIND_SONAME	"libunwind.so.8"

/* Set once by unwind_load() before any timer is armed; read-only after. */
static struct {
	int (*backtrace)(void **buf, int size);
	int (*set_cache_size)(void *as, size_t size, int flag);
	void **local_as;
} unw;

static void *sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (!p)
		xp_say(1, "xprof: %s has no %s; the program runs unprofiled", UNWIND_SONAME, name);
	return p;
}

/* libunwind's first use opens its validator pipe (see fd_pipes_high). Its CFI cache holds 128
 * addresses by default: a program's leaf pcs alone overflow it, and every miss walks the
 * loader's list and parses CFI (~15 us). */
static void first_use(void *arg)
{
	void *frames[1];

	(void)arg;
	unw.set_cache_size(*unw.local_as, XP_UNWIND_CACHE, 0);
	unw.backtrace(frames, 1);
}

/* Not AS-safe: see declaration. */
int unwind_load(void)
{
	void *h = REAL(dlopen)(UNWIND_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		xp_say(1, "xprof: cannot load %s: %s; the program runs unprofiled", UNWIND_SONAME,
		       dlerror());
		return -ENOENT;
	}
	unw.backtrace = (int (*)(void **, int))sym(h, "unw_backtrace");
	unw.set_cache_size = (int (*)(void *, size_t, int))sym(h, "_ULx86_64_set_cache_size");
	unw.local_as = (void **)sym(h, "_ULx86_64_local_addr_space");
	if (!unw.backtrace || !unw.set_cache_size || !unw.local_as)
		return -ENOENT;
	/* The exact object we use (the program may have another libunwind of its own). */
	xp.unwinder = modules_code_of((const void *)unw.backtrace);
	fd_pipes_high(first_use, NULL);
	return 0;
}

/* Not AS-safe: see declaration. The trace cache is made on a thread's first unw_backtrace
 * (mmap, pthread_setspecific): that must not happen in the handler. */
void unwind_thread_init(struct xp_thread *t)
{
	unw.backtrace((void **)t->scratch, 1);
}

/* AS-safe: see declaration. */
int unwind_backtrace(uintptr_t *buf, int cap)
{
	return unw.backtrace((void **)buf, cap);
}
