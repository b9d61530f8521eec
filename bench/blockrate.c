// SPDX-License-Identifier: MIT
/*
 * blockrate.c - a thread that blocks RATE times a second, for the benchmark's off-CPU file
 * size per second (Table 8).
 *
 *	blockrate [-r RATE] [-s SECONDS]	defaults: 100000 blocks/s for 2 s
 *
 * A pacer thread writes one byte to a pipe every 1/RATE s (spinning on the monotonic clock
 * between writes, so it never blocks itself); the reader thread reads the pipe one byte at
 * a time and so blocks in read() whenever it has caught up, up to RATE times a second. The
 * program knows nothing of xprof. How many reads really blocked is the reader's voluntary
 * context switches (getrusage(RUSAGE_THREAD)); the benchmark also reads it from the
 * profile's exact per-call totals. Prints one line:
 *
 *	blockrate<TAB>RATE<TAB>SECONDS<TAB>READS<TAB>WALL_NS<TAB>READER_NVCSW
 *
 * Exit 0, or 1 on a failed pipe, thread or read.
 */
#include <pthread.h>
#include <sys/resource.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static long rate = 100000;
static double seconds = 2.0;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Writes a byte every 1/rate s until the time is up, then closes the pipe (EOF ends the
 * reader). Spins between writes: a sleep would make the pacer block too. */
static void *pacer(void *arg)
{
	uint64_t period = 1000000000u / (uint64_t)rate, t0 = now_ns();
	uint64_t end = t0 + (uint64_t)(seconds * 1e9), next = t0;
	char c = 'x';

	while (next < end) {
		while (now_ns() < next)
			;
		if (write(fds[1], &c, 1) != 1)
			break;
		next += period;
	}
	close(fds[1]);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long reads = 0;
	struct rusage ru;
	pthread_t th;
	uint64_t t0;
	ssize_t n;
	char c;
	int opt;

	while ((opt = getopt(argc, argv, "r:s:")) != -1) {
		if (opt == 'r')
			rate = atol(optarg);
		else if (opt == 's')
			seconds = atof(optarg);
		else
			goto usage;
	}
	if (rate < 1 || rate > 10000000 || !(seconds > 0 && seconds <= 3600))
		goto usage;
	if (pipe(fds)) {
		perror("blockrate: pipe");
		return 1;
	}
	t0 = now_ns();
	if (pthread_create(&th, NULL, pacer, NULL)) {
		fputs("blockrate: pthread_create failed\n", stderr);
		return 1;
	}
	while ((n = read(fds[0], &c, 1)) == 1)
		reads++;
	getrusage(RUSAGE_THREAD, &ru);
	pthread_join(th, NULL);
	if (n < 0) {
		perror("blockrate: read");
		return 1;
	}
	printf("blockrate\t%ld\t%g\t%lu\t%llu\t%ld\n", rate, seconds, reads,
	       (unsigned long long)(now_ns() - t0), ru.ru_nvcsw);
	return 0;
usage:
	fputs("usage: blockrate [-r RATE 1..10000000] [-s SECONDS 0..3600]\n", stderr);
	return 1;
}
