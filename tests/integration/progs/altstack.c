/* SPDX-License-Identifier: MIT */
/*
 * altstack: two threads each set a sigaltstack of SIGSTKSZ bytes; a SIGUSR1 handler installed
 * with SA_ONSTACK burns 20 ms of CPU per signal. Main sends 50 rounds of SIGUSR1 to both
 * threads (100 signals), waiting for each round to be handled. Exits 0 if all 100 ran on the
 * alternate stack.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spin.h"

#define ROUNDS 50

static atomic_int handled[2], on_alt, ready, stop;
static _Thread_local int my_index;

static void __attribute__((noinline)) usr1_handler(int sig)
{
	stack_t ss;

	SPIN_CPU(20 * 1000000LL);
	if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK))
		on_alt++;
	handled[my_index]++;
}

static void *worker(void *arg)
{
	stack_t ss = { .ss_size = SIGSTKSZ, .ss_flags = 0 };

	my_index = (int)(long)arg;
	ss.ss_sp = malloc(ss.ss_size);
	if (!ss.ss_sp || sigaltstack(&ss, NULL) != 0) {
		perror("sigaltstack");
		exit(1);
	}
	ready++;
	while (!stop)
		usleep(1000);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	return arg;
}

int main(void)
{
	struct sigaction sa;
	pthread_t t[2];
	int64_t give_up = mono_ns() + 20 * NS_PER_SEC;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = usr1_handler;
	sa.sa_flags = SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	while (ready < 2)
		usleep(1000);
	for (int r = 1; r <= ROUNDS; r++) {
		pthread_kill(t[0], SIGUSR1);
		pthread_kill(t[1], SIGUSR1);
		while ((handled[0] < r || handled[1] < r) && mono_ns() < give_up)
			usleep(200);
	}
	stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("altstack handled %d+%d, %d on the alternate stack\n", (int)handled[0],
	       (int)handled[1], (int)on_alt);
	return handled[0] == ROUNDS && handled[1] == ROUNDS && on_alt == 2 * ROUNDS ? 0 : 1;
}
