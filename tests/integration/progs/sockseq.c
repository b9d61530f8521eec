/* SPDX-License-Identifier: MIT */
/*
 * sockseq [SECONDS]: closefrom(3), then a socketpair: one thread writes the byte sequence
 * 0,1,2,... (mod 251) into sv[0] for SECONDS (default 1.5), another reads sv[1] and checks
 * every byte, while both burn CPU between transfers. Any other reader or writer of those
 * descriptors (a profiler that reused the numbers) breaks the sequence. SIGPIPE is left at its
 * default. Exits 0 if the sequence arrived whole and in order.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "spin.h"

static int sv[2];		/* set before the threads start */
static int64_t end_ns;		/* likewise */
static long sent, got, bad;	/* each written by one thread only, read after join */

static void *__attribute__((noinline)) seq_writer(void *arg)
{
	unsigned char buf[512];
	unsigned n = 0;

	while (mono_ns() < end_ns) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (unsigned char)(n++ % 251);
		if (write(sv[0], buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			perror("write");
			bad++;
			break;
		}
		sent += sizeof(buf);
		SPIN_CPU(20000);
	}
	shutdown(sv[0], SHUT_WR);
	return arg;
}

static void *__attribute__((noinline)) seq_reader(void *arg)
{
	unsigned char buf[700];
	unsigned n = 0;
	ssize_t r;

	while ((r = read(sv[1], buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != (unsigned char)(n++ % 251))
				bad++;
		got += r;
		SPIN_CPU(10000);
	}
	if (r < 0) {
		perror("read");
		bad++;
	}
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t w, r;

	closefrom(3);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
		perror("socketpair");
		return 1;
	}
	end_ns = mono_ns() + secs_ns(argc > 1 ? argv[1] : NULL, 1.5);
	pthread_create(&r, NULL, seq_reader, NULL);
	pthread_create(&w, NULL, seq_writer, NULL);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	printf("sockseq fds %d,%d sent %ld got %ld bad %ld\n", sv[0], sv[1], sent, got, bad);
	return sent > 0 && got == sent && bad == 0 ? 0 : 1;
}
