/* SPDX-License-Identifier: MIT */
/*
 * real.h - the definitions our interposers stand in front of, in one table.
 *
 * The entries a signal handler can reach - ours (mmap, munmap: out.c, libunwind), or a
 * program's calling what POSIX makes async-signal-safe (_exit, execve, fork, close, dup2,
 * sigaction, sigprocmask, pipe) or what garbage collectors call from their fault handlers
 * (mprotect) - are
 * resolved once, at library init (real_init), before any timer is armed, so that no handler
 * ever calls dlsym. The others (dlopen, posix_spawn, pthread_create, system...) are not
 * async-signal-safe to begin with and resolve on first use, which saves a process image the
 * lookups it never needs (each dlsym walks the loaded objects). Interposers that run before
 * our constructor (other libraries' constructors) resolve on first use too: normal context.
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
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* X(name): the libc/libdl functions libxprof.so interposes or must reach past itself;
 * EAGER ones are reachable from signal handlers (see above). */
#define XP_REAL_EAGER(X)                                                                   \
	X(sigaction) X(pthread_sigmask) X(sigprocmask) X(_exit) X(close) X(dup2) X(dup3)     \
	X(pipe2) X(dl_iterate_phdr) X(execve) X(execveat) X(fexecve) X(fork) X(wait4)        \
	X(waitid) X(mmap) X(munmap) X(mprotect)
#define XP_REAL_LAZY(X)                                                                    \
	X(signal) X(closefrom) X(dlopen) X(dlclose) X(execvpe) X(popen) X(posix_spawn)      \
	X(posix_spawnp) X(system) X(pthread_create) X(pthread_setname_np) X(mmap64)         \
	X(pkey_mprotect)

struct xp_real {
#define XP_REAL_FIELD(fn) __typeof__(&fn) fn;
	XP_REAL_EAGER(XP_REAL_FIELD)
	XP_REAL_LAZY(XP_REAL_FIELD)
#undef XP_REAL_FIELD
	__typeof__(&_exit) _Exit;	/* a gcc built-in: typeof(&_Exit) is refused */
};

extern struct xp_real xp_real;

/* Not AS-safe (dlsym): fills the table's eager entries. Called first thing at library init. */
void real_init(void);

/* Not AS-safe (dlsym): one entry, on first use before real_init; exits if it is missing. */
void *real_resolve(const char *name, void **slot);

/* AS-safe once real_init has run: the next definition of fn. */
#define REAL(fn)                                                                           \
	(__builtin_expect(xp_real.fn != NULL, 1)                                           \
		 ? xp_real.fn                                                              \
		 : (__typeof__(xp_real.fn))real_resolve(#fn, (void **)&xp_real.fn))

#endif /* XPROF_REAL_H */
