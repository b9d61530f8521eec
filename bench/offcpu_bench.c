// SPDX-License-Identifier: MIT
/*
 * offcpu_bench.c - what the off-CPU interposers cost a call that does not block: the same
 * calls timed without and with libxprof.so preloaded.
 *
 *	offcpu-bench --lib build/libxprof.so [--reps R] [--calls N] [--rounds K]
 *
 * runs itself K times (default 3) without the library and K times with it (alternating, so
 * that a change of machine speed hits both alike; XPROF_OUT in a scratch directory, removed
 * after); each run times every operation R times (default 15) over N calls (default 200000)
 * and reports ns per call. The median over all R x K repetitions of each side is printed.
 * Output, tab-separated, one line per operation after one header line (machine-readable for
 * bench/bench.py, BENCH.md Table 8):
 *
 *	#offcpu	op	plain_ns	xprof_ns	extra_ns	reps
 *	offcpu	read_devzero_1	184.9	196.7	11.8	45
 *
 * op is one of
 *	read_devzero_1	read(2) of 1 byte from /dev/zero
 *	write_devnull_1	write(2) of 1 byte to /dev/null
 *	poll_0		poll() of one pipe end with data in it, timeout 0
 *	mutex_lock_unlock	pthread_mutex_lock + pthread_mutex_unlock, uncontended
 * plain_ns and xprof_ns are medians in ns per call (one decimal), extra_ns their
 * difference (may be slightly negative: noise), reps the repetitions per side.
 *
 *	offcpu-bench --child	one run: lines "rep OP NS_PER_CALL" (what the parent reads)
 *
 * Exit 0, 1 on a failed call or a child that failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { OP_READ, OP_WRITE, OP_POLL, OP_MUTEX, OP_NR };
static const char *const op_names[OP_NR] = { "read_devzero_1", "write_devnull_1", "poll_0",
					     "mutex_lock_unlock" };
#define MAX_REPS 1000
#define MAX_ROUNDS 20

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int die(const char *what)
{
	fprintf(stderr, "offcpu-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* One repetition of op: n calls; ns per call. */
static double rep(int op, long n, int zero, int null, int pfd, pthread_mutex_t *m)
{
	struct pollfd p = { .fd = pfd, .events = POLLIN };
	double t0 = now_ns();
	char c;

	for (long i = 0; i < n; i++) {
		switch (op) {
		case OP_READ:
			if (read(zero, &c, 1) != 1)
				die("read");
			break;
		case OP_WRITE:
			if (write(null, "x", 1) != 1)
				die("write");
			break;
		case OP_POLL:
			if (poll(&p, 1, 0) != 1)
				die("poll");
			break;
		case OP_MUTEX:
			pthread_mutex_lock(m);
			pthread_mutex_unlock(m);
			break;
		}
	}
	return (now_ns() - t0) / (double)n;
}

static int child(int reps, long n)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY), pfd[2];

	if (zero < 0 || null < 0 || pipe(pfd) != 0 || write(pfd[1], "x", 1) != 1)
		die("setup");
	for (int op = 0; op < OP_NR; op++) {
		rep(op, n / 10, zero, null, pfd[0], &m);	/* warm up */
		for (int r = 0; r < reps; r++)
			printf("rep %s %.3f\n", op_names[op], rep(op, n, zero, null, pfd[0], &m));
	}
	return fflush(stdout) ? 1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One child run (lib NULL: without the library); its repetitions appended to got. */
static void run_child(const char *self, const char *lib, const char *out, int reps, long n,
		      double got[OP_NR][MAX_REPS * MAX_ROUNDS], int have[OP_NR])
{
	char cmd[8192], op[64];
	double ns;
	FILE *f;

	if (lib)
		snprintf(cmd, sizeof(cmd), "LD_PRELOAD='%s' XPROF_OUT='%s' XPROF_QUIET=1 '%s' "
			 "--child --reps %d --calls %ld", lib, out, self, reps, n);
	else
		snprintf(cmd, sizeof(cmd), "env -u LD_PRELOAD '%s' --child --reps %d --calls %ld",
			 self, reps, n);
	f = popen(cmd, "r");
	if (!f)
		die("popen");
	while (fscanf(f, "rep %63s %lf\n", op, &ns) == 2)
		for (int i = 0; i < OP_NR; i++)
			if (!strcmp(op, op_names[i]) && have[i] < MAX_REPS * MAX_ROUNDS)
				got[i][have[i]++] = ns;
	if (pclose(f) != 0) {
		fprintf(stderr, "offcpu-bench: child run failed: %s\n", cmd);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static double plain[OP_NR][MAX_REPS * MAX_ROUNDS], xprof[OP_NR][MAX_REPS * MAX_ROUNDS];
	int np[OP_NR] = { 0 }, nx[OP_NR] = { 0 }, reps = 15, rounds = 3, is_child = 0;
	const char *lib = NULL;
	char self[4096], out[] = "/tmp/offcpu-bench.XXXXXX", rm[128];
	long n = 200000;
	ssize_t len;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--child"))
			is_child = 1;
		else if (!strcmp(argv[i], "--lib") && i + 1 < argc)
			lib = argv[++i];
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--calls") && i + 1 < argc)
			n = atol(argv[++i]);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else
			return fprintf(stderr, "usage: offcpu-bench --lib LIBXPROF [--reps R] "
					       "[--calls N] [--rounds K]\n"), 2;
	}
	if (reps < 1 || reps > MAX_REPS || rounds < 1 || rounds > MAX_ROUNDS || n < 10)
		return fprintf(stderr, "offcpu-bench: reps 1..%d, rounds 1..%d, calls >= 10\n",
			       MAX_REPS, MAX_ROUNDS), 2;
	if (is_child)
		return child(reps, n);
	if (!lib)
		return fprintf(stderr, "offcpu-bench: --lib LIBXPROF is needed\n"), 2;
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0 || !mkdtemp(out))
		die("setup");
	self[len] = 0;
	for (int r = 0; r < rounds; r++) {
		run_child(self, NULL, out, reps, n, plain, np);
		run_child(self, lib, out, reps, n, xprof, nx);
	}
	snprintf(rm, sizeof(rm), "rm -rf '%s'", out);
	if (system(rm) != 0)
		fprintf(stderr, "offcpu-bench: could not remove %s\n", out);
	printf("#offcpu\top\tplain_ns\txprof_ns\textra_ns\treps\n");
	for (int i = 0; i < OP_NR; i++) {
		double p, x;

		if (!np[i] || !nx[i])
			return fprintf(stderr, "offcpu-bench: no figures for %s\n", op_names[i]), 1;
		p = median(plain[i], np[i]);
		x = median(xprof[i], nx[i]);
		printf("offcpu\t%s\t%.1f\t%.1f\t%.1f\t%d\n", op_names[i], p, x, x - p, nx[i]);
	}
	return fflush(stdout) ? 1 : 0;
}
