// SPDX-License-Identifier: MIT
/*
 * fdguard.c - keeping xprof's descriptors alive when the program closes "everything".
 *
 * Daemons close every descriptor above 2 (a loop to _SC_OPEN_MAX, closefrom, close_range)
 * and then open their own files, which would take over our numbers. We keep our descriptors
 * at high numbers, mark them in a bitmap, and the close family below skips them: the
 * program is told its close succeeded, as if the descriptor had been closed. dup2/dup3 onto
 * one of ours first moves ours away. A raw close syscall still gets through; nothing short
 * of seccomp can stop that.
 *
 * fd_mark, fd_is_ours, fd_move_high and fd_real_close are AS-safe (atomic byte ops, plain
 * syscalls).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xprof-int.h"

/* One byte per descriptor: written with atomics from any thread or handler. */
static uint8_t fd_ours[XP_FD_MAP];

void fd_mark(int fd, int ours)
{
	if (fd >= 0 && fd < XP_FD_MAP)
		__atomic_store_n(&fd_ours[fd], (uint8_t)!!ours, __ATOMIC_RELAXED);
}

int fd_is_ours(int fd)
{
	return fd >= 0 && fd < XP_FD_MAP && __atomic_load_n(&fd_ours[fd], __ATOMIC_RELAXED);
}

int fd_real_close(int fd)
{
	return (int)syscall(SYS_close, fd);
}

/* Where our descriptors go: above 1023 when the limit allows (so programs that still use
 * select() never meet ours), else in the upper half of what the limit allows. */
static int high_base(void)
{
	struct rlimit rl;
	int base = 3;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		base = rl.rlim_cur > 2048 ? 1024 : (int)(rl.rlim_cur / 2);
	return base < 3 ? 3 : base;
}

/* AS-safe: see declaration (fcntl, getrlimit, close are plain syscalls). */
int fd_move_high(int fd)
{
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, high_base());

	if (nfd < 0) {
		fd_mark(fd, 1);
		return fd;
	}
	fd_real_close(fd);
	fd_mark(nfd, 1);
	return nfd;
}

/*
 * libunwind's memory validator makes a pipe on its first use and keeps it for the life of the
 * process. Left at the lowest free numbers it takes 3 and 4 from the program, and after the
 * program's closefrom(3) libunwind would read and write whatever the program opened at those
 * numbers next (seen: a hang reading the program's socket). So while our first use of
 * libunwind runs, pipe2() calls from this thread (libunwind's, through its PLT) get their
 * ends moved high, marked ours. Filling every free low number instead, as we once did, cost
 * 1,028 openat + 1,027 close per process image.
 */
static _Atomic pid_t pipes_high_tid;	/* the thread whose pipes go high, 0: none */

/* Not AS-safe: see declaration. */
void fd_pipes_high(void (*fn)(void *), void *arg)
{
	atomic_store(&pipes_high_tid, xp_gettid());
	fn(arg);
	atomic_store(&pipes_high_tid, 0);
}

/* Interposer: pipe2(2); see fd_pipes_high. */
XP_API int pipe2(int fds[2], int flags)
{
	int r = REAL(pipe2)(fds, flags);
	pid_t who = atomic_load(&pipes_high_tid);

	if (r == 0 && who && who == xp_gettid()) {
		fds[0] = fd_move_high(fds[0]);
		fds[1] = fd_move_high(fds[1]);
	}
	return r;
}

/* Interposer: the program's close(). */
XP_API int close(int fd)
{
	if (fd_is_ours(fd))
		return 0;
	return REAL(close)(fd);
}

/* close_range over [lo, hi], skipping ours: the gaps between our descriptors. */
static int close_span(unsigned lo, unsigned hi, int flags)
{
	unsigned start = lo;

	for (unsigned fd = lo; fd <= hi && fd < XP_FD_MAP; fd++) {
		if (!fd_is_ours((int)fd))
			continue;
		if (fd > start && syscall(SYS_close_range, start, fd - 1, flags) != 0)
			return -1;
		start = fd + 1;
	}
	return start <= hi ? (int)syscall(SYS_close_range, start, hi, flags) : 0;
}

/* Interposer: close_range(2) (glibc 2.34). CLOEXEC-only requests cannot hurt ours. */
XP_API int close_range(unsigned first, unsigned last, int flags)
{
	if (!xp.active || (flags & CLOSE_RANGE_CLOEXEC) || first > last)
		return (int)syscall(SYS_close_range, first, last, flags);
	return close_span(first, last, flags);
}

/* Interposer: closefrom(3) (glibc 2.34). */
XP_API void closefrom(int lowfd)
{
	if (lowfd < 0)
		lowfd = 0;
	if (xp.active)
		close_span((unsigned)lowfd, ~0u, 0);
	else
		REAL(closefrom)(lowfd);
}

/* If newfd is one of ours, move ours out of the way before the program takes the number. */
static void vacate(int newfd)
{
	if (!fd_is_ours(newfd))
		return;
	int moved = fcntl(newfd, F_DUPFD_CLOEXEC, newfd + 1);

	if (moved < 0)
		return;
	fd_mark(moved, 1);
	fd_mark(newfd, 0);
	if (xp.fd == newfd)
		xp.fd = moved;
	thread_fd_moved(newfd, moved);
}

XP_API int dup2(int oldfd, int newfd)
{
	if (oldfd != newfd)
		vacate(newfd);
	return REAL(dup2)(oldfd, newfd);
}

XP_API int dup3(int oldfd, int newfd, int flags)
{
	if (oldfd != newfd)
		vacate(newfd);
	return REAL(dup3)(oldfd, newfd, flags);
}
