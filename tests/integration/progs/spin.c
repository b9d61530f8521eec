/* SPDX-License-Identifier: MIT */
/*
 * spin [SECONDS] [NAME]: burns SECONDS (default 0.5) of CPU in spin_fn, prints "spin NAME
 * PID done" and exits 0. The generic child of the spawn, exec, vfork and kill tests.
 */
#include <stdio.h>
#include <unistd.h>

#include "spin.h"

static void __attribute__((noinline)) spin_fn(int64_t ns)
{
	SPIN_CPU(ns);
}

int main(int argc, char **argv)
{
	spin_fn(secs_ns(argc > 1 ? argv[1] : NULL, 0.5));
	printf("spin %s %d done\n", argc > 2 ? argv[2] : "-", (int)getpid());
	return 0;
}
