/* SPDX-License-Identifier: MIT */
/*
 * exec_env MODE CHILD: burns 0.1 s of CPU, prints "parent PID", then replaces itself by CHILD
 * with an explicit environment:
 *	execve	execve(CHILD, argv, {NULL})		(empty environment)
 *	execle	execle(CHILD, CHILD, NULL, {"PATH=/bin", NULL})
 *	ownhz	execle with {"PATH=/bin", "XPROF_HZ=250", NULL}
 * Exits 127 if the exec fails.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spin.h"

static void __attribute__((noinline)) parent_fn(void) { SPIN_CPU(100 * 1000000LL); }

int main(int argc, char **argv)
{
	char *empty[] = { NULL };
	char *args[] = { argc > 2 ? argv[2] : "", NULL };

	if (argc != 3) {
		fprintf(stderr, "usage: exec_env execve|execle|ownhz CHILD\n");
		return 2;
	}
	parent_fn();
	printf("parent %d\n", (int)getpid());
	fflush(stdout);
	if (strcmp(argv[1], "execve") == 0)
		execve(argv[2], args, empty);
	else if (strcmp(argv[1], "execle") == 0)
		execle(argv[2], argv[2], (char *)NULL, (char *[]){ "PATH=/bin", NULL });
	else
		execle(argv[2], argv[2], (char *)NULL,
		       (char *[]){ "PATH=/bin", "XPROF_HZ=250", NULL });
	perror("exec");
	return 127;
}
