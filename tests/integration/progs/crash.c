/* SPDX-License-Identifier: MIT */
/*
 * crash MODE: burns 0.3 s of CPU in doomed_fn, then ends the way MODE says:
 *	_exit	_exit(7)		abort	abort() (status 134 from a shell)
 *	segv	NULL store (139)	exit	return 5 from main
 *	handler	NULL store caught by the program's own SIGSEGV handler, which burns 0.3 s in
 *		segv_handler and _exit(42)s
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spin.h"

static void __attribute__((noinline)) doomed_fn(void) { SPIN_CPU(300 * 1000000LL); }

static void __attribute__((noinline)) segv_handler(int sig)
{
	SPIN_CPU(300 * 1000000LL);
	_exit(42);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "exit";

	printf("crash %s\n", mode);
	fflush(stdout);
	doomed_fn();
	if (strcmp(mode, "_exit") == 0)
		_exit(7);
	if (strcmp(mode, "abort") == 0)
		abort();
	if (strcmp(mode, "handler") == 0)
		signal(SIGSEGV, segv_handler);
	if (strcmp(mode, "segv") == 0 || strcmp(mode, "handler") == 0)
		*(volatile int *)(uintptr_t)argc = 0;	/* argc is small: an unmapped page */
	return 5;
}
