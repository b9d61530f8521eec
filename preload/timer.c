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
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xprof-int.h"

/*
 * The event counts the thread's CPU in the kernel too where that is allowed (root, or
 * perf_event_paranoid <= 1): a period that ends in a system call then still gives a sample,
 * at the user code that made the call, as the CPU-clock timer does. Counting user time only,
 * a thread that spends its time in fork() or read() gets few samples of heavy weight: a
 * shell loop got 15 samples for 140 ms of CPU. Else, user only. Written at init (first open,
 * before any timer is armed), read-only after.
 */
static int kernel_allowed = 1;

static int perf_open_self(void)
{
	struct perf_event_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.sample_period = 1000000000ull / xp.cfg.hz;
	a.disabled = 1;
	a.exclude_hv = 1;
	a.exclude_kernel = !kernel_allowed;
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 && kernel_allowed && (errno == EACCES || errno == EPERM)) {
		kernel_allowed = 0;	/* perf_event_paranoid >= 2 and not root: user only */
		a.exclude_kernel = 1;
		fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	}
	return fd;
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
	long ns = (long)xp.interval_ns;

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

/* Loop rounds until the thread's CPU clock has advanced by ns; returns them. A round is
 * ~20 us of arithmetic, so the clock syscall between rounds weighs little. */
static uint64_t spin_cpu(uint64_t ns)
{
	uint64_t end = xp_thread_cpu() + ns, n = 0;
	volatile uint64_t sink = 0;

	while (xp_thread_cpu() < end) {
		for (int i = 0; i < 20000; i++)
			sink += (uint64_t)i;
		n++;
	}
	return n;
}

static volatile sig_atomic_t probe_ticks;

static void probe_tick(int sig)
{
	(void)sig;
	probe_ticks++;
}

#define PROBE_NS 1500000ull	/* CPU per half-round: ~75 loop rounds, ~30 ticks at 20 kHz */

/* One round: CPU the loop lost per tick while the event ran at 20 kHz; 0 if unmeasurable. */
static uint64_t probe_round(int fd)
{
	uint64_t base, with, t0, used, own;

	base = spin_cpu(PROBE_NS);
	probe_ticks = 0;
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	t0 = xp_thread_cpu();
	with = spin_cpu(PROBE_NS);
	used = xp_thread_cpu() - t0;
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	if (probe_ticks < 10 || !base)
		return 0;
	/* The loop's own share of `used` is with/base of PROBE_NS; the rest went to the ticks. */
	own = with * PROBE_NS / base;
	return used > own ? (used - own) / (uint64_t)probe_ticks : 0;
}

/*
 * What one perf sample costs on this machine, in CPU ns: kernel timer and signal delivery
 * included, our unwinding excluded. On bare metal it is a few microseconds; under some
 * hypervisors every sample costs several VM exits (the event's hrtimer, the irq_work that
 * sends the signal) and tens of microseconds. A loop runs 1.5 ms of CPU alone and 1.5 ms with
 * the event at 20 kHz and an empty handler, three times (the median is kept: one round can
 * be disturbed by an interrupt or a migration); about 10 ms in all.
 * Not AS-safe; called once, in the first process of a run, before our handler is installed.
 */
static uint64_t perf_sample_cost(void)
{
	struct sigaction sa, old;
	struct f_owner_ex owner = { .type = F_OWNER_TID, .pid = xp_gettid() };
	unsigned hz = xp.cfg.hz;
	uint64_t r[3], cost = 0;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = probe_tick;
	sa.sa_flags = SA_RESTART;
	if (sigctl_real_sigaction(xp.cfg.signo, &sa, &old) != 0)
		return 0;
	xp.cfg.hz = 20000;
	fd = perf_open_self();
	xp.cfg.hz = hz;
	if (fd < 0)
		goto out;
	if (fcntl(fd, F_SETSIG, xp.cfg.signo) != 0 || fcntl(fd, F_SETOWN_EX, &owner) != 0 ||
	    fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK) != 0)
		goto out_fd;
	spin_cpu(500000);			/* warm up */
	for (int i = 0; i < 3; i++)
		r[i] = probe_round(fd);
	/* median of three */
	cost = r[0] > r[1] ? (r[1] > r[2] ? r[1] : (r[0] > r[2] ? r[2] : r[0]))
			   : (r[0] > r[2] ? r[0] : (r[1] > r[2] ? r[2] : r[1]));
out_fd:
	close(fd);
out:
	sigctl_real_sigaction(xp.cfg.signo, &old, NULL);
	return cost;
}

/* Not AS-safe: see declaration. XPROF_MECH picks; auto takes the perf event where it opens
 * and where its measured cost keeps the overhead under 1 % at the asked rate, the CPU-clock
 * timer otherwise (tick-bound rate, but the ticks come for free). */
/*
 * The probe's answer is the machine's (bare metal or which hypervisor), not the program's, so
 * it is kept for this boot and kernel ("BOOT_ID RELEASE NS") in the user's cache directory,
 * $XDG_CACHE_HOME/xprof/perf-cost (default ~/.cache), or XPROF_OUT/.xprof-perf-cost when
 * there is no home: the probe is paid once per boot, not once per run.
 */
static int probe_path(char *path, size_t n, int make)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int len;

	if (xdg && *xdg == '/')
		len = snprintf(path, n, "%s/xprof", xdg);
	else if (home && *home == '/')
		len = snprintf(path, n, "%s/.cache/xprof", home);
	else
		return snprintf(path, n, "%s/.xprof-perf-cost", xp.cfg.out_dir) < (int)n ? 0 : -1;
	if (len < 0 || (size_t)len >= n)
		return -1;
	if (make) {
		char *slash = strrchr(path, '/');

		*slash = 0;
		mkdir(path, 0700);	/* ~/.cache: usually there already */
		*slash = '/';
		mkdir(path, 0700);
	}
	return snprintf(path + len, n - (size_t)len, "/perf-cost") < (int)(n - (size_t)len) ? 0 : -1;
}

static int probe_key(char *key, size_t n)
{
	struct utsname u;

	if (uname(&u) != 0)
		return -errno;
	return snprintf(key, n, "%s %s ", xp.boot_id, u.release) < (int)n ? 0 : -ENAMETOOLONG;
}

static uint64_t probe_cached(void)
{
	char path[PATH_MAX], buf[256], key[200];
	uint64_t ns = 0;
	ssize_t n;
	int fd;

	if (probe_key(key, sizeof(key)) != 0 || probe_path(path, sizeof(path), 0) != 0)
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	fd_real_close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	if (strncmp(buf, key, strlen(key)) || sscanf(buf + strlen(key), "%" SCNu64, &ns) != 1)
		return 0;
	return ns;
}

static void probe_remember(uint64_t ns)
{
	char path[PATH_MAX], key[200], line[256];
	int fd, len;

	if (!ns || probe_key(key, sizeof(key)) != 0 || probe_path(path, sizeof(path), 1) != 0)
		return;
	len = snprintf(line, sizeof(line), "%s%" PRIu64 "\n", key, ns);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (len > 0 && len < (int)sizeof(line) && write(fd, line, (size_t)len) != len)
		ftruncate(fd, 0);
	fd_real_close(fd);
}

/* The measured cost of a perf sample here: cached, else measured once and kept. */
static uint64_t perf_cost(void)
{
	uint64_t ns = probe_cached();

	if (!ns) {
		ns = perf_sample_cost();
		xp.probed = 1;
		probe_remember(ns);
	}
	return ns;
}

int timer_probe(void)
{
	int fd;

	if (xp.cfg.mech == XPROF_MECH_TIMER)
		return XPF_MECH_TIMER_THREAD_CPU;
	fd = perf_open_self();
	if (fd >= 0) {
		close(fd);
		if (xp.cfg.mech == XPROF_MECH_PERF)
			return XPF_MECH_PERF_TASK_CLOCK;
		xp.probe_ns = perf_cost();
		/* 1 % of a CPU-second is 10 ms: over hz samples per second. */
		if (xp.probe_ns && xp.probe_ns * xp.cfg.hz > 10000000ull)
			return XPF_MECH_TIMER_THREAD_CPU;
		return XPF_MECH_PERF_TASK_CLOCK;
	}
	if (xp.cfg.mech == XPROF_MECH_PERF)
		xp_say(1, "xprof: XPROF_MECH=perf: perf_event_open: %s; using the CPU-clock timer",
		       strerror(errno));
	return XPF_MECH_TIMER_THREAD_CPU;
}
