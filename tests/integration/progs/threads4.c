/* SPDX-License-Identifier: MIT */
/*
 * threads4 [SECONDS]: main starts 4 threads that each burn SECONDS (default 0.5) of CPU in a
 * function of their own (worker_a..worker_d), then joins them. Main itself stays idle. Each
 * thread names itself (pthread_setname_np) after its function, "worker_a".."worker_d".
 */
#include <pthread.h>
#include <stdio.h>

#include "spin.h"

static int64_t spin_ns;	/* set once in main before the threads start */

#define WORKER(x)                                                                          \
	static void *__attribute__((noinline)) worker_##x(void *arg)                       \
	{                                                                                  \
		pthread_setname_np(pthread_self(), "worker_" #x);                          \
		SPIN_CPU(spin_ns);                                                         \
		return arg;                                                                \
	}
WORKER(a)
WORKER(b)
WORKER(c)
WORKER(d)

int main(int argc, char **argv)
{
	void *(*fn[4])(void *) = { worker_a, worker_b, worker_c, worker_d };
	pthread_t t[4];

	spin_ns = secs_ns(argc > 1 ? argv[1] : NULL, 0.5);
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, fn[i], NULL) != 0) {
			perror("pthread_create");
			return 1;
		}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("threads4 done\n");
	return 0;
}
