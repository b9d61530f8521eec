// SPDX-License-Identifier: MIT
/*
 * test_profile.c - module resolution by time and symbolisation: two libraries dlopen'ed one
 * after the other at the same address resolve to the one mapped at each sample's time; a
 * module whose file is gone or whose build-id differs shows module+0xOFFSET, never a name;
 * this test program's own functions are named, return addresses are looked up at pc - 1.
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

#define T0	5000000000ull

static const struct reader_opts quiet = { .quiet = true };
static const struct sym_opts symq = { .quiet = true };

static volatile int sink;

void prof_leaf_fn(void);
void prof_caller_fn(void);

__attribute__((noinline, used)) void prof_leaf_fn(void)
{
	for (int i = 0; i < 8; i++)
		sink += i;
}

__attribute__((noinline, used)) void prof_caller_fn(void)
{
	for (int i = 0; i < 8; i++)
		sink -= i;
	prof_leaf_fn();
}

/* Folded-style text of named stack i, for asserting. */
static void stack_text(const struct profile *p, const struct stacks *st, size_t i, char *buf,
		       size_t n)
{
	size_t o = 0;

	buf[0] = '\0';
	for (uint32_t k = 0; k < st->v[i].n && o < n; k++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", k ? ";" : "",
				      prof_str(p, st->labels[st->v[i].off + k]));
}

static uint64_t find_stack(const struct profile *p, const struct stacks *st, const char *want)
{
	char buf[4096];

	for (size_t i = 0; i < st->n; i++) {
		stack_text(p, st, i, buf, sizeof(buf));
		if (!strcmp(buf, want))
			return st->v[i].samples;
	}
	return 0;
}

static void analyse(struct synth *s, struct profile *p, struct symbols *sy, struct stacks *st,
		    const struct sym_opts *so)
{
	struct stacks_opts o = { 0 };

	profile_init(p);
	assert_true(reader_parse(p, "mem.xpf", s->buf, synth_size(s), &quiet) >= 0);
	symbols_init(sy, p, so);
	symbols_resolve(sy);
	stacks_build(st, p, sy, &o);
}

static void done(struct profile *p, struct symbols *sy, struct stacks *st)
{
	stacks_fini(st);
	symbols_fini(sy);
	profile_fini(p);
}

static void test_dlopen_reuse(void **state)
{
	struct synth s;
	struct profile p;
	struct symbols sy;
	struct stacks st;
	uint64_t a[1] = { 0x7f0000001500 };

	synth_init(&s, 42, 0, T0, T0);
	synth_process(&s, 42, T0 + 1, "/opt/app", "app");
	synth_map(&s, 42, T0 + 10, 0x7f0000000000, 0x7f0000001000, 0x7f0000002000, "AAAA", 4,
		  "/nonexistent/liba.so");
	synth_sample(&s, 42, T0 + 20, 100, XPF_SF_LEAF_EXACT, a, 1);
	synth_sample(&s, 42, T0 + 21, 100, XPF_SF_LEAF_EXACT, a, 1);
	synth_unmap(&s, 42, T0 + 30, 0x7f0000000000, 0x7f0000001000);
	synth_map(&s, 42, T0 + 40, 0x7f0000000000, 0x7f0000001000, 0x7f0000002000, "BBBB", 4,
		  "/nonexistent/libb.so");
	synth_sample(&s, 42, T0 + 50, 100, XPF_SF_LEAF_EXACT, a, 1);
	synth_unmap(&s, 42, T0 + 60, 0x7f0000000000, 0x7f0000001000);
	synth_sample(&s, 42, T0 + 70, 100, XPF_SF_LEAF_EXACT, a, 1);
	analyse(&s, &p, &sy, &st, &symq);
	assert_int_equal(find_stack(&p, &st, "app;liba.so+0x1500"), 2);
	assert_int_equal(find_stack(&p, &st, "app;libb.so+0x1500"), 1);
	/* After both are gone, two files could claim the address: no guess. */
	assert_int_equal(find_stack(&p, &st, "app;[unknown]"), 1);
	assert_true(sy.warnings >= 2);	/* one per missing module file */
	done(&p, &sy, &st);
	synth_free(&s);
}

static void self_profile(struct synth *s, const char *bid, size_t bidlen, int vdso)
{
	struct synth_self me;
	uint64_t st[3];

	synth_self(&me);
	synth_init(s, 77, 0, T0, T0);
	synth_process(s, 77, T0 + 1, me.path, "test_profile");
	synth_map(s, 77, T0 + 2, me.bias, me.lo, me.hi, bid ? bid : me.build_id,
		  bid ? bidlen : me.bidlen, me.path);
	synth_map(s, 77, T0 + 3, 0x7fff00000000, 0x7fff00000000, 0x7fff00002000, "", 0,
		  "linux-vdso.so.1");
	/* leaf exact inside prof_leaf_fn, called from prof_caller_fn (return address). */
	st[0] = vdso ? 0x7fff00000100 : (uint64_t)(uintptr_t)&prof_leaf_fn;
	st[1] = (uint64_t)(uintptr_t)&prof_caller_fn + 1;	/* looked up at pc - 1 */
	st[2] = 0x10;						/* in no module */
	for (int i = 0; i < 3; i++)
		synth_sample(s, 77, T0 + 10 + i, 1000, XPF_SF_LEAF_EXACT, st, 3);
}

static void test_self_symbols(void **state)
{
	struct synth s;
	struct profile p;
	struct symbols sy;
	struct stacks st;

	self_profile(&s, NULL, 0, 0);
	analyse(&s, &p, &sy, &st, &symq);
	assert_int_equal(find_stack(&p, &st, "test_profile;[unknown];prof_caller_fn;prof_leaf_fn"),
			 3);
	assert_int_equal(sy.warnings, 0);
	done(&p, &sy, &st);
	synth_free(&s);
	self_profile(&s, NULL, 0, 1);
	analyse(&s, &p, &sy, &st, &symq);
	assert_int_equal(find_stack(&p, &st, "test_profile;[unknown];prof_caller_fn;[vdso]"), 3);
	done(&p, &sy, &st);
	synth_free(&s);
}

static void test_build_id_mismatch(void **state)
{
	struct synth s;
	struct profile p;
	struct symbols sy;
	struct stacks st;
	struct synth_self me;
	char want[8192];

	synth_self(&me);
	self_profile(&s, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11"
			 "\x12\x13\x14", 20, 0);
	analyse(&s, &p, &sy, &st, &symq);
	snprintf(want, sizeof(want), "test_profile;[unknown];%s+0x%" PRIx64 ";%s+0x%" PRIx64,
		 path_base(me.path), (uint64_t)(uintptr_t)&prof_caller_fn + 1 - me.bias,
		 path_base(me.path), (uint64_t)(uintptr_t)&prof_leaf_fn - me.bias);
	assert_int_equal(find_stack(&p, &st, want), 3);
	assert_int_equal(sy.warnings, 1);
	done(&p, &sy, &st);
	synth_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dlopen_reuse),
		cmocka_unit_test(test_self_symbols),
		cmocka_unit_test(test_build_id_mismatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
