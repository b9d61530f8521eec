// SPDX-License-Identifier: MIT
/*
 * test_pymerge.c - Python frames in the analyzer (reader, samples, pymerge.c) against
 * synthetic profiles whose native frames are this test program's own functions, one of them
 * named like CPython's evaluation function: each run of Python frames takes the place of the
 * evaluation frame that ran it, paired from the leaf; runs left over go at the root;
 * evaluation frames left over stay; a code address described twice (a freed code object
 * reused) names the code of each sample's time; samples whose chain was unreadable are
 * counted; the report's Python shares add up; bad Python parts of a file are skipped with
 * a fault counted, the rest used.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "reader.h"
#include "stacks.h"
#include "symbols.h"
#include "synth.h"

#define T0	7000000000ull
#define CODE_MOD	0x7f1000001000ull	/* code objects' addresses (any will do) */
#define CODE_RUN	0x7f1000002000ull
#define CODE_SIG	0x7f1000003000ull

static const struct reader_opts quiet = { .quiet = true };
static const struct sym_opts symq = { .quiet = true };
static volatile int sink;

void py_main_fn(void);
void py_call_fn(void);
void py_ext_fn(void);
void _PyEval_EvalFrameDefault(void);

__attribute__((noinline, used)) void py_ext_fn(void)
{
	sink++;
}

__attribute__((noinline, used)) void _PyEval_EvalFrameDefault(void)
{
	sink += 2;
	py_ext_fn();
}

__attribute__((noinline, used)) void py_call_fn(void)
{
	sink += 3;
	_PyEval_EvalFrameDefault();
}

__attribute__((noinline, used)) void py_main_fn(void)
{
	sink += 4;
	py_call_fn();
}

#define RET(f)	((uint64_t)(uintptr_t)&(f) + 1)	/* a return address inside f */

/* A sample of native frames nat[0..n) and Python frames (code, instr << 1 | entry) py, both
 * leaf first, written with nothing shared (keep 0). */
static void sample_py(struct synth *s, uint64_t tm, unsigned flags, const uint64_t *nat,
		      uint32_t n, const uint64_t (*py)[2], uint32_t npy)
{
	struct synth_buf f = { .n = 0 };
	uint64_t prev = 0;

	sb_u(&f, 1000000);
	sb_u(&f, flags | XPF_SF_LEAF_EXACT | (npy ? XPF_SF_PYTHON : 0));
	sb_u(&f, 0);
	sb_u(&f, n);
	for (uint32_t i = 0; i < n; i++, prev = nat[i - 1])
		sb_s(&f, (int64_t)(nat[i] - prev));
	if (npy) {
		sb_u(&f, 0);
		sb_u(&f, npy);
		prev = 0;
		for (uint32_t i = 0; i < npy; i++) {
			sb_s(&f, (int64_t)(py[i][0] - prev));
			prev = py[i][0];
			sb_u(&f, py[i][1]);
		}
	}
	synth_rec(s, 77, tm, XPF_REC_SAMPLE, &f);
}

static void code(struct synth *s, uint64_t tm, uint64_t addr, const char *name, int line)
{
	struct synth_buf f = { .n = 0 };

	sb_u(&f, addr);
	sb_u(&f, (uint64_t)line);
	sb_str(&f, name, strlen(name));
	sb_str(&f, "/src/bt.py", 10);
	synth_rec(s, 77, tm, XPF_REC_PY_CODE, &f);
}

static void begin(struct synth *s)
{
	struct synth_self me;
	struct synth_buf f = { .n = 0 };

	synth_self(&me);
	synth_init(s, 77, 0, T0, T0);
	synth_process(s, 77, T0 + 1, me.path, "test_pymerge");
	synth_map(s, 77, T0 + 2, me.bias, me.lo, me.hi, me.build_id, me.bidlen, me.path);
	sb_u(&f, 3u << 16 | 11u << 8 | 7u);
	sb_u(&f, 1);
	synth_rec(s, 77, T0 + 3, XPF_REC_PY_RUNTIME, &f);
	code(s, T0 + 4, CODE_MOD, "<module>", 1);
	code(s, T0 + 5, CODE_RUN, "run_backtest", 10);
	code(s, T0 + 6, CODE_SIG, "compute_signals", 20);
}

struct an {
	struct profile p;
	struct symbols sy;
	struct stacks st;
};

static void analyse(struct synth *s, struct an *a)
{
	struct stacks_opts o = { 0 };

	profile_init(&a->p);
	assert_int_equal(reader_parse(&a->p, "mem.xpf", s->buf, synth_size(s), &quiet), 0);
	symbols_init(&a->sy, &a->p, &symq);
	symbols_resolve(&a->sy);
	stacks_build(&a->st, &a->p, &a->sy, &o);
}

static void done(struct an *a, struct synth *s)
{
	stacks_fini(&a->st);
	symbols_fini(&a->sy);
	profile_fini(&a->p);
	synth_free(s);
}

/* Samples of the stack folded as `want`. */
static uint64_t count(const struct an *a, const char *want)
{
	for (size_t i = 0; i < a->st.n; i++) {
		char *t = stacks_join(&a->p, &a->st, i);
		int same = !strcmp(t, want);

		free(t);
		if (same)
			return a->st.v[i].samples;
	}
	return 0;
}

/* main -> eval -> call -> eval -> ext, leaf first. */
static void native_full(uint64_t *nat)
{
	nat[0] = (uint64_t)(uintptr_t)&py_ext_fn;
	nat[1] = RET(_PyEval_EvalFrameDefault);
	nat[2] = RET(py_call_fn);
	nat[3] = RET(_PyEval_EvalFrameDefault);
	nat[4] = RET(py_main_fn);
}

/* compute_signals runs in the inner evaluation call, <module> and run_backtest in the
 * outer one (3.11+: one call, two frames). Leaf first. */
static const uint64_t py3[3][2] = {
	{ CODE_SIG, 8 << 1 | 1 }, { CODE_RUN, 40 << 1 | 0 }, { CODE_MOD, 2 << 1 | 1 },
};

#define MERGED "test_pymerge;py_main_fn;py:<module> (bt.py:1);py:run_backtest (bt.py:10);" \
	       "py_call_fn;py:compute_signals (bt.py:20);py_ext_fn"

static void test_in_place(void **state)
{
	struct synth s;
	struct an a;
	uint64_t nat[5];

	begin(&s);
	native_full(nat);
	for (int i = 0; i < 4; i++)
		sample_py(&s, T0 + 10 + i, 0, nat, 5, py3, 3);
	analyse(&s, &a);
	assert_int_equal(count(&a, MERGED), 4);
	done(&a, &s);
}

static void test_left_over(void **state)
{
	struct synth s;
	struct an a;
	uint64_t nat[5], leaf = (uint64_t)(uintptr_t)&py_ext_fn;

	begin(&s);
	native_full(nat);
	/* The native unwind stopped at the leaf: every run goes at the root. */
	sample_py(&s, T0 + 10, XPF_SF_PARTIAL, &leaf, 1, py3, 3);
	/* Only the inner run known: the outer evaluation frame stays as it is. */
	sample_py(&s, T0 + 11, 0, nat, 5, py3, 1);
	sample_py(&s, T0 + 12, 0, nat, 5, py3, 1);
	analyse(&s, &a);
	assert_int_equal(count(&a, "test_pymerge;py:<module> (bt.py:1);py:run_backtest (bt.py:10);"
				   "py:compute_signals (bt.py:20);py_ext_fn"),
			 1);
	assert_int_equal(count(&a, "test_pymerge;py_main_fn;_PyEval_EvalFrameDefault;py_call_fn;"
				   "py:compute_signals (bt.py:20);py_ext_fn"),
			 2);
	done(&a, &s);
}

static void test_reused_address(void **state)
{
	struct synth s;
	struct an a;
	uint64_t nat[5];
	const uint64_t one[1][2] = { { CODE_SIG, 1 } };

	begin(&s);
	native_full(nat);
	sample_py(&s, T0 + 10, 0, nat + 3, 2, one, 1);
	code(&s, T0 + 20, CODE_SIG, "other_fn", 99);	/* freed, and reused by another */
	sample_py(&s, T0 + 30, 0, nat + 3, 2, one, 1);
	sample_py(&s, T0 + 31, 0, nat + 3, 2, one, 1);
	analyse(&s, &a);
	assert_int_equal(count(&a, "test_pymerge;py_main_fn;py:compute_signals (bt.py:20)"), 1);
	assert_int_equal(count(&a, "test_pymerge;py_main_fn;py:other_fn (bt.py:99)"), 2);
	done(&a, &s);
}

static void test_partial_counted(void **state)
{
	struct synth s;
	struct an a;
	uint64_t nat[5];
	struct py_share *v;
	size_t n;

	begin(&s);
	native_full(nat);
	for (int i = 0; i < 6; i++)
		sample_py(&s, T0 + 10 + i, 0, nat, 5, py3, 3);
	for (int i = 0; i < 3; i++)	/* chain unreadable: native frames only */
		sample_py(&s, T0 + 20 + i, XPF_SF_PY_PARTIAL, nat, 5, NULL, 0);
	sample_py(&s, T0 + 30, 0, nat + 4, 1, NULL, 0);	/* no Python at all */
	analyse(&s, &a);
	assert_int_equal(a.p.threads[0].py_partial, 3);
	assert_int_equal(count(&a, MERGED), 6);
	n = py_shares(&a.sy, &v);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].version, 3u << 16 | 11u << 8 | 7u);
	assert_int_equal(v[0].samples, 10);
	assert_int_equal(v[0].partial, 3);
	assert_int_equal(v[0].py_ns, 6 * 1000000ull);
	assert_int_equal(v[0].eval_ns, 3 * 1000000ull);	/* evaluation frames left unnamed */
	free(v);
	done(&a, &s);
}

/* Bad Python parts: a keep beyond the previous sample's Python frames skips the rest of the
 * block's samples (reported); a code description cut short is skipped, and the frame it
 * would have named reads py:[unknown code]; the other samples are used. */
static void test_bad_input(void **state)
{
	struct synth s;
	struct an a;
	struct synth_buf f = { .n = 0 };
	uint64_t nat[5];
	const uint64_t odd[1][2] = { { 0x7f1000009000ull, 1 } };

	begin(&s);
	native_full(nat);
	sb_u(&f, 0x7f1000009000ull);
	sb_u(&f, 7);
	sb_u(&f, 200);		/* a name of 200 bytes in a payload of a few */
	synth_rec(&s, 77, T0 + 7, XPF_REC_PY_CODE, &f);
	sample_py(&s, T0 + 10, 0, nat + 3, 2, odd, 1);
	sample_py(&s, T0 + 11, 0, nat, 5, py3, 3);
	f.n = 0;		/* Python frames keeping 9 of the previous sample's 3 */
	sb_u(&f, 1000000);
	sb_u(&f, XPF_SF_LEAF_EXACT | XPF_SF_PYTHON);
	sb_u(&f, 0);
	sb_u(&f, 1);
	sb_s(&f, (int64_t)nat[4]);
	sb_u(&f, 9);
	sb_u(&f, 0);
	synth_rec(&s, 77, T0 + 12, XPF_REC_SAMPLE, &f);
	sample_py(&s, T0 + 13, 0, nat, 5, py3, 3);	/* same block: skipped too */
	profile_init(&a.p);
	assert_int_equal(reader_parse(&a.p, "mem.xpf", s.buf, synth_size(&s), &quiet), 1);
	assert_true(a.p.faults >= 2);
	symbols_init(&a.sy, &a.p, &symq);
	symbols_resolve(&a.sy);
	stacks_build(&a.st, &a.p, &a.sy, &(struct stacks_opts){ 0 });
	assert_int_equal(count(&a, "test_pymerge;py_main_fn;py:[unknown code]"), 1);
	assert_int_equal(count(&a, MERGED), 1);
	assert_int_equal(a.p.threads[0].samples, 2);
	done(&a, &s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_place),
		cmocka_unit_test(test_left_over),
		cmocka_unit_test(test_reused_address),
		cmocka_unit_test(test_partial_counted),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
