/* SPDX-License-Identifier: MIT */
/*
 * sigfwd [SIGNO]: how signal dispositions behave, one line per case, for signal SIGNO
 * (default SIGSTKFLT) and for SIGSEGV raised by real faults. Knows nothing of xprof: a test
 * runs it with and without the profiler (which samples with SIGSTKFLT and guards SIGSEGV) and
 * requires the same output. Cases: sa_mask and SA_NODEFER as seen inside the handler;
 * SA_RESETHAND (the second delivery takes the default action); SA_SIGINFO's siginfo
 * (sigqueue value, sender pid) against a plain handler; SA_ONSTACK with an altstack and its
 * absence; SIG_IGN; SIG_DFL (death by the signal); SA_RESTART against EINTR; and SIGSEGV
 * with a handler on the altstack with a mask, one without SA_ONSTACK, SA_RESETHAND, SIG_DFL,
 * SIG_IGN (a real fault still kills), and a SIGSEGV sent by tgkill. Between cases it burns
 * CPU so that samples are taken all along.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spin.h"

static int S = SIGSTKFLT;
static char *alt;
static size_t alt_size;
static volatile sig_atomic_t calls;
static volatile int seen_mask_usr1, seen_mask_self, seen_onstack, seen_code, seen_value;
static volatile int seen_pid_ok;
static sigjmp_buf jb;
static volatile char *volatile bad_ptr;

static int on_alt(void)
{
	char here;

	return &here >= alt && &here < alt + alt_size;
}

static void look(int sig)
{
	sigset_t cur;

	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	seen_mask_usr1 = sigismember(&cur, SIGUSR1);
	seen_mask_self = sigismember(&cur, sig);
	seen_onstack = on_alt();
	calls++;
}

static void plain(int sig)
{
	look(sig);
}

static void with_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	look(sig);
	seen_code = si->si_code;
	seen_value = si->si_value.sival_int;
	seen_pid_ok = si->si_pid == getpid();
}

static void fault_jump(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	look(sig);
	seen_code = si->si_code;
	seen_pid_ok = si->si_addr == (void *)bad_ptr;
	siglongjmp(jb, 1);
}

static void set(int sig, void (*h)(int), void (*hi)(int, siginfo_t *, void *), int flags,
		int mask_usr1)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	if (hi)
		sa.sa_sigaction = hi;
	else
		sa.sa_handler = h;
	sa.sa_flags = flags | (hi ? SA_SIGINFO : 0);
	sigemptyset(&sa.sa_mask);
	if (mask_usr1)
		sigaddset(&sa.sa_mask, SIGUSR1);
	sigaction(sig, &sa, NULL);
}

static void burn(void)
{
	SPIN_CPU(30 * 1000000LL);
}

static void report(const char *name)
{
	printf("%-22s calls=%d usr1=%d self=%d onstack=%d\n", name, (int)calls, seen_mask_usr1,
	       seen_mask_self, seen_onstack);
	calls = 0;
	burn();
}

/* Runs fn in a child and prints how the child ended. */
static void in_child(const char *name, void (*fn)(void))
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		printf("%-22s killed by signal %d\n", name, WTERMSIG(st));
	else
		printf("%-22s exit %d\n", name, WEXITSTATUS(st));
	burn();
}

static void resethand_twice(void)
{
	struct sigaction old;

	set(S, plain, NULL, SA_RESETHAND, 0);
	raise(S);
	sigaction(S, NULL, &old);
	printf("%-22s after one: calls=%d dfl=%d\n", "resethand", (int)calls,
	       old.sa_handler == SIG_DFL);
	fflush(stdout);
	raise(S);
}

static void dfl_raise(void)
{
	set(S, SIG_DFL, NULL, 0, 0);
	raise(S);
}

static void fault(void)
{
	*bad_ptr = 1;
}

static void segv_dfl(void)
{
	set(SIGSEGV, SIG_DFL, NULL, 0, 0);
	fault();
}

static void segv_ign(void)
{
	set(SIGSEGV, SIG_IGN, NULL, 0, 0);
	fault();
}

static void segv_resethand(void)
{
	set(SIGSEGV, NULL, fault_jump, SA_RESETHAND, 0);
	if (!sigsetjmp(jb, 1))
		fault();
	printf("%-22s after one: calls=%d\n", "segv resethand", (int)calls);
	fflush(stdout);
	fault();
}

static void *interrupter(void *arg)
{
	usleep(100000);
	pthread_kill(*(pthread_t *)arg, S);
	return NULL;
}

/* A read on an empty pipe, interrupted by S from another thread: EINTR without SA_RESTART,
 * still waiting with it (then the pipe gets a byte). */
static void restart_case(const char *name, int flags)
{
	int fd[2];
	pthread_t me = pthread_self(), th;
	char c;
	ssize_t r;

	set(S, plain, NULL, flags, 0);
	if (pipe(fd))
		return;
	pthread_create(&th, NULL, interrupter, &me);
	if (flags & SA_RESTART) {
		usleep(300000);
		if (write(fd[1], "x", 1) != 1)
			return;
	}
	r = read(fd[0], &c, 1);
	printf("%-22s read=%zd errno=%s calls=%d\n", name, r, r < 0 && errno == EINTR ? "EINTR" : "-",
	       (int)calls);
	pthread_join(th, NULL);
	close(fd[0]);
	close(fd[1]);
	calls = 0;
	burn();
}

static void signal_cases(void)
{
	union sigval v = { .sival_int = 42 };

	set(S, plain, NULL, 0, 1);
	raise(S);
	report("mask+self");
	set(S, plain, NULL, SA_NODEFER, 0);
	raise(S);
	report("nodefer");
	in_child("resethand", resethand_twice);
	set(S, NULL, with_info, 0, 0);
	sigqueue(getpid(), S, v);
	printf("%-22s code=%d value=%d pid_ok=%d\n", "siginfo", seen_code, seen_value,
	       seen_pid_ok);
	report("siginfo");
	set(S, plain, NULL, SA_ONSTACK, 0);
	raise(S);
	report("onstack");
	set(S, plain, NULL, 0, 0);
	raise(S);
	report("not onstack");
	set(S, SIG_IGN, NULL, 0, 0);
	raise(S);
	report("ignored");
	in_child("default", dfl_raise);
	restart_case("no restart", 0);
	restart_case("restart", SA_RESTART);
}

static void fault_cases(void)
{
	set(SIGSEGV, NULL, fault_jump, SA_ONSTACK, 1);
	if (!sigsetjmp(jb, 1))
		fault();
	printf("%-22s code=%d addr_ok=%d\n", "segv onstack", seen_code, seen_pid_ok);
	report("segv onstack");
	set(SIGSEGV, NULL, fault_jump, 0, 0);
	if (!sigsetjmp(jb, 1))
		fault();
	report("segv not onstack");
	in_child("segv resethand", segv_resethand);
	in_child("segv default", segv_dfl);
	in_child("segv ignored", segv_ign);
	set(SIGSEGV, NULL, with_info, 0, 0);
	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGSEGV);
	printf("%-22s code=%d pid_ok=%d\n", "segv sent", seen_code, seen_pid_ok);
	report("segv sent");
}

int main(int argc, char **argv)
{
	stack_t ss;

	if (argc > 1)
		S = atoi(argv[1]);
	bad_ptr = (volatile char *)16;
	alt_size = 64 * 1024;
	alt = malloc(alt_size);
	ss.ss_sp = alt;
	ss.ss_size = alt_size;
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	burn();
	signal_cases();
	fault_cases();
	return 0;
}
