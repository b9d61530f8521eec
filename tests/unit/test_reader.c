// SPDX-License-Identifier: MIT
/*
 * test_reader.c - the .xpf reader against synthetic files: stack reconstruction through the
 * keep/delta encoding across interleaved blocks of two threads, a truncated file, a
 * bit-flipped block, a newer format version, huge length fields (clean error, bounded
 * memory), and random damage (never a crash).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "reader.h"
#include "synth.h"

#define NSTACKS	40
#define NSAMPLES 3000
#define T0	1000000000ull

static const struct reader_opts quiet = { .quiet = true };

/* Stack k (leaf first): shared root frames, then a k-dependent middle and leaf. */
static uint32_t make_stack(unsigned k, uint64_t *st)
{
	uint32_t depth = 3 + k % 17, i = 0;

	for (; i < depth; i++)
		st[depth - 1 - i] = 0x400000 + i * 0x40 + (i > depth / 2 ? k * 0x1000 : 0);
	return depth;
}

/* Two threads, samples alternating, so their blocks interleave. */
static void build_two_threads(struct synth *s, unsigned counts[2][NSTACKS])
{
	uint64_t st[64];

	synth_init(s, 100, 0, T0, T0 * 1000);
	synth_process(s, 100, T0 + 1, "/usr/bin/demo", "demo");
	memset(counts, 0, sizeof(unsigned) * 2 * NSTACKS);
	for (unsigned i = 0; i < NSAMPLES; i++) {
		unsigned th = i % 2, k = (i * 7 + i / 13) % NSTACKS;
		uint32_t d = make_stack(k, st);

		synth_sample(s, th ? 101 : 100, T0 + 10 + i * 1000, 1000000 + th, 0, st, d);
		counts[th][k]++;
	}
}

static uint64_t count_of(struct profile *p, uint32_t th, unsigned k)
{
	uint64_t st[64], root[64];
	uint32_t d = make_stack(k, st);
	size_t before = p->nstacks;
	uint32_t sid;

	for (uint32_t i = 0; i < d; i++)
		root[i] = st[d - 1 - i];
	sid = profile_stack(p, 0, profile_epoch(&p->procs[0], T0 + 10), 0, root, d);
	if (p->nstacks != before)
		return 0;	/* not there: interned now, counts nothing */
	for (size_t i = 0; i < p->naggs; i++)
		if (p->aggs[i].stack == sid && p->aggs[i].thread == th)
			return p->aggs[i].samples;
	return 0;
}

static void test_valid_interleaved(void **state)
{
	struct synth s;
	unsigned counts[2][NSTACKS];
	struct profile p;
	int interleave = 0;

	build_two_threads(&s, counts);
	for (size_t b = 2; b < s.nblocks; b++)
		interleave += synth_block(&s, b)->tid != synth_block(&s, b - 1)->tid;
	assert_true(s.nblocks > 6);
	assert_true(interleave >= 3);
	profile_init(&p);
	assert_int_equal(reader_parse(&p, "t.xpf", s.buf, synth_size(&s), &quiet), 0);
	assert_int_equal(p.nprocs, 1);
	assert_string_equal(prof_str(&p, p.procs[0].comm), "demo");
	assert_int_equal(p.nthreads, 2);
	assert_int_equal(p.threads[0].samples + p.threads[1].samples, NSAMPLES);
	for (uint32_t th = 0; th < 2; th++) {
		uint32_t ti = p.threads[th].tid == 100 ? 0 : 1;

		assert_int_equal(p.threads[th].sampled_ns,
				 (uint64_t)p.threads[th].samples * (1000000 + ti));
		for (unsigned k = 0; k < NSTACKS; k++)
			assert_int_equal(count_of(&p, th, k), counts[ti][k]);
	}
	assert_int_equal(p.faults, 0);
	profile_fini(&p);
	synth_free(&s);
}

static void test_truncated(void **state)
{
	struct synth s;
	unsigned counts[2][NSTACKS];
	struct profile p;
	size_t cut;

	build_two_threads(&s, counts);
	cut = synth_size(&s) / 2 + 100;	/* mid-block: a killed writer */
	profile_init(&p);
	assert_int_equal(reader_parse(&p, "t.xpf", s.buf, cut, &quiet), 1);
	assert_true(p.faults >= 1);
	assert_true(p.threads[0].samples + p.threads[1].samples > NSAMPLES / 4);
	assert_true(p.threads[0].samples + p.threads[1].samples < NSAMPLES);
	profile_fini(&p);
	synth_free(&s);
}

static void test_bitflip_block(void **state)
{
	struct synth s;
	unsigned counts[2][NSTACKS];
	struct profile p;
	uint64_t total;

	build_two_threads(&s, counts);
	s.buf[3 * XPF_BLOCK_SIZE] ^= 0x10;	/* block 3's magic */
	profile_init(&p);
	assert_int_equal(reader_parse(&p, "t.xpf", s.buf, synth_size(&s), &quiet), 1);
	assert_int_equal(p.faults, 1);
	total = p.threads[0].samples + p.threads[1].samples;
	assert_true(total < NSAMPLES && total > NSAMPLES / 2);
	profile_fini(&p);
	synth_free(&s);
}

static void test_newer_version(void **state)
{
	struct synth s;
	struct profile p;

	synth_init(&s, 7, 0, T0, T0);
	synth_hdr(&s)->version = XPF_VERSION + 1;
	profile_init(&p);
	assert_int_equal(reader_parse(&p, "new.xpf", s.buf, synth_size(&s), &quiet), -ENOTSUP);
	assert_int_equal(p.nprocs, 0);
	profile_fini(&p);
	synth_hdr(&s)->version = XPF_VERSION;
	memcpy(synth_hdr(&s)->magic, "NOTXPROF", 8);
	profile_init(&p);
	assert_int_equal(reader_parse(&p, "bad.xpf", s.buf, synth_size(&s), &quiet), -EINVAL);
	assert_int_equal(reader_parse(&p, "short.xpf", s.buf, 100, &quiet), -EINVAL);
	profile_fini(&p);
	synth_free(&s);
}

/* A raw record: tag, then a length field as given, then payload bytes. */
static void raw_record(struct synth *s, int32_t tid, const uint8_t *r, size_t n)
{
	struct synth_thread *t = synth_thread(s, tid);
	struct xpf_block_header *b;

	synth_new_block(s, t, T0);
	b = synth_block(s, t->blk);
	memcpy((uint8_t *)b + sizeof(*b), r, n);
	b->used = (uint32_t)n;
}

static void test_huge_lengths(void **state)
{
	static const uint8_t huge_len[] = { XPF_REC_MAP, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
					    0x80, 0x80, 0x10, 0 };
	/* Sample claiming 2^40 new frames, and a MAP whose string claims 2^35 bytes. */
	static const uint8_t huge_n[] = { XPF_REC_SAMPLE, 8, 0, 1, 0, 0, 0x80, 0x80, 0x80, 0x80 };
	static const uint8_t huge_str[] = { XPF_REC_MAP, 9, 0, 0, 1, 2, 0x80, 0x80, 0x80, 0x80,
					    0x01 };
	struct synth s;
	struct profile p;

	synth_init(&s, 9, 0, T0, T0);
	raw_record(&s, 9, huge_len, sizeof(huge_len));
	raw_record(&s, 10, huge_n, sizeof(huge_n));
	raw_record(&s, 11, huge_str, sizeof(huge_str));
	synth_hdr(&s)->blocks_used = 1ull << 60;	/* a lie: read what is there */
	profile_init(&p);
	assert_int_equal(reader_parse(&p, "huge.xpf", s.buf, synth_size(&s), &quiet), 1);
	assert_true(p.faults >= 4);
	assert_int_equal(p.naddrs, 0);
	assert_int_equal(p.procs[0].nmods, 0);
	profile_fini(&p);
	synth_free(&s);
}

/* Random damage anywhere: the reader must neither crash nor loop, whatever it says. */
static void test_random_damage(void **state)
{
	struct synth s;
	unsigned counts[2][NSTACKS];
	uint8_t *copy;
	unsigned seed = 12345;

	build_two_threads(&s, counts);
	copy = malloc(synth_size(&s));
	for (int round = 0; round < 300; round++) {
		struct profile p;
		int r;

		memcpy(copy, s.buf, synth_size(&s));
		for (int k = 0; k < 1 + round % 20; k++) {
			seed = seed * 1103515245 + 12345;
			copy[(seed >> 4) % synth_size(&s)] ^= (uint8_t)(1u << (seed % 8));
		}
		profile_init(&p);
		r = reader_parse(&p, "rnd.xpf", copy, synth_size(&s) - (round % 7) * 333, &quiet);
		assert_true(r == 0 || r == 1 || r < 0);
		profile_fini(&p);
	}
	free(copy);
	synth_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_interleaved),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bitflip_block),
		cmocka_unit_test(test_newer_version),
		cmocka_unit_test(test_huge_lengths),
		cmocka_unit_test(test_random_damage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
