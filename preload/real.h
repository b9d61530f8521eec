/* SPDX-License-Identifier: MIT */
/*
 * real.h - the definitions our interposers stand in front of, in one table.
 *
 * Every entry is resolved once, at library init (real_init), before any timer is armed, so
 * that nothing reachable from a signal handler - ours or a program's that calls _exit,
 * execve, fork, close, sigaction or sigprocmask, which POSIX makes async-signal-safe - ever
 * calls dlsym. Interposers that run before our constructor (other libraries' constructors)
 * resolve their entry on first use instead; that is normal context.
 */
#ifndef XPROF_REAL_H
#define XPROF_REAL_H

#include <dlfcn.h>
#include <link.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <pthread.h>

/* X(name): every libc/libdl function libxprof.so interposes or must reach past itself. */
#define XP_REAL_FUNCS(X)                                                                   \
	X(sigaction) X(signal) X(pthread_sigmask) X(sigprocmask) X(_exit)                  \
	X(close) X(closefrom) X(dup2) X(dup3) X(pipe2) X(dl_iterate_phdr) X(dlopen)         \
	X(dlclose) X(execve) X(execveat) X(execvpe) X(fexecve) X(fork) X(popen)             \
	X(posix_spawn) X(posix_spawnp) X(system) X(pthread_create) X(pthread_setname_np)

struct xp_real {
#define XP_REAL_FIELD(fn) __typeof__(&fn) fn;
	XP_REAL_FUNCS(XP_REAL_FIELD)
#undef XP_REAL_FIELD
	__typeof__(&_exit) _Exit;	/* a gcc built-in: typeof(&_Exit) is refused */
};

extern struct xp_real xp_real;

/* Not AS-safe (dlsym): fills the table. Called first thing at library init. */
void real_init(void);

/* Not AS-safe (dlsym): one entry, on first use before real_init; exits if it is missing. */
void *real_resolve(const char *name, void **slot);

/* AS-safe once real_init has run: the next definition of fn. */
#define REAL(fn)                                                                           \
	(__builtin_expect(xp_real.fn != NULL, 1)                                           \
		 ? xp_real.fn                                                              \
		 : (__typeof__(xp_real.fn))real_resolve(#fn, (void **)&xp_real.fn))

#endif /* XPROF_REAL_H */
