// SPDX-License-Identifier: MIT
/*
 * jitenv.c - XPROF_JIT=1: asks the JIT runtimes of the tree to write perf maps, through the
 * variables each of them reads at start, set in the process's own environment by our
 * constructor (before main, so the runtime in this very image sees them, and every child
 * inherits them):
 *	NODE_OPTIONS		+= --perf-basic-prof [--logfile=/dev/null --no-logfile-per-isolate]
 *	JAVA_TOOL_OPTIONS	+= -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit
 *	PYTHONPERFSUPPORT	= 1 (CPython 3.12 and later; older ones ignore it)
 * A value the program already has is extended, never replaced, and left alone if it already
 * decides the matter (the flag, or its opposite, is there). Without XPROF_JIT nothing here
 * runs: by default xprof changes no variable of the program but its own.
 *
 * Node's log. With --perf-basic-prof, Node 20's V8 also opens its own log, one
 * isolate-ADDR-PID-v8.log per isolate (main thread and each worker) in the current
 * directory: a program under XPROF_JIT=1 would leave them wherever it ran. So the log goes
 * to /dev/null (--logfile=/dev/null --no-logfile-per-isolate) unless V8's log is asked for,
 * in NODE_OPTIONS or in the image's arguments (a word beginning --log or --prof); an image
 * that inherited our two words and asks for the log on its command line gets them taken out
 * again (they are ours, not the program's).
 *
 * Context: normal context at library init (getenv, setenv, /proc/self/cmdline).
 * jitenv_extend() and jitenv_node() are pure functions of their arguments, for the unit
 * tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xprof-int.h"

#define JE_MAX	8192	/* longest value we build; a longer one is left as it is */

struct jit_runtime {
	const char *var;
	const char *add[3];	/* appended in order, each unless present */
	const char *decided[5];	/* any of these present: the variable is left alone */
};

static const struct jit_runtime java = {
	"JAVA_TOOL_OPTIONS", { "-XX:+UnlockDiagnosticVMOptions", "-XX:+DumpPerfMapAtExit", NULL },
	{ "-XX:+DumpPerfMapAtExit", "-XX:-DumpPerfMapAtExit", NULL }
};
static const char *const node_perf[] = { "--perf-basic-prof", NULL };
static const char *const node_decided[] = { "--perf-basic-prof", "--no-perf-basic-prof",
					    "--perf-basic-prof-only-functions", "--perf-prof",
					    NULL };
static const char *const node_quiet[] = { "--logfile=/dev/null", "--no-logfile-per-isolate",
					  NULL };

/* Does the blank-separated list s hold the word w? */
static int has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	while (s && *s) {
		size_t k = strcspn(s, " \t");

		if (k == n && !strncmp(s, w, n))
			return 1;
		s += k;
		s += strspn(s, " \t");
	}
	return 0;
}

/* Does a word of the blank-separated list s ask for V8's log (begin --log or --prof)? */
static int asks_log(const char *s)
{
	while (s && *s) {
		size_t k = strcspn(s, " \t");

		if ((k >= 5 && !strncmp(s, "--log", 5)) || (k >= 6 && !strncmp(s, "--prof", 6)))
			return 1;
		s += k;
		s += strspn(s, " \t");
	}
	return 0;
}

/* Copies old into out without the words of drop[]; returns 0 or -ENOSPC. */
static int without(const char *old, const char *const *drop, char *out, size_t cap)
{
	size_t at = 0;

	while (*old) {
		size_t k = strcspn(old, " \t"), i;

		for (i = 0; drop[i]; i++)
			if (strlen(drop[i]) == k && !strncmp(old, drop[i], k))
				break;
		if (!drop[i] && k) {
			if (at + (at > 0) + k + 1 > cap)
				return -ENOSPC;
			if (at > 0)
				out[at++] = ' ';
			memcpy(out + at, old, k);
			at += k;
		}
		old += k;
		old += strspn(old, " \t");
	}
	out[at] = '\0';
	return 0;
}

int jitenv_node(const char *old, int argv_logs, char *out, size_t cap)
{
	int r;

	if (old && has_word(old, node_quiet[0]) && argv_logs)
		return without(old, node_quiet, out, cap) ?: 1;
	r = jitenv_extend(old, node_perf, node_decided, out, cap);
	if (r <= 0 || asks_log(old) || argv_logs)
		return r;
	/* out holds old + --perf-basic-prof: the quiet log goes after it. */
	for (size_t i = 0; node_quiet[i]; i++) {
		size_t at = strlen(out), k = strlen(node_quiet[i]);

		if (at + 1 + k + 1 > cap)
			return -ENOSPC;
		out[at] = ' ';
		memcpy(out + at + 1, node_quiet[i], k + 1);
	}
	return 1;
}

int jitenv_extend(const char *old, const char *const *add, const char *const *decided,
		  char *out, size_t cap)
{
	size_t at = 0, n;
	int changed = 0;

	for (size_t i = 0; decided[i]; i++)
		if (has_word(old, decided[i]))
			return 0;
	n = old ? strlen(old) : 0;
	if (n + 1 > cap)
		return -ENOSPC;
	memcpy(out, old ? old : "", n + 1);
	at = n;
	for (size_t i = 0; add[i]; i++) {
		size_t k = strlen(add[i]);

		if (has_word(old, add[i]))
			continue;
		if (at + (at > 0) + k + 1 > cap)
			return -ENOSPC;
		if (at > 0)
			out[at++] = ' ';
		memcpy(out + at, add[i], k + 1);
		at += k;
		changed = 1;
	}
	return changed;
}

/* Do this image's arguments ask for V8's log? (Any argument: one meant for the script only
 * makes us leave V8's log where it would be without us.) */
static int argv_asks_log(void)
{
	char buf[16384];
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		fd_real_close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (char *a = buf; a < buf + n; a += strlen(a) + 1)
		if (asks_log(a))
			return 1;
	return 0;
}

static void set(const char *var, int c, const char *buf)
{
	if (c > 0)
		setenv(var, buf, 1);
	else if (c < 0)
		xp_say(0, "xprof: XPROF_JIT: %s is too long to extend; left as it is", var);
}

/* Not AS-safe: see declaration. */
void jitenv_apply(void)
{
	char buf[JE_MAX];

	set("NODE_OPTIONS", jitenv_node(getenv("NODE_OPTIONS"), argv_asks_log(), buf, sizeof(buf)),
	    buf);
	set(java.var, jitenv_extend(getenv(java.var), java.add, java.decided, buf, sizeof(buf)),
	    buf);
	setenv("PYTHONPERFSUPPORT", "1", 0);
}
