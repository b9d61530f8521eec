/* SPDX-License-Identifier: MIT */
/*
 * ownsig stkflt: installs its own SIGSTKFLT handler with sigaction, raises SIGSTKFLT 3 times,
 *	checks that the handler ran exactly 3 times and that sigaction(SIGSTKFLT, NULL, &old)
 *	returns it, burns 0.5 s of CPU and checks again that nothing else reached the handler.
 * ownsig prof: installs a SIGPROF handler, arms setitimer(ITIMER_PROF, 10 ms) and burns CPU
 *	until the handler ran 3 times (gives up after 4 s of CPU), disarms the timer, burns 0.3 s
 *	more and checks that the handler did not run again.
 * Prints "ownsig MODE ok" and exits 0, or names what went wrong and exits 1.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "spin.h"

static volatile sig_atomic_t hits;

static void on_sig(int sig) { hits++; }

static void __attribute__((noinline)) ownsig_work(int64_t ns) { SPIN_CPU(ns); }

static int mode_stkflt(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSTKFLT, &sa, NULL) != 0) {
		perror("sigaction");
		return 1;
	}
	for (int i = 0; i < 3; i++)
		raise(SIGSTKFLT);
	if (hits != 3) {
		fprintf(stderr, "handler ran %d times after 3 raise()\n", (int)hits);
		return 1;
	}
	if (sigaction(SIGSTKFLT, NULL, &old) != 0 || old.sa_handler != on_sig) {
		fprintf(stderr, "sigaction(SIGSTKFLT, NULL, &old) does not return our handler\n");
		return 1;
	}
	ownsig_work(500 * 1000000LL);
	if (hits != 3) {
		fprintf(stderr, "handler ran %d times, 3 expected\n", (int)hits);
		return 1;
	}
	return 0;
}

static int mode_prof(void)
{
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	struct sigaction sa;
	int64_t give_up = thread_cpu_ns() + 4 * NS_PER_SEC;
	int seen;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPROF, &sa, NULL) != 0 || setitimer(ITIMER_PROF, &it, NULL) != 0) {
		perror("SIGPROF");
		return 1;
	}
	while (hits < 3 && thread_cpu_ns() < give_up)
		ownsig_work(1000000);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_PROF, &it, NULL);
	if (hits < 3) {
		fprintf(stderr, "own SIGPROF handler ran %d times in 4 s\n", (int)hits);
		return 1;
	}
	/* Timer off: the handler must not run again (one signal may still be in flight). */
	seen = hits;
	ownsig_work(300 * 1000000LL);
	if (hits > seen + 1) {
		fprintf(stderr, "SIGPROF handler ran %d times after the timer was disarmed\n",
			(int)(hits - seen));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "stkflt";
	int rc = strcmp(mode, "prof") == 0 ? mode_prof() : mode_stkflt();

	if (rc == 0)
		printf("ownsig %s ok\n", mode);
	return rc;
}
