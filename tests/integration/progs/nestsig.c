/* SPDX-License-Identifier: MIT */
/*
 * nestsig: 25 times, main_loop raises SIGALRM, whose handler alrm_handler burns 20 ms and
 * raises SIGUSR1, whose handler usr1_handler burns 20 ms. Samples taken in usr1_handler have
 * usr1_handler <- signal frame <- alrm_handler <- signal frame <- main_loop on their stack.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "spin.h"

static volatile sig_atomic_t done;

static void __attribute__((noinline)) usr1_handler(int sig)
{
	SPIN_CPU(20 * 1000000LL);
	done++;
}

static void __attribute__((noinline)) alrm_handler(int sig)
{
	SPIN_CPU(20 * 1000000LL);
	raise(SIGUSR1);
}

static void __attribute__((noinline)) main_loop(void)
{
	for (int i = 0; i < 25; i++)
		raise(SIGALRM);
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = usr1_handler;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = alrm_handler;
	sigaction(SIGALRM, &sa, NULL);
	main_loop();
	printf("nestsig %d\n", (int)done);
	return done == 25 ? 0 : 1;
}
