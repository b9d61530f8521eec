/* SPDX-License-Identifier: MIT */
/*
 * exitrace: starts 8 threads that burn CPU forever, burns 20 ms in main and returns 0 from
 * main while they run (exit() tears the process down under them).
 */
#include <pthread.h>
#include <stdio.h>

#include "spin.h"

static void *__attribute__((noinline)) racer(void *arg)
{
	volatile uint64_t x = 1;

	for (;;)
		x = x * 6364136223846793005ULL + 1;
	return arg;
}

int main(void)
{
	pthread_t t;

	for (int i = 0; i < 8; i++)
		pthread_create(&t, NULL, racer, NULL);
	SPIN_CPU(20 * 1000000LL);
	return 0;
}
