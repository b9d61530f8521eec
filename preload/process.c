// SPDX-License-Identifier: MIT
/*
 * process.c - the life of one profiled process image: start (library constructor), fork
 * children (atfork handlers), and the end (return from main, exit, _exit, exec). Normal
 * context only; process_is_self() is AS-safe.
 *
 * Start: parse the environment (a bad value: one line, then nothing is profiled), pick the
 * run id if we are the first process of the run and export it with the absolute output
 * directory so the whole tree writes to one place, open this image's file, install the
 * handler, describe the process and its modules, arm the main thread's timer.
 * The end is recorded from several places because a process can end in several ways; the
 * header's end_state is what a reader trusts, and a killed process leaves it RUNNING.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <libunwind.h>

#include "xprof-int.h"

/* NAME=VALUE strings exported to children (process_child_env), filled at start. */
static char env_run[80], env_out[PATH_MAX + 16], env_mech[32];
static const char *child_env[4];

const char *const *process_child_env(void)
{
	return child_env;
}

/* Reads a small /proc file whole (cmdline); returns its length. */
static size_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return 0;
	while (n < cap && (r = read(fd, buf + n, cap - n)) > 0)
		n += (size_t)r;
	fd_real_close(fd);
	return n;
}

/* Not AS-safe: see declaration. */
void process_record(struct xp_thread *t)
{
	char exe[PATH_MAX], cwd[PATH_MAX], cmd[XPF_MAX_STRING];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *strs[3] = { exe, cmd, cwd };
	size_t lens[3];

	exe[n > 0 ? n : 0] = 0;
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = 0;
	lens[0] = strlen(exe);
	lens[1] = read_small("/proc/self/cmdline", cmd, sizeof(cmd));
	lens[2] = strlen(cwd);
	XP_BUSY(t, rec_fields(t, XPF_REC_PROCESS, NULL, 0, strs, lens, 3));
}

/* Where libxprof.so itself lives, for LD_PRELOAD in exec'd children. */
static void find_self_path(void)
{
	Dl_info info;

	if (dladdr((void *)find_self_path, &info) && info.dli_fname)
		snprintf(xp.preload, sizeof(xp.preload), "%s", info.dli_fname);
}

/* The first process of a run names it; its descendants inherit the name and the absolute
 * output directory through the environment. */
static void export_run(void)
{
	if (!xp.cfg.run_id[0]) {
		config_make_run_id(xp.cfg.run_id, sizeof(xp.cfg.run_id), time(NULL), xp.pid);
		setenv("XPROF_RUN", xp.cfg.run_id, 1);
		setenv("XPROF_OUT", xp.cfg.out_dir, 1);
	}
	snprintf(env_run, sizeof(env_run), "XPROF_RUN=%s", xp.cfg.run_id);
	snprintf(env_out, sizeof(env_out), "XPROF_OUT=%s", xp.cfg.out_dir);
	child_env[0] = env_run;
	child_env[1] = env_out;
	child_env[2] = NULL;
	/* The mechanism measured here holds for the whole tree: don't measure again in every
	 * process (make -j starts thousands). */
	if (xp.cfg.mech == XPROF_MECH_AUTO) {
		const char *m = xp.mech == XPF_MECH_PERF_TASK_CLOCK ? "perf" : "timer";

		snprintf(env_mech, sizeof(env_mech), "XPROF_MECH=%s", m);
		setenv("XPROF_MECH", m, 1);
		child_env[2] = env_mech;
		child_env[3] = NULL;
	}
}

static void atfork_prepare(void);
static void atfork_parent(void);
static void atfork_child(void);
static void on_process_exit(int status, void *arg);

/* Not AS-safe: everything a fresh image needs once its file is open. */
static void image_start(struct xp_thread *t)
{
	process_record(t);
	modules_scan(t);
}

static int no_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)info;
	(void)size;
	(void)data;
	return 1;
}

/* Each REAL() call site resolves on first use (dlsym: not AS-safe). Make the first use of the
 * sites the handler can reach happen here, before any timer is armed. */
static void resolve_early(void)
{
	sigset_t m;

	sigctl_real_mask(SIG_BLOCK, NULL, &m);
	sigctl_real_sigaction(SIGSEGV, NULL, NULL);
	dl_iterate_phdr(no_object, NULL);
}

/* libunwind's first use: it opens its validator pipe here (see fd_open_high). Nothing of
 * libunwind may run before this. */
static void unwind_once(void *arg)
{
	void *frames[4];

	(void)arg;
	/* Its CFI cache holds 128 addresses by default: a program's leaf pcs alone overflow it,
	 * and every miss walks the loader's list and parses CFI (~15 us). */
	unw_set_cache_size(unw_local_addr_space, XP_UNWIND_CACHE, 0);
	unw_backtrace(frames, 4);
}

static int config_load(void)
{
	char cwd[PATH_MAX], err[512];
	const char *dir = getcwd(cwd, sizeof(cwd));	/* NULL: a relative XPROF_OUT fails */

	if (config_parse(&xp.cfg, (const char *(*)(const char *))secure_getenv, dir, err,
			 sizeof(err)) != 0) {
		xp_say(1, "xprof: %s; the program runs unprofiled", err);
		return -EINVAL;
	}
	return 0;
}

__attribute__((constructor)) static void process_init(void)
{
	int root;

	/* setuid/setgid/capability images: an env-chosen output path would be an arbitrary
	 * file write with raised privileges. Never profile them. */
	if (getauxval(AT_SECURE))
		return;
	if (config_load() != 0)
		return;
	resolve_early();
	xp.pid = getpid();
	gethostname(xp.host, sizeof(xp.host) - 1);
	root = !xp.cfg.run_id[0];
	xp.interval_ns = 1000000000ull / xp.cfg.hz;
	xp.mech = timer_probe();
	export_run();
	find_self_path();
	if (thread_key_init() != 0 || out_open(root ? XPF_FF_ROOT : 0, getppid()) != 0)
		return;
	if (handler_install() != 0) {
		xp_say(1, "xprof: cannot install the handler for signal %d: %s; unprofiled",
		       xp.cfg.signo, strerror(errno));
		return;
	}
	if (sigctl_guard_install() != 0)
		xp_say(1, "xprof: cannot guard unwinding against faults: %s", strerror(errno));
	fd_open_high(unwind_once, NULL);
	xp.active = 1;
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
	on_exit(on_process_exit, NULL);
	struct xp_thread *t = thread_begin(0);

	if (t)
		image_start(t);
	if (root && xp.probe_ns && xp.mech == XPF_MECH_TIMER_THREAD_CPU)
		xp_say(0, "xprof: profiling into %s (CPU-clock timer: a perf-event sample costs "
			  "%.1f us here, %.1f%% at %u Hz; XPROF_MECH=perf to use it anyway)",
		       xp.run_dir, xp.probe_ns / 1e3, xp.probe_ns * xp.cfg.hz / 1e7, xp.cfg.hz);
	else if (root)
		xp_say(0, "xprof: profiling into %s (%s, %u Hz)", xp.run_dir,
		       xp.mech == XPF_MECH_PERF_TASK_CLOCK ? "perf task-clock" : "CPU-clock timer",
		       xp.cfg.hz);
}

/* ---- fork ---- */

/* Our signal is blocked across fork: a tick arriving in a large fork restarts it forever
 * (the kernel restarts fork after a signal), and the tables must not be mid-update. */
static void atfork_prepare(void)
{
	struct xp_thread *t = xp_self;
	sigset_t one;

	if (!xp.active || !t)
		return;
	sigemptyset(&one);
	sigaddset(&one, xp.cfg.signo);
	sigctl_real_mask(SIG_BLOCK, &one, &t->fork_mask);
	modules_fork_prepare(t);
	handler_gate_close();
	modules_lock();
	thread_registry_lock();
}

static void atfork_parent(void)
{
	struct xp_thread *t = xp_self;

	if (!xp.active || !t)
		return;
	thread_registry_unlock();
	modules_unlock();
	handler_gate_open();
	modules_fork_done(0);
	sigctl_real_mask(SIG_SETMASK, &t->fork_mask, NULL);
}

/* The child: a new image with a file of its own; only the forking thread survives. */
static void atfork_child(void)
{
	struct xp_thread *t = xp_self;
	pid_t parent = xp.pid;

	if (!xp.active || !t)
		return;
	modules_reset_lock();
	modules_fork_done(1);
	handler_gate_reset();
	thread_after_fork_child(t);
	if (t->timer_fd >= 0) {		/* the parent thread's event: not ours to use */
		fd_mark(t->timer_fd, 0);
		fd_real_close(t->timer_fd);
		t->timer_fd = -1;
	}
	t->timer_armed = 0;
	t->blk = NULL;
	t->seq = 0;
	t->prev_n = 0;
	t->tid = xp_gettid();
	t->samples = t->dropped_ns = 0;
	memset(t->dropped, 0, sizeof(t->dropped));
	t->nregions = 0;
	out_forget();
	xp.pid = getpid();
	atomic_store(&xp.stopped, 0);
	atomic_store(&xp.stop_said, 0);
	if (!(xp.cfg.follow & XPROF_FOLLOW_FORK) || out_open(XPF_FF_FORKED, parent) != 0) {
		xp.active = 0;
		sigctl_real_mask(SIG_SETMASK, &t->fork_mask, NULL);
		return;
	}
	XP_BUSY(t, rec_fields(t, XPF_REC_THREAD_START, (uint64_t[]){ xp_thread_cpu(), 0 }, 2,
			      (const char *[]){ t->name }, (size_t[]){ strlen(t->name) }, 1));
	process_record(t);
	modules_replay(t);
	timer_arm(t);
	sigctl_real_mask(SIG_SETMASK, &t->fork_mask, NULL);
}

/* ---- the end ---- */

/* Not AS-safe: see declaration. Idempotent: the first end recorded wins. */
void process_end(int how, int status)
{
	struct xp_thread *t;
	static _Atomic int ended;

	if (!xp.active || !process_is_self() || atomic_exchange(&ended, 1))
		return;
	t = thread_self();
	if (t) {
		uint64_t nums[3] = { (uint64_t)how, (uint64_t)(int64_t)status, 0 };
		struct timespec ts;

		thread_name_refresh(t);
		modules_scan(t);	/* objects loaded behind dlopen's back (NSS, libgcc_s) */
		thread_record_others(t);
		if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0)
			nums[2] = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		if (how != XPF_END_EXEC) {
			uint64_t cpu = xp_thread_cpu();

			XP_BUSY(t, rec_fields(t, XPF_REC_THREAD_END, &cpu, 1, NULL, NULL, 0));
		}
		XP_BUSY(t, rec_fields(t, XPF_REC_EXIT, nums, 3, NULL, NULL, 0));
	}
	out_finish(how, status);
	if (how == XPF_END_EXEC)
		atomic_store(&ended, 0);	/* the exec may fail: then we go on */
}

/* Registered with on_exit() before libc registers the loader's destructor pass, so it runs
 * after every atexit handler and destructor: the latest point of a normal exit, and it gets
 * the status both for exit(n) and for a return from main. The handler stays installed to
 * the very end: a tick pending while the process exits must find a handler, or its default
 * action would kill the process with a wrong status. */
static void on_process_exit(int status, void *arg)
{
	(void)arg;
	process_end(XPF_END_EXIT, status);
}

XP_API void _exit(int status)
{
	process_end(XPF_END__EXIT, status);
	REAL(_exit)(status);
	__builtin_unreachable();
}

XP_API void _Exit(int status)
{
	process_end(XPF_END__EXIT, status);
	REAL(_Exit)(status);
	__builtin_unreachable();
}

/* ---- exec ---- */

/* Not AS-safe: see declaration. The old image's data is already in the file (shared
 * mapping); what is left is to stop our timer so that no tick is pending across exec,
 * where the new image (perhaps static, perhaps without us) has no handler for it. */
void process_exec_begin(const char *path)
{
	struct xp_thread *t = xp_self;

	if (!xp.active || !process_is_self())
		return;
	if (t) {
		size_t len = strlen(path);

		XP_BUSY(t, rec_fields(t, XPF_REC_EXEC, NULL, 0, &path, &len, 1));
		timer_disarm(t);
	}
	process_end(XPF_END_EXEC, 0);
}

/* Not AS-safe: see declaration. */
void process_exec_failed(int err)
{
	struct xp_thread *t = xp_self;
	uint64_t e = (uint64_t)err;

	if (!xp.active || !process_is_self())
		return;
	if (xp.hdr)
		__atomic_store_n(&xp.hdr->end_state, XPF_END_RUNNING, __ATOMIC_RELEASE);
	if (t) {
		XP_BUSY(t, rec_fields(t, XPF_REC_EXEC_FAILED, &e, 1, NULL, NULL, 0));
		timer_arm(t);
	}
}
