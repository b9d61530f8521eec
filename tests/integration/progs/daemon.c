/* SPDX-License-Identifier: MIT */
/*
 * daemon PIDFILE: the daemon idiom by hand. fork; the parent exits at once; the child calls
 * setsid and forks again and exits; the grandchild does chdir("/"), writes its pid to PIDFILE
 * (an absolute path), burns 0.5 s of CPU in daemon_work and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "spin.h"

static void __attribute__((noinline)) daemon_work(void) { SPIN_CPU(500 * 1000000LL); }

int main(int argc, char **argv)
{
	pid_t pid;
	FILE *f;

	if (argc != 2 || argv[1][0] != '/') {
		fprintf(stderr, "usage: daemon /ABSOLUTE/PIDFILE\n");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid > 0)
		exit(0);
	if (chdir("/") != 0)
		return 1;
	daemon_work();
	f = fopen(argv[1], "w");
	if (!f)
		return 1;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	return 0;
}
