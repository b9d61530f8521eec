// SPDX-License-Identifier: MIT
/*
 * test_jitmap.c - analyzer/jitmap.c: perf map lines as perf reads them (hex with or without
 * 0x, names with blanks, CRLF, a last line without newline), every kind of bad line reported
 * with its line number and skipped while the rest is used; jitdump code loads and moves, and
 * a truncated, mis-sized, foreign-endian or foreign file reported with the record and its
 * offset; and the flattening rule: where entries overlap, the later one wins.
 *
 * Context: test program, analyzer library.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "jitmap.h"

static char msgs[32][600];
static size_t nmsgs;

static void warn(void *ctx, const char *msg)
{
	(void)ctx;
	if (nmsgs < 32)
		snprintf(msgs[nmsgs++], sizeof(msgs[0]), "%s", msg);
}

static struct strtab strs;
static struct jit_build b;
static struct jit_table t;

static int setup(void **state)
{
	(void)state;
	strtab_init(&strs);
	memset(&b, 0, sizeof(b));
	memset(&t, 0, sizeof(t));
	nmsgs = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	jit_build_fini(&b);
	jit_table_fini(&t);
	strtab_fini(&strs);
	return 0;
}

static struct jit_src src_named(const char *name)
{
	struct jit_src s = { name, 1, &strs, warn, NULL, 0 };

	return s;
}

/* The name of the segment holding addr, or NULL. */
static const char *name_at(uint64_t addr)
{
	const struct jit_seg *g = jit_table_find(&t, addr);

	return g ? strtab_get(&strs, g->name) : NULL;
}

static bool said(const char *part)
{
	for (size_t i = 0; i < nmsgs; i++)
		if (strstr(msgs[i], part))
			return true;
	return false;
}

static void test_perfmap_good(void **state)
{
	static const char map[] = "7f0000001000 40 JS:*alpha /app/a.js:3:19\n"
				  "0x00007f0000002000 0x0000000000000080 long Split.beta(long)\r\n"
				  "\n"
				  "7F0000003000 10 upper;case\tname  \n"
				  "7f0000004000 0 zero-size\n"
				  "7f0000005000 8 no-newline";
	struct jit_src src = src_named("m.map");

	(void)state;
	assert_int_equal(jit_parse_perfmap(&b, &src, map, sizeof(map) - 1), 4);
	assert_int_equal(src.bad, 0);
	jit_table_build(&t, &b);
	assert_string_equal(name_at(0x7f0000001000), "JS:*alpha /app/a.js:3:19");
	assert_string_equal(name_at(0x7f000000103f), "JS:*alpha /app/a.js:3:19");
	assert_null(name_at(0x7f0000001040));
	assert_string_equal(name_at(0x7f0000002040), "long Split.beta(long)");
	/* ';' would split a folded frame, a tab would break a table: both made harmless. */
	assert_string_equal(name_at(0x7f0000003000), "upper:case?name");
	assert_null(name_at(0x7f0000004000));
	assert_string_equal(name_at(0x7f0000005007), "no-newline");
	assert_int_equal(b.v[1].line, 2);
	assert_int_equal(b.v[2].line, 4);
}

static void test_perfmap_bad(void **state)
{
	static const char map[] = "1000 10 good_one\n"
				  "this is not a map line\n"
				  "12345\n"
				  "0x10 0x20\n"
				  "7f00\0\0 10 torn\n"
				  "ffffffffffffff00 200 wraps\n"
				  "11111111111111111111 10 too_big\n"
				  "zz 10 not_hex\n"
				  "2000 10 good_two\n";
	struct jit_src src = src_named("bad.map");

	(void)state;
	assert_int_equal(jit_parse_perfmap(&b, &src, map, sizeof(map) - 1), 2);
	jit_src_done(&src);
	assert_int_equal(src.bad, 7);
	/* The first JIT_SHOW_MAX are named by line, the rest counted. */
	assert_true(said("bad.map:2: not \"START SIZE NAME\" in hex: \"this is not a map line\""));
	assert_true(said("bad.map:3: not \"START SIZE NAME\""));
	assert_true(said("bad.map:4: "));
	assert_true(said("bad.map:5: NUL bytes"));
	assert_true(said("bad.map:6: 0xffffffffffffff00 + 0x200 runs past the end"));
	assert_false(said("bad.map:7:"));
	assert_true(said("bad.map: 2 more bad lines or records skipped"));
	jit_table_build(&t, &b);
	assert_string_equal(name_at(0x1000), "good_one");
	assert_string_equal(name_at(0x2000), "good_two");
}

/* Maps grow while the runtime runs: later lines override earlier ones where they overlap,
 * and an earlier entry shows through where the later one does not reach. */
static void test_later_wins(void **state)
{
	static const char map[] = "1000 100 outer_old\n"
				  "1040 20 inner_new\n"
				  "1000 10 head_new\n"
				  "2000 10 same\n"
				  "2000 10 same_again\n"
				  "3000 10 a\n"
				  "3010 10 b\n";
	struct jit_src src = src_named("grow.map");

	(void)state;
	assert_int_equal(jit_parse_perfmap(&b, &src, map, sizeof(map) - 1), 7);
	jit_table_build(&t, &b);
	assert_string_equal(name_at(0x1000), "head_new");
	assert_string_equal(name_at(0x100f), "head_new");
	assert_string_equal(name_at(0x1010), "outer_old");
	assert_string_equal(name_at(0x1040), "inner_new");
	assert_string_equal(name_at(0x105f), "inner_new");
	assert_string_equal(name_at(0x1060), "outer_old");
	assert_string_equal(name_at(0x10ff), "outer_old");
	assert_null(name_at(0x1100));
	assert_string_equal(name_at(0x2000), "same_again");
	assert_string_equal(name_at(0x300f), "a");
	assert_string_equal(name_at(0x3010), "b");
	assert_null(name_at(0xfff));
	assert_null(name_at(0x3020));
	/* Segments are disjoint and sorted. */
	for (size_t i = 1; i < t.n; i++)
		assert_true(t.v[i - 1].hi <= t.v[i].lo);
}

/* ---- jitdumps ---- */

static uint8_t dump[4096];
static size_t dlen;

static void put(const void *p, size_t n)
{
	assert_true(dlen + n <= sizeof(dump));
	memcpy(dump + dlen, p, n);
	dlen += n;
}

static void put32(uint32_t v)
{
	put(&v, 4);
}

static void put64(uint64_t v)
{
	put(&v, 8);
}

static void header(uint32_t magic)
{
	dlen = 0;
	put32(magic);
	put32(1);
	put32(40);
	put32(62);
	put32(0);
	put32(4242);
	put64(1);
	put64(0);
}

static void rec_load(uint64_t addr, uint64_t size, const char *name)
{
	size_t n = strlen(name) + 1;

	put32(0);
	put32((uint32_t)(16 + 40 + n + size));
	put64(2);
	put32(4242);
	put32(4243);
	put64(addr);
	put64(addr);
	put64(size);
	put64(7);
	put(name, n);
	for (uint64_t i = 0; i < size; i++)
		put("\xc3", 1);
}

static void rec_move(uint64_t from, uint64_t to, uint64_t size)
{
	put32(1);
	put32(16 + 48);
	put64(3);
	put32(4242);
	put32(4243);
	put64(to);
	put64(from);
	put64(to);
	put64(size);
	put64(7);
}

static void test_jitdump_good(void **state)
{
	struct jit_src src = src_named("j.dump");

	(void)state;
	header(0x4A695444u);
	rec_load(0x5000, 32, "jit_load");
	put32(2);		/* debug info: skipped by its size */
	put32(16 + 16);
	put64(4);
	put64(0x5000);
	put64(0);
	rec_load(0x6000, 16, "moved_fn");
	rec_move(0x6000, 0x7000, 16);
	put32(99);		/* a kind added later: skipped */
	put32(24);
	put64(5);
	put64(0);
	put32(3);		/* close: the end, whatever follows */
	put32(16);
	put64(6);
	put("garbage after close", 19);
	assert_int_equal(jit_parse_jitdump(&b, &src, dump, dlen), 3);
	assert_int_equal(src.bad, 0);
	jit_table_build(&t, &b);
	assert_string_equal(name_at(0x5000), "jit_load");
	assert_string_equal(name_at(0x501f), "jit_load");
	assert_null(name_at(0x5020));
	assert_string_equal(name_at(0x7000), "moved_fn");
	assert_int_equal(b.v[0].line, 1);	/* record numbers stand for lines */
	assert_int_equal(b.v[2].line, 4);
}

static void test_jitdump_bad(void **state)
{
	struct jit_src src = src_named("t.dump");
	size_t keep;

	(void)state;
	/* Truncated: the last record claims more than is left. */
	header(0x4A695444u);
	rec_load(0x5000, 32, "before_cut");
	keep = dlen;
	rec_load(0x6000, 64, "cut_off");
	assert_int_equal(jit_parse_jitdump(&b, &src, dump, keep + 30), 1);
	assert_true(said("t.dump: record 2 at 0x8b: truncated (128 bytes wanted, 30 left); rest "
			 "of file skipped"));
	/* A header cut short, a record size under its header, a move of unknown code, a name
	 * without its NUL, a short load. */
	assert_int_equal(jit_parse_jitdump(&b, &src, dump, keep + 7), 1);
	assert_true(said("record 2 at 0x8b: truncated (16-byte header wanted, 7 left)"));
	dlen = keep;
	put32(0);
	put32(8);
	put64(0);
	assert_int_equal(jit_parse_jitdump(&b, &src, dump, dlen), 1);
	assert_true(said("record 2 at 0x8b: bad size (8 bytes wanted"));
	jit_build_fini(&b);
	src = src_named("u.dump");
	nmsgs = 0;
	header(0x4A695444u);
	rec_move(0x9000, 0xa000, 16);
	put32(0);
	put32(16 + 40 + 4);
	put64(0);
	put32(1);
	put32(1);
	put64(0xb000);
	put64(0xb000);
	put64(16);
	put64(1);
	put("abcd", 4);	/* no NUL within the record */
	put32(0);
	put32(16 + 8);
	put64(0);
	put64(0);
	rec_load(0xc000, 8, "after_faults");
	assert_int_equal(jit_parse_jitdump(&b, &src, dump, dlen), 1);
	assert_true(said("u.dump: record 1 at 0x28: moves code at 0x9000 that no load named"));
	assert_true(said("u.dump: record 2 at 0x68: the code's name is not terminated"));
	assert_true(said("u.dump: record 3 at 0xa4: code load of 8 bytes, 40 wanted"));
	jit_table_build(&t, &b);
	assert_string_equal(name_at(0xc000), "after_faults");
}

static void test_jitdump_foreign(void **state)
{
	struct jit_src src = src_named("f.dump");

	(void)state;
	header(0x4454694Au);
	assert_int_equal(jit_parse_jitdump(&b, &src, dump, dlen), 0);
	assert_true(said("f.dump: a jitdump of the other byte order; file skipped"));
	header(0x12345678u);
	assert_int_equal(jit_parse_jitdump(&b, &src, dump, dlen), 0);
	assert_true(said("f.dump: not a jitdump (magic 0x12345678); file skipped"));
	assert_int_equal(jit_parse_jitdump(&b, &src, dump, 10), 0);
	assert_true(said("f.dump: 10 bytes, too short for a jitdump header"));
	header(0x4A695444u);
	assert_int_equal(jit_parse_jitdump(&b, &src, dump, 30), 0);
	assert_true(said("f.dump: header size 40 of a 30-byte file"));
	assert_int_equal(b.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_perfmap_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perfmap_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_later_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jitdump_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jitdump_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jitdump_foreign, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
