// SPDX-License-Identifier: MIT
/*
 * config.c - parses the XPROF_* environment variables into a caller's struct xprof_config.
 *
 * Context: normal context at library init, before any timer is armed; nothing here is called
 * from the signal handler except config_signal_name(), which is AS-safe. No globals: the
 * caller owns the struct and decides what to do with an error.
 *
 * Strictness is deliberate: a profiler that silently "fixes" XPROF_HZ=10k into 10 or ignores
 * XPROF_OUT= produces a profile the user did not ask for. Numbers are whole decimal strings
 * (no sign, no blanks, no suffix, no overflow); every error names the variable, the value and
 * what is accepted, on one line, so the caller can print it and run the program unprofiled.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"

#define SHOW_MAX	64	/* bytes of a bad value quoted in an error line */

typedef const char *(*getenv_fn_t)(const char *);

/* Copies v for an error line: printable ASCII only, so the line stays one line. */
static void show_value(char *dst, size_t cap, const char *v)
{
	size_t i;

	for (i = 0; v[i] && i + 1 < cap; i++) {
		if (i == SHOW_MAX) {
			snprintf(dst + i, cap - i, "...");
			return;
		}
		dst[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
	}
	dst[i] = '\0';
}

static int fail(char *err, size_t errlen, const char *name, const char *value, const char *why,
		const char *accepted)
{
	char shown[SHOW_MAX + 4];

	show_value(shown, sizeof(shown), value);
	if (errlen)
		snprintf(err, errlen, "%s=%s: %s; accepted: %s", name, shown, why, accepted);
	return -EINVAL;
}

/* The variable's value, or NULL if unset or empty (empty counts as unset). */
static const char *env(getenv_fn_t getenv_fn, const char *name)
{
	const char *v = getenv_fn(name);

	return v && *v ? v : NULL;
}

/* Whole-string unsigned decimal. Returns 0, -EINVAL (not a number) or -ERANGE (overflow). */
static int parse_dec(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

struct num_var {
	const char *name;
	uint64_t min, max, def;
};

static int parse_num(getenv_fn_t getenv_fn, const struct num_var *nv, uint64_t *out, char *err,
		     size_t errlen)
{
	const char *v = env(getenv_fn, nv->name);
	char accepted[96];
	uint64_t n;
	int ret;

	if (!v) {
		*out = nv->def;
		return 0;
	}
	snprintf(accepted, sizeof(accepted), "%llu %s %llu (default %llu)",
		 (unsigned long long)nv->min, nv->max == nv->min + 1 ? "or" : "to",
		 (unsigned long long)nv->max, (unsigned long long)nv->def);
	ret = parse_dec(v, &n);
	if (ret == -EINVAL)
		return fail(err, errlen, nv->name, v, "not a number", accepted);
	if (ret < 0 || n < nv->min || n > nv->max)
		return fail(err, errlen, nv->name, v, "out of range", accepted);
	*out = n;
	return 0;
}

/*
 * Appends path's components to dst (dst_len bytes used, "" meaning "/"), lexically: "." and
 * empty components vanish, ".." drops the last component (and stays at "/"). The filesystem
 * is not consulted: the directory may not exist yet, and symlinks are not resolved.
 * Returns the new length, or -ENAMETOOLONG when the result reaches cap.
 */
static long path_push(char *dst, size_t dst_len, size_t cap, const char *path)
{
	while (*path) {
		size_t len = strcspn(path, "/");

		if (len == 2 && path[0] == '.' && path[1] == '.') {
			while (dst_len > 0 && dst[--dst_len] != '/')
				;
		} else if (len > 0 && !(len == 1 && path[0] == '.')) {
			if (dst_len + 1 + len >= cap)
				return -ENAMETOOLONG;
			dst[dst_len++] = '/';
			memcpy(dst + dst_len, path, len);
			dst_len += len;
		}
		path += len;
		while (*path == '/')
			path++;
	}
	dst[dst_len] = '\0';
	return (long)dst_len;
}

static int parse_out(struct xprof_config *cfg, getenv_fn_t getenv_fn, const char *cwd,
		     char *err, size_t errlen)
{
	static const char accepted[] = "a directory path, relative to the current directory or "
				       "absolute, under 3900 bytes (default " XPROF_OUT_DEFAULT ")";
	const char *v = getenv_fn("XPROF_OUT");
	long len = 0;

	if (v && !*v)
		return fail(err, errlen, "XPROF_OUT", v, "empty", accepted);
	if (!v)
		v = XPROF_OUT_DEFAULT;
	if (strlen(v) >= XPROF_OUT_MAX)
		return fail(err, errlen, "XPROF_OUT", v, "too long", accepted);
	if (v[0] != '/') {
		if (!cwd || cwd[0] != '/')
			return fail(err, errlen, "XPROF_OUT", v,
				    "relative, and the current directory is unknown", accepted);
		len = path_push(cfg->out_dir, 0, XPROF_OUT_MAX, cwd);
	}
	if (len >= 0)
		len = path_push(cfg->out_dir, (size_t)len, XPROF_OUT_MAX, v);
	if (len < 0)
		return fail(err, errlen, "XPROF_OUT", v, "too long once made absolute", accepted);
	if (len == 0)
		strcpy(cfg->out_dir, "/");
	return 0;
}

static int run_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/* XPROF_RUN names a directory under XPROF_OUT, so it must be one plain path component. */
static int parse_run(struct xprof_config *cfg, getenv_fn_t getenv_fn, char *err, size_t errlen)
{
	static const char accepted[] = "1 to 47 of A-Z a-z 0-9 . _ -, not . or .. "
				       "(default: unset, a new run)";
	const char *v = env(getenv_fn, "XPROF_RUN");
	size_t i;

	cfg->run_id[0] = '\0';
	if (!v)
		return 0;
	for (i = 0; v[i]; i++) {
		if (i >= XPROF_RUN_MAX)
			return fail(err, errlen, "XPROF_RUN", v, "too long", accepted);
		if (!run_char_ok(v[i]))
			return fail(err, errlen, "XPROF_RUN", v, "bad character", accepted);
	}
	if (!strcmp(v, ".") || !strcmp(v, ".."))
		return fail(err, errlen, "XPROF_RUN", v, "not a directory name", accepted);
	memcpy(cfg->run_id, v, i + 1);
	return 0;
}

static int parse_follow(struct xprof_config *cfg, getenv_fn_t getenv_fn, char *err,
			size_t errlen)
{
	static const char accepted[] = "all, none, or a comma list of threads, fork, exec "
				       "(default all)";
	static const struct { const char *word; unsigned bit; } words[] = {
		{ "threads", XPROF_FOLLOW_THREADS },
		{ "fork", XPROF_FOLLOW_FORK },
		{ "exec", XPROF_FOLLOW_EXEC },
	};
	const char *v = env(getenv_fn, "XPROF_FOLLOW");
	const char *p;

	cfg->follow = XPROF_FOLLOW_ALL;
	if (!v || !strcmp(v, "all"))
		return 0;
	cfg->follow = 0;
	if (!strcmp(v, "none"))
		return 0;
	for (p = v;; p++) {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i].word) == len && !strncmp(p, words[i].word, len))
				break;
		if (i == sizeof(words) / sizeof(words[0]))
			return fail(err, errlen, "XPROF_FOLLOW", v, "unknown or empty item",
				    accepted);
		cfg->follow |= words[i].bit;
		p += len;
		if (!*p)
			return 0;
	}
}

static int parse_mech(struct xprof_config *cfg, getenv_fn_t getenv_fn, char *err, size_t errlen)
{
	const char *v = env(getenv_fn, "XPROF_MECH");

	cfg->mech = XPROF_MECH_AUTO;
	if (!v || !strcmp(v, "auto"))
		return 0;
	if (!strcmp(v, "perf"))
		cfg->mech = XPROF_MECH_PERF;
	else if (!strcmp(v, "timer"))
		cfg->mech = XPROF_MECH_TIMER;
	else
		return fail(err, errlen, "XPROF_MECH", v, "unknown mechanism",
			    "auto, perf or timer (default auto)");
	return 0;
}

/* ---- signals ------------------------------------------------------------------------- */

/* Names first in the table win when a number is printed (ABRT before IOT). */
static const struct {
	int signo;
	const char *name;
} sig_names[] = {
	{ SIGHUP, "HUP" }, { SIGINT, "INT" }, { SIGQUIT, "QUIT" }, { SIGILL, "ILL" },
	{ SIGTRAP, "TRAP" }, { SIGABRT, "ABRT" }, { SIGIOT, "IOT" }, { SIGBUS, "BUS" },
	{ SIGFPE, "FPE" }, { SIGKILL, "KILL" }, { SIGUSR1, "USR1" }, { SIGSEGV, "SEGV" },
	{ SIGUSR2, "USR2" }, { SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" }, { SIGTERM, "TERM" },
	{ SIGSTKFLT, "STKFLT" }, { SIGCHLD, "CHLD" }, { SIGCLD, "CLD" }, { SIGCONT, "CONT" },
	{ SIGSTOP, "STOP" }, { SIGTSTP, "TSTP" }, { SIGTTIN, "TTIN" }, { SIGTTOU, "TTOU" },
	{ SIGURG, "URG" }, { SIGXCPU, "XCPU" }, { SIGXFSZ, "XFSZ" }, { SIGVTALRM, "VTALRM" },
	{ SIGPROF, "PROF" }, { SIGWINCH, "WINCH" }, { SIGIO, "IO" }, { SIGPOLL, "POLL" },
	{ SIGPWR, "PWR" }, { SIGSYS, "SYS" },
};
#define SIG_NAMES_NR (sizeof(sig_names) / sizeof(sig_names[0]))

/* ASCII-only upper case: the result must not depend on the program's locale. */
static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Does s start with the upper-case word w, in any case? Returns its length or 0. */
static size_t starts_with(const char *s, const char *w)
{
	size_t i;

	for (i = 0; w[i]; i++)
		if (ascii_upper(s[i]) != w[i])
			return 0;
	return i;
}

/* "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n" (after any SIG). Returns signo or -EINVAL. */
static int parse_rt(const char *s)
{
	int base, sign;
	uint64_t n = 0;
	size_t k;

	if ((k = starts_with(s, "RTMIN"))) {
		base = SIGRTMIN;
		sign = 1;
	} else if ((k = starts_with(s, "RTMAX"))) {
		base = SIGRTMAX;
		sign = -1;
	} else {
		return -EINVAL;
	}
	s += k;
	if (*s) {
		if (*s != (sign > 0 ? '+' : '-') || parse_dec(s + 1, &n) < 0)
			return -EINVAL;
		if (n > (uint64_t)(SIGRTMAX - SIGRTMIN))
			return -EINVAL;
	}
	return base + sign * (int)n;
}

/* Any signal spec, usable or not. Returns signo or -EINVAL. */
static int signal_lookup(const char *s)
{
	uint64_t n;
	size_t i;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] >= '0' && s[0] <= '9') {
		if (parse_dec(s, &n) < 0 || n < 1 || n > (uint64_t)SIGRTMAX)
			return -EINVAL;
		return (int)n;
	}
	s += starts_with(s, "SIG");
	if (starts_with(s, "RT"))
		return parse_rt(s);
	for (i = 0; i < SIG_NAMES_NR; i++) {
		size_t k = starts_with(s, sig_names[i].name);

		if (k && !s[k])
			return sig_names[i].signo;
	}
	return -EINVAL;
}

/*
 * Signals xprof must not take: the kernel forbids catching KILL/STOP; fault signals and ABRT
 * belong to crash handlers and debuggers; CHLD and the job-control ones change how the shell
 * and the program see the process; SYS is seccomp's. Numbers between 32 and SIGRTMIN are
 * glibc's own (thread cancellation, setxid).
 */
static int signal_usable(int signo)
{
	switch (signo) {
	case SIGKILL: case SIGSTOP: case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE:
	case SIGABRT: case SIGTRAP: case SIGSYS: case SIGCHLD: case SIGCONT: case SIGTSTP:
	case SIGTTIN: case SIGTTOU:
		return 0;
	}
	return !(signo >= 32 && signo < SIGRTMIN);
}

int config_parse_signal(const char *s)
{
	int signo = signal_lookup(s);

	if (signo < 0 || !signal_usable(signo))
		return -EINVAL;
	return signo;
}

static int parse_sig(struct xprof_config *cfg, getenv_fn_t getenv_fn, char *err, size_t errlen)
{
	static const char accepted[] = "a signal number or name such as SIGPROF, USR2, "
				       "RTMIN+3, except KILL STOP SEGV BUS ILL FPE ABRT TRAP SYS "
				       "CHLD CONT TSTP TTIN TTOU 32 33 (default SIGSTKFLT)";
	const char *v = env(getenv_fn, "XPROF_SIGNAL");
	int signo;

	cfg->signo = XPROF_SIGNAL_DEFAULT;
	if (!v)
		return 0;
	signo = signal_lookup(v);
	if (signo < 0)
		return fail(err, errlen, "XPROF_SIGNAL", v, "not a signal", accepted);
	if (!signal_usable(signo))
		return fail(err, errlen, "XPROF_SIGNAL", v, "cannot be used for sampling",
			    accepted);
	cfg->signo = signo;
	return 0;
}

/* AS-safe: copies with a bound, no stdio. Returns the new used length. */
static size_t put_str(char *buf, size_t n, size_t at, const char *s)
{
	while (*s && at + 1 < n)
		buf[at++] = *s++;
	return at;
}

/* AS-safe: decimal without stdio. */
static size_t put_uint(char *buf, size_t n, size_t at, unsigned v)
{
	char tmp[12];
	size_t k = 0;

	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k > 0 && at + 1 < n)
		buf[at++] = tmp[--k];
	return at;
}

/*
 * AS-safe: SIGRTMIN/SIGRTMAX read glibc variables fixed at startup; no locale, no stdio.
 * Real-time signals are named from the nearer end, as kill -l does.
 */
void config_signal_name(int signo, char *buf, size_t n)
{
	int lo = SIGRTMIN, hi = SIGRTMAX;
	size_t at, i;

	if (n == 0)
		return;
	at = put_str(buf, n, 0, "SIG");
	for (i = 0; i < SIG_NAMES_NR; i++)
		if (sig_names[i].signo == signo)
			break;
	if (i < SIG_NAMES_NR) {
		at = put_str(buf, n, at, sig_names[i].name);
	} else if (signo >= lo && signo <= hi && signo - lo <= (hi - lo) / 2) {
		at = put_str(buf, n, at, "RTMIN");
		if (signo > lo) {
			at = put_str(buf, n, at, "+");
			at = put_uint(buf, n, at, (unsigned)(signo - lo));
		}
	} else if (signo >= lo && signo <= hi) {
		at = put_str(buf, n, at, "RTMAX");
		if (signo < hi) {
			at = put_str(buf, n, at, "-");
			at = put_uint(buf, n, at, (unsigned)(hi - signo));
		}
	} else {
		if (signo < 0) {
			at = put_str(buf, n, at, "-");
			signo = -signo;
		}
		at = put_uint(buf, n, at, (unsigned)signo);
	}
	buf[at] = '\0';
}

/* ---- top level ------------------------------------------------------------------------ */

static const struct num_var var_hz = { "XPROF_HZ", XPROF_HZ_MIN, XPROF_HZ_MAX, XPROF_HZ_DEFAULT };
static const struct num_var var_depth = { "XPROF_DEPTH", XPROF_DEPTH_MIN, XPROF_DEPTH_MAX,
					  XPROF_DEPTH_DEFAULT };
static const struct num_var var_max_mb = { "XPROF_MAX_MB", XPROF_MAX_MB_MIN, XPROF_MAX_MB_MAX,
					   XPROF_MAX_MB_DEFAULT };
static const struct num_var var_quiet = { "XPROF_QUIET", 0, 1, 0 };
static const struct num_var var_python = { "XPROF_PYTHON", 0, 1, 1 };
static const struct num_var var_jit = { "XPROF_JIT", 0, 1, 0 };
static const struct num_var var_offcpu = { "XPROF_OFFCPU", 0, 1, 1 };
static const struct num_var var_offcpu_us = { "XPROF_OFFCPU_US", XPROF_OFFCPU_US_MIN,
					      XPROF_OFFCPU_US_MAX, XPROF_OFFCPU_US_DEFAULT };

static int parse_numbers(struct xprof_config *cfg, getenv_fn_t getenv_fn, char *err,
			 size_t errlen)
{
	uint64_t v;
	int ret;

	if ((ret = parse_num(getenv_fn, &var_hz, &v, err, errlen)) < 0)
		return ret;
	cfg->hz = (unsigned)v;
	if ((ret = parse_num(getenv_fn, &var_depth, &v, err, errlen)) < 0)
		return ret;
	cfg->depth = (unsigned)v;
	if ((ret = parse_num(getenv_fn, &var_max_mb, &v, err, errlen)) < 0)
		return ret;
	cfg->max_bytes = v << 20;
	if ((ret = parse_num(getenv_fn, &var_quiet, &v, err, errlen)) < 0)
		return ret;
	cfg->quiet = (int)v;
	if ((ret = parse_num(getenv_fn, &var_python, &v, err, errlen)) < 0)
		return ret;
	cfg->python = (int)v;
	if ((ret = parse_num(getenv_fn, &var_jit, &v, err, errlen)) < 0)
		return ret;
	cfg->jit = (int)v;
	if ((ret = parse_num(getenv_fn, &var_offcpu, &v, err, errlen)) < 0)
		return ret;
	cfg->offcpu = (int)v;
	if ((ret = parse_num(getenv_fn, &var_offcpu_us, &v, err, errlen)) < 0)
		return ret;
	cfg->offcpu_us = (unsigned)v;
	return 0;
}

int config_parse(struct xprof_config *cfg, const char *(*getenv_fn)(const char *),
		 const char *cwd, char *err, size_t errlen)
{
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (errlen)
		err[0] = '\0';
	if ((ret = parse_out(cfg, getenv_fn, cwd, err, errlen)) < 0 ||
	    (ret = parse_run(cfg, getenv_fn, err, errlen)) < 0 ||
	    (ret = parse_numbers(cfg, getenv_fn, err, errlen)) < 0 ||
	    (ret = parse_sig(cfg, getenv_fn, err, errlen)) < 0 ||
	    (ret = parse_follow(cfg, getenv_fn, err, errlen)) < 0 ||
	    (ret = parse_mech(cfg, getenv_fn, err, errlen)) < 0)
		return ret;
	return 0;
}

void config_make_run_id(char *buf, size_t n, time_t now, pid_t pid)
{
	struct tm tm;

	if (!gmtime_r(&now, &tm))
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, n, "%04d%02d%02d-%02d%02d%02d-%d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)pid);
}

int config_mpi_rank(const char *(*getenv_fn)(const char *))
{
	static const char *const vars[] = { "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK",
					    "SLURM_PROCID" };
	uint64_t v;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *s = env(getenv_fn, vars[i]);

		if (s && parse_dec(s, &v) == 0 && v < 0x80000000ull)
			return (int)v;
	}
	return -1;
}
