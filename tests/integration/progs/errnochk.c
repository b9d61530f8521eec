/* SPDX-License-Identifier: MIT */
/*
 * errnochk [SECONDS]: for SECONDS (default 1), errno = 0; open("/nonexistent"), burn ~20 us
 * (so that most samples land between the call and the check) and check that it failed with
 * ENOENT; a second thread does the same. Prints the count of checks and of failures, exits 1
 * if any failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "spin.h"

static int64_t end_ns;	/* set once in main before the thread starts */
static atomic_long checks, failures;

static void *__attribute__((noinline)) errno_loop(void *arg)
{
	while (mono_ns() < end_ns) {
		for (int i = 0; i < 10; i++) {
			int fd;

			errno = 0;
			fd = open("/nonexistent", O_RDONLY);
			for (volatile int j = 0; j < 10000; j++)
				;
			if (fd >= 0 || errno != ENOENT) {
				failures++;
				if (fd >= 0)
					close(fd);
			}
			checks++;
		}
	}
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t;

	end_ns = mono_ns() + secs_ns(argc > 1 ? argv[1] : NULL, 1.0);
	pthread_create(&t, NULL, errno_loop, NULL);
	errno_loop(NULL);
	pthread_join(t, NULL);
	printf("errnochk %ld checks, %ld failures\n", (long)checks, (long)failures);
	return failures ? 1 : 0;
}
