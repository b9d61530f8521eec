// SPDX-License-Identifier: MIT
/*
 * workload.c - the benchmark target: a process tree whose CPU profile is known exactly.
 *
 * Shape: the parent forks 2 children before it starts any thread (fork and threads do not
 * mix); each of the 3 processes then runs 2 threads (its main thread and one pthread), so a
 * run is 3 processes and 6 threads, all doing the same work.
 *
 * Ground truth: every round calls leaf_a, leaf_b and leaf_c with 5, 3 and 2 units of one
 * spin loop (a macro, so each leaf owns its copy and no inlined helper takes the self time).
 * The loop is a dependent multiply-add chain the compiler cannot shorten, so CPU time is
 * proportional to the iteration count: 50 %, 30 %, 20 % by construction. A round costs
 * about 2 ms; the call chain around it (90 calls) is below 0.01 % of that.
 *
 * Each leaf sits 30 logical frames below worker_main: run_round, dispatch (inlined), 20
 * frames of descend (recursion), stage_one, stage_two (inlined), stage_three, stage_four
 * (inlined), stage_five, stage_six, leaf. Built twice by bench.mk: -fomit-frame-pointer
 * (the normal case) and -fno-omit-frame-pointer (for perf's frame-pointer unwinding).
 *
 *	workload [-n ROUNDS] [-u UNIT_ITERS] [-t] [-c] [-q]
 *	-n  rounds per thread (default 200)      -u  spin iterations per unit (default 200000)
 *	-t  print the ground truth and exit       -c  also time each leaf with the thread CPU
 *	                                              clock and print the measured shares
 *	-q  children leave with _exit() instead of exit(), skipping atexit handlers and
 *	    static destructors (how some profilers that flush at exit can be kept apart)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NPROC		3	/* the parent and its 2 children */
#define NTHREAD		2	/* per process */
#define DESCEND		20	/* recursive frames in the chain */
#define UNITS_A		5
#define UNITS_B		3
#define UNITS_C		2

/* Set once in main before any fork or thread; read-only afterwards. */
static unsigned long opt_rounds = 200;
static unsigned long opt_unit = 200000;
static int opt_check;
static int opt_quick_exit;

/* Per-thread leaf CPU time for -c, summed by the thread that owns it. */
struct leaf_clock {
	unsigned long long ns[3];
};

typedef unsigned long (*leaf_fn)(unsigned long units, unsigned long seed);

#define NOIPA __attribute__((noinline, noipa))
/* Keep a value live across the point so the call before it is not a tail call. */
#define KEEP(x) __asm__ volatile("" : "+r"(x))

/* The one inner loop: a dependent multiply-add per iteration, opaque to the optimiser. */
#define SPIN(x, n)                                                                          \
	do {                                                                                \
		for (unsigned long i_ = 0; i_ < (n); i_++) {                                \
			x = x * 6364136223846793005UL + 1442695040888963407UL;              \
			KEEP(x);                                                            \
		}                                                                           \
	} while (0)

static NOIPA unsigned long leaf_a(unsigned long units, unsigned long x)
{
	SPIN(x, units * opt_unit);
	return x;
}

static NOIPA unsigned long leaf_b(unsigned long units, unsigned long x)
{
	SPIN(x, units * opt_unit);
	return x;
}

static NOIPA unsigned long leaf_c(unsigned long units, unsigned long x)
{
	SPIN(x, units * opt_unit);
	return x;
}

static NOIPA unsigned long stage_six(leaf_fn fn, unsigned long units, unsigned long x)
{
	x = fn(units, x);
	KEEP(x);
	return x + 1;
}

static NOIPA unsigned long stage_five(leaf_fn fn, unsigned long units, unsigned long x)
{
	x = stage_six(fn, units, x);
	KEEP(x);
	return x + 1;
}

static inline __attribute__((always_inline)) unsigned long
stage_four(leaf_fn fn, unsigned long units, unsigned long x)
{
	x = stage_five(fn, units, x);
	KEEP(x);
	return x + 1;
}

static NOIPA unsigned long stage_three(leaf_fn fn, unsigned long units, unsigned long x)
{
	x = stage_four(fn, units, x);
	KEEP(x);
	return x + 1;
}

static inline __attribute__((always_inline)) unsigned long
stage_two(leaf_fn fn, unsigned long units, unsigned long x)
{
	x = stage_three(fn, units, x);
	KEEP(x);
	return x + 1;
}

static NOIPA unsigned long stage_one(leaf_fn fn, unsigned long units, unsigned long x)
{
	x = stage_two(fn, units, x);
	KEEP(x);
	return x + 1;
}

/* Recursion: depth frames of descend, then the stages. */
static NOIPA unsigned long descend(int depth, leaf_fn fn, unsigned long units, unsigned long x)
{
	if (depth <= 1)
		x = stage_one(fn, units, x);
	else
		x = descend(depth - 1, fn, units, x);
	KEEP(x);
	return x + 1;
}

static unsigned long long thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline __attribute__((always_inline)) unsigned long
dispatch(leaf_fn fn, unsigned long units, unsigned long x, unsigned long long *clock)
{
	unsigned long long t0 = opt_check ? thread_cpu_ns() : 0;

	x = descend(DESCEND, fn, units, x);
	if (opt_check)
		*clock += thread_cpu_ns() - t0;
	return x;
}

static NOIPA unsigned long run_round(unsigned long x, struct leaf_clock *lc)
{
	x = dispatch(leaf_a, UNITS_A, x, &lc->ns[0]);
	x = dispatch(leaf_b, UNITS_B, x, &lc->ns[1]);
	x = dispatch(leaf_c, UNITS_C, x, &lc->ns[2]);
	KEEP(x);
	return x;
}

static NOIPA unsigned long worker_main(unsigned long seed, struct leaf_clock *lc)
{
	unsigned long x = seed;

	for (unsigned long r = 0; r < opt_rounds; r++)
		x = run_round(x, lc);
	KEEP(x);
	return x;
}

static void *worker_thread(void *arg)
{
	struct leaf_clock *lc = arg;

	worker_main((unsigned long)pthread_self(), lc);
	return NULL;
}

static void print_shares(const char *what, const struct leaf_clock *lc)
{
	double total = lc->ns[0] + lc->ns[1] + lc->ns[2];
	static const char *const names[3] = { "leaf_a", "leaf_b", "leaf_c" };

	for (int i = 0; i < 3; i++)
		printf("%s\t%s\t%.3f\n", what, names[i], total ? 100.0 * lc->ns[i] / total : 0.0);
}

/* One process's share of the work: its main thread and one pthread. */
static int run_process(void)
{
	struct leaf_clock lc[NTHREAD] = { 0 };
	pthread_t tid;
	int err;

	err = pthread_create(&tid, NULL, worker_thread, &lc[1]);
	if (err) {
		fprintf(stderr, "workload: pthread_create: %s\n", strerror(err));
		return 1;
	}
	worker_main((unsigned long)getpid(), &lc[0]);
	pthread_join(tid, NULL);
	if (opt_check) {
		for (int i = 0; i < 3; i++)
			lc[0].ns[i] += lc[1].ns[i];
		print_shares("measured", &lc[0]);
	}
	return 0;
}

static void print_truth(void)
{
	const double u = UNITS_A + UNITS_B + UNITS_C;

	printf("processes\t%d\nthreads\t%d\n", NPROC, NPROC * NTHREAD);
	printf("truth\tleaf_a\t%.3f\ntruth\tleaf_b\t%.3f\ntruth\tleaf_c\t%.3f\n",
	       100.0 * UNITS_A / u, 100.0 * UNITS_B / u, 100.0 * UNITS_C / u);
}

static int parse_args(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "n:u:tcq")) != -1) {
		switch (c) {
		case 'n': opt_rounds = strtoul(optarg, NULL, 0); break;
		case 'u': opt_unit = strtoul(optarg, NULL, 0); break;
		case 'c': opt_check = 1; break;
		case 'q': opt_quick_exit = 1; break;
		case 't': print_truth(); exit(0);
		default:
			fprintf(stderr, "usage: workload [-n ROUNDS] [-u UNIT_ITERS] [-t] [-c] [-q]\n");
			return -EINVAL;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	pid_t kids[NPROC - 1];
	int status, ret = 0;

	if (parse_args(argc, argv) < 0)
		return 64;
	fflush(stdout);
	for (int i = 0; i < NPROC - 1; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			perror("workload: fork");
			return 1;
		}
		if (kids[i] == 0) {
			ret = run_process();
			fflush(stdout);
			if (opt_quick_exit)
				_exit(ret);
			exit(ret);
		}
	}
	ret = run_process();
	for (int i = 0; i < NPROC - 1; i++) {
		if (waitpid(kids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			ret = 1;
	}
	return ret;
}
