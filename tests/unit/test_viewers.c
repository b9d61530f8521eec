// SPDX-License-Identifier: MIT
/*
 * test_viewers.c - the writers for other tools, on a synthetic profile: pprof decodes back
 * (zlib, protobuf-c) to the model's samples, values and labels, including the MPI rank label
 * only for a process whose rank is known; the timeline carries a process, an image, thread
 * names, and the sample, region and thread events the model kept, each on its thread's track;
 * diff says when two profiles have no function in common.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>
#include <zlib.h>

#include "analyze.h"
#include "pprof.h"
#include "pprof.pb-c.h"
#include "reader.h"
#include "synth.h"
#include "timeline.h"

#define T0	1000000ull

static const struct reader_opts quiet = { .quiet = true };
static const struct sym_opts symq = { .quiet = true };

/* pid 10 (threads 10 and 11) in lib.so (missing file: frames are lib.so+0xOFFSET). */
static void build(struct synth *s, const char *lib)
{
	uint64_t a[2] = { 0x1100, 0x1200 }, b[2] = { 0x1300, 0x1200 };

	synth_init(s, 10, 0, T0, T0);
	synth_process(s, 10, T0, "/bin/app", "app");
	synth_thread_name(s, 11, T0, "worker");
	synth_map(s, 10, T0 + 1, 0, 0x1000, 0x2000, "", 0, lib);
	for (int i = 0; i < 3; i++)
		synth_sample(s, 10, T0 + 10 + i, 100, XPF_SF_LEAF_EXACT, a, 2);
	synth_sample(s, 11, T0 + 20, 50, XPF_SF_LEAF_EXACT, b, 2);
	synth_region(s, 10, T0 + 5000, 2000, 1000, "step");
	synth_exit(s, 10, T0 + 9000, XPF_END_EXIT, 0, 400);
}

static void load(struct profile *p, struct symbols *sy, const char *lib)
{
	struct synth s;

	build(&s, lib);
	profile_init(p);
	p->keep_events = true;
	assert_int_equal(reader_parse(p, "v.xpf", s.buf, synth_size(&s), &quiet), 0);
	symbols_init(sy, p, &symq);
	symbols_resolve(sy);
	synth_free(&s);
}

static char *run_writer(int (*w)(FILE *, const struct profile *, const struct symbols *),
			const struct profile *p, const struct symbols *sy, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_int_equal(w(f, p, sy), 0);
	fclose(f);
	return buf;
}

static Perftools__Profiles__Profile *unpack(const char *gz, size_t len)
{
	static uint8_t raw[1 << 20];
	z_stream z = { .next_in = (uint8_t *)gz, .avail_in = (uInt)len, .next_out = raw,
		       .avail_out = sizeof(raw) };

	assert_int_equal(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	inflateEnd(&z);
	return perftools__profiles__profile__unpack(NULL, z.total_out, raw);
}

static const char *label(const Perftools__Profiles__Profile *pb,
			 const Perftools__Profiles__Sample *sm, const char *key, int64_t *num)
{
	for (size_t i = 0; i < sm->n_label; i++) {
		if (strcmp(pb->string_table[sm->label[i]->key], key))
			continue;
		*num = sm->label[i]->num;
		return pb->string_table[sm->label[i]->str];
	}
	return NULL;
}

static void test_pprof(void **state)
{
	struct profile p;
	struct symbols sy;
	size_t len;
	char *gz;
	Perftools__Profiles__Profile *pb;
	int64_t n, sum_n = 0, sum_ns = 0;
	bool ranked = false;

	load(&p, &sy, "/nonexistent/lib.so");
	p.procs[0].rank = 3;
	gz = run_writer(pprof_write, &p, &sy, &len);
	assert_non_null(pb = unpack(gz, len));
	assert_int_equal(pb->n_sample_type, 2);
	assert_string_equal(pb->string_table[pb->sample_type[1]->type], "cpu");
	assert_string_equal(pb->string_table[pb->sample_type[1]->unit], "nanoseconds");
	assert_int_equal(pb->n_sample, p.naggs);
	for (size_t i = 0; i < pb->n_sample; i++) {
		const Perftools__Profiles__Sample *sm = pb->sample[i];
		const char *s;

		sum_n += sm->value[0];
		sum_ns += sm->value[1];
		assert_non_null(label(pb, sm, "pid", &n));
		assert_int_equal(n, 10);
		assert_non_null(s = label(pb, sm, "command", &n));
		assert_string_equal(s, "app");
		assert_non_null(s = label(pb, sm, "rank", &n));
		assert_string_equal(s, "3");
		assert_non_null(s = label(pb, sm, "thread", &n));
		assert_non_null(label(pb, sm, "tid", &n));
		assert_string_equal(s, n == 11 ? "worker" : "app");
		/* Leaf first: a location named lib.so+0x1100 or +0x1300, in lib.so's mapping. */
		assert_true(sm->n_location_id == 2);
		ranked = true;
	}
	assert_true(ranked);
	assert_int_equal(sum_n, 4);
	assert_int_equal(sum_ns, 350);
	perftools__profiles__profile__free_unpacked(pb, NULL);
	free(gz);

	p.procs[0].rank = -1;	/* unknown: no rank label at all */
	gz = run_writer(pprof_write, &p, &sy, &len);
	assert_non_null(pb = unpack(gz, len));
	for (size_t i = 0; i < pb->n_sample; i++)
		assert_null(label(pb, pb->sample[i], "rank", &n));
	perftools__profiles__profile__free_unpacked(pb, NULL);
	free(gz);
	symbols_fini(&sy);
	profile_fini(&p);
}

static void add_events(struct profile *p)
{
	uint32_t t10 = profile_thread(p, 0, 10), t11 = profile_thread(p, 0, 11);
	uint32_t step = strtab_intern(&p->strs, "step", 4);

	profile_add_event(p, &(struct prof_event){ t11, PROF_EV_THREAD_START, 0, T0 + 15, 0, 0, 0 });
	profile_add_event(p, &(struct prof_event){ t10, PROF_EV_SAMPLE, p->aggs[0].stack,
						   T0 + 10, 0, 100, 0 });
	profile_add_event(p, &(struct prof_event){ t10, PROF_EV_REGION, step, T0 + 3000, 2000, 0, 0 });
	profile_add_event(p, &(struct prof_event){ t11, PROF_EV_THREAD_END, 0, T0 + 4015, 0, 0, 0 });
}

static void test_timeline(void **state)
{
	struct profile p;
	struct symbols sy;
	size_t len;
	char *js;

	load(&p, &sy, "/nonexistent/lib.so");
	add_events(&p);
	js = run_writer(timeline_write, &p, &sy, &len);
	assert_non_null(strstr(js, "\"traceEvents\":["));
	assert_non_null(strstr(js, "\"name\":\"process_name\",\"args\":{\"name\":\"app (pid 10)\"}"));
	assert_non_null(strstr(js, "\"pid\":10,\"tid\":11,\"name\":\"thread_name\","
				   "\"args\":{\"name\":\"worker\"}"));
	assert_non_null(strstr(js, "\"cat\":\"image\",\"name\":\"app\",\"ts\":0.000,\"dur\":9.000"));
	assert_non_null(strstr(js, "\"cat\":\"process\",\"name\":\"process 10\""));
	/* Thread 11 lived from +15 ns to +4015 ns: 4 us, on its own track. */
	assert_non_null(strstr(js, "\"pid\":10,\"tid\":11,\"cat\":\"thread\",\"name\":\"worker\","
				   "\"ts\":0.015,\"dur\":4.000}"));
	assert_non_null(strstr(js, "\"ph\":\"i\",\"pid\":10,\"tid\":10,\"cat\":\"sample\","
				   "\"name\":\"lib.so+0x1100\",\"s\":\"t\",\"ts\":0.010,"
				   "\"args\":{\"cpu_ns\":100,\"stack\":\"lib.so+0x1200;lib.so+0x1100\"}"));
	assert_non_null(strstr(js, "\"cat\":\"region\",\"name\":\"step\",\"ts\":3.000,"
				   "\"dur\":2.000}"));
	free(js);
	symbols_fini(&sy);
	profile_fini(&p);
}

/* Runs cmd_diff over A and B; returns what it wrote on stderr. */
static char *diff_stderr(struct profile *a, struct symbols *sa, struct profile *b,
			 struct symbols *sb)
{
	static char err[512];
	char *paths[2] = { "A", "B" };
	struct an_opts o = { .paths = paths, .npaths = 2 };
	struct an_ctx c = { .o = &o, .p = a, .s = sa, .p2 = b, .s2 = sb };
	char *text = NULL;
	size_t len = 0;
	FILE *tmp = tmpfile();
	int saved = dup(2);
	ssize_t n;

	dup2(fileno(tmp), 2);
	c.out = open_memstream(&text, &len);
	assert_int_equal(cmd_diff(&c), 0);
	fclose(c.out);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = (ssize_t)fread(err, 1, sizeof(err) - 1, tmp);
	err[n > 0 ? n : 0] = '\0';
	fclose(tmp);
	assert_non_null(strstr(text, " 3 0\n"));	/* A's stacks, absent from B */
	free(text);
	return err;
}

static void test_diff_nothing_common(void **state)
{
	struct profile a, b;
	struct symbols sa, sb;

	load(&a, &sa, "/nonexistent/liba.so");
	load(&b, &sb, "/nonexistent/libb.so");
	assert_string_equal(diff_stderr(&a, &sa, &b, &sb),
			    "xprof-analyze diff: A and B have no function in common\n");
	symbols_fini(&sb);
	profile_fini(&b);
	symbols_fini(&sa);
	profile_fini(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pprof),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_diff_nothing_common),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
