// SPDX-License-Identifier: MIT
/*
 * process.c - the life of one profiled process image: start (library constructor), fork
 * children (atfork handlers), and the end (return from main, exit, _exit, exec).
 *
 * Start: parse the environment (a bad value: one line, then nothing is profiled), pick the
 * run id if we are the first process of the run and export it with the absolute output
 * directory so the whole tree writes to one place, open the run's file and take an image
 * header in it, install the handlers, load libunwind, arm the main thread's timer, then
 * describe the process and its modules. What that costs is measured and kept in the image
 * header (setup_cpu_ns), with the process's CPU when sampling began (armed_cpu_ns): the CPU
 * no sample can show. Normal context.
 *
 * The end is recorded from several places because a process can end in several ways; the
 * image header's end_state is what a reader trusts, and a killed process leaves it RUNNING.
 * Before the end records, the image's JIT symbol files are kept (jitfile.c).
 * process_end() is AS-safe: _exit, _Exit and execve may be called from a program's signal
 * handler, interrupting anything, so the end takes no lock, allocates nothing and calls only
 * functions resolved at init.
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

#include "xprof-int.h"

/* NAME=VALUE strings exported to children (process_child_env), filled at start. */
static char env_run[80], env_out[PATH_MAX + 16], env_mech[32];
static const char *child_env[6];
static size_t nchild_env;
static _Atomic int ended;	/* this image's end is recorded (process_end) */

const char *const *process_child_env(void)
{
	return child_env;
}

/* Not AS-safe: one more NAME=VALUE for children; kv must live as long as the image. */
static void child_env_add(const char *kv)
{
	if (nchild_env + 1 < sizeof(child_env) / sizeof(child_env[0])) {
		child_env[nchild_env++] = kv;
		child_env[nchild_env] = NULL;
	}
}

/* Reads a small file whole (cmdline, boot id); returns its length. */
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
	lens[2] = strlen(cwd);
	/* busy: our own reads are not the program's blocking calls */
	XP_BUSY(t, lens[1] = read_small("/proc/self/cmdline", cmd, sizeof(cmd));
		rec_fields(t, XPF_REC_PROCESS, NULL, 0, strs, lens, 3));
}

/* Where libxprof.so itself lives, for LD_PRELOAD in exec'd children. */
static void find_self_path(void)
{
	Dl_info info;

	if (dladdr((void *)find_self_path, &info) && info.dli_fname)
		snprintf(xp.preload, sizeof(xp.preload), "%s", info.dli_fname);
}

/* The machine's identity for the run's file name: host name and kernel boot id. */
static void find_machine(void)
{
	size_t n;

	gethostname(xp.host, sizeof(xp.host) - 1);
	n = read_small("/proc/sys/kernel/random/boot_id", xp.boot_id, sizeof(xp.boot_id) - 1);
	while (n && (xp.boot_id[n - 1] == '\n' || xp.boot_id[n - 1] == ' '))
		n--;
	xp.boot_id[n] = 0;
	if (!n)
		snprintf(xp.boot_id, sizeof(xp.boot_id), "00000000");
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
	child_env_add(env_run);
	child_env_add(env_out);
}

/* The mechanism measured here holds for the whole tree: don't measure again in every
 * process (make -j starts thousands). */
static void export_mech(void)
{
	const char *m = xp.mech == XPF_MECH_PERF_TASK_CLOCK ? "perf" : "timer";

	if (xp.cfg.mech != XPROF_MECH_AUTO)
		return;
	snprintf(env_mech, sizeof(env_mech), "XPROF_MECH=%s", m);
	setenv("XPROF_MECH", m, 1);
	child_env_add(env_mech);
}

/* XPROF_JIT=1: the runtimes of this image are asked for perf maps (jitenv.c), and the
 * request goes on to children even through an explicit environment. Done once profiling is
 * set up: a program that runs unprofiled runs unchanged. */
static void export_jit(void)
{
	if (!xp.cfg.jit)
		return;
	jitenv_apply();
	child_env_add("XPROF_JIT=1");
}

static void atfork_prepare(void);
static void atfork_parent(void);
static void atfork_child(void);
static void on_process_exit(int status, void *arg);

static int config_load(void)
{
	char cwd[PATH_MAX], err[512];
	const char *dir = getcwd(cwd, sizeof(cwd));	/* NULL: a relative XPROF_OUT fails */

	if (config_parse(&xp.cfg, (const char *(*)(const char *))secure_getenv, dir, err,
			 sizeof(err)) != 0) {
		xp_say(1, "xprof: %s; the program runs unprofiled", err);
		return -EINVAL;
	}
	xp.rank = config_mpi_rank((const char *(*)(const char *))secure_getenv);
	return 0;
}

/* Not AS-safe: handlers, fault guard, libunwind. 0, or -errno after saying why. */
static int install(void)
{
	if (handler_install(1) != 0) {
		xp_say(1, "xprof: cannot install the handler for signal %d: %s; unprofiled",
		       xp.cfg.signo, strerror(errno));
		return -errno;
	}
	if (sigctl_guard_install() != 0)
		xp_say(1, "xprof: cannot guard unwinding against faults: %s", strerror(errno));
	xp.self = modules_code_of((const void *)install);
	return unwind_load();
}

static void say_start(void)
{
	if (xp.probe_ns && xp.mech == XPF_MECH_TIMER_THREAD_CPU)
		xp_say(0, "xprof: profiling into %s (CPU-clock timer: a perf-event sample costs "
			  "%.1f us here, %.1f%% at %u Hz; XPROF_MECH=perf to use it anyway)",
		       xp.run_dir, xp.probe_ns / 1e3, xp.probe_ns * xp.cfg.hz / 1e7, xp.cfg.hz);
	else
		xp_say(0, "xprof: profiling into %s (%s, %u Hz)", xp.run_dir,
		       xp.mech == XPF_MECH_PERF_TASK_CLOCK ? "perf task-clock" : "CPU-clock timer",
		       xp.cfg.hz);
}

__attribute__((constructor)) static void process_init(void)
{
	uint64_t cpu0 = xp_process_cpu();
	struct xp_thread *t;
	int root;

	xp.start_mono = xp_now();
	xp.start_cpu = xp_thread_cpu();
	/* setuid/setgid/capability images: an env-chosen output path would be an arbitrary
	 * file write with raised privileges. Never profile them. */
	if (getauxval(AT_SECURE))
		return;
	real_init();
	if (config_load() != 0)
		return;
	xp.pid = getpid();
	find_machine();
	root = !xp.cfg.run_id[0];
	xp.interval_ns = 1000000000ull / xp.cfg.hz;
	export_run();
	find_self_path();
	if (thread_key_init() != 0 || out_open() != 0)
		return;
	xp.mech = timer_probe();
	export_mech();
	if (out_image_begin(root ? XPF_IF_ROOT : XPF_IF_EXECED, getppid(), 0, xp.start_mono,
			    cpu0) != 0 || install() != 0)
		return;
	jitfile_start();
	export_jit();
	offcpu_init();
	xp.active = 1;
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
	on_exit(on_process_exit, NULL);
	t = thread_begin(0);
	out_image_armed();
	if (t) {
		process_record(t);
		modules_scan(t);
		py_detect(t);
	}
	xp.img->setup_cpu_ns = xp_thread_cpu() - xp.start_cpu;
	if (root)
		say_start();
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
	thread_pool_lock();
}

static void atfork_parent(void)
{
	struct xp_thread *t = xp_self;

	if (!xp.active || !t)
		return;
	thread_pool_unlock();
	modules_unlock();
	handler_gate_open();
	modules_fork_done(0);
	sigctl_real_mask(SIG_SETMASK, &t->fork_mask, NULL);
}

/* The forking thread's state, made fresh for the child's image (the other threads are gone;
 * its file mapping is the parent's, shared, and stays: the child's blocks go in it). */
static void child_thread_reset(struct xp_thread *t)
{
	if (t->timer_fd >= 0) {		/* the parent thread's event: not ours to use */
		fd_mark(t->timer_fd, 0);
		fd_real_close(t->timer_fd);
	}
	memset(t, 0, offsetof(struct xp_thread, uc));
	t->timer_fd = -1;
	t->timer_fd_sig = -1;
	t->tid = xp_gettid();
	atomic_store(&t->live, t->tid);
}

/* The child: a new image in the run's file; only the forking thread survives. Its process
 * record and module map are its parent's at the fork (parent_image), which readers copy, so
 * the child writes neither: a shell's fork before exec costs an image header and a timer. */
static void atfork_child(void)
{
	struct xp_thread *t = xp_self;
	pid_t parent = xp.pid;
	uint32_t parent_image = xp.image;
	uint64_t mono = xp_now(), cpu = xp_process_cpu(), tcpu = xp_thread_cpu();
	char name[16];

	if (!xp.active || !t)
		return;
	modules_reset_lock();
	modules_fork_done(1);
	handler_gate_reset();
	thread_after_fork_child(t);
	memcpy(name, t->name, sizeof(name));
	child_thread_reset(t);
	memcpy(t->name, name, sizeof(name));
	xp.pid = getpid();
	xp.probed = 0;
	atomic_store(&ended, 0);
	jitfile_start();
	if (!(xp.cfg.follow & XPROF_FOLLOW_FORK) ||
	    out_image_begin(XPF_IF_FORKED, parent, parent_image, mono, cpu) != 0) {
		xp.active = 0;
		xp.offcpu = 0;
		xp.img = NULL;
		sigctl_real_mask(SIG_SETMASK, &t->fork_mask, NULL);
		return;
	}
	XP_BUSY(t, rec_fields(t, XPF_REC_THREAD_START, (uint64_t[]){ tcpu, 0 }, 2,
			      (const char *[]){ t->name }, (size_t[]){ strlen(t->name) }, 1));
	timer_arm(t);
	out_image_armed();
	xp.img->setup_cpu_ns = xp_process_cpu() - cpu;
	sigctl_real_mask(SIG_SETMASK, &t->fork_mask, NULL);
}

/* ---- the end ---- */

/* AS-safe (t->busy set by the caller): the end records of the calling thread's image. */
static void end_records(struct xp_thread *t, int how, int status)
{
	uint64_t nums[3] = { (uint64_t)how, (uint64_t)(int64_t)status, xp_process_cpu() };

	thread_name_refresh(t);
	thread_record_stats(t, t);
	/* Call totals per image: an exec'd image counts afresh. The scheduler's figures of the
	 * exec'ing thread go on across exec, so its next image's records carry them: reading
	 * them here, from a process image procfs has just made, cost 20-40 us per exec in a
	 * shell loop (perf record of 1000 fork+exec), a tenth of an exec'd image's set-up. */
	offcpu_record_thread(t, t, how != XPF_END_EXEC);
	thread_record_others(t);
	if (how != XPF_END_EXEC) {
		uint64_t cpu = xp_thread_cpu();

		rec_fields(t, XPF_REC_THREAD_END, &cpu, 1, NULL, NULL, 0);
	}
	rec_fields(t, XPF_REC_EXIT, nums, 3, NULL, NULL, 0);
}

/* AS-safe: see declaration. The first end recorded wins. A thread that is inside a write of
 * ours (a program's handler calling _exit from there) ends the image in its header only. */
void process_end(int how, int status)
{
	struct xp_thread *t;

	if (!xp.active || !process_is_self() || atomic_exchange(&ended, 1))
		return;
	t = thread_mine();
	if (t) {
		XP_BUSY(t, jitfile_end(t));
		XP_BUSY(t, end_records(t, how, status));
	}
	out_finish(how, status);
	if (how == XPF_END_EXEC)
		atomic_store(&ended, 0);	/* the exec may fail: then we go on */
}

/* Registered with on_exit() before libc registers the loader's destructor pass, so it runs
 * after every atexit handler and destructor: the latest point of a normal exit, and it gets
 * the status both for exit(n) and for a return from main. The handler stays installed to
 * the very end: a tick pending while the process exits must find a handler, or its default
 * action would kill the process with a wrong status. Objects loaded behind dlopen's back
 * (NSS, iconv, libgcc_s) are picked up here, unless another thread holds the table: exit()
 * is not async-signal-safe, but programs call it from handlers anyway, so we never wait. */
static void on_process_exit(int status, void *arg)
{
	struct xp_thread *t = thread_mine();

	(void)arg;
	if (t && xp.active && process_is_self())
		modules_scan_try(t);
	process_end(XPF_END_EXIT, status);
}

/* AS-safe: POSIX allows _exit in a signal handler; see process_end. */
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

/* AS-safe: see declaration. The old image's data is already in the file (shared mapping);
 * what is left is to stop our timer so that no tick is pending across exec, where the new
 * image (perhaps static, perhaps without us) has no handler for it. */
void process_exec_begin(const char *path)
{
	struct xp_thread *t = thread_mine();

	if (!xp.active || !process_is_self())
		return;
	if (t) {
		size_t len = strlen(path);

		XP_BUSY(t, rec_fields(t, XPF_REC_EXEC, NULL, 0, &path, &len, 1));
		timer_disarm(t);
	}
	process_end(XPF_END_EXEC, 0);
}

/* AS-safe: see declaration. */
void process_exec_failed(int err)
{
	struct xp_thread *t = thread_mine();
	uint64_t e = (uint64_t)err;

	if (!xp.active || !process_is_self())
		return;
	out_unfinish();
	if (t) {
		XP_BUSY(t, rec_fields(t, XPF_REC_EXEC_FAILED, &e, 1, NULL, NULL, 0));
		timer_arm(t);
	}
}
