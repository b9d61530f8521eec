/* SPDX-License-Identifier: MIT */
/*
 * longjmp [SECONDS]: longjmps out of 4 nested frames that burn CPU, in a loop for SECONDS
 * (default 1); also siglongjmps out of a SIGUSR1 handler 100 times. Exits 0 if every jump
 * landed.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "spin.h"

static jmp_buf jb;
static sigjmp_buf sjb;

static void __attribute__((noinline)) jumper(int depth)
{
	SPIN_CPU(20000);
	if (depth < 0)
		return;
	if (depth == 0)
		longjmp(jb, 1);
	jumper(depth - 1);
	__asm__ volatile("" ::: "memory");	/* no tail call */
}

static void on_usr1(int sig)
{
	SPIN_CPU(1000000);
	siglongjmp(sjb, 1);
}

int main(int argc, char **argv)
{
	int64_t end = mono_ns() + secs_ns(argc > 1 ? argv[1] : NULL, 1.0);
	volatile long jumps = 0, sigjumps = 0;
	struct sigaction sa;

	while (mono_ns() < end) {
		if (setjmp(jb) == 0)
			jumper(4);
		else
			jumps++;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	for (volatile int i = 0; i < 100; i++) {
		if (sigsetjmp(sjb, 1) == 0)
			raise(SIGUSR1);
		else
			sigjumps++;
	}
	printf("longjmp %ld jumps, %ld from a handler\n", (long)jumps, (long)sigjumps);
	return jumps > 0 && sigjumps == 100 ? 0 : 1;
}
