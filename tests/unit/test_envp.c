// SPDX-License-Identifier: MIT
/*
 * test_envp.c - unit tests of preload/envp.c: what an exec'd child's environment becomes when
 * the program passes its own envp (empty, with another preload, already complete, with its
 * own XPROF_* values), that order and keys are kept, that small buffers fail whole, and that
 * LD_PRELOAD entries are matched exactly as ld.so splits them.
 *
 * Context: test program.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "envp.h"

#define LIB "/opt/xprof/lib/libxprof.so"

static const char *const ours[] = { "XPROF_OUT=/tmp/prof", "XPROF_RUN=r1", "XPROF_HZ=999",
				    NULL };

static char *out[32];
static char buf[256];

static int merge(char *const envp[])
{
	memset(out, 0xa5, sizeof(out));
	return envp_merge(envp, ours, LIB, out, 32, buf, sizeof(buf));
}

/* out must be exactly want[] (NULL-terminated), compared as strings. */
static void expect_env(int n, const char *const want[])
{
	int i;

	for (i = 0; want[i]; i++) {
		assert_non_null(out[i]);
		assert_string_equal(out[i], want[i]);
	}
	assert_int_equal(n, i);
	assert_null(out[i]);
}

static void test_empty(void **state)
{
	static const char *const want[] = { "LD_PRELOAD=" LIB, "XPROF_OUT=/tmp/prof",
					    "XPROF_RUN=r1", "XPROF_HZ=999", NULL };
	char *empty[] = { NULL };

	assert_int_equal(envp_count(NULL), 0);
	assert_int_equal(envp_count(empty), 0);
	assert_int_equal(envp_is_complete(NULL, ours, LIB), 0);
	assert_int_equal(envp_is_complete(empty, ours, LIB), 0);
	expect_env(merge(NULL), want);
	expect_env(merge(empty), want);
	/* The result is itself complete. */
	assert_int_equal(envp_is_complete(out, ours, LIB), 1);
}

static void test_other_preload(void **state)
{
	char *envp[] = { "PATH=/bin", "LD_PRELOAD=other.so", "HOME=/h", NULL };
	static const char *const want[] = { "PATH=/bin", "LD_PRELOAD=other.so:" LIB, "HOME=/h",
					    "XPROF_OUT=/tmp/prof", "XPROF_RUN=r1", "XPROF_HZ=999",
					    NULL };

	assert_int_equal(envp_is_complete(envp, ours, LIB), 0);
	expect_env(merge(envp), want);
	assert_ptr_equal(out[1], buf);
	/* The program's own array is untouched. */
	assert_string_equal(envp[1], "LD_PRELOAD=other.so");
}

static void test_empty_preload_value(void **state)
{
	char *envp[] = { "LD_PRELOAD=", "A=1", NULL };
	static const char *const want[] = { "LD_PRELOAD=" LIB, "A=1", "XPROF_OUT=/tmp/prof",
					    "XPROF_RUN=r1", "XPROF_HZ=999", NULL };

	expect_env(merge(envp), want);
}

static void test_complete(void **state)
{
	char *envp[] = { "XPROF_HZ=50",	       "LD_PRELOAD=a.so " LIB ":b.so",
			 "XPROF_RUN=mine",     "TERM=dumb",
			 "XPROF_OUT=/elsewhere", NULL };
	int n, i;

	assert_int_equal(envp_is_complete(envp, ours, LIB), 1);
	n = merge(envp);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++)
		assert_ptr_equal(out[i], envp[i]);
	assert_null(out[n]);
}

/* The child's own values win, with no duplicate key; order is kept. */
static void test_child_values_win(void **state)
{
	char *envp[] = { "Z=1", "XPROF_HZ=50", "A=2", "XPROF_HZ_X=3", NULL };
	static const char *const want[] = { "Z=1", "XPROF_HZ=50", "A=2", "XPROF_HZ_X=3",
					    "LD_PRELOAD=" LIB, "XPROF_OUT=/tmp/prof",
					    "XPROF_RUN=r1", NULL };

	assert_int_equal(envp_is_complete(envp, ours, LIB), 0);
	expect_env(merge(envp), want);
}

/* A name that is a prefix of ours (XPROF_H) or has ours as prefix is another key. */
static void test_key_prefix(void **state)
{
	char *envp[] = { "XPROF_H=1", "XPROF_HZZ=2", "XPROF_HZ", "LD_PRELOAD=" LIB, NULL };
	int n = merge(envp);

	assert_int_equal(n, 7);
	assert_string_equal(out[6], "XPROF_HZ=999");
}

/* Entries of ours that are malformed, repeated or LD_PRELOAD are not added. */
static void test_ours_filtered(void **state)
{
	static const char *const odd[] = { "XPROF_A=1", "NOEQUALS", "=v", "XPROF_A=2",
					   "LD_PRELOAD=/evil.so", NULL };
	static const char *const want[] = { "LD_PRELOAD=" LIB, "XPROF_A=1", NULL };
	int n = envp_merge(NULL, odd, LIB, out, 32, buf, sizeof(buf));

	expect_env(n, want);
	assert_int_equal(envp_is_complete(out, odd, LIB), 1);
	assert_int_equal(envp_merge(NULL, NULL, LIB, out, 32, buf, sizeof(buf)), 1);
}

static void test_nospace(void **state)
{
	char *envp[] = { "A=1", "B=2", NULL };
	char *pre[] = { "A=1", "LD_PRELOAD=other.so", NULL };
	char small[16];

	/* 2 + LD_PRELOAD + 3 ours + NULL = 7 slots. */
	assert_int_equal(envp_merge(envp, ours, LIB, out, 7, buf, sizeof(buf)), 6);
	assert_int_equal(envp_merge(envp, ours, LIB, out, 6, buf, sizeof(buf)), -ENOSPC);
	assert_int_equal(envp_merge(envp, ours, LIB, out, 3, buf, sizeof(buf)), -ENOSPC);
	assert_int_equal(envp_merge(envp, ours, LIB, out, 2, buf, sizeof(buf)), -ENOSPC);
	assert_int_equal(envp_merge(envp, ours, LIB, out, 0, buf, sizeof(buf)), -ENOSPC);
	/* The buffer must hold "LD_PRELOAD=" LIB and its NUL: 38 bytes. */
	assert_int_equal(envp_merge(envp, ours, LIB, out, 32, buf, 38), 6);
	assert_int_equal(envp_merge(envp, ours, LIB, out, 32, buf, 37), -ENOSPC);
	assert_int_equal(envp_merge(pre, ours, LIB, out, 32, small, sizeof(small)), -ENOSPC);
	assert_int_equal(envp_merge(envp, ours, LIB, out, 32, NULL, 0), -ENOSPC);
}

static void test_preload_split(void **state)
{
	char *sp[] = { "LD_PRELOAD=  a.so  " LIB "  ", NULL };
	char *colon[] = { "LD_PRELOAD=::a.so::" LIB, NULL };
	char *mixed[] = { "LD_PRELOAD=a.so: " LIB " :b.so", NULL };
	char *only[] = { "LD_PRELOAD=" LIB, NULL };
	char *older[] = { "LD_PRELOAD=" LIB ".old", NULL };
	char *longer[] = { "LD_PRELOAD=/x" LIB, NULL };
	char *tab[] = { "LD_PRELOAD=a.so\t" LIB, NULL };
	char *first[] = { "LD_PRELOAD=" LIB, "LD_PRELOAD=a.so", NULL };

	assert_int_equal(envp_is_complete(sp, NULL, LIB), 1);
	assert_int_equal(envp_is_complete(colon, NULL, LIB), 1);
	assert_int_equal(envp_is_complete(mixed, NULL, LIB), 1);
	assert_int_equal(envp_is_complete(only, NULL, LIB), 1);
	/* Prefixes and suffixes of an entry are other libraries. */
	assert_int_equal(envp_is_complete(older, NULL, LIB), 0);
	assert_int_equal(envp_is_complete(longer, NULL, LIB), 0);
	/* ld.so does not split on tabs. */
	assert_int_equal(envp_is_complete(tab, NULL, LIB), 0);
	/* ld.so uses the last LD_PRELOAD: that one is extended, in place. */
	assert_int_equal(envp_is_complete(first, NULL, LIB), 0);
	assert_int_equal(envp_merge(first, NULL, LIB, out, 32, buf, sizeof(buf)), 2);
	assert_string_equal(out[0], "LD_PRELOAD=" LIB);
	assert_string_equal(out[1], "LD_PRELOAD=a.so:" LIB);

	assert_int_equal(envp_merge(older, NULL, LIB, out, 32, buf, sizeof(buf)), 1);
	assert_string_equal(out[0], "LD_PRELOAD=" LIB ".old:" LIB);
	assert_int_equal(envp_merge(sp, NULL, LIB, out, 32, buf, sizeof(buf)), 1);
	assert_ptr_equal(out[0], sp[0]);
}

/* A library path that ld.so would split is refused rather than injected. */
static void test_bad_preload_path(void **state)
{
	assert_int_equal(envp_merge(NULL, ours, "/tmp/a:b/libxprof.so", out, 32, buf, 256),
			 -EINVAL);
	assert_int_equal(envp_merge(NULL, ours, "/tmp/a b/libxprof.so", out, 32, buf, 256),
			 -EINVAL);
	assert_int_equal(envp_merge(NULL, ours, "", out, 32, buf, 256), -EINVAL);
	assert_int_equal(envp_merge(NULL, ours, NULL, out, 32, buf, 256), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_other_preload),
		cmocka_unit_test(test_empty_preload_value),
		cmocka_unit_test(test_complete),
		cmocka_unit_test(test_child_values_win),
		cmocka_unit_test(test_key_prefix),
		cmocka_unit_test(test_ours_filtered),
		cmocka_unit_test(test_nospace),
		cmocka_unit_test(test_preload_split),
		cmocka_unit_test(test_bad_preload_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
