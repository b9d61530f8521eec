/* SPDX-License-Identifier: MIT */
/*
 * forkstorm [N]: 4 threads burn CPU while main forks N (default 100) children one after the
 * other; each child burns 5 ms in storm_child and _exit(0)s. Exits 0 if every fork returned
 * and every child exited 0.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spin.h"

static atomic_int stop;

static void *__attribute__((noinline)) storm_spinner(void *arg)
{
	while (!stop)
		SPIN_CPU(1000000);
	return arg;
}

static void __attribute__((noinline)) storm_child(void) { SPIN_CPU(5 * 1000000LL); }

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100, bad = 0;
	pthread_t t[4];

	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, storm_spinner, NULL);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			storm_child();
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0) {
			fprintf(stderr, "fork %d failed (status %#x)\n", i, pid < 0 ? -1 : st);
			bad++;
		}
	}
	stop = 1;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("forkstorm %d forks, %d errors\n", n, bad);
	return bad ? 1 : 0;
}
