// SPDX-License-Identifier: MIT
/*
 * state.c - the process state `xp` and the two helpers every file of the library uses.
 * Kept apart from process.c (which holds the library's constructor) so that unit tests can
 * link the record and block code without starting a profiler in the test program itself.
 * process_is_self() is AS-safe; xp_say() is not (vsnprintf).
 */
#include <stdarg.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xprof-int.h"

/* Written at init (and in a fork child) before any timer is armed; see xprof-int.h. */
struct xp_process xp = { .fd = -1 };


/* AS-safe: a vfork child (or raw clone) shares our memory but is not us. */
int process_is_self(void)
{
	return (pid_t)syscall(SYS_getpid) == xp.pid;
}

void xp_say(int always, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	if (!always && xp.cfg.quiet)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (REAL(write)(2, buf, (size_t)n) < 0)
		return;
}

