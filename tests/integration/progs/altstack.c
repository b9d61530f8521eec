/* SPDX-License-Identifier: MIT */
/*
 * altstack [SIZE]: threads whose SA_ONSTACK signal handler runs for milliseconds on a small
 * alternate stack, with a canary just below it. Each of two threads allocates one block,
 * [canary 64 KiB][altstack of SIZE bytes], fills the canary with a pattern
 * and sets the rest as its sigaltstack; a SIGUSR1 handler installed with SA_ONSTACK burns
 * 20 ms of CPU per signal (usr1_handler). Main sends ROUNDS rounds of SIGUSR1 to both
 * threads, waits for each round to be handled and checks both canaries after every round and
 * at the end: anything that runs off the bottom of an altstack (a stack grows down) writes
 * into its canary instead of the heap. SIZE defaults to sysconf(_SC_SIGSTKSZ); 8192 is the
 * classic SIGSTKSZ constant, which Rust's runtime uses for its threads' altstacks.
 *
 * stdout: signals handled, how many ran on the alternate stack, whether the canaries are
 * intact. stderr: the altstack size and the handlers' total CPU time in ns. Exits 0 if every
 * signal ran on the alternate stack and no canary byte changed.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "spin.h"

#define ROUNDS 25
#define CANARY (64 * 1024)
#define HANDLER_NS (20 * 1000000LL)

struct alt {
	unsigned char *block;	/* [CANARY][altstack]: one mmap, freed at the end by main */
	size_t size;		/* of the altstack part */
};

static struct alt alts[2];
static atomic_int handled[2], on_alt, ready, stop;
static atomic_llong handler_ns;
static _Thread_local int my_index;

static unsigned char pattern(size_t i)
{
	return (unsigned char)(0xa5 ^ (i * 131));
}

/* Offset of the first changed canary byte of a, or -1 if intact. */
static long canary_hit(const struct alt *a)
{
	for (size_t i = 0; i < CANARY; i++)
		if (a->block[i] != pattern(i))
			return (long)i;
	return -1;
}

static void __attribute__((noinline)) usr1_handler(int sig)
{
	int64_t t0 = thread_cpu_ns();
	stack_t ss;

	SPIN_CPU(HANDLER_NS);
	/* sigaltstack(2) itself says whether we run on the alternate stack. */
	if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK))
		on_alt++;
	handler_ns += thread_cpu_ns() - t0;
	handled[my_index]++;
}

static void *worker(void *arg)
{
	struct alt *a = &alts[(long)arg];
	stack_t ss = { .ss_size = a->size, .ss_sp = a->block + CANARY, .ss_flags = 0 };

	my_index = (int)(long)arg;
	if (sigaltstack(&ss, NULL) != 0) {
		perror("sigaltstack");
		exit(2);
	}
	ready++;
	while (!stop)
		usleep(1000);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	return arg;
}

static int alt_init(struct alt *a, long sz)
{
	a->size = (size_t)sz;
	a->block = mmap(NULL, CANARY + a->size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a->block == MAP_FAILED)
		return -1;
	for (size_t i = 0; i < CANARY; i++)
		a->block[i] = pattern(i);
	return 0;
}

int main(int argc, char **argv)
{
	long size = argc > 1 ? atol(argv[1]) : sysconf(_SC_SIGSTKSZ);
	struct sigaction sa;
	pthread_t t[2];
	int64_t give_up = mono_ns() + 30 * NS_PER_SEC;
	long hit = -1;
	int bad = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = usr1_handler;
	sa.sa_flags = SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	/* Not MINSIGSTKSZ: glibc defines it as SIGSTKSZ, i.e. sysconf(_SC_SIGSTKSZ). */
	if (size < sysconf(_SC_MINSIGSTKSZ)) {
		fprintf(stderr, "altstack: size %ld below the kernel's signal frame\n", size);
		return 2;
	}
	for (long i = 0; i < 2; i++) {
		if (alt_init(&alts[i], size) != 0) {
			perror("mmap");
			return 2;
		}
		pthread_create(&t[i], NULL, worker, (void *)i);
	}
	while (ready < 2)
		usleep(1000);
	for (int r = 1; r <= ROUNDS && hit < 0; r++) {
		pthread_kill(t[0], SIGUSR1);
		pthread_kill(t[1], SIGUSR1);
		while ((handled[0] < r || handled[1] < r) && mono_ns() < give_up)
			usleep(200);
		for (int i = 0; i < 2 && hit < 0; i++)
			if ((hit = canary_hit(&alts[i])) >= 0)
				bad = i;
	}
	stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 2 && hit < 0; i++)
		if ((hit = canary_hit(&alts[i])) >= 0)
			bad = i;
	printf("altstack handled %d+%d, %d on the alternate stack\n", (int)handled[0],
	       (int)handled[1], (int)on_alt);
	if (hit >= 0)
		printf("canary of thread %d overwritten %ld bytes below its altstack\n", bad,
		       (long)CANARY - hit);
	else
		printf("canaries intact\n");
	fprintf(stderr, "altstack size %zu\nhandler_ns %lld\n", alts[0].size,
		(long long)handler_ns);
	for (int i = 0; i < 2; i++)
		munmap(alts[i].block, CANARY + alts[i].size);
	return hit < 0 && handled[0] == ROUNDS && handled[1] == ROUNDS && on_alt == 2 * ROUNDS ?
		       0 : 1;
}
