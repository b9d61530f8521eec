/* SPDX-License-Identifier: MIT */
/*
 * rawclone: starts a thread with raw clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|
 * CLONE_THREAD|CLONE_SYSVSEM) (no pthread_create, no TLS of its own) that burns 0.3 s of CPU
 * without calling libc, while main burns 0.3 s; main waits for it through the
 * CLONE_CHILD_CLEARTID futex. Exits 0.
 */
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spin.h"

static volatile int child_tid = 1;	/* cleared by the kernel when the thread exits */
static volatile uint64_t sink;

static int __attribute__((noinline)) raw_thread(void *arg)
{
	uint64_t x = 1;

	/* No libc (no TLS): a fixed number of iterations, about 0.3 s. */
	for (long i = 0; i < 300L * 1000 * 1000; i++)
		x = x * 6364136223846793005ULL + 1;
	sink = x;
	return 0;
}

int main(void)
{
	size_t size = 1 << 20;
	char *stack = malloc(size);
	int tid;

	if (!stack)
		return 1;
	tid = clone(raw_thread, stack + size,
		    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			    CLONE_SYSVSEM | CLONE_CHILD_CLEARTID,
		    NULL, NULL, NULL, &child_tid);
	if (tid < 0) {
		perror("clone");
		return 1;
	}
	child_tid = tid;
	SPIN_CPU(300 * 1000000LL);
	while (child_tid != 0)
		syscall(SYS_futex, &child_tid, FUTEX_WAIT, tid, NULL, NULL, 0);
	printf("rawclone done\n");
	return 0;
}
