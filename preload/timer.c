// SPDX-License-Identifier: MIT
/*
 * timer.c - one CPU-time timer per thread, signalling that thread.
 *
 * Preferred: a perf_event task-clock software event on the thread itself, user space only,
 * whose overflow sends our signal to the thread (O_ASYNC + F_SETSIG + F_SETOWN_EX TID).
 * It has no tick limit: 999 Hz is 999 Hz. Allowed for root or perf_event_paranoid <= 2.
 * Fallback: timer_create on the thread's CPU clock with SIGEV_THREAD_ID. POSIX CPU timers
 * are checked at the scheduler tick, so the rate is capped at CONFIG_HZ; the CPU-time
 * weight of each sample keeps the totals right anyway.
 * Why not setitimer(ITIMER_PROF): it is process-wide, survives exec into images that have
 * no handler, and is the program's own (gprof, gperftools).
 *
 * timer_arm/timer_probe run in normal context; timer_disarm is AS-safe.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xprof-int.h"

static int perf_open_self(void)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.sample_period = 1000000000ull / xp.cfg.hz;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Not AS-safe (fcntl F_SETOWN_EX is fine, but we also move the fd). */
static int perf_arm(struct xp_thread *t)
{
	struct f_owner_ex owner = { .type = F_OWNER_TID, .pid = t->tid };
	int fd = perf_open_self();

	if (fd < 0)
		return -errno;
	fd = fd_move_high(fd);
	if (fcntl(fd, F_SETSIG, xp.cfg.signo) != 0 || fcntl(fd, F_SETOWN_EX, &owner) != 0 ||
	    fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK) != 0) {
		int err = -errno;

		fd_mark(fd, 0);
		fd_real_close(fd);
		return err;
	}
	t->timer_fd = fd;
	t->timer_fd_sig = fd;	/* fasync remembers the number it was enabled under */
	t->mech = XPF_MECH_PERF_TASK_CLOCK;
	t->last_cpu = xp_thread_cpu();
	ioctl(fd, PERF_EVENT_IOC_RESET, 0);
	if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0)
		return -errno;
	return 0;
}

static int posix_timer_arm(struct xp_thread *t)
{
	struct sigevent ev;
	struct itimerspec its;
	long ns = 1000000000L / (long)xp.cfg.hz;

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = xp.cfg.signo;
	ev.sigev_value.sival_ptr = &xp;
	ev._sigev_un._tid = t->tid;
	if (timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &t->timer_id) != 0)
		return -errno;
	its.it_interval.tv_sec = ns / 1000000000L;
	its.it_interval.tv_nsec = ns % 1000000000L;
	its.it_value = its.it_interval;
	t->mech = XPF_MECH_TIMER_THREAD_CPU;
	t->last_cpu = xp_thread_cpu();
	if (timer_settime(t->timer_id, 0, &its, NULL) != 0) {
		int err = -errno;

		timer_delete(t->timer_id);
		return err;
	}
	return 0;
}

/* Not AS-safe: see declaration. A thread whose perf event cannot be had (descriptor limit,
 * seccomp) falls back to the POSIX timer; one that gets neither runs unsampled, counted. */
int timer_arm(struct xp_thread *t)
{
	int err = -ENOTSUP;

	t->timer_fd = -1;
	t->timer_fd_sig = -1;
	if (xp.mech == XPF_MECH_PERF_TASK_CLOCK)
		err = perf_arm(t);
	if (err)
		err = posix_timer_arm(t);
	t->timer_armed = !err;
	return err;
}

/* AS-safe: close/ioctl/timer_delete are plain syscalls (glibc's timer_delete for a
 * SIGEV_THREAD_ID timer does no locking). */
void timer_disarm(struct xp_thread *t)
{
	if (!t->timer_armed)
		return;
	t->timer_armed = 0;
	if (t->timer_fd >= 0) {
		ioctl(t->timer_fd, PERF_EVENT_IOC_DISABLE, 0);
		fd_mark(t->timer_fd, 0);
		fd_real_close(t->timer_fd);
		t->timer_fd = -1;
	} else {
		timer_delete(t->timer_id);
	}
}

/* Not AS-safe: see declaration. XPROF_MECH picks, auto prefers perf where it opens. */
int timer_probe(void)
{
	int fd;

	if (xp.cfg.mech == XPROF_MECH_TIMER)
		return XPF_MECH_TIMER_THREAD_CPU;
	fd = perf_open_self();
	if (fd >= 0) {
		close(fd);
		return XPF_MECH_PERF_TASK_CLOCK;
	}
	if (xp.cfg.mech == XPROF_MECH_PERF)
		xp_say(1, "xprof: XPROF_MECH=perf: perf_event_open: %s; using the CPU-clock timer",
		       strerror(errno));
	return XPF_MECH_TIMER_THREAD_CPU;
}
