/* SPDX-License-Identifier: MIT */
/*
 * fork work: the parent forks one child that burns 0.5 s of CPU in child_fn and exits; the
 *	parent waits, burns 0.1 s in parent_fn, prints "child PID" and exits 0.
 * fork exit2: the parent forks 2 children that burn 0.2 s each and call exit() (not _exit),
 *	prints "child PID" for each and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spin.h"

static void __attribute__((noinline)) child_fn(void) { SPIN_CPU(500 * 1000000LL); }
static void __attribute__((noinline)) exit_child_fn(void) { SPIN_CPU(200 * 1000000LL); }
static void __attribute__((noinline)) parent_fn(void) { SPIN_CPU(100 * 1000000LL); }

static int wait_ok(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "child %d failed (status %#x)\n", (int)pid, st);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 && strcmp(argv[1], "exit2") == 0 ? 2 : 1;
	pid_t pid[2];

	fflush(stdout);
	for (int i = 0; i < n; i++) {
		pid[i] = fork();
		if (pid[i] < 0) {
			perror("fork");
			return 1;
		}
		if (pid[i] == 0) {
			if (n == 1)
				child_fn();
			else
				exit_child_fn();
			exit(0);
		}
	}
	for (int i = 0; i < n; i++) {
		if (wait_ok(pid[i]) < 0)
			return 1;
		printf("child %d\n", (int)pid[i]);
	}
	parent_fn();
	return 0;
}
