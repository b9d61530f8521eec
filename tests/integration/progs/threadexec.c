/* SPDX-License-Identifier: MIT */
/*
 * threadexec CHILD: main burns CPU in main_spin while a second thread, after 0.3 s, execs
 * CHILD ("spin 0.3"). Prints "threadexec PID" first. The exec'd image prints its own line.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "spin.h"

static const char *child;	/* set before the thread starts */

static void *exec_thread(void *arg)
{
	usleep(300 * 1000);
	execl(child, "spin", "0.3", "threadexec", (char *)NULL);
	perror("execl");
	_exit(127);
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc != 2) {
		fprintf(stderr, "usage: threadexec CHILD\n");
		return 2;
	}
	child = argv[1];
	printf("threadexec %d\n", (int)getpid());
	fflush(stdout);
	pthread_create(&t, NULL, exec_thread, NULL);
	for (;;)
		SPIN_CPU(1000000);
}
