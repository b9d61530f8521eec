// SPDX-License-Identifier: MIT
/*
 * test_record.c - the writer's record and block code (preload/record.c, preload/out.c):
 * samples written through rec_sample() come back, decoded with nothing but the format
 * header, as the same stacks, weights and flags; blocks chain by seq with cumulative
 * counters; a full file stops profiling and counts the drop instead of faulting.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#include "xprof-format.h"
#include "xprof-int.h"

#define DEPTH 128


static struct xp_thread *thread_new(void)
{
	return fixture_thread(DEPTH, 4242);
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(outdir_make("record", DEPTH), 0);
	return outdir_begin();
}

/* A minimal reader: walks thread 4242's blocks in seq order and rebuilds its samples. */
struct decoded {
	uint64_t weight[4096];
	unsigned flags[4096];
	uint32_t n[4096];
	uintptr_t frames[4096][DEPTH];
	size_t count;
	uint32_t blocks;
	const struct xpf_block_header *last;
};

static const struct xpf_block_header *block_at(uint64_t i)
{
	uint8_t *seg = atomic_load(&xp.seg[i / XP_SEG_BLOCKS]);

	return (const struct xpf_block_header *)(seg + (i % XP_SEG_BLOCKS) * XPF_BLOCK_SIZE);
}

static void decode_block(const struct xpf_block_header *b, struct decoded *d)
{
	const uint8_t *p = (const uint8_t *)(b + 1), *end = p + b->used;
	uintptr_t prev[DEPTH];
	uint32_t pn = 0;

	while (p < end) {
		uint8_t tag = *p++;
		uint64_t len = 0, v = 0, keep = 0, nnew = 0;
		const uint8_t *q;

		p += xpf_get_uleb(p, end, &len);
		q = p;
		p += len;
		if (tag != XPF_REC_SAMPLE)
			continue;
		q += xpf_get_uleb(q, p, &v);			/* dt */
		q += xpf_get_uleb(q, p, &d->weight[d->count]);
		q += xpf_get_uleb(q, p, &v);
		d->flags[d->count] = (unsigned)v;
		q += xpf_get_uleb(q, p, &keep);
		q += xpf_get_uleb(q, p, &nnew);
		uintptr_t *f = d->frames[d->count], a = 0;

		for (uint64_t i = 0; i < nnew; i++) {
			int64_t delta = 0;

			q += xpf_get_sleb(q, p, &delta);
			a += (uintptr_t)delta;
			f[i] = a;
		}
		assert_true(keep <= pn);
		memcpy(f + nnew, prev + pn - keep, keep * sizeof(*f));
		d->n[d->count] = (uint32_t)(nnew + keep);
		memcpy(prev, f, d->n[d->count] * sizeof(*f));
		pn = d->n[d->count];
		assert_ptr_equal(q, p);
		d->count++;
	}
}

static void decode(struct decoded *d)
{
	uint64_t used = xp.fhdr->blocks_used;

	memset(d, 0, sizeof(*d));
	for (uint32_t seq = 0;; seq++) {
		const struct xpf_block_header *found = NULL;

		for (uint64_t i = 1; i < used && i < xp.max_blocks; i++) {
			const struct xpf_block_header *b = block_at(i);

			if (b->magic == XPF_BLOCK_MAGIC && b->tid == 4242 && b->seq == seq &&
			    b->image == xp.image)
				found = b;
		}
		if (!found)
			return;
		decode_block(found, d);
		d->blocks++;
		d->last = found;
	}
}

static void stack_of(uintptr_t *f, uint32_t n, unsigned seed)
{
	for (uint32_t i = 0; i < n; i++)	/* root end shared, leaf end varies */
		f[i] = 0x555500001000u + (i < 3 ? seed * 0x40 + i : 0x100000u * (n - i));
}

static void test_roundtrip_keeps_stacks(void **state)
{
	static struct decoded d;
	struct xp_thread *t = thread_new();
	uintptr_t f[DEPTH];

	(void)state;
	for (unsigned i = 0; i < 500; i++) {
		uint32_t n = 5 + i % 40;

		stack_of(f, n, i % 7);
		rec_sample(t, 1000 + i, 1000000 + i, XPF_SF_LEAF_EXACT, f, n, 0);
	}
	decode(&d);
	assert_int_equal(d.count, 500);
	assert_true(d.blocks > 1);	/* crossed blocks: each one decodes on its own */
	for (unsigned i = 0; i < 500; i++) {
		uint32_t n = 5 + i % 40;

		stack_of(f, n, i % 7);
		assert_int_equal(d.n[i], n);
		assert_memory_equal(d.frames[i], f, n * sizeof(*f));
		assert_int_equal(d.weight[i], 1000000 + i);
		assert_int_equal(d.flags[i], XPF_SF_LEAF_EXACT);
	}
	assert_int_equal(d.last->samples, 500);
	/* delta encoding: well under perf's 311 bytes per sample */
	assert_true((uint64_t)d.blocks * XPF_BLOCK_SIZE / 500 < 100);
	free(t);
}

static void test_drops_are_counted_in_block_header(void **state)
{
	static struct decoded d;
	struct xp_thread *t = thread_new();
	uintptr_t f[4] = { 1, 2, 3, 4 };

	(void)state;
	rec_sample(t, 1, 10, 0, f, 4, 0);
	rec_drop(t, XPF_DROP_LOADER, 700);
	rec_drop(t, XPF_DROP_LOADER, 300);
	rec_drop(t, XPF_DROP_BUSY, 5);
	decode(&d);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.last->dropped[XPF_DROP_LOADER], 2);
	assert_int_equal(d.last->dropped[XPF_DROP_BUSY], 1);
	assert_int_equal(d.last->dropped_ns, 1005);
	free(t);
}

static void test_deep_stack_truncated_to_block(void **state)
{
	static struct decoded d;
	struct xp_thread *t = thread_new();
	uintptr_t f[DEPTH];

	(void)state;
	for (uint32_t i = 0; i < DEPTH; i++)	/* far apart: 5+ bytes per delta */
		f[i] = (uintptr_t)0x7f0000000000ull + ((uintptr_t)i << 36) % 0x7ffffffffull * 977;
	rec_sample(t, 1, 1, 0, f, DEPTH, 0);
	decode(&d);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.n[0], DEPTH);	/* 128 frames fit in one block */
	assert_memory_equal(d.frames[0], f, DEPTH * sizeof(*f));
	free(t);
}

static void test_full_file_stops_and_counts(void **state)
{
	struct xp_thread *t = thread_new();
	uintptr_t f[DEPTH];
	(void)state;
	/* out_stop() would say so once on stderr: marked said, to keep the output clean. */
	atomic_store(&xp.stop_said, 1);
	for (unsigned i = 0; i < 20000 && !atomic_load(&xp.stopped); i++) {
		stack_of(f, 60, i);
		rec_sample(t, i, 1, 0, f, 60, 0);
	}
	assert_int_not_equal(atomic_load(&xp.stopped), 0);
	rec_sample(t, 1, 77, 0, f, 60, 0);
	assert_true(t->dropped[XPF_DROP_NOSPACE] >= 1);
	assert_true(xp.img->blocks_lost >= 1);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_keeps_stacks, setup, outdir_teardown),
		cmocka_unit_test_setup_teardown(test_drops_are_counted_in_block_header, setup,
						outdir_teardown),
		cmocka_unit_test_setup_teardown(test_deep_stack_truncated_to_block, setup, outdir_teardown),
		cmocka_unit_test_setup_teardown(test_full_file_stops_and_counts, setup, outdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
