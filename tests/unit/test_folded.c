// SPDX-License-Identifier: MIT
/*
 * test_folded.c - folded stacks as flamegraph.pl reads them: root first, ';' between frames,
 * one space, the count; merged and sorted; sample counts or CPU-ns weights; process frame
 * comm or comm-PID, thread frames name-TID, a [truncated] frame for cut stacks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "analyze.h"
#include "reader.h"
#include "synth.h"

#define T0	1000ull

static const struct reader_opts quiet = { .quiet = true };

/* lib.so (missing file) at 0x1000: frames show as lib.so+0xOFFSET. */
static void build(struct synth *s)
{
	uint64_t a[2] = { 0x1100, 0x1200 };	/* leaf, root */
	uint64_t b[3] = { 0x1300, 0x1400, 0x1200 };
	uint64_t c[1] = { 0x1500 };

	synth_init(s, 10, 0, T0, T0);
	synth_process(s, 10, T0, "/bin/app", "app");
	synth_thread_name(s, 11, T0, "worker");
	synth_map(s, 10, T0 + 1, 0, 0x1000, 0x2000, "", 0, "/nonexistent/lib.so");
	for (int i = 0; i < 3; i++)
		synth_sample(s, 10, T0 + 10 + i, 100, XPF_SF_LEAF_EXACT, a, 2);
	for (int i = 0; i < 2; i++)
		synth_sample(s, 11, T0 + 20 + i, 50, XPF_SF_LEAF_EXACT, b, 3);
	synth_sample(s, 11, T0 + 30, 7, XPF_SF_LEAF_EXACT, a, 2);
	synth_sample(s, 10, T0 + 40, 9, XPF_SF_LEAF_EXACT | XPF_SF_TRUNCATED, c, 1);
}

static char *folded(const struct an_opts *o)
{
	struct synth s;
	struct profile p;
	struct symbols sy;
	struct sym_opts so = { .quiet = true };
	struct an_ctx c = { .o = o, .p = &p, .s = &sy };
	char *text = NULL;
	size_t len = 0;

	build(&s);
	profile_init(&p);
	assert_int_equal(reader_parse(&p, "f.xpf", s.buf, synth_size(&s), &quiet), 0);
	symbols_init(&sy, &p, &so);
	symbols_resolve(&sy);
	c.out = open_memstream(&text, &len);
	assert_int_equal(cmd_folded(&c), 0);
	fclose(c.out);
	symbols_fini(&sy);
	profile_fini(&p);
	synth_free(&s);
	return text;
}

static void test_counts(void **state)
{
	struct an_opts o = { 0 };
	char *t = folded(&o);

	/* Offsets are ELF addresses (address - bias); return addresses are shown as recorded. */
	assert_string_equal(t, "app;[truncated];lib.so+0x1500 1\n"
			       "app;lib.so+0x1200;lib.so+0x1100 4\n"
			       "app;lib.so+0x1200;lib.so+0x1400;lib.so+0x1300 2\n");
	free(t);
}

static void test_weights(void **state)
{
	struct an_opts o = { .weight_ns = true };
	char *t = folded(&o);

	assert_string_equal(t, "app;[truncated];lib.so+0x1500 9\n"
			       "app;lib.so+0x1200;lib.so+0x1100 307\n"
			       "app;lib.so+0x1200;lib.so+0x1400;lib.so+0x1300 100\n");
	free(t);
}

static void test_pid_tid_frames(void **state)
{
	struct an_opts o = { .pid_frame = true, .tid_frame = true };
	char *t = folded(&o);

	assert_string_equal(t, "app-10;app-10;[truncated];lib.so+0x1500 1\n"
			       "app-10;app-10;lib.so+0x1200;lib.so+0x1100 3\n"
			       "app-10;worker-11;lib.so+0x1200;lib.so+0x1100 1\n"
			       "app-10;worker-11;lib.so+0x1200;lib.so+0x1400;lib.so+0x1300 2\n");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_pid_tid_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
