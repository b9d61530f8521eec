// SPDX-License-Identifier: MIT
/*
 * test_config.c - unit tests of preload/config.c: defaults, the range edges of every XPROF_*
 * variable (XPROF_JIT, XPROF_OFFCPU and XPROF_OFFCPU_US included), the error line for each
 * kind of bad value, XPROF_OUT normalisation, XPROF_FOLLOW
 * lists, signal specs and names, and the run id format.
 *
 * Context: test program. The fake environment is one global table, reset by every test.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

#define CWD "/home/u/work"

/* The fake environment: name/value pairs read by fake_getenv. */
static struct {
	const char *name, *value;
} fake_env[16];

static const char *fake_getenv(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(fake_env) / sizeof(fake_env[0]) && fake_env[i].name; i++)
		if (!strcmp(fake_env[i].name, name))
			return fake_env[i].value;
	return NULL;
}

static int reset_env(void **state)
{
	memset(fake_env, 0, sizeof(fake_env));
	return 0;
}

static void set_env(const char *name, const char *value)
{
	size_t i;

	for (i = 0; fake_env[i].name && strcmp(fake_env[i].name, name); i++)
		;
	assert_true(i < sizeof(fake_env) / sizeof(fake_env[0]) - 1);
	fake_env[i].name = name;
	fake_env[i].value = value;
}

static struct xprof_config cfg;
static char err[512];

static int parse(void)
{
	return config_parse(&cfg, fake_getenv, CWD, err, sizeof(err));
}

/* name=value must be accepted. */
static void expect_ok(const char *name, const char *value)
{
	set_env(name, value);
	if (parse() != 0)
		fail_msg("%s=%s rejected: %s", name, value, err);
	assert_string_equal(err, "");
}

/* name=value must fail with one line naming the variable, the value and `accepted`. */
static void expect_bad(const char *name, const char *value, const char *accepted)
{
	char want[128];

	set_env(name, value);
	if (parse() != -EINVAL)
		fail_msg("%s=%s accepted", name, value);
	snprintf(want, sizeof(want), "%s=", name);
	assert_ptr_equal(strstr(err, want), err);
	assert_non_null(strstr(err, accepted));
	assert_non_null(strstr(err, "accepted: "));
	assert_null(strchr(err, '\n'));
}

static void test_defaults(void **state)
{
	assert_int_equal(parse(), 0);
	assert_string_equal(err, "");
	assert_string_equal(cfg.out_dir, CWD "/xprof-data");
	assert_string_equal(cfg.run_id, "");
	assert_int_equal(cfg.hz, 999);
	assert_int_equal(cfg.depth, 128);
	assert_int_equal(cfg.signo, SIGSTKFLT);
	assert_int_equal(cfg.follow, XPROF_FOLLOW_THREADS | XPROF_FOLLOW_FORK | XPROF_FOLLOW_EXEC);
	assert_int_equal(cfg.mech, XPROF_MECH_AUTO);
	assert_int_equal(cfg.max_bytes, 1024ull << 20);
	assert_int_equal(cfg.quiet, 0);
	assert_int_equal(cfg.jit, 0);
	assert_int_equal(cfg.offcpu, 1);
	assert_int_equal(cfg.offcpu_us, 1000);
}

/* Empty variables count as unset (all but XPROF_OUT). */
static void test_empty_is_unset(void **state)
{
	static const char *const names[] = { "XPROF_RUN",    "XPROF_HZ",     "XPROF_DEPTH",
					     "XPROF_SIGNAL", "XPROF_FOLLOW", "XPROF_MECH",
					     "XPROF_MAX_MB", "XPROF_JIT",    "XPROF_OFFCPU",
					     "XPROF_OFFCPU_US" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		set_env(names[i], "");
	assert_int_equal(parse(), 0);
	assert_int_equal(cfg.hz, 999);
	assert_int_equal(cfg.follow, XPROF_FOLLOW_THREADS | XPROF_FOLLOW_FORK | XPROF_FOLLOW_EXEC);
	assert_string_equal(cfg.run_id, "");
	assert_int_equal(cfg.offcpu, 1);
	assert_int_equal(cfg.offcpu_us, 1000);
	set_env("XPROF_QUIET", "");
	set_env("XPROF_PYTHON", "");
	assert_int_equal(parse(), 0);
	assert_int_equal(cfg.quiet, 0);
	assert_int_equal(cfg.python, 1);
}

/* Every numeric variable: edges accepted, and each kind of bad value rejected. */
static void check_number(const char *name, const char *min, const char *max,
			 const char *below, const char *above, const char *accepted)
{
	static const char *const junk[] = { "abc", "12x", "-1", "+5", " 5", "5 ", "0x10",
					    "99999999999999999999", "18446744073709551616" };
	size_t i;

	expect_ok(name, min);
	expect_ok(name, max);
	if (below)
		expect_bad(name, below, accepted);
	expect_bad(name, above, accepted);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		expect_bad(name, junk[i], accepted);
}

static void test_hz(void **state)
{
	expect_ok("XPROF_HZ", "1");
	assert_int_equal(cfg.hz, 1);
	expect_ok("XPROF_HZ", "10000");
	assert_int_equal(cfg.hz, 10000);
	expect_ok("XPROF_HZ", "0042");
	assert_int_equal(cfg.hz, 42);
	check_number("XPROF_HZ", "1", "10000", "0", "10001", "1 to 10000 (default 999)");
	expect_bad("XPROF_HZ", "abc",
		   "XPROF_HZ=abc: not a number; accepted: 1 to 10000 (default 999)");
	expect_bad("XPROF_HZ", "0", "XPROF_HZ=0: out of range; accepted: 1 to 10000 (default 999)");
}

static void test_depth(void **state)
{
	expect_ok("XPROF_DEPTH", "4");
	assert_int_equal(cfg.depth, 4);
	expect_ok("XPROF_DEPTH", "1024");
	assert_int_equal(cfg.depth, 1024);
	check_number("XPROF_DEPTH", "4", "1024", "3", "1025", "4 to 1024 (default 128)");
	expect_bad("XPROF_DEPTH", "0", "4 to 1024");
}

static void test_max_mb(void **state)
{
	expect_ok("XPROF_MAX_MB", "1");
	assert_int_equal(cfg.max_bytes, 1u << 20);
	expect_ok("XPROF_MAX_MB", "65536");
	assert_int_equal(cfg.max_bytes, 65536ull << 20);
	check_number("XPROF_MAX_MB", "1", "65536", "0", "65537", "1 to 65536 (default 1024)");
}

static void test_quiet(void **state)
{
	expect_ok("XPROF_QUIET", "1");
	assert_int_equal(cfg.quiet, 1);
	expect_ok("XPROF_QUIET", "0");
	assert_int_equal(cfg.quiet, 0);
	check_number("XPROF_QUIET", "0", "1", NULL, "2", "0 or 1 (default 0)");
	expect_bad("XPROF_QUIET", "yes", "0 or 1");
}

static void test_python(void **state)
{
	expect_ok("XPROF_PYTHON", "0");
	assert_int_equal(cfg.python, 0);
	expect_ok("XPROF_PYTHON", "1");
	assert_int_equal(cfg.python, 1);
	check_number("XPROF_PYTHON", "0", "1", NULL, "2", "0 or 1 (default 1)");
}

/* XPROF_JIT: opt-in only, 0 or 1, strict like the other switches. */
static void test_jit(void **state)
{
	expect_ok("XPROF_JIT", "1");
	assert_int_equal(cfg.jit, 1);
	expect_ok("XPROF_JIT", "0");
	assert_int_equal(cfg.jit, 0);
	check_number("XPROF_JIT", "0", "1", NULL, "2", "0 or 1 (default 0)");
	expect_bad("XPROF_JIT", "yes", "0 or 1");
	expect_bad("XPROF_JIT", "on", "0 or 1");
}

/* XPROF_OFFCPU: on by default, 0 or 1; XPROF_OFFCPU_US: 100 us to 1 s of blocked time per
 * time-sampled off-CPU record. */
static void test_offcpu(void **state)
{
	expect_ok("XPROF_OFFCPU", "0");
	assert_int_equal(cfg.offcpu, 0);
	expect_ok("XPROF_OFFCPU", "1");
	assert_int_equal(cfg.offcpu, 1);
	check_number("XPROF_OFFCPU", "0", "1", NULL, "2", "0 or 1 (default 1)");
	expect_bad("XPROF_OFFCPU", "off", "XPROF_OFFCPU=off: not a number; accepted: 0 or 1");
	set_env("XPROF_OFFCPU", "1");
	expect_ok("XPROF_OFFCPU_US", "100");
	assert_int_equal(cfg.offcpu_us, 100);
	expect_ok("XPROF_OFFCPU_US", "1000000");
	assert_int_equal(cfg.offcpu_us, 1000000);
	check_number("XPROF_OFFCPU_US", "100", "1000000", "99", "1000001",
		     "100 to 1000000 (default 1000)");
	expect_bad("XPROF_OFFCPU_US", "1ms", "XPROF_OFFCPU_US=1ms: not a number");
}

static void expect_out(const char *value, const char *want)
{
	expect_ok("XPROF_OUT", value);
	assert_string_equal(cfg.out_dir, want);
}

static void test_out(void **state)
{
	char big[4000];

	expect_out("prof", CWD "/prof");
	expect_out("./prof/", CWD "/prof");
	expect_out("a//b/./c/../d", CWD "/a/b/d");
	expect_out("..", "/home/u");
	expect_out("../../../../..", "/");
	expect_out("/tmp//x/", "/tmp/x");
	expect_out("/", "/");
	expect_out("//", "/");
	expect_out("/a/..", "/");
	expect_out("/a/b/../../c", "/c");
	expect_out("/..a/.b/...", "/..a/.b/...");
	expect_bad("XPROF_OUT", "", "a directory path");

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[0] = '/';
	expect_bad("XPROF_OUT", big, "under 3900 bytes");
	assert_true(strlen(err) < 400);

	/* Relative, without a usable cwd: an error, not a guess. */
	set_env("XPROF_OUT", "prof");
	assert_int_equal(config_parse(&cfg, fake_getenv, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "XPROF_OUT=prof"));
	assert_int_equal(config_parse(&cfg, fake_getenv, "rel", err, sizeof(err)), -EINVAL);
	set_env("XPROF_OUT", "/abs");
	assert_int_equal(config_parse(&cfg, fake_getenv, NULL, err, sizeof(err)), 0);
	assert_string_equal(cfg.out_dir, "/abs");
}

/* A value with a newline still gives one line. */
static void test_error_one_line(void **state)
{
	expect_bad("XPROF_MECH", "perf\nXPROF_FAKE=1", "auto, perf or timer (default auto)");
	assert_non_null(strstr(err, "XPROF_MECH=perf?XPROF_FAKE=1"));
	/* A short err buffer is cut, not overrun. */
	set_env("XPROF_MECH", "bogus");
	memset(err, 'x', sizeof(err));
	assert_int_equal(config_parse(&cfg, fake_getenv, CWD, err, 8), -EINVAL);
	assert_string_equal(err, "XPROF_M");
	assert_int_equal(err[8], 'x');
}

static void test_run(void **state)
{
	expect_ok("XPROF_RUN", "20261128-120501-12345");
	assert_string_equal(cfg.run_id, "20261128-120501-12345");
	expect_ok("XPROF_RUN", "a");
	expect_ok("XPROF_RUN", "A.b_c-9");
	expect_ok("XPROF_RUN", "...");
	expect_ok("XPROF_RUN", "12345678901234567890123456789012345678901234567");
	assert_int_equal(strlen(cfg.run_id), 47);
	expect_bad("XPROF_RUN", "123456789012345678901234567890123456789012345678", "1 to 47");
	expect_bad("XPROF_RUN", ".", "not . or ..");
	expect_bad("XPROF_RUN", "..", "1 to 47");
	expect_bad("XPROF_RUN", "a/b", "A-Z a-z 0-9 . _ -");
	expect_bad("XPROF_RUN", "a b", "1 to 47");
	expect_bad("XPROF_RUN", "caf\xc3\xa9", "1 to 47");
}

static void test_follow(void **state)
{
	const char *acc = "all, none, or a comma list of threads, fork, exec (default all)";

	expect_ok("XPROF_FOLLOW", "none");
	assert_int_equal(cfg.follow, 0);
	expect_ok("XPROF_FOLLOW", "all");
	assert_int_equal(cfg.follow, XPROF_FOLLOW_THREADS | XPROF_FOLLOW_FORK | XPROF_FOLLOW_EXEC);
	expect_ok("XPROF_FOLLOW", "exec");
	assert_int_equal(cfg.follow, XPROF_FOLLOW_EXEC);
	expect_ok("XPROF_FOLLOW", "threads,fork");
	assert_int_equal(cfg.follow, XPROF_FOLLOW_THREADS | XPROF_FOLLOW_FORK);
	expect_ok("XPROF_FOLLOW", "fork,exec,fork");
	assert_int_equal(cfg.follow, XPROF_FOLLOW_FORK | XPROF_FOLLOW_EXEC);
	expect_bad("XPROF_FOLLOW", "thread", acc);
	expect_bad("XPROF_FOLLOW", "threads,", acc);
	expect_bad("XPROF_FOLLOW", ",fork", acc);
	expect_bad("XPROF_FOLLOW", "fork,,exec", acc);
	expect_bad("XPROF_FOLLOW", "fork, exec", acc);
	expect_bad("XPROF_FOLLOW", "all,none", acc);
	expect_bad("XPROF_FOLLOW", "FORK", acc);
	expect_bad("XPROF_FOLLOW", "forks", acc);
}

static void test_mech(void **state)
{
	expect_ok("XPROF_MECH", "perf");
	assert_int_equal(cfg.mech, XPROF_MECH_PERF);
	expect_ok("XPROF_MECH", "timer");
	assert_int_equal(cfg.mech, XPROF_MECH_TIMER);
	expect_ok("XPROF_MECH", "auto");
	assert_int_equal(cfg.mech, XPROF_MECH_AUTO);
	expect_bad("XPROF_MECH", "itimer", "auto, perf or timer");
	expect_bad("XPROF_MECH", "perf ", "auto, perf or timer");
}

static void test_signal_env(void **state)
{
	expect_ok("XPROF_SIGNAL", "SIGPROF");
	assert_int_equal(cfg.signo, SIGPROF);
	expect_ok("XPROF_SIGNAL", "rtmin+3");
	assert_int_equal(cfg.signo, SIGRTMIN + 3);
	expect_bad("XPROF_SIGNAL", "SIGKILL", "(default SIGSTKFLT)");
	assert_non_null(strstr(err, "cannot be used"));
	expect_bad("XPROF_SIGNAL", "SIGFOO", "(default SIGSTKFLT)");
	assert_non_null(strstr(err, "not a signal"));
	expect_bad("XPROF_SIGNAL", "33", "(default SIGSTKFLT)");
}

static void test_parse_signal(void **state)
{
	static const char *const bad[] = {
		"KILL", "SIGSTOP", "SEGV", "BUS", "ILL", "FPE", "ABRT", "IOT", "TRAP", "SYS",
		"CHLD", "CLD", "CONT", "TSTP", "TTIN", "TTOU", "9", "11", "32", "33", "0",
		"65", "-1", "", "SIG", "FOO", "SIGRTMIN-1", "RTMAX+1", "RTMIN+31", "RTMIN+",
		"RTMIN+x", "RT", "SIGSIGPROF", "PROF ", "010x", "99999999999999999999",
	};
	size_t i;

	assert_int_equal(config_parse_signal("STKFLT"), SIGSTKFLT);
	assert_int_equal(config_parse_signal("SIGSTKFLT"), SIGSTKFLT);
	assert_int_equal(config_parse_signal("SIGPROF"), SIGPROF);
	assert_int_equal(config_parse_signal("sigprof"), SIGPROF);
	assert_int_equal(config_parse_signal("USR1"), SIGUSR1);
	assert_int_equal(config_parse_signal("SIGVTALRM"), SIGVTALRM);
	assert_int_equal(config_parse_signal("SIGPOLL"), SIGIO);
	assert_int_equal(config_parse_signal("27"), 27);
	assert_int_equal(config_parse_signal("1"), 1);
	assert_int_equal(config_parse_signal("RTMIN"), SIGRTMIN);
	assert_int_equal(config_parse_signal("RTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(config_parse_signal("SIGRTMAX-2"), SIGRTMAX - 2);
	assert_int_equal(config_parse_signal("SIGRTMAX"), SIGRTMAX);
	assert_int_equal(config_parse_signal("RTMIN+30"), SIGRTMIN + 30);
	assert_int_equal(config_parse_signal("34"), 34);
	assert_int_equal(config_parse_signal("64"), SIGRTMAX);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (config_parse_signal(bad[i]) != -EINVAL)
			fail_msg("signal spec \"%s\" accepted", bad[i]);
	assert_int_equal(config_parse_signal(NULL), -EINVAL);
}

static void expect_name(int signo, const char *want)
{
	char buf[32];

	config_signal_name(signo, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_signal_name(void **state)
{
	char buf[32];
	int s;

	expect_name(SIGSTKFLT, "SIGSTKFLT");
	expect_name(SIGPROF, "SIGPROF");
	expect_name(SIGABRT, "SIGABRT");
	expect_name(SIGIO, "SIGIO");
	expect_name(SIGRTMIN, "SIGRTMIN");
	expect_name(SIGRTMIN + 3, "SIGRTMIN+3");
	expect_name(SIGRTMAX, "SIGRTMAX");
	expect_name(SIGRTMAX - 1, "SIGRTMAX-1");
	expect_name(32, "SIG32");
	expect_name(0, "SIG0");

	/* Names parse back to the same number. */
	for (s = 1; s <= SIGRTMAX; s++) {
		config_signal_name(s, buf, sizeof(buf));
		if (config_parse_signal(buf) >= 0)
			assert_int_equal(config_parse_signal(buf), s);
	}

	/* Cut to the buffer, always terminated. */
	memset(buf, 'x', sizeof(buf));
	config_signal_name(SIGRTMIN + 3, buf, 6);
	assert_string_equal(buf, "SIGRT");
	config_signal_name(SIGPROF, buf, 1);
	assert_string_equal(buf, "");
	buf[0] = 'x';
	config_signal_name(SIGPROF, buf, 0);
	assert_int_equal(buf[0], 'x');
}

static void test_run_id(void **state)
{
	char buf[48];
	struct xprof_config c2;

	config_make_run_id(buf, sizeof(buf), 1795867501, 12345); /* 2026-11-28 12:05:01 UTC */
	assert_string_equal(buf, "20261128-120501-12345");
	config_make_run_id(buf, sizeof(buf), 0, 1);
	assert_string_equal(buf, "19700101-000000-1");

	/* A made run id is a valid XPROF_RUN for the children. */
	config_make_run_id(buf, sizeof(buf), 1795867501, 4194304);
	set_env("XPROF_RUN", buf);
	assert_int_equal(config_parse(&c2, fake_getenv, CWD, err, sizeof(err)), 0);
	assert_string_equal(c2.run_id, buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, reset_env),
		cmocka_unit_test_setup(test_empty_is_unset, reset_env),
		cmocka_unit_test_setup(test_hz, reset_env),
		cmocka_unit_test_setup(test_depth, reset_env),
		cmocka_unit_test_setup(test_max_mb, reset_env),
		cmocka_unit_test_setup(test_quiet, reset_env),
		cmocka_unit_test_setup(test_python, reset_env),
		cmocka_unit_test_setup(test_jit, reset_env),
		cmocka_unit_test_setup(test_out, reset_env),
		cmocka_unit_test_setup(test_error_one_line, reset_env),
		cmocka_unit_test_setup(test_run, reset_env),
		cmocka_unit_test_setup(test_follow, reset_env),
		cmocka_unit_test_setup(test_mech, reset_env),
		cmocka_unit_test_setup(test_signal_env, reset_env),
		cmocka_unit_test_setup(test_offcpu, reset_env),
		cmocka_unit_test_setup(test_parse_signal, reset_env),
		cmocka_unit_test_setup(test_signal_name, reset_env),
		cmocka_unit_test_setup(test_run_id, reset_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
