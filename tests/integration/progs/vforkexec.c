/* SPDX-License-Identifier: MIT */
/*
 * vforkexec N CHILD: N times vfork + execl(CHILD, "spin", "0.01"), waiting for each child,
 * while the parent keeps a checksummed table of its own that it updates and verifies between
 * iterations (a child that writes into the parent's memory breaks it). Exits 0 if every child
 * exited 0 and every checksum held.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spin.h"

static uint64_t table[4096];	/* the parent's own data, checked after every child */
static int bad;			/* errors seen; static so vfork cannot clobber it */

static uint64_t __attribute__((noinline)) parent_fill(uint64_t seed)
{
	uint64_t sum = 0;

	for (int i = 0; i < 4096; i++) {
		table[i] = seed * 6364136223846793005ULL + (uint64_t)i;
		sum += table[i] ^ (table[i] >> 13);
	}
	SPIN_CPU(2 * 1000000LL);
	return sum;
}

static uint64_t table_sum(void)
{
	uint64_t sum = 0;

	for (int i = 0; i < 4096; i++)
		sum += table[i] ^ (table[i] >> 13);
	return sum;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50;
	const char *child = argc > 2 ? argv[2] : "./spin";

	for (int i = 0; i < n; i++) {
		uint64_t sum = parent_fill((uint64_t)i + 1);
		pid_t pid = vfork();
		int st;

		if (pid == 0) {
			execl(child, "spin", "0.01", "vfork", (char *)NULL);
			_exit(127);
		}
		if (pid < 0) {
			perror("vfork");
			return 1;
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "iteration %d: child status %#x\n", i, st);
			bad++;
		}
		if (table_sum() != sum) {
			fprintf(stderr, "iteration %d: parent data changed\n", i);
			bad++;
		}
	}
	printf("vforkexec %d children, %d errors\n", n, bad);
	return bad ? 1 : 0;
}
