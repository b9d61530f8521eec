// SPDX-License-Identifier: MIT
/*
 * jitenv.c - XPROF_JIT=1: asks the JIT runtimes of the tree to write perf maps, through the
 * variables each of them reads at start, set in the process's own environment by our
 * constructor (before main, so the runtime in this very image sees them, and every child
 * inherits them):
 *	NODE_OPTIONS		+= --perf-basic-prof
 *	JAVA_TOOL_OPTIONS	+= -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit
 *	PYTHONPERFSUPPORT	= 1 (CPython 3.12 and later; older ones ignore it)
 * A value the program already has is extended, never replaced, and left alone if it already
 * decides the matter (the flag, or its opposite, is there). Without XPROF_JIT nothing here
 * runs: by default xprof changes no variable of the program but its own.
 *
 * Node's log. With --perf-basic-prof, Node 20's V8 also writes its own log, one
 * isolate-ADDR-PID-v8.log per isolate (main thread and each worker), in the current
 * directory, as it does whenever that flag is given. NODE_OPTIONS refuses --logfile (Node
 * allows only a short list of V8 flags there), so it cannot be sent elsewhere from here;
 * --perf-basic-prof-only-functions writes no log but leaves V8's stubs (regular expressions
 * among them) unnamed. The man page says so.
 *
 * Context: normal context at library init (getenv, setenv). jitenv_extend() is a pure
 * function of its arguments, for the unit tests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
static const struct jit_runtime node = {
	"NODE_OPTIONS", { "--perf-basic-prof", NULL },
	{ "--perf-basic-prof", "--no-perf-basic-prof", "--perf-basic-prof-only-functions",
	  "--perf-prof", NULL }
};

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

/* Puts the extended value c > 0 in place, or says why it cannot (c < 0). */
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

	set(node.var, jitenv_extend(getenv(node.var), node.add, node.decided, buf, sizeof(buf)),
	    buf);
	set(java.var, jitenv_extend(getenv(java.var), java.add, java.decided, buf, sizeof(buf)),
	    buf);
	setenv("PYTHONPERFSUPPORT", "1", 0);
}
