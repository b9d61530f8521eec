// SPDX-License-Identifier: MIT
/*
 * test_jitpre.c - the preload's JIT parts, run inside the test program: which /proc/self/maps
 * lines are JIT memory (jitmem_parse_line); the table of executable ranges as its region
 * records show it (adjacent and overlapping ranges merge, disjoint ones stay apart, memory
 * mapped past the interposers is found at the end); a perf map kept at the image's end (its
 * copy's name and bytes, stale when unchanged since the start, flagged when it predates the
 * image); and how XPROF_JIT extends a runtime's option variable (jitenv_extend: appended,
 * never replaced, left alone when the user decided).
 *
 * Context: test program; links the preload objects it needs, not the library's constructor.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#include "xprof-int.h"

static int line_is_jit(const char *s, uintptr_t *lo, uintptr_t *hi)
{
	return jitmem_parse_line(s, strlen(s), lo, hi);
}

static void test_maps_lines(void **state)
{
	uintptr_t lo = 0, hi = 0;

	(void)state;
	assert_true(line_is_jit("7f4aa8000000-7f4aa8040000 rwxp 00000000 00:00 0 ", &lo, &hi));
	assert_int_equal(lo, 0x7f4aa8000000);
	assert_int_equal(hi, 0x7f4aa8040000);
	assert_true(line_is_jit("1000-2000 r-xp 00000000 00:00 0", &lo, &hi));
	assert_true(line_is_jit("1000-2000 r-xp 00000000 00:00 0          [anon:v8 code]", &lo,
				&hi));
	assert_true(line_is_jit("1000-2000 r-xs 00000000 00:01 4242       /memfd:doublemap "
				"(deleted)", &lo, &hi));
	/* Not executable, a file, the kernel's own, or not a line at all. */
	assert_false(line_is_jit("1000-2000 rw-p 00000000 00:00 0", &lo, &hi));
	assert_false(line_is_jit("1000-2000 r-xp 00002000 08:01 131 /usr/lib/libc.so.6", &lo,
				 &hi));
	assert_false(line_is_jit("1000-2000 r-xp 00000000 00:00 0          [vdso]", &lo, &hi));
	assert_false(line_is_jit("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 "
				 "[vsyscall]", &lo, &hi));
	assert_false(line_is_jit("2000-1000 r-xp 00000000 00:00 0", &lo, &hi));
	assert_false(line_is_jit("1000-2000", &lo, &hi));
	assert_false(line_is_jit("", &lo, &hi));
	assert_false(line_is_jit("garbage r-xp", &lo, &hi));
	/* An inode that merely starts with 0 is a file. */
	assert_false(line_is_jit("1000-2000 r-xp 00000000 08:01 0123 /x", &lo, &hi));
}

/* ---- regions and files through real records --------------------------------------- */


static int setup(void **state)
{
	(void)state;
	assert_int_equal(outdir_make("jit", 16), 0);
	/* A pid no process has: the test's perf map must not be anyone's. */
	xp.pid = 0x7ffffff0;
	return outdir_begin();
}

static struct xp_thread *thread_new(void)
{
	return fixture_thread(16, 4243);
}

struct found {
	uint64_t lo[64], hi[64], how[64];
	size_t nregions;
	uint64_t kind, state, flags, err, bytes;
	char copy[256], source[256];
	size_t nfiles;
};

/* Decodes the thread's JIT records (tags 18 and 19) from its current block. */
static void find_records(const struct xp_thread *t, struct found *f)
{
	const uint8_t *p = (const uint8_t *)(t->blk + 1), *end = p + t->blk->used;

	memset(f, 0, sizeof(*f));
	while (p < end) {
		uint8_t tag = *p++;
		uint64_t len = 0, v = 0, n = 0;
		const uint8_t *q;

		p += xpf_get_uleb(p, end, &len);
		q = p;
		p += len;
		q += xpf_get_uleb(q, p, &v);	/* dt */
		if (tag == XPF_REC_JIT_REGION && f->nregions < 64) {
			q += xpf_get_uleb(q, p, &f->lo[f->nregions]);
			q += xpf_get_uleb(q, p, &f->hi[f->nregions]);
			q += xpf_get_uleb(q, p, &f->how[f->nregions]);
			f->nregions++;
		} else if (tag == XPF_REC_JIT_FILE) {
			q += xpf_get_uleb(q, p, &f->kind);
			q += xpf_get_uleb(q, p, &f->state);
			q += xpf_get_uleb(q, p, &f->flags);
			q += xpf_get_uleb(q, p, &f->err);
			q += xpf_get_uleb(q, p, &f->bytes);
			q += xpf_get_uleb(q, p, &n);
			memcpy(f->copy, q, n < 255 ? n : 255);
			q += n;
			q += xpf_get_uleb(q, p, &n);
			memcpy(f->source, q, n < 255 ? n : 255);
			f->nfiles++;
		}
	}
}

static bool has_region(const struct found *f, uint64_t lo, uint64_t hi, uint64_t how)
{
	for (size_t i = 0; i < f->nregions; i++)
		if (f->lo[i] == lo && f->hi[i] == hi && f->how[i] == how)
			return true;
	return false;
}

/* Adjacent and overlapping ranges merge into one, disjoint ones stay apart; memory the
 * interposers never saw is found in /proc/self/maps at the end. */
static void test_regions(void **state)
{
	struct xp_thread *t = thread_new();
	static struct found f;
	void *raw;

	(void)state;
	xp.active = 1;
	jitfile_start();
	assert_false(jitmem_any());
	jitmem_note(0x10000, 0x11000);
	assert_true(jitmem_any());
	jitmem_note(0x11000, 0x12000);	/* adjacent above */
	jitmem_note(0xf000, 0x10000);	/* adjacent below */
	jitmem_note(0x11800, 0x13000);	/* overlapping */
	jitmem_note(0x10100, 0x10200);	/* inside */
	jitmem_note(0x40000, 0x41000);	/* apart */
	jitmem_note(0x50000, 0x50000);	/* empty */
	/* Past the interposers (a raw system call), as a runtime's own mmap would be. */
	raw = (void *)syscall(SYS_mmap, NULL, 8192, PROT_READ | PROT_EXEC,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(raw != MAP_FAILED);
	t->busy = 1;
	jitfile_end(t);
	t->busy = 0;
	find_records(t, &f);
	assert_true(has_region(&f, 0xf000, 0x13000, XPF_JIT_SEEN));
	assert_true(has_region(&f, 0x40000, 0x41000, XPF_JIT_SEEN));
	assert_true(has_region(&f, (uintptr_t)raw, (uintptr_t)raw + 8192, XPF_JIT_MAPPED));
	assert_int_equal(f.nfiles, 0);	/* no perf map: no file record */
	syscall(SYS_munmap, raw, 8192);
	xp.active = 0;
	free(t);
}

/* A perf map that appears during the image is copied beside the run's file, under a name
 * that holds the image's block index and pid. */
static void test_map_kept(void **state)
{
	struct xp_thread *t = thread_new();
	static const char text[] = "1000 10 jit_fn\n";
	char map[64], copy[600], want[128], back[64];
	static struct found f;
	int fd;

	(void)state;
	snprintf(map, sizeof(map), "/tmp/perf-%d.map", (int)xp.pid);
	unlink(map);
	jitfile_start();		/* none at start */
	fd = open(map, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	t->busy = 1;
	jitfile_end(t);
	t->busy = 0;
	find_records(t, &f);
	assert_int_equal(f.nfiles, 1);
	assert_int_equal(f.kind, XPF_JIT_PERF_MAP);
	assert_int_equal(f.state, XPF_JIT_KEPT);
	assert_int_equal(f.flags, 0);
	assert_int_equal(f.bytes, sizeof(text) - 1);
	assert_string_equal(f.source, map);
	snprintf(want, sizeof(want), "host.0123abcd.%u.perf-%d.map", xp.image, (int)xp.pid);
	assert_string_equal(f.copy, want);
	snprintf(copy, sizeof(copy), "%s/run1/%s", dir, f.copy);
	fd = open(copy, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, back, sizeof(back)), (ssize_t)(sizeof(text) - 1));
	close(fd);
	assert_memory_equal(back, text, sizeof(text) - 1);

	/* The next image of this pid finds it there and never touches it: stale, not copied.
	 * One that rewrites it: copied, flagged as having been there before. */
	jitfile_start();
	t->blk->used = 0;
	t->busy = 1;
	jitfile_end(t);
	t->busy = 0;
	find_records(t, &f);
	assert_int_equal(f.state, XPF_JIT_STALE);
	assert_string_equal(f.copy, "");
	jitfile_start();
	fd = open(map, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	t->blk->used = 0;
	t->busy = 1;
	jitfile_end(t);
	t->busy = 0;
	find_records(t, &f);
	assert_int_equal(f.state, XPF_JIT_KEPT);
	assert_int_equal(f.flags, XPF_JF_PREDATES);
	assert_int_equal(f.bytes, 2 * (sizeof(text) - 1));
	unlink(map);
	free(t);
}

static const char *const node_add[] = { "--perf-basic-prof", NULL };
static const char *const node_decided[] = { "--perf-basic-prof", "--no-perf-basic-prof",
					    "--perf-basic-prof-only-functions", "--perf-prof",
					    NULL };
static const char *const java_add[] = { "-XX:+UnlockDiagnosticVMOptions",
					"-XX:+DumpPerfMapAtExit", NULL };
static const char *const java_decided[] = { "-XX:+DumpPerfMapAtExit", "-XX:-DumpPerfMapAtExit",
					    NULL };

static void test_env_extend(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(jitenv_extend(NULL, node_add, node_decided, out, sizeof(out)), 1);
	assert_string_equal(out, "--perf-basic-prof");
	assert_int_equal(jitenv_extend("", node_add, node_decided, out, sizeof(out)), 1);
	assert_string_equal(out, "--perf-basic-prof");
	/* Extended, never replaced: the program's options stay first and whole. */
	assert_int_equal(jitenv_extend("--max-old-space-size=100 --trace-warnings", node_add,
				       node_decided, out, sizeof(out)), 1);
	assert_string_equal(out, "--max-old-space-size=100 --trace-warnings --perf-basic-prof");
	/* Decided already, either way: left alone. */
	assert_int_equal(jitenv_extend("--perf-basic-prof", node_add, node_decided, out,
				       sizeof(out)), 0);
	assert_int_equal(jitenv_extend("--x --no-perf-basic-prof", node_add, node_decided, out,
				       sizeof(out)), 0);
	assert_int_equal(jitenv_extend("-XX:-DumpPerfMapAtExit", java_add, java_decided, out,
				       sizeof(out)), 0);
	/* A word that only contains the flag is another word. */
	assert_int_equal(jitenv_extend("--perf-basic-profX", node_add, node_decided, out,
				       sizeof(out)), 1);
	assert_string_equal(out, "--perf-basic-profX --perf-basic-prof");
	/* Each missing word, in order; one already there is not repeated. */
	assert_int_equal(jitenv_extend("-Xmx1g", java_add, java_decided, out, sizeof(out)), 1);
	assert_string_equal(out, "-Xmx1g -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit");
	assert_int_equal(jitenv_extend("-XX:+UnlockDiagnosticVMOptions\t-Xss2m", java_add,
				       java_decided, out, sizeof(out)), 1);
	assert_string_equal(out, "-XX:+UnlockDiagnosticVMOptions\t-Xss2m -XX:+DumpPerfMapAtExit");
	/* No room: refused, the caller leaves the variable as it is. */
	assert_int_equal(jitenv_extend("-Xmx1g", java_add, java_decided, out, 20), -ENOSPC);
	assert_int_equal(jitenv_extend(NULL, node_add, node_decided, out, 5), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_lines),
		cmocka_unit_test_setup_teardown(test_regions, setup, outdir_teardown),
		cmocka_unit_test_setup_teardown(test_map_kept, setup, outdir_teardown),
		cmocka_unit_test(test_env_extend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
