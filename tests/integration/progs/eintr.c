/* SPDX-License-Identifier: MIT */
/*
 * eintr: main blocks in read() on a pipe that a thread fills after 1 s while two threads burn
 * CPU; also blocks in write() on a full pipe that a thread drains after 0.3 s; then two
 * threads play ping-pong over two pipes 3000 times, burning 100 us of CPU before each blocking
 * read (a sampling signal pending as read() starts must not make it fail). Any EINTR is
 * fatal, as in libraries that do not retry. Exits 0 on success.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spin.h"

static int fds[2];		/* read pipe, set before the threads start */
static int wfds[2];		/* pipe filled to capacity for the blocking write */

static void *__attribute__((noinline)) eintr_spinner(void *arg)
{
	SPIN_CPU(1200 * 1000000LL);
	return arg;
}

static void *filler(void *arg)
{
	usleep(1000 * 1000);
	if (write(fds[1], "x", 1) != 1)
		perror("write");
	return arg;
}

static int ping[2], pong[2];	/* ping-pong pipes */

/* 3000 rounds: burn, write a token to `out`, block reading the answer from `in`. */
static void *__attribute__((noinline)) pingpong(void *arg)
{
	int first = arg != NULL;
	int in = first ? pong[0] : ping[0], out = first ? ping[1] : pong[1];
	char c = 'p';

	for (int i = 0; i < 3000; i++) {
		SPIN_CPU(100000);
		if (first && write(out, &c, 1) != 1)
			return (void *)"write";
		if (read(in, &c, 1) != 1)
			return (void *)"read";
		if (!first && write(out, &c, 1) != 1)
			return (void *)"write";
	}
	return NULL;
}

static void *drainer(void *arg)
{
	char buf[65536];

	usleep(300 * 1000);
	while (read(wfds[0], buf, sizeof(buf)) > 0)
		;
	return arg;
}

int main(void)
{
	pthread_t t[4];
	char c, big[65536];
	ssize_t n;

	if (pipe(fds) != 0 || pipe(wfds) != 0)
		return 1;
	pthread_create(&t[0], NULL, eintr_spinner, NULL);
	pthread_create(&t[1], NULL, eintr_spinner, NULL);
	pthread_create(&t[2], NULL, filler, NULL);
	n = read(fds[0], &c, 1);
	if (n != 1) {
		fprintf(stderr, "read: %s\n", n < 0 ? strerror(errno) : "short");
		return 1;
	}
	/* Fill the second pipe, then block writing one more chunk until the drainer runs. */
	fcntl(wfds[1], F_SETFL, O_NONBLOCK);
	while (write(wfds[1], big, sizeof(big)) > 0)
		;
	fcntl(wfds[1], F_SETFL, 0);
	pthread_create(&t[3], NULL, drainer, NULL);
	n = write(wfds[1], big, sizeof(big));
	if (n != (ssize_t)sizeof(big)) {
		fprintf(stderr, "write: %s\n", n < 0 ? strerror(errno) : "short");
		return 1;
	}
	close(wfds[1]);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	if (pipe(ping) != 0 || pipe(pong) != 0)
		return 1;
	pthread_create(&t[0], NULL, pingpong, (void *)1);
	pthread_create(&t[1], NULL, pingpong, NULL);
	for (int i = 0; i < 2; i++) {
		void *why;

		pthread_join(t[i], &why);
		if (why) {
			fprintf(stderr, "ping-pong %s: %s\n", (char *)why, strerror(errno));
			return 1;
		}
	}
	printf("eintr ok\n");
	return 0;
}
