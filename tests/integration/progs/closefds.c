/* SPDX-License-Identifier: MIT */
/*
 * closefds MODE FILE: closes every descriptor above stdio the way MODE says (range:
 * close_range(3, ~0U, 0); loop: close() 3..sysconf(_SC_OPEN_MAX)), then creates FILE, writes
 * 4 KiB of the pattern byte[i] = (i * 7 + 3) & 0xff, burns 0.3 s in closefds_work, forks a child
 * that burns 0.3 s in closefds_child, waits for it, burns 0.1 s more and closes FILE.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spin.h"

static void __attribute__((noinline)) closefds_work(int64_t ns) { SPIN_CPU(ns); }
static void __attribute__((noinline)) closefds_child(void) { SPIN_CPU(300 * 1000000LL); }

int main(int argc, char **argv)
{
	unsigned char buf[4096];
	pid_t pid;
	int fd, st;

	if (argc != 3) {
		fprintf(stderr, "usage: closefds range|loop FILE\n");
		return 2;
	}
	if (strcmp(argv[1], "range") == 0) {
		if (close_range(3, ~0U, 0) != 0) {
			perror("close_range");
			return 1;
		}
	} else {
		for (long i = 3, max = sysconf(_SC_OPEN_MAX); i < max; i++)
			close((int)i);
	}
	for (int i = 0; i < 4096; i++)
		buf[i] = (unsigned char)((i * 7 + 3) & 0xff);
	fd = open(argv[2], O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		perror(argv[2]);
		return 1;
	}
	closefds_work(300 * 1000000LL);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		closefds_child();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0) {
		fprintf(stderr, "child failed\n");
		return 1;
	}
	closefds_work(100 * 1000000LL);
	if (close(fd) != 0) {
		perror("close");
		return 1;
	}
	printf("closefds %s fd %d child %d\n", argv[1], fd, (int)pid);
	return 0;
}
