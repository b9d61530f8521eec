/* SPDX-License-Identifier: MIT */
/*
 * shortthreads [N]: creates and joins N (default 2000) threads, 4 at a time, each burning
 * 1 ms of CPU in short_worker; then a last thread burns 0.3 s in last_worker. Prints the
 * number of POSIX timers of the process (lines "ID:" of /proc/self/timers) before and after;
 * exits 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spin.h"

static void *__attribute__((noinline)) short_worker(void *arg)
{
	SPIN_CPU(1000000);
	return arg;
}

static void *__attribute__((noinline)) last_worker(void *arg)
{
	SPIN_CPU(300 * 1000000LL);
	return arg;
}

static int timers(void)
{
	FILE *f = fopen("/proc/self/timers", "r");
	char line[256];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n += strncmp(line, "ID:", 3) == 0;
	if (f)
		fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000, before = timers();
	pthread_t t[4];

	for (int i = 0; i < n; i += 4) {
		for (int j = 0; j < 4; j++)
			if (pthread_create(&t[j], NULL, short_worker, NULL) != 0) {
				perror("pthread_create");
				return 1;
			}
		for (int j = 0; j < 4; j++)
			pthread_join(t[j], NULL);
	}
	pthread_create(&t[0], NULL, last_worker, NULL);
	pthread_join(t[0], NULL);
	printf("shortthreads %d threads, timers before %d after %d\n", n, before, timers());
	return 0;
}
