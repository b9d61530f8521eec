/* SPDX-License-Identifier: MIT */
/*
 * nonest MODE SECONDS: a program whose own signal handler does what would break a sampler
 * that let it run inside its unwind, while the main thread burns CPU and calls the same
 * things. ITIMER_PROF delivers SIGPROF every 2 ms of CPU. Knows nothing of xprof.
 *   names: the handler renames the thread (pthread_setname_np) and the main thread renames
 *          it too; at the end: "renames N"
 *   fork:  every 20th delivery the handler forks a child that _exits at once, and reaps it;
 *          the main thread dlopens and dlcloses a library in a loop; at the end: "forks N"
 *   segv:  a second thread sends the main thread SIGSEGV by pthread_kill 2000 times, each
 *          once the previous one was handled (up to 100 ms), while the main thread burns
 *          CPU 200 frames deep; a SIGSEGV handler counts them with their si_code; at the
 *          end: "segv N tkill N"
 *   exit:  from its 100th delivery on, the handler calls _exit(7) as soon as it interrupts
 *          the main thread inside dlopen or dlclose; exits 7
 * Exits 0 (exit mode: 7) when every count is right.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spin.h"

static const char *mode;
static const char *lib;
static volatile sig_atomic_t deliveries, renames, forks, segvs, tkills, sent_done, in_dl;

static void on_prof(int sig)
{
	char name[16];

	(void)sig;
	deliveries++;
	snprintf(name, sizeof(name), "h%d", (int)(deliveries % 1000));
	if (!strcmp(mode, "names") && pthread_setname_np(pthread_self(), name) == 0)
		renames++;
	if (!strcmp(mode, "fork") && deliveries % 20 == 0) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0 && waitpid(pid, NULL, 0) == pid)
			forks++;
	}
	if (!strcmp(mode, "exit") && deliveries >= 100 && in_dl)
		_exit(7);
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	segvs++;
	if (si->si_code == SI_TKILL)
		tkills++;
}

static void *sender(void *arg)
{
	pthread_t main_thread = *(pthread_t *)arg;

	for (int i = 0; i < 2000; i++) {
		int64_t give_up = mono_ns() + 100 * 1000000LL;

		pthread_kill(main_thread, SIGSEGV);
		while (segvs <= i && mono_ns() < give_up)
			;
	}
	sent_done = 1;
	return NULL;
}

static void install(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_prof;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPROF, &sa, NULL);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGSEGV, &sa, NULL);
	setitimer(ITIMER_PROF, &it, NULL);
}

static int __attribute__((noinline)) deep(int n)
{
	if (n > 0)
		return deep(n - 1) + 1;
	SPIN_CPU(500000);
	return 0;
}

/* The main thread: burns CPU between the calls that take xprof's own paths. */
static void __attribute__((noinline)) main_work(int64_t end)
{
	int round = 0;

	while (mono_ns() < end || (!strcmp(mode, "segv") && !sent_done)) {
		deep(200);
		if (!strcmp(mode, "names"))
			renames += pthread_setname_np(pthread_self(), "main") == 0;
		if ((!strcmp(mode, "fork") || !strcmp(mode, "exit")) && lib) {
			void *h;

			in_dl = 1;
			h = dlopen(lib, RTLD_NOW);
			if (h)
				dlclose(h);
			in_dl = 0;
		}
		round++;
	}
}

int main(int argc, char **argv)
{
	pthread_t me = pthread_self(), th;
	int64_t end;

	if (argc < 3)
		return 2;
	mode = argv[1];
	end = mono_ns() + secs_ns(argv[2], 1.0);
	lib = argc > 3 ? argv[3] : NULL;
	install();
	if (!strcmp(mode, "segv"))
		pthread_create(&th, NULL, sender, &me);
	main_work(end);
	if (!strcmp(mode, "segv"))
		pthread_join(th, NULL);
	setitimer(ITIMER_PROF, &(struct itimerval){ { 0, 0 }, { 0, 0 } }, NULL);
	if (!strcmp(mode, "names"))
		printf("renames %s\n", renames > 0 ? "ok" : "none");
	if (!strcmp(mode, "fork"))
		printf("forks %s\n", forks > 0 && forks == deliveries / 20 ? "ok" : "missing");
	if (!strcmp(mode, "segv"))
		printf("segv %d tkill %d\n", (int)segvs, (int)tkills);
	if (!strcmp(mode, "exit"))
		printf("no exit after %d deliveries\n", (int)deliveries);
	return !strcmp(mode, "segv") ? !(segvs == 2000 && tkills == 2000) : 0;
}
