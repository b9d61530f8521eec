// SPDX-License-Identifier: MIT
/*
 * floor.c - the least a signal-driven sampling profiler can pay per sample, in nanoseconds.
 *
 *	floor [-i ITERATIONS]
 *
 * Prints tab-separated rows:
 *	signal	NS		tgkill to self, empty SA_SIGINFO handler, sigreturn
 *	unwind	DEPTH	NS	FRAMES	the same, the handler calling unw_backtrace for DEPTH
 *					frames on a stack deeper than DEPTH (FRAMES: how many
 *					it returned, as a check)
 *	tick	HZ		expirations per CPU-second of a timer_create timer on the
 *					thread's CPU clock asked for 10 kHz: the kernel checks
 *					CPU-clock timers at its tick, so this is the tick rate
 *					(CONFIG_HZ) that bounds a CPU-clock-timer profiler
 * A sampler must at least take the signal and walk the stack; the bench compares xprof's
 * measured per-sample cost with the unwind row of the matching depth. Each figure is the
 * median of 7 batches; the first batch also warms libunwind's caches and is thrown away.
 * Runs on one thread; nothing here is shared with the profiler under test.
 */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>

#define BATCHES		7
#define MAX_DEPTH	256

/* Handler inputs and outputs: set by the thread that raises the signal, which is the one
 * that runs the handler, so no other synchronisation is needed. */
static void *frames[MAX_DEPTH];
static volatile int want_frames;
static volatile int got_frames;
static unsigned long iterations = 200000;

static void on_empty(int sig, siginfo_t *si, void *uc)
{
}

/* AS-safe: unw_backtrace with UNW_LOCAL_ONLY does not allocate once its caches are warm. */
static void on_unwind(int sig, siginfo_t *si, void *uc)
{
	got_frames = unw_backtrace(frames, want_frames);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median ns per signal over BATCHES batches of `iterations` self-directed signals. */
static double time_signals(void)
{
	pid_t pid = getpid(), tid = syscall(SYS_gettid);
	double per[BATCHES];

	for (int b = -1; b < BATCHES; b++) {
		unsigned long long t0 = now_ns();

		for (unsigned long i = 0; i < iterations; i++)
			syscall(SYS_tgkill, pid, tid, SIGPROF);
		if (b >= 0)
			per[b] = (double)(now_ns() - t0) / iterations;
	}
	qsort(per, BATCHES, sizeof(per[0]), cmp_double);
	return per[BATCHES / 2];
}

/* Recurse `n` more frames, then time the signals there. Not a tail call: the stack stays. */
static __attribute__((noinline)) double deep(int n)
{
	double r;

	if (n <= 0)
		return time_signals();
	r = deep(n - 1);
	__asm__ volatile("" : "+x"(r));
	return r;
}

static volatile sig_atomic_t ticks;

static void on_tick(int sig, siginfo_t *si, void *uc)
{
	ticks++;
}

static unsigned long long thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void set_handler(void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPROF, &sa, NULL);
}

static void measure_unwind(int depth)
{
	double ns;

	set_handler(on_unwind);
	want_frames = depth;
	/* Extra frames so the stack is deeper than the capture, as in a real program. */
	ns = deep(depth + 8);
	printf("unwind\t%d\t%.1f\t%d\n", depth, ns, got_frames);
}

/* Spin 300 ms of CPU under a 10 kHz CPU-clock timer; expirations per CPU-second. */
static int measure_tick(void)
{
	struct sigevent sev;
	struct itimerspec its = { .it_interval = { 0, 100000 }, .it_value = { 0, 100000 } };
	unsigned long long t0, cpu;
	volatile unsigned long sink = 0;
	timer_t tm;

	set_handler(on_tick);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGPROF;
	if (timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, &tm) != 0)
		return -errno;
	ticks = 0;
	t0 = thread_cpu_ns();
	timer_settime(tm, 0, &its, NULL);
	while (thread_cpu_ns() - t0 < 300000000ULL)
		for (int i = 0; i < 1000; i++)
			sink += i;
	timer_delete(tm);
	cpu = thread_cpu_ns() - t0;
	printf("tick\t%.1f\n", ticks * 1e9 / cpu);
	return 0;
}

int main(int argc, char **argv)
{
	static const int depths[] = { 32, 128 };
	int c;

	while ((c = getopt(argc, argv, "i:")) != -1) {
		if (c != 'i') {
			fprintf(stderr, "usage: floor [-i ITERATIONS]\n");
			return 64;
		}
		iterations = strtoul(optarg, NULL, 0);
	}
	if (!iterations)
		iterations = 1;
	set_handler(on_empty);
	printf("signal\t%.1f\n", deep(8));
	for (unsigned i = 0; i < sizeof(depths) / sizeof(depths[0]); i++)
		measure_unwind(depths[i]);
	if (measure_tick() < 0)
		perror("floor: timer_create");
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}
