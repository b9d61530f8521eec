/* SPDX-License-Identifier: MIT */
/*
 * bigstacks [SECONDS]: two threads, for SECONDS (default 1) of CPU each, recurse 300 to 900
 * frames deep through a random mix of rec_a and rec_b and burn 1 ms at the bottom: stacks
 * that differ from one sample to the next near the root, so each sample is large on disk.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "spin.h"

static int64_t spin_ns;	/* set once in main before the threads start */

static int rec_b(int n, unsigned seed);

static int __attribute__((noinline)) rec_a(int n, unsigned seed)
{
	volatile int pad = n;

	if (n <= 0) {
		SPIN_CPU(1000000);
		return 1;
	}
	seed = seed * 1103515245u + 12345u;
	return ((seed >> 16) & 1 ? rec_a(n - 1, seed) : rec_b(n - 1, seed)) + pad * 0;
}

static int __attribute__((noinline)) rec_b(int n, unsigned seed)
{
	volatile int pad = n;

	if (n <= 0) {
		SPIN_CPU(1000000);
		return 1;
	}
	seed = seed * 1103515245u + 12345u;
	return ((seed >> 16) & 1 ? rec_a(n - 1, seed) : rec_b(n - 1, seed)) + pad * 0;
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	int64_t end = thread_cpu_ns() + spin_ns;

	while (thread_cpu_ns() < end) {
		seed = seed * 1103515245u + 12345u;
		rec_a(300 + (int)((seed >> 8) % 600), seed);
	}
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t[2];

	spin_ns = secs_ns(argc > 1 ? argv[1] : NULL, 1.0);
	for (uintptr_t i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, (void *)(i + 1));
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("bigstacks done\n");
	return 0;
}
