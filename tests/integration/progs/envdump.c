/* SPDX-License-Identifier: MIT */
/*
 * envdump: prints "pid PID", then each environment entry as "env ENTRY", then burns 0.3 s of
 * CPU in envdump_spin. The exec'd child of the exec test.
 */
#include <stdio.h>
#include <unistd.h>

#include "spin.h"

extern char **environ;

static void __attribute__((noinline)) envdump_spin(void) { SPIN_CPU(300 * 1000000LL); }

int main(void)
{
	printf("pid %d\n", (int)getpid());
	for (char **e = environ; *e; e++)
		printf("env %s\n", *e);
	fflush(stdout);
	envdump_spin();
	return 0;
}
