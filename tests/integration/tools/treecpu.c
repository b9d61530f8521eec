/* SPDX-License-Identifier: MIT */
/*
 * treecpu [-o FILE] [-p LIB] CMD [ARG...]: runs CMD, waits for it and for every descendant
 * that is orphaned on the way (treecpu is a child subreaper), then writes one line
 *
 *	treecpu	cpu_ns=N	user_ns=N	sys_ns=N	status=S	procs=N
 *
 * to FILE (default: stderr) and exits with CMD's status (128 + signal number if CMD was
 * killed, as a shell reports it). cpu_ns is the kernel's CPU time of the whole tree (user +
 * sys, from getrusage(RUSAGE_CHILDREN) once everything is reaped), the figure a profiler's
 * sampled CPU is judged against; procs counts the processes treecpu reaped itself (CMD and
 * orphans). -p LIB sets LD_PRELOAD=LIB in CMD's environment only, so that treecpu itself is
 * never profiled. A test tool of the integration suite, not a target program.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int64_t tv_ns(struct timeval tv)
{
	return (int64_t)tv.tv_sec * 1000000000LL + (int64_t)tv.tv_usec * 1000LL;
}

static int usage(void)
{
	fprintf(stderr, "usage: treecpu [-o FILE] [-p LIB] CMD [ARG...]\n");
	return 64;
}

/* Shell convention for a wait status: the exit code, or 128 + the signal number. */
static int shell_status(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	return 255;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *lib = NULL;
	struct rusage ru;
	int opt, ws = 0, status = 255, procs = 0;
	pid_t cmd, pid;
	FILE *f = stderr;

	while ((opt = getopt(argc, argv, "+o:p:")) != -1) {
		if (opt == 'o')
			out = optarg;
		else if (opt == 'p')
			lib = optarg;
		else
			return usage();
	}
	if (optind >= argc)
		return usage();
	/* Orphans (daemons, children of a parent that exited first) come back to us, so their
	 * CPU is counted too once we reap them. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		perror("treecpu: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	cmd = fork();
	if (cmd < 0) {
		perror("treecpu: fork");
		return 2;
	}
	if (cmd == 0) {
		if (lib && setenv("LD_PRELOAD", lib, 1) != 0)
			_exit(127);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "treecpu: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	/* A signal meant for the tree (timeout(1) signals the whole process group) must not
	 * stop us before the figure is written. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	for (;;) {
		pid = waitpid(-1, &ws, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			perror("treecpu: waitpid");
			return 2;
		}
		procs++;
		if (pid == cmd)
			status = shell_status(ws);
	}
	if (getrusage(RUSAGE_CHILDREN, &ru) != 0) {
		perror("treecpu: getrusage");
		return 2;
	}
	if (out && !(f = fopen(out, "w"))) {
		perror(out);
		return 2;
	}
	fprintf(f, "treecpu\tcpu_ns=%lld\tuser_ns=%lld\tsys_ns=%lld\tstatus=%d\tprocs=%d\n",
		(long long)(tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime)),
		(long long)tv_ns(ru.ru_utime), (long long)tv_ns(ru.ru_stime), status, procs);
	if (f != stderr && fclose(f) != 0) {
		perror(out);
		return 2;
	}
	return status;
}
