/* SPDX-License-Identifier: MIT */
/*
 * fdlist: starts a thread that burns 0.1 s, joins it, burns 0.1 s itself, then execs
 * `ls -l /proc/self/fd` (found on PATH) with its environment unchanged.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "spin.h"

static void *__attribute__((noinline)) fdlist_worker(void *arg)
{
	SPIN_CPU(100 * 1000000LL);
	return arg;
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, fdlist_worker, NULL);
	pthread_join(t, NULL);
	SPIN_CPU(100 * 1000000LL);
	fflush(stdout);
	execlp("ls", "ls", "-l", "/proc/self/fd", (char *)NULL);
	perror("ls");
	return 127;
}
