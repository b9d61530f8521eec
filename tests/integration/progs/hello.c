/* SPDX-License-Identifier: MIT */
/*
 * hello: prints known text to stdout (through stdio, some of it written directly with
 * write(2)), one line to stderr, burns 0.2 s of CPU, forks a child that prints one line, and
 * exits 3.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spin.h"

static void __attribute__((noinline)) hello_work(void) { SPIN_CPU(200 * 1000000LL); }

int main(int argc, char **argv)
{
	const char *direct = "direct write\n";
	pid_t pid;

	for (int i = 0; i < 100; i++)
		printf("line %d of the hello program\n", i);
	fflush(stdout);
	if (write(1, direct, strlen(direct)) < 0)
		return 1;
	fprintf(stderr, "hello on stderr\n");
	hello_work();
	pid = fork();
	if (pid == 0) {
		printf("child line\n");
		return 0;
	}
	waitpid(pid, NULL, 0);
	printf("goodbye\n");
	return 3;
}
