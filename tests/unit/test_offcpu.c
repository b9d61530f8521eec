// SPDX-License-Identifier: MIT
/*
 * test_offcpu.c - off-CPU and wall time on a synthetic profile whose every figure is known:
 * folded stacks per kind with their [blocked] CALL and [run queue] leaves and weights (the
 * run queue under the thread's last sampled stack, or under its thread frame alone), the
 * report's wall split per thread and process (wall = cpu + run queue + blocked + unseen),
 * its blocked and function tables, pprof's off-CPU sample types and [blocked] locations,
 * the timeline's blocked slices and scheduler counters, speedscope's weights against the
 * folded totals, unknown call numbers named call#N, and corrupt off-CPU records: named,
 * counted, the rest of the file used.
 *
 * XPROF_FUZZ_SEED=FILE writes the profile to FILE (tests/fuzz-corpus/offcpu.xpf came so).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

#include "analyze.h"
#include "pbread.h"
#include "pprof.h"
#include "reader.h"
#include "speedscope.h"
#include "synth.h"
#include "timeline.h"

#define T0	1000000ull
#define CALL_NEW	200	/* a call number this analyzer does not know */

static const struct reader_opts quiet = { .quiet = true };
static const struct sym_opts symq = { .quiet = true };

/*
 * pid 10 in lib.so (missing file: frames are lib.so+0xOFFSET). Thread 10 (app): 3 CPU
 * samples of 100 ns in a, blocked in read at c once for 1000 ns (one call) and 500 ns
 * sampled by time; run queue 400 ns. Thread 11 (worker, lives 10 us): 2 samples of 50 ns in
 * b, blocked at d in pthread_mutex_lock 2000 ns and in call#200 70 ns; run queue 250 ns.
 * Thread 12 (idle): never sampled, run queue 90 ns. Exact call totals for 10 and 11.
 * With `corrupt`, thread 10's first off-CPU record keeps frames it cannot have and thread
 * 11's is cut short: their later off-CPU records in those blocks go, the rest stays.
 */
static void build(struct synth *s, bool corrupt)
{
	uint64_t a[2] = { 0x1100, 0x1200 }, b[3] = { 0x1300, 0x1400, 0x1200 };
	uint64_t c[2] = { 0x1500, 0x1200 }, d[2] = { 0x1600, 0x1200 };
	const uint64_t calls10[] = { XPF_CALL_READ, 5, 2, 1500, XPF_CALL_WRITE, 3, 0, 0 };
	const uint64_t old11[] = { XPF_CALL_MUTEX_LOCK, 2, 1, 1000 };
	const uint64_t calls11[] = { XPF_CALL_MUTEX_LOCK, 4, 1, 2000, CALL_NEW, 1, 1, 70 };
	struct synth_buf bad = { .n = 0 };

	synth_init(s, 10, 0, T0, T0);
	synth_process(s, 10, T0, "/bin/app", "app");
	synth_map(s, 10, T0 + 1, 0, 0x1000, 0x2000, "", 0, "/nonexistent/lib.so");
	synth_thread_start(s, 11, T0 + 5, 0, "worker");
	synth_thread_name(s, 12, T0 + 6, "idle");
	if (corrupt) {
		sb_u(&bad, 10);			/* blocked */
		sb_u(&bad, XPF_CALL_READ);
		sb_u(&bad, 0);			/* flags */
		sb_u(&bad, 3);			/* keep: no stack to keep from */
		sb_u(&bad, 0);
		synth_rec(s, 10, T0 + 8, XPF_REC_OFFCPU, &bad);
		bad.n = 0;
		sb_u(&bad, 10);			/* blocked, then nothing */
		synth_rec(s, 11, T0 + 8, XPF_REC_OFFCPU, &bad);
	}
	for (int i = 0; i < 3; i++)
		synth_sample(s, 10, T0 + 10 + i, 100, XPF_SF_LEAF_EXACT, a, 2);
	for (int i = 0; i < 2; i++)
		synth_sample(s, 11, T0 + 20 + i, 50, XPF_SF_LEAF_EXACT, b, 3);
	synth_offcpu(s, 10, T0 + 1000, 1000, XPF_CALL_READ, XPF_SF_ONE_CALL, c, 2);
	synth_offcpu(s, 10, T0 + 2000, 500, XPF_CALL_READ, 0, c, 2);
	synth_offcpu(s, 11, T0 + 3000, 2000, XPF_CALL_MUTEX_LOCK, XPF_SF_ONE_CALL, d, 2);
	synth_offcpu(s, 11, T0 + 4000, 70, CALL_NEW, XPF_SF_ONE_CALL, d, 2);
	synth_sched(s, 10, T0 + 5000, 10, 200, 100, 3, 2, 1);
	synth_sched(s, 11, T0 + 9000, 11, 50, 100, 2, 1, 0);
	synth_calls(s, 11, T0 + 9000, 11, old11, 1);
	synth_thread_end(s, 11, T0 + 10005, 100);
	/* At exit the ending thread writes the figures of every live thread. */
	synth_sched(s, 10, T0 + 19000, 10, 300, 400, 6, 4, 2);
	synth_sched(s, 10, T0 + 19000, 11, 100, 250, 3, 2, 1);
	synth_sched(s, 10, T0 + 19000, 12, 0, 90, 1, 1, 0);
	synth_calls(s, 10, T0 + 19000, 10, calls10, 2);
	synth_calls(s, 10, T0 + 19000, 11, calls11, 2);
	synth_exit(s, 10, T0 + 20000, XPF_END_EXIT, 0, 400);
}

struct loaded {
	struct profile p;
	struct symbols sy;
};

static int load(struct loaded *l, bool corrupt, const char *name)
{
	struct synth s;
	int r;

	build(&s, corrupt);
	profile_init(&l->p);
	l->p.keep_events = true;
	r = reader_parse(&l->p, name, s.buf, synth_size(&s), &quiet);
	profile_link_images(&l->p);
	profile_add_runq(&l->p, false);
	symbols_init(&l->sy, &l->p, &symq);
	symbols_resolve(&l->sy);
	synth_free(&s);
	return r;
}

static void unload(struct loaded *l)
{
	symbols_fini(&l->sy);
	profile_fini(&l->p);
}

/* What command fn writes with options o over the profile. */
static char *run_cmd(int (*fn)(struct an_ctx *), struct loaded *l, const struct an_opts *o)
{
	struct an_ctx c = { .o = o, .p = &l->p, .s = &l->sy };
	char *text = NULL;
	size_t len = 0;

	c.out = open_memstream(&text, &len);
	assert_int_equal(fn(&c), 0);
	fclose(c.out);
	return text;
}

static char *folded(const struct an_opts *o)
{
	struct loaded l;
	char *t;

	assert_int_equal(load(&l, false, "o.xpf"), 0);
	t = run_cmd(cmd_folded, &l, o);
	unload(&l);
	return t;
}

static void test_folded_cpu(void **state)
{
	char *t = folded(&(struct an_opts){ .kind = PROF_KIND_CPU });

	assert_string_equal(t, "app;lib.so+0x1200;lib.so+0x1100 3\n"
			       "app;lib.so+0x1200;lib.so+0x1400;lib.so+0x1300 2\n");
	free(t);
}

static void test_folded_offcpu(void **state)
{
	char *t = folded(&(struct an_opts){ .kind = PROF_KIND_OFFCPU, .weight_ns = true });

	/* The one-call and the time-sampled read at c add up; call 200 is named by number. */
	assert_string_equal(t, "app;lib.so+0x1200;lib.so+0x1500;[blocked] read 1500\n"
			       "app;lib.so+0x1200;lib.so+0x1600;[blocked] call#200 70\n"
			       "app;lib.so+0x1200;lib.so+0x1600;"
			       "[blocked] pthread_mutex_lock 2000\n");
	free(t);
}

static void test_folded_wall(void **state)
{
	char *t = folded(&(struct an_opts){ .kind = PROF_KIND_WALL, .weight_ns = true });

	/* Run queue under each thread's last sampled stack; thread 12 has none. */
	assert_string_equal(t, "app;[run queue] 90\n"
			       "app;lib.so+0x1200;lib.so+0x1100 300\n"
			       "app;lib.so+0x1200;lib.so+0x1100;[run queue] 400\n"
			       "app;lib.so+0x1200;lib.so+0x1400;lib.so+0x1300 100\n"
			       "app;lib.so+0x1200;lib.so+0x1400;lib.so+0x1300;[run queue] 250\n"
			       "app;lib.so+0x1200;lib.so+0x1500;[blocked] read 1500\n"
			       "app;lib.so+0x1200;lib.so+0x1600;[blocked] call#200 70\n"
			       "app;lib.so+0x1200;lib.so+0x1600;"
			       "[blocked] pthread_mutex_lock 2000\n");
	free(t);
	t = folded(&(struct an_opts){ .kind = PROF_KIND_WALL, .weight_ns = true,
				      .tid_frame = true });
	assert_non_null(strstr(t, "app;idle-12;[run queue] 90\n"));
	assert_non_null(strstr(t, "app;app-10;lib.so+0x1200;lib.so+0x1100;[run queue] 400\n"));
	assert_non_null(strstr(t, "app;worker-11;lib.so+0x1200;lib.so+0x1400;lib.so+0x1300;"
				  "[run queue] 250\n"));
	free(t);
}

static char *report_tsv(enum prof_kind kind)
{
	struct loaded l;
	char *t;

	assert_int_equal(load(&l, false, "o.xpf"), 0);
	t = run_cmd(cmd_report, &l, &(struct an_opts){ .kind = kind, .weight_ns = true,
						       .fmt = TABLE_TSV });
	unload(&l);
	return t;
}

static void test_report_split(void **state)
{
	char *t = report_tsv(PROF_KIND_CPU);

	assert_non_null(strstr(t, "#thread\tpid\tgen\ttid\tname\tcpu_ns\tsampled_ns\tsamples\t"
				  "dropped\ttruncated\thz_achieved\twall_ns\trunq_ns\tblocked_ns\t"
				  "unseen_ns\n"));
	/* wall = cpu + run queue + blocked + unseen, blocked from the exact call totals (the
	 * latest: the one written at exit, not thread 11's older one). */
	assert_non_null(strstr(t, "thread\t10\t0\t10\tapp\t300\t300\t3\t0\t0\t10000000.0\t"
				  "20000\t400\t1500\t17800\n"));
	assert_non_null(strstr(t, "thread\t10\t0\t11\tworker\t100\t100\t2\t0\t0\t20000000.0\t"
				  "10000\t250\t2070\t7580\n"));
	assert_non_null(strstr(t, "thread\t10\t0\t12\tidle\t0\t0\t0\t0\t0\t0.0\t"
				  "20000\t90\t0\t19910\n"));
	/* Processes add up their threads. */
	assert_non_null(strstr(t, "\thandled\trunq_ns\tblocked_ns\tunseen_ns\n"));
	assert_non_null(strstr(t, "process\t10\t1\t0\tapp\ttesthost\t20000\t400\t400\t5\t0\t0\t"
				  "exit\t0\t0\t0\t0\t740\t3570\t45290\n"));
	assert_non_null(strstr(t, "\tsetup_ns\trunq_ns\tblocked_ns\toffcpu_samples\n"));
	assert_non_null(strstr(t, "\t740\t3570\t4\n"));
	/* One row per thread and call made, by blocked time. */
	assert_non_null(strstr(t, "#blocked\tpid\tgen\ttid\tname\tcall\tcalls\tblocked\t"
				  "blocked_ns\n"
				  "blocked\t10\t0\t10\tapp\tread\t5\t2\t1500\n"
				  "blocked\t10\t0\t10\tapp\twrite\t3\t0\t0\n"
				  "blocked\t10\t0\t11\tworker\tpthread_mutex_lock\t4\t1\t2000\n"
				  "blocked\t10\t0\t11\tworker\tcall#200\t1\t1\t70\n"));
	/* The CPU kind's function table knows nothing of blocked time. */
	assert_null(strstr(t, "function\t[blocked]"));
	free(t);
}

static void test_report_kinds(void **state)
{
	char *t = report_tsv(PROF_KIND_OFFCPU), *top, *read;

	/* Ranked by inclusive blocked time; the [blocked] leaves are the self time. */
	top = strstr(t, "function\tlib.so+0x1200\tlib.so\t0\t3570\t0.00\t100.00\t0\t4\n");
	read = strstr(t, "function\t[blocked] read\t[blocked]\t1500\t1500\t42.02\t42.02\t2\t2\n");
	assert_true(top && read && top < read);
	assert_non_null(strstr(t, "function\t[blocked] pthread_mutex_lock\t[blocked]\t2000\t"
				  "2000\t"));
	assert_null(strstr(t, "function\tlib.so+0x1100"));	/* on-CPU only */
	free(t);
	t = report_tsv(PROF_KIND_WALL);
	assert_non_null(strstr(t, "function\tlib.so+0x1200\tlib.so\t0\t4620\t0.00\t98.09\t"));
	assert_non_null(strstr(t, "function\t[run queue]\t[run queue]\t740\t740\t15.71\t15.71\t"
				  "0\t0\n"));
	free(t);
}

/* Writer w's output over a fresh load of the profile. */
static char *write_out(int (*w)(FILE *, const struct profile *, const struct symbols *),
		       size_t *len)
{
	struct loaded l;
	char *buf = NULL;
	FILE *f;

	assert_int_equal(load(&l, false, "o.xpf"), 0);
	f = open_memstream(&buf, len);
	assert_int_equal(w(f, &l.p, &l.sy), 0);
	fclose(f);
	unload(&l);
	return buf;
}

static const char *pb_str(const Perftools__Profiles__Profile *pb, int64_t i)
{
	return pb->string_table[i];
}

/* The function name of location id `loc`'s innermost line. */
static const char *loc_name(const Perftools__Profiles__Profile *pb, uint64_t loc)
{
	const Perftools__Profiles__Location *l = pb->location[loc - 1];

	assert_int_equal(l->id, loc);
	return pb_str(pb, pb->function[l->line[0]->function_id - 1]->name);
}

static void test_pprof_types(void **state)
{
	size_t len;
	char *gz = write_out(pprof_write, &len);
	Perftools__Profiles__Profile *pb = pb_unpack(gz, len);
	int64_t sum[4] = { 0 };
	unsigned blocked = 0;

	assert_non_null(pb);
	assert_int_equal(pb->n_sample_type, 4);
	assert_string_equal(pb_str(pb, pb->sample_type[0]->type), "samples");
	assert_string_equal(pb_str(pb, pb->sample_type[1]->type), "cpu");
	assert_string_equal(pb_str(pb, pb->sample_type[2]->type), "offcpu_samples");
	assert_string_equal(pb_str(pb, pb->sample_type[2]->unit), "count");
	assert_string_equal(pb_str(pb, pb->sample_type[3]->type), "offcpu");
	assert_string_equal(pb_str(pb, pb->sample_type[3]->unit), "nanoseconds");
	assert_int_equal(pb->n_sample, 5);	/* 2 CPU, 3 off-CPU aggregates; no run queue */
	for (size_t i = 0; i < pb->n_sample; i++) {
		const Perftools__Profiles__Sample *sm = pb->sample[i];
		const char *leaf = loc_name(pb, sm->location_id[0]);

		assert_int_equal(sm->n_value, 4);
		for (int k = 0; k < 4; k++)
			sum[k] += sm->value[k];
		if (strncmp(leaf, "[blocked] ", 10))
			continue;
		/* A pseudo-frame: a function of its own, no mapping, above the call's stack. */
		blocked++;
		assert_int_equal(sm->value[0], 0);
		assert_true(sm->value[3] > 0);
		assert_int_equal(pb->location[sm->location_id[0] - 1]->mapping_id, 0);
		assert_string_equal(loc_name(pb, sm->location_id[1]),
				    !strcmp(leaf, "[blocked] read") ? "lib.so+0x1500" :
								      "lib.so+0x1600");
	}
	assert_int_equal(blocked, 3);
	assert_int_equal(sum[0], 5);
	assert_int_equal(sum[1], 400);
	assert_int_equal(sum[2], 4);
	assert_int_equal(sum[3], 3570);
	perftools__profiles__profile__free_unpacked(pb, NULL);
	free(gz);
}

/* Runs a Python script on `json` (its stdin) and returns what it printed. */
static char *python(const char *json, const char *script)
{
	char in[] = "/tmp/xprof-offcpu-XXXXXX", cmd[4096];
	static char out[4096];
	int fd = mkstemp(in);
	FILE *f;
	size_t n;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
	snprintf(cmd, sizeof(cmd), "python3 -c '%s' <%s", script, in);
	assert_non_null(f = popen(cmd, "r"));
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	assert_int_equal(pclose(f), 0);
	unlink(in);
	return out;
}

static void test_timeline(void **state)
{
	size_t len;
	char *js = write_out(timeline_write, &len);
	const char *got;

	/* Parsed: the X slices of blocked calls and the C counters, one line each. */
	got = python(js, "import json,sys\n"
			 "for e in json.load(sys.stdin)[\"traceEvents\"]:\n"
			 "  if e.get(\"cat\")==\"blocked\":\n"
			 "    print(e[\"ph\"],e[\"tid\"],e[\"name\"],e[\"ts\"],e[\"dur\"],"
			 "e[\"args\"][\"stack\"])\n"
			 "  if e[\"ph\"]==\"C\":\n"
			 "    print(e[\"tid\"],e[\"name\"],e[\"ts\"],\" \".join(\"%s=%s\" % kv "
			 "for kv in sorted(e[\"args\"].items())))\n");
	/* Only the calls recorded one by one have an interval: the read sampled by time not. */
	assert_string_equal(got,
		"X 10 [blocked] read 0.0 1.0 lib.so+0x1200;lib.so+0x1500\n"
		"X 11 [blocked] pthread_mutex_lock 1.0 2.0 lib.so+0x1200;lib.so+0x1600\n"
		"X 11 [blocked] call#200 3.93 0.07 lib.so+0x1200;lib.so+0x1600\n"
		"10 run queue ms (tid 10) 5.0 ms=0.0001\n"
		"10 context switches (tid 10) 5.0 involuntary=1 voluntary=2\n"
		"10 run queue ms (tid 10) 19.0 ms=0.0004\n"
		"10 context switches (tid 10) 19.0 involuntary=2 voluntary=4\n"
		"11 run queue ms (tid 11) 19.0 ms=0.00025\n"
		"11 context switches (tid 11) 19.0 involuntary=1 voluntary=2\n"
		"12 run queue ms (tid 12) 19.0 ms=9e-05\n"
		"12 context switches (tid 12) 19.0 involuntary=0 voluntary=1\n"
		"11 run queue ms (tid 11) 9.0 ms=0.0001\n"
		"11 context switches (tid 11) 9.0 involuntary=0 voluntary=1\n");
	free(js);
}

/* speedscope's weights, all profiles together, equal the folded total of the kind. */
static void test_speedscope(void **state)
{
	static const struct { enum prof_kind kind; const char *total; } want[] = {
		{ PROF_KIND_CPU, "400 2\n" }, { PROF_KIND_OFFCPU, "3570 2\n" },
		{ PROF_KIND_WALL, "4710 3\n" },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct loaded l;
		char *js = NULL, *fold;
		size_t len, total = 0;
		FILE *f;

		assert_int_equal(load(&l, false, "o.xpf"), 0);
		f = open_memstream(&js, &len);
		assert_int_equal(speedscope_write(f, &l.p, &l.sy, want[i].kind, true), 0);
		fclose(f);
		fold = run_cmd(cmd_folded, &l, &(struct an_opts){ .kind = want[i].kind,
								  .weight_ns = true });
		for (char *line = fold, *nl; (nl = strchr(line, '\n')); line = nl + 1)
			total += strtoull((char *)memrchr(line, ' ', (size_t)(nl - line)) + 1, NULL,
					  10);
		/* Sum of weights and number of thread profiles. */
		assert_string_equal(python(js, "import json,sys\n"
					       "d=json.load(sys.stdin)\n"
					       "print(sum(sum(p[\"weights\"]) "
					       "for p in d[\"profiles\"]),"
					       "len(d[\"profiles\"]))\n"), want[i].total);
		assert_int_equal(total, strtoull(want[i].total, NULL, 10));
		if (want[i].kind != PROF_KIND_CPU)
			assert_non_null(strstr(js, "{\"name\":\"[blocked] read\""));
		free(fold);
		free(js);
		unload(&l);
	}
}

static void test_corrupt(void **state)
{
	struct loaded l;
	char err[2048], *t;
	FILE *tmp = tmpfile();
	int saved = dup(2), r;
	struct reader_opts loud = { .max_msgs = 20 };
	struct synth s;
	size_t n;

	build(&s, true);
	profile_init(&l.p);
	dup2(fileno(tmp), 2);
	r = reader_parse(&l.p, "c.xpf", s.buf, synth_size(&s), &loud);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(err, 1, sizeof(err) - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	synth_free(&s);
	assert_int_equal(r, 1);
	assert_int_equal(l.p.faults, 2);
	assert_non_null(strstr(err, "c.xpf: block "));
	assert_non_null(strstr(err, ": offcpu: keeps 3 frames of a 0-frame stack; rest of block's "
				    "offcpu records skipped\n"));
	assert_non_null(strstr(err, ": offcpu: a field runs past the payload; rest of block's "
				    "offcpu records skipped\n"));
	profile_link_images(&l.p);
	profile_add_runq(&l.p, false);
	symbols_init(&l.sy, &l.p, &symq);
	symbols_resolve(&l.sy);
	/* The samples of the same blocks, and the totals, are all there. */
	t = run_cmd(cmd_folded, &l, &(struct an_opts){ .kind = PROF_KIND_WALL, .weight_ns = true });
	assert_string_equal(t, "app;[run queue] 90\n"
			       "app;lib.so+0x1200;lib.so+0x1100 300\n"
			       "app;lib.so+0x1200;lib.so+0x1100;[run queue] 400\n"
			       "app;lib.so+0x1200;lib.so+0x1400;lib.so+0x1300 100\n"
			       "app;lib.so+0x1200;lib.so+0x1400;lib.so+0x1300;[run queue] 250\n");
	free(t);
	assert_int_equal(prof_thread_blocked(&l.p.threads[0]), 1500);
	unload(&l);
}

static int write_seed(void **state)
{
	const char *path = getenv("XPROF_FUZZ_SEED");
	struct synth s;

	if (!path)
		return 0;
	build(&s, false);
	assert_int_equal(synth_write(&s, path, 0), 0);
	synth_free(&s);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folded_cpu),
		cmocka_unit_test(test_folded_offcpu),
		cmocka_unit_test(test_folded_wall),
		cmocka_unit_test(test_report_split),
		cmocka_unit_test(test_report_kinds),
		cmocka_unit_test(test_pprof_types),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_speedscope),
		cmocka_unit_test(test_corrupt),
	};

	return cmocka_run_group_tests(tests, write_seed, NULL);
}
