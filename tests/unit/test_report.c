// SPDX-License-Identifier: MIT
/*
 * test_report.c - the report tables (TSV form: function rows sorted by self time with the
 * right shares, process/thread rows, one drop row per reason, region percentiles) and the
 * exit status of xprof-analyze: 0 ok, 1 partial, 2 nothing usable, 64 usage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/wait.h>

#include "synth.h"

int analyze_main(int argc, char **argv);
#define main analyze_main
#include "main.c"
#undef main

#define T0	1000ull

/* Functions f1 (60%), f2 (30%), f3 (10%) under main, in lib.so (missing: offsets). */
static void build(struct synth *s)
{
	uint64_t f1[2] = { 0x1100, 0x1000 }, f2[2] = { 0x1200, 0x1000 }, f3[2] = { 0x1300, 0x1000 };

	synth_init(s, 10, 0, T0, T0);
	synth_process(s, 10, T0, "/bin/app", "app");
	synth_map(s, 10, T0 + 1, 0, 0x1000, 0x2000, "", 0, "/nonexistent/lib.so");
	for (int i = 0; i < 100; i++) {
		uint64_t *st = i % 10 < 6 ? f1 : i % 10 < 9 ? f2 : f3;

		synth_sample(s, 10, T0 + 10 + i, 1000000, XPF_SF_LEAF_EXACT, st, 2);
	}
	for (int i = 1; i <= 100; i++)
		synth_region(s, 10, T0 + 200 + i, i * 1000ull, i * 500ull, "step");
	synth_drop(s, 10, XPF_DROP_UNWIND, 3000000);
	synth_drop(s, 10, XPF_DROP_UNWIND, 1000000);
	synth_sample(s, 10, T0 + 400, 1000000, XPF_SF_LEAF_EXACT, f1, 2);
	synth_exit(s, 10, T0 + 500, XPF_END_EXIT, 3, 123000000);
}

static char dir[64];

static void path(char *buf, const char *name)
{
	snprintf(buf, 256, "%s/%s", dir, name);
}

static int setup(void **state)
{
	struct synth s;
	char p[256];

	snprintf(dir, sizeof(dir), "/tmp/xprof-test-report-XXXXXX");
	assert_non_null(mkdtemp(dir));
	build(&s);
	path(p, "good.xpf");
	assert_int_equal(synth_write(&s, p, 0), 0);
	path(p, "cut.xpf");
	assert_int_equal(synth_write(&s, p, synth_size(&s) - 1000), 0);
	synth_hdr(&s)->version = XPF_VERSION + 1;
	path(p, "new.xpf");
	assert_int_equal(synth_write(&s, p, 0), 0);
	synth_free(&s);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Runs xprof-analyze in a child with stdout to `out` (or /dev/null); returns exit status. */
static int run(const char *out, const char *const *args)
{
	char *argv[16];
	int n = 0, st;
	pid_t pid;

	argv[n++] = "xprof-analyze";
	for (; *args; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		if (!freopen(out ? out : "/dev/null", "w", stdout) ||
		    !freopen("/dev/null", "w", stderr))
			_exit(99);
		_exit(analyze_main(n, argv));
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_exit_status(void **state)
{
	char good[256], cut[256], nw[256];

	path(good, "good.xpf");
	path(cut, "cut.xpf");
	path(nw, "new.xpf");
	assert_int_equal(run(NULL, (const char *[]){ "report", good, NULL }), 0);
	assert_int_equal(run(NULL, (const char *[]){ "folded", good, cut, NULL }), 1);
	assert_int_equal(run(NULL, (const char *[]){ "report", nw, NULL }), 2);
	assert_int_equal(run(NULL, (const char *[]){ "report", "/nonexistent", NULL }), 2);
	assert_int_equal(run(NULL, (const char *[]){ "report", "--bogus", good, NULL }), 64);
	assert_int_equal(run(NULL, (const char *[]){ "report", NULL }), 64);
	assert_int_equal(run(NULL, (const char *[]){ "nosuchcmd", good, NULL }), 64);
	assert_int_equal(run(NULL, (const char *[]){ "folded", "--weight=x", good, NULL }), 64);
	assert_int_equal(run(NULL, (const char *[]){ "folded", "--kind", "gpu", good, NULL }), 64);
	/* Off-CPU records stand for unequal times: only nanoseconds are counted. */
	assert_int_equal(run(NULL, (const char *[]){ "folded", "--kind=offcpu", "--weight=samples",
						      good, NULL }), 64);
	assert_int_equal(run(NULL, (const char *[]){ "speedscope", "--kind", "wall", "--weight",
						      "samples", good, NULL }), 64);
	assert_int_equal(run(NULL, (const char *[]){ "folded", "--kind", "wall", good, NULL }), 0);
	assert_int_equal(run(NULL, (const char *[]){ "report", "--kind=offcpu", "--weight=ns",
						      good, NULL }), 0);
	assert_int_equal(run(NULL, (const char *[]){ "folded", "--weight=ns", good, NULL }), 0);
	assert_int_equal(run(NULL, (const char *[]){ "folded", "--help", NULL }), 0);
	assert_int_equal(run(NULL, (const char *[]){ "report", "--from", "2", "--to", "1", good,
						      NULL }), 64);
	/* A full disk must not pass for success. */
	assert_int_equal(run("/dev/full", (const char *[]){ "report", good, NULL }), 2);
}

static char *tsv(void)
{
	char good[256], out[256], *buf = malloc(1 << 16);
	FILE *f;
	size_t n;

	path(good, "good.xpf");
	path(out, "out.tsv");
	assert_int_equal(run(out, (const char *[]){ "report", "--tsv", good, NULL }), 0);
	f = fopen(out, "r");
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_tsv(void **state)
{
	char *t = tsv(), *f1, *f2, *f3;

	assert_non_null(strstr(t, "#run\trun_id\tprocesses\tthreads\tsamples\tdropped\t"
				  "sampled_ns\tcpu_ns\tmechanism\thz\tpresample_ns\tsetup_ns\t"
				  "runq_ns\tblocked_ns\toffcpu_samples\n"));
	assert_non_null(strstr(t, "\t1\t1\t101\t2\t101000000\t123000000\tperf-task-clock\t999"
				  "\t0\t0\t0\t0\t0\n"));
	/* No off-CPU records: nothing run-queued or blocked, the rest of wall time unseen. */
	assert_non_null(strstr(t, "process\t10\t1\t0\tapp\ttesthost\t500\t123000000\t101000000"
				  "\t101\t2\t0\texit\t3\t0\t0\t0\t0\t0\t"));
	f1 = strstr(t, "function\tlib.so+0x1100\tlib.so\t61000000\t61000000\t60.40\t60.40\t61\t61\n");
	f2 = strstr(t, "function\tlib.so+0x1200\tlib.so\t30000000\t30000000\t29.70\t29.70\t30\t30\n");
	f3 = strstr(t, "function\tlib.so+0x1300\tlib.so\t10000000\t10000000\t9.90\t9.90\t10\t10\n");
	assert_true(f1 && f2 && f3 && f1 < f2 && f2 < f3);
	/* Sorted by self time: the caller (self 0, total 100%) comes after its callees. */
	assert_true(strstr(t, "function\tlib.so+0x1000\tlib.so\t0\t101000000\t0.00\t100.00") > f3);
	assert_non_null(strstr(t, "region\tstep\t100\t5050000\t50500\t50000\t99000\t2525000\n"));
	assert_non_null(strstr(t, "#drop\treason\tcount\tns\ndrop\tbusy\t0\t0\ndrop\tloader\t0\t0\n"
				  "drop\tunwinder\t0\t0\ndrop\tunwind\t2\t4000000\n"
				  "drop\tnospace\t0\t0\ndrop\tstack\t0\t0\n"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_tsv),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
