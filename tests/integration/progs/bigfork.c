/* SPDX-License-Identifier: MIT */
/*
 * bigfork [MIB] [N]: touches MIB (default 1024) MiB of memory, then forks N (default 10) times
 * while sampled; each child exits at once. Long forks (page-table copies) are what a sampling
 * signal keeps restarting. Prints the slowest fork in ms; exits 0 if all forks returned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spin.h"

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
	int n = argc > 2 ? atoi(argv[2]) : 10;
	int64_t slowest = 0;
	char *mem = malloc(mib << 20);

	if (!mem) {
		perror("malloc");
		return 1;
	}
	memset(mem, 1, mib << 20);
	for (int i = 0; i < n; i++) {
		int64_t t0 = mono_ns();
		pid_t pid = fork();
		int st;

		if (pid == 0)
			_exit(mem[i] == 1 ? 0 : 1);
		if (mono_ns() - t0 > slowest)
			slowest = mono_ns() - t0;
		if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0) {
			fprintf(stderr, "fork %d failed\n", i);
			return 1;
		}
	}
	printf("bigfork %zu MiB, %d forks, slowest %lld ms\n", mib, n, (long long)(slowest / 1000000));
	return 0;
}
