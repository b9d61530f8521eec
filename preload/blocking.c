// SPDX-License-Identifier: MIT
/*
 * blocking.c - interposers of the blocking system-call wrappers of libc: I/O, sockets,
 * polling, sleeps, signal waits, syncs and file locks, timed for off-CPU profiles (see
 * offcpu.c for what is measured and why, blocking.h for the shared fast path).
 *
 * Each one calls the real function exactly once with the program's arguments and returns
 * its result with its errno: EINTR, SA_RESTART and cancellation stay the kernel's and
 * libc's business. The 64-bit-offset names (pread64, fcntl64...) and the _FORTIFY_SOURCE
 * variants (__read_chk...) are what many programs really call; they count under the plain
 * name. Calls libc makes internally (fread's read, system's waitpid) do not go through
 * these symbols and are not seen.
 *
 * All AS-safe: POSIX lets signal handlers call most of these (read, write, poll, sleep,
 * sigsuspend, fsync...); the interposers touch only the calling thread's own state.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "blocking.h"

/* ---- reads and writes ---- */

XP_API ssize_t read(int fd, void *buf, size_t n)
{
	BLK_COARSE(XPF_CALL_READ, read, (fd, buf, n));
}

XP_API ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	BLK_COARSE(XPF_CALL_READ, __read_chk, (fd, buf, n, buflen));
}

XP_API ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	BLK_COARSE(XPF_CALL_READV, readv, (fd, iov, cnt));
}

XP_API ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	BLK_COARSE(XPF_CALL_PREAD, pread, (fd, buf, n, off));
}

XP_API ssize_t pread64(int fd, void *buf, size_t n, off64_t off)
{
	BLK_COARSE(XPF_CALL_PREAD, pread64, (fd, buf, n, off));
}

XP_API ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
	BLK_COARSE(XPF_CALL_PREAD, __pread_chk, (fd, buf, n, off, buflen));
}

XP_API ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off, size_t buflen)
{
	BLK_COARSE(XPF_CALL_PREAD, __pread64_chk, (fd, buf, n, off, buflen));
}

XP_API ssize_t preadv(int fd, const struct iovec *iov, int cnt, off_t off)
{
	BLK_COARSE(XPF_CALL_PREADV, preadv, (fd, iov, cnt, off));
}

XP_API ssize_t preadv64(int fd, const struct iovec *iov, int cnt, off64_t off)
{
	BLK_COARSE(XPF_CALL_PREADV, preadv64, (fd, iov, cnt, off));
}

XP_API ssize_t write(int fd, const void *buf, size_t n)
{
	BLK_COARSE(XPF_CALL_WRITE, write, (fd, buf, n));
}

XP_API ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	BLK_COARSE(XPF_CALL_WRITEV, writev, (fd, iov, cnt));
}

XP_API ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	BLK_COARSE(XPF_CALL_PWRITE, pwrite, (fd, buf, n, off));
}

XP_API ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	BLK_COARSE(XPF_CALL_PWRITE, pwrite64, (fd, buf, n, off));
}

XP_API ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	BLK_COARSE(XPF_CALL_PWRITEV, pwritev, (fd, iov, cnt, off));
}

XP_API ssize_t pwritev64(int fd, const struct iovec *iov, int cnt, off64_t off)
{
	BLK_COARSE(XPF_CALL_PWRITEV, pwritev64, (fd, iov, cnt, off));
}

/* ---- sockets ---- */

XP_API ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	BLK_COARSE(XPF_CALL_RECV, recv, (fd, buf, n, flags));
}

XP_API ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags)
{
	BLK_COARSE(XPF_CALL_RECV, __recv_chk, (fd, buf, n, buflen, flags));
}

XP_API ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr,
			socklen_t *alen)
{
	BLK_COARSE(XPF_CALL_RECVFROM, recvfrom, (fd, buf, n, flags, addr, alen));
}

XP_API ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
			      struct sockaddr *addr, socklen_t *alen)
{
	BLK_COARSE(XPF_CALL_RECVFROM, __recvfrom_chk, (fd, buf, n, buflen, flags, addr, alen));
}

XP_API ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	BLK_COARSE(XPF_CALL_RECVMSG, recvmsg, (fd, msg, flags));
}

XP_API int recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags, struct timespec *tmo)
{
	BLK_COARSE(XPF_CALL_RECVMMSG, recvmmsg, (fd, v, n, flags, tmo));
}

XP_API ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	BLK_COARSE(XPF_CALL_SEND, send, (fd, buf, n, flags));
}

XP_API ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr,
		      socklen_t alen)
{
	BLK_COARSE(XPF_CALL_SENDTO, sendto, (fd, buf, n, flags, addr, alen));
}

XP_API ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	BLK_COARSE(XPF_CALL_SENDMSG, sendmsg, (fd, msg, flags));
}

XP_API int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	BLK_COARSE(XPF_CALL_SENDMMSG, sendmmsg, (fd, v, n, flags));
}

XP_API int accept(int fd, struct sockaddr *addr, socklen_t *alen)
{
	BLK_COARSE(XPF_CALL_ACCEPT, accept, (fd, addr, alen));
}

XP_API int accept4(int fd, struct sockaddr *addr, socklen_t *alen, int flags)
{
	BLK_COARSE(XPF_CALL_ACCEPT4, accept4, (fd, addr, alen, flags));
}

XP_API int connect(int fd, const struct sockaddr *addr, socklen_t alen)
{
	BLK_COARSE(XPF_CALL_CONNECT, connect, (fd, addr, alen));
}

/* ---- polling: a zero timeout cannot block, so it is counted only ---- */

static int ts_zero(const struct timespec *ts)
{
	return ts && !ts->tv_sec && !ts->tv_nsec;
}

XP_API int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	if (!timeout)
		BLK_COUNT_ONLY(XPF_CALL_POLL, poll, (fds, n, timeout));
	BLK_COARSE(XPF_CALL_POLL, poll, (fds, n, timeout));
}

XP_API int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	if (!timeout)
		BLK_COUNT_ONLY(XPF_CALL_POLL, __poll_chk, (fds, n, timeout, fdslen));
	BLK_COARSE(XPF_CALL_POLL, __poll_chk, (fds, n, timeout, fdslen));
}

XP_API int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *tmo, const sigset_t *ss)
{
	if (ts_zero(tmo))
		BLK_COUNT_ONLY(XPF_CALL_PPOLL, ppoll, (fds, n, tmo, ss));
	BLK_COARSE(XPF_CALL_PPOLL, ppoll, (fds, n, tmo, ss));
}

XP_API int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
		       const sigset_t *ss, size_t fdslen)
{
	if (ts_zero(tmo))
		BLK_COUNT_ONLY(XPF_CALL_PPOLL, __ppoll_chk, (fds, n, tmo, ss, fdslen));
	BLK_COARSE(XPF_CALL_PPOLL, __ppoll_chk, (fds, n, tmo, ss, fdslen));
}

XP_API int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	if (tv && !tv->tv_sec && !tv->tv_usec)
		BLK_COUNT_ONLY(XPF_CALL_SELECT, select, (n, r, w, e, tv));
	BLK_COARSE(XPF_CALL_SELECT, select, (n, r, w, e, tv));
}

XP_API int pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *ts,
		   const sigset_t *ss)
{
	if (ts_zero(ts))
		BLK_COUNT_ONLY(XPF_CALL_PSELECT, pselect, (n, r, w, e, ts, ss));
	BLK_COARSE(XPF_CALL_PSELECT, pselect, (n, r, w, e, ts, ss));
}

XP_API int epoll_wait(int fd, struct epoll_event *ev, int max, int timeout)
{
	if (!timeout)
		BLK_COUNT_ONLY(XPF_CALL_EPOLL_WAIT, epoll_wait, (fd, ev, max, timeout));
	BLK_COARSE(XPF_CALL_EPOLL_WAIT, epoll_wait, (fd, ev, max, timeout));
}

XP_API int epoll_pwait(int fd, struct epoll_event *ev, int max, int timeout, const sigset_t *ss)
{
	if (!timeout)
		BLK_COUNT_ONLY(XPF_CALL_EPOLL_PWAIT, epoll_pwait, (fd, ev, max, timeout, ss));
	BLK_COARSE(XPF_CALL_EPOLL_PWAIT, epoll_pwait, (fd, ev, max, timeout, ss));
}

/* ---- sleeps (they always wait: timed precisely) and signal waits ---- */

XP_API int nanosleep(const struct timespec *req, struct timespec *rem)
{
	BLK_PRECISE(XPF_CALL_NANOSLEEP, nanosleep, (req, rem));
}

XP_API int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
			   struct timespec *rem)
{
	BLK_PRECISE(XPF_CALL_CLOCK_NANOSLEEP, clock_nanosleep, (clk, flags, req, rem));
}

XP_API int usleep(useconds_t us)
{
	BLK_PRECISE(XPF_CALL_USLEEP, usleep, (us));
}

XP_API unsigned int sleep(unsigned int s)
{
	BLK_PRECISE(XPF_CALL_SLEEP, sleep, (s));
}

XP_API int sigsuspend(const sigset_t *mask)
{
	BLK_PRECISE(XPF_CALL_SIGSUSPEND, sigsuspend, (mask));
}

/* A signal already pending returns at once: coarse. */
XP_API int sigwait(const sigset_t *set, int *sig)
{
	BLK_COARSE(XPF_CALL_SIGWAIT, sigwait, (set, sig));
}

XP_API int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
	BLK_COARSE(XPF_CALL_SIGWAITINFO, sigwaitinfo, (set, info));
}

XP_API int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *tmo)
{
	BLK_COARSE(XPF_CALL_SIGTIMEDWAIT, sigtimedwait, (set, info, tmo));
}

/* ---- syncs and file locks ---- */

XP_API int fsync(int fd)
{
	BLK_COARSE(XPF_CALL_FSYNC, fsync, (fd));
}

XP_API int fdatasync(int fd)
{
	BLK_COARSE(XPF_CALL_FDATASYNC, fdatasync, (fd));
}

XP_API int flock(int fd, int op)
{
	BLK_COARSE(XPF_CALL_FLOCK, flock, (fd, op));
}

XP_API int lockf(int fd, int cmd, off_t len)
{
	BLK_COARSE(XPF_CALL_LOCKF, lockf, (fd, cmd, len));
}

XP_API int lockf64(int fd, int cmd, off64_t len)
{
	BLK_COARSE(XPF_CALL_LOCKF, lockf64, (fd, cmd, len));
}

/* fcntl's third argument is an int or a pointer, whatever cmd says; passed on as libc reads
 * it (one machine word). Only the waiting lock commands are timed and counted. */
static int fcntl_waits(int cmd)
{
	return cmd == F_SETLKW || cmd == F_OFD_SETLKW;
}

/* The body of both: the third argument read once, the lock commands timed. */
#define FCNTL_BODY(fn)                                                                     \
	do {                                                                               \
		va_list ap;                                                                \
		void *arg;                                                                 \
                                                                                           \
		va_start(ap, cmd);                                                         \
		arg = va_arg(ap, void *);                                                  \
		va_end(ap);                                                                \
		if (fcntl_waits(cmd))                                                      \
			BLK_COARSE(XPF_CALL_FCNTL_LOCK, fn, (fd, cmd, arg));               \
		return REAL(fn)(fd, cmd, arg);                                             \
	} while (0)

XP_API int fcntl(int fd, int cmd, ...)
{
	FCNTL_BODY(fcntl);
}

XP_API int fcntl64(int fd, int cmd, ...)
{
	FCNTL_BODY(fcntl64);
}
