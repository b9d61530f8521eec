// SPDX-License-Identifier: MIT
/*
 * real.c - finding the definitions our interposers stand in front of (dlsym RTLD_NEXT): the
 * ones signal handlers can reach at library init, the others on first use; see real.h.
 * Normal context only.
 */
#include <stdatomic.h>
#include <sys/syscall.h>

#include "real.h"

/* Filled by real_init() before any timer is armed; read-only after (see real.h). */
struct xp_real xp_real;

/* The definition of name at version ver after ours; the default one where the C library
 * has no such version. */
static void *real_vresolve(const char *name, const char *ver)
{
	void *p = dlvsym(RTLD_NEXT, name, ver);

	return p ? p : dlsym(RTLD_NEXT, name);
}

void real_init(void)
{
#define XP_REAL_LOOKUP(fn)                                                                 \
	if (!xp_real.fn)                                                                   \
		xp_real.fn = (__typeof__(xp_real.fn))dlsym(RTLD_NEXT, #fn);
	XP_REAL_EAGER(XP_REAL_LOOKUP)
	XP_REAL_LOOKUP(_Exit)
#undef XP_REAL_LOOKUP
#define XP_REAL_VLOOKUP(fn, ver)                                                           \
	if (!xp_real.fn)                                                                   \
		xp_real.fn = (__typeof__(xp_real.fn))real_vresolve(#fn, ver);
	XP_REAL_VERSIONED(XP_REAL_VLOOKUP)
#undef XP_REAL_VLOOKUP
}

void *real_resolve(const char *name, void **slot)
{
	void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

	if (p)
		return p;
	p = dlsym(RTLD_NEXT, name);
	if (!p) {
		/* Without the real function we cannot go on: say which, then stop. */
		static const char msg[] = "xprof: cannot find the real function ";
		ssize_t r = write(2, msg, sizeof(msg) - 1);

		r = write(2, name, __builtin_strlen(name));
		r = write(2, "\n", 1);
		(void)r;
		syscall(SYS_exit_group, 127);	/* not _exit: ours would record an end */
	}
	__atomic_store_n(slot, p, __ATOMIC_RELEASE);
	return p;
}
