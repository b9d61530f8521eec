/* SPDX-License-Identifier: MIT */
/*
 * segvjmp: installs a SIGSEGV handler that siglongjmps back, then faults 1000 times (a store
 * to an unmapped page), burning 0.5 ms between faults. Prints the SigBlk line of
 * /proc/self/status before and after; exits 0 if all 1000 faults were recovered and the
 * blocked mask is unchanged.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "spin.h"

static sigjmp_buf jb;

static void on_segv(int sig)
{
	siglongjmp(jb, 1);
}

static void sigblk(char *buf, size_t n)
{
	FILE *f = fopen("/proc/self/status", "r");

	buf[0] = 0;
	while (f && fgets(buf, (int)n, f))
		if (strncmp(buf, "SigBlk:", 7) == 0)
			break;
	if (f)
		fclose(f);
}

static void __attribute__((noinline)) segv_work(volatile int *p)
{
	SPIN_CPU(500000);
	*p = 1;
}

int main(int argc, char **argv)
{
	char before[128], after[128];
	struct sigaction sa;
	volatile int recovered = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigblk(before, sizeof(before));
	for (volatile int i = 0; i < 1000; i++) {
		if (sigsetjmp(jb, 1) == 0)
			segv_work((volatile int *)(uintptr_t)(16 + argc));
		else
			recovered++;
	}
	sigblk(after, sizeof(after));
	printf("segvjmp recovered %d\nbefore %safter %s", (int)recovered, before, after);
	return recovered == 1000 && strcmp(before, after) == 0 ? 0 : 1;
}
