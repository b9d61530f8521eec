/* SPDX-License-Identifier: MIT */
/*
 * sigblock: blocks every signal (pthread_sigmask SIG_BLOCK, full set) in main and in 3 threads
 * it starts; each thread, and main, burns 0.5 s of CPU. Exits 0.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

#include "spin.h"

static void block_all(void)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
}

static void *__attribute__((noinline)) blocked_worker(void *arg)
{
	block_all();
	SPIN_CPU(500 * 1000000LL);
	return arg;
}

int main(void)
{
	pthread_t t[3];

	block_all();
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, blocked_worker, NULL);
	SPIN_CPU(500 * 1000000LL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("sigblock done\n");
	return 0;
}
