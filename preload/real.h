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
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* X(name): the libc/libdl functions libxprof.so interposes or must reach past itself;
 * EAGER ones are reachable from signal handlers (see above). */
#define XP_REAL_EAGER(X)                                                                   \
	X(sigaction) X(pthread_sigmask) X(sigprocmask) X(_exit) X(close) X(dup2) X(dup3)     \
	X(pipe2) X(dl_iterate_phdr) X(execve) X(execveat) X(fexecve) X(fork) X(wait4)        \
	X(waitid) X(mmap) X(munmap) X(mprotect) XP_REAL_BLOCKING(X)
/* The blocking calls timed for off-CPU profiles (blocking.c, blocking_pthread.c): eager,
 * since handlers may call most of them and their interposers must never resolve lazily.
 * pthread_cond_wait and pthread_cond_timedwait are looked up at their default version
 * (see XP_REAL_VERSIONED). */
#define XP_REAL_BLOCKING(X)                                                                \
	X(read) X(readv) X(pread) X(pread64) X(preadv) X(preadv64) X(write) X(writev)        \
	X(pwrite) X(pwrite64) X(pwritev) X(pwritev64) X(recv) X(recvfrom) X(recvmsg)         \
	X(recvmmsg) X(send) X(sendto) X(sendmsg) X(sendmmsg) X(poll) X(ppoll) X(select)      \
	X(pselect) X(epoll_wait) X(epoll_pwait) X(accept) X(accept4) X(connect)              \
	X(nanosleep) X(clock_nanosleep) X(usleep) X(sleep) X(sigwait) X(sigwaitinfo)         \
	X(sigtimedwait) X(sigsuspend) X(fsync) X(fdatasync) X(flock) X(fcntl) X(fcntl64)     \
	X(lockf) X(lockf64) X(__read_chk) X(__pread_chk) X(__pread64_chk) X(__recv_chk)      \
	X(__recvfrom_chk) X(__poll_chk) X(__ppoll_chk)                                       \
	X(pthread_mutex_lock) X(pthread_mutex_trylock) X(pthread_mutex_timedlock)            \
	X(pthread_join) X(pthread_tryjoin_np) X(sem_wait) X(sem_trywait) X(sem_timedwait)    \
	X(pthread_rwlock_rdlock) X(pthread_rwlock_tryrdlock) X(pthread_rwlock_wrlock)        \
	X(pthread_rwlock_trywrlock) X(pthread_barrier_wait)
/* X(name, version): functions with an old and a new implementation under one name; ours
 * stands in front of the default one only (blocking_pthread.c), and so must the real one. */
#define XP_REAL_VERSIONED(X)                                                               \
	X(pthread_cond_wait, "GLIBC_2.3.2") X(pthread_cond_timedwait, "GLIBC_2.3.2")
#define XP_REAL_LAZY(X)                                                                    \
	X(signal) X(closefrom) X(dlopen) X(dlclose) X(execvpe) X(popen) X(posix_spawn)      \
	X(posix_spawnp) X(system) X(pthread_create) X(pthread_setname_np) X(mmap64)         \
	X(pkey_mprotect)

/* The fortified variants _FORTIFY_SOURCE builds call (bits/unistd.h and friends declare them
 * only when fortifying). */
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off, size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
		       struct sockaddr *addr, socklen_t *alen);
int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen);
int __ppoll_chk(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo,
		const sigset_t *ss, size_t fdslen);

struct xp_real {
#define XP_REAL_FIELD(fn) __typeof__(&fn) fn;
#define XP_REAL_VFIELD(fn, ver) __typeof__(&fn) fn;
	XP_REAL_EAGER(XP_REAL_FIELD)
	XP_REAL_LAZY(XP_REAL_FIELD)
	XP_REAL_VERSIONED(XP_REAL_VFIELD)
#undef XP_REAL_FIELD
#undef XP_REAL_VFIELD
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
