// SPDX-License-Identifier: MIT
/*
 * test_offcpu_rec.c - the off-CPU writer (preload/offcpu.c, sched.c, record.c): the time-sampling
 * accumulator gives every blocked ns to exactly one record (or keeps it for the next) with
 * a bounded number of records; OFFCPU records decode, with nothing but the format header,
 * to the weights, calls, flags and stacks written, their `keep` chained to the previous
 * OFFCPU record only, SAMPLE records' chain untouched between them; OFFCPU_CALLS and SCHED
 * records hold the totals and the kernel's figures; the schedstat and status parsers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#include "xprof-format.h"
#include "xprof-int.h"

#define DEPTH 64
#define MS 1000000ull
#define US 1000ull

/* ---- the accumulator ---- */

struct weigh_run {
	uint64_t total, written, records, one_call, longest_sampled;
};

/* Feeds n durations from next() through offcpu_weigh; checks each record as it comes. */
static struct weigh_run weigh_all(uint64_t (*next)(unsigned i), unsigned n, uint64_t one_min,
				  uint64_t period, uint64_t *acc)
{
	struct weigh_run r = { 0 };

	*acc = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t d = next(i), w;
		unsigned flags = 0xff;

		r.total += d;
		w = offcpu_weigh(acc, d, one_min, period, &flags);
		if (!w) {
			assert_true(d < one_min);
			assert_true(*acc < period);
			continue;
		}
		r.records++;
		r.written += w;
		if (flags == XPF_SF_ONE_CALL) {
			assert_int_equal(w, d);
			assert_true(d >= one_min);
			r.one_call++;
		} else {
			assert_int_equal(flags, 0);
			assert_true(w >= period);
			assert_int_equal(*acc, 0);
			if (w > r.longest_sampled)
				r.longest_sampled = w;
		}
	}
	return r;
}

static uint64_t lcg = 12345;

static uint64_t mixed(unsigned i)
{
	lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
	if (i % 97 == 0)
		return 2 * MS + (lcg >> 40) % (50 * MS);	/* now and then a long one */
	return 1 + (lcg >> 33) % (900 * US);
}

static uint64_t storm(unsigned i)
{
	(void)i;
	return 5 * US;
}

/* Every blocked ns is in a record or still in the accumulator; records are bounded by
 * blocked time / period plus the long calls. */
static void test_weigh_adds_up(void **state)
{
	uint64_t acc;
	struct weigh_run r = weigh_all(mixed, 200000, 1 * MS, 1 * MS, &acc);

	(void)state;
	assert_int_equal(r.written + acc, r.total);
	assert_true(acc < 1 * MS);
	assert_true(r.one_call >= 200000 / 97 - 1);
	assert_true(r.records <= r.total / MS + 1);
	/* a time-sampled record is at most one period plus the last short block */
	assert_true(r.longest_sampled < 1 * MS + 900 * US);
}

/* 100,000 blocks of 5 us (half a second blocked): 500 records at a 1 ms period, none of
 * them a call of its own. */
static void test_weigh_storm(void **state)
{
	uint64_t acc;
	struct weigh_run r = weigh_all(storm, 100000, 1 * MS, 1 * MS, &acc);

	(void)state;
	assert_int_equal(r.total, 500 * MS);
	assert_int_equal(r.records, 500);
	assert_int_equal(r.one_call, 0);
	assert_int_equal(r.written + acc, r.total);
}

/* Coarse-timed calls: one_min is two ticks; a one-tick block is time-sampled even when the
 * period is shorter than a tick (one record per tick, weight = the tick). */
static void test_weigh_coarse(void **state)
{
	uint64_t acc = 0;
	unsigned flags;

	(void)state;
	assert_int_equal(offcpu_weigh(&acc, 4 * MS, 8 * MS, 1 * MS, &flags), 4 * MS);
	assert_int_equal(flags, 0);
	assert_int_equal(offcpu_weigh(&acc, 8 * MS, 8 * MS, 1 * MS, &flags), 8 * MS);
	assert_int_equal(flags, XPF_SF_ONE_CALL);
	assert_int_equal(acc, 0);
}

/* ---- records ---- */


static struct xp_thread *thread_new(void)
{
	return fixture_thread(DEPTH, 4343);
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(outdir_make("offcpu", DEPTH), 0);
	xp.offcpu = 1;
	return outdir_begin();
}

/* One decoded stack record (SAMPLE or OFFCPU) with its full stack rebuilt. */
struct rec {
	unsigned tag, call, flags;
	uint64_t weight;
	uint32_t keep, n;
	uintptr_t f[DEPTH];
};

/* Decodes the stack records of block b, each kind with its own chain. */
static size_t decode(const struct xpf_block_header *b, struct rec *out, size_t cap,
		     uint64_t *calls_rec, size_t ncalls, uint64_t *sched)
{
	const uint8_t *p = (const uint8_t *)(b + 1), *end = p + b->used;
	uintptr_t prev[2][DEPTH];
	uint32_t pn[2] = { 0, 0 };
	size_t count = 0;

	while (p < end && *p) {
		unsigned tag = *p++, k;
		uint64_t len = 0, v = 0, dt = 0;
		const uint8_t *q, *stop;

		k = xpf_get_uleb(p, end, &len);
		assert_true(k > 0);
		q = p + k;
		stop = q + len;
		p = stop;
		q += xpf_get_uleb(q, stop, &dt);
		if (tag == XPF_REC_OFFCPU_CALLS) {
			for (size_t i = 0; i < ncalls && q < stop; i++)
				q += xpf_get_uleb(q, stop, &calls_rec[i]);
			continue;
		}
		if (tag == XPF_REC_SCHED) {
			for (size_t i = 0; i < 6 && q < stop; i++)
				q += xpf_get_uleb(q, stop, &sched[i]);
			continue;
		}
		if (tag != XPF_REC_SAMPLE && tag != XPF_REC_OFFCPU)
			continue;
		assert_true(count < cap);
		struct rec *r = &out[count++];
		int kind = tag == XPF_REC_OFFCPU;
		uintptr_t a = 0, mine[DEPTH];
		uint32_t nnew;
		int64_t d = 0;

		r->tag = tag;
		q += xpf_get_uleb(q, stop, &r->weight);
		r->call = 0;
		if (kind) {
			q += xpf_get_uleb(q, stop, &v);
			r->call = (unsigned)v;
		}
		r->flags = *q++;
		q += xpf_get_uleb(q, stop, &v);
		r->keep = (uint32_t)v;
		q += xpf_get_uleb(q, stop, &v);
		nnew = (uint32_t)v;
		for (uint32_t i = 0; i < nnew; i++) {
			q += xpf_get_sleb(q, stop, &d);
			a += (uintptr_t)d;
			mine[i] = a;
		}
		assert_true(r->keep <= pn[kind]);
		for (uint32_t i = 0; i < r->keep; i++)
			mine[nnew + i] = prev[kind][pn[kind] - r->keep + i];
		r->n = nnew + r->keep;
		memcpy(r->f, mine, r->n * sizeof(mine[0]));
		memcpy(prev[kind], mine, r->n * sizeof(mine[0]));
		pn[kind] = r->n;
	}
	return count;
}

/* OFFCPU records between SAMPLE records: each kind shares frames with its own previous
 * record only, and everything comes back as written. */
static void test_offcpu_records(void **state)
{
	struct xp_thread *t = thread_new();
	static const uintptr_t s1[] = { 0x1010, 0x2020, 0x3030, 0x4040 };
	static const uintptr_t o1[] = { 0x5050, 0x2020, 0x3030, 0x4040 };
	static const uintptr_t s2[] = { 0x1111, 0x2020, 0x3030, 0x4040 };
	static const uintptr_t o2[] = { 0x6060, 0x2020, 0x3030, 0x4040 };
	static struct rec got[8];
	uint64_t sched[6] = { 0 }, calls[1] = { 0 };
	size_t n;

	(void)state;
	xp_self = t;
	rec_sample(t, 1000, 111, XPF_SF_LEAF_EXACT, s1, 4, 0);
	rec_offcpu(t, 2000, 300 * MS, XPF_CALL_READ, XPF_SF_ONE_CALL, o1, 4, 0);
	rec_sample(t, 3000, 222, XPF_SF_LEAF_EXACT, s2, 4, 0);
	rec_offcpu(t, 4000, 1 * MS, XPF_CALL_MUTEX_LOCK, 0, o2, 4, 0);
	n = decode(t->blk, got, 8, calls, 0, sched);
	assert_int_equal(n, 4);
	assert_int_equal(got[0].tag, XPF_REC_SAMPLE);
	assert_int_equal(got[0].weight, 111);
	assert_int_equal(got[1].tag, XPF_REC_OFFCPU);
	assert_int_equal(got[1].weight, 300 * MS);
	assert_int_equal(got[1].call, XPF_CALL_READ);
	assert_int_equal(got[1].flags, XPF_SF_ONE_CALL);
	assert_int_equal(got[1].keep, 0);	/* the first OFFCPU: never chained to a SAMPLE */
	assert_memory_equal(got[1].f, o1, sizeof(o1));
	assert_int_equal(got[2].keep, 3);	/* SAMPLE after SAMPLE s1 */
	assert_memory_equal(got[2].f, s2, sizeof(s2));
	assert_int_equal(got[3].call, XPF_CALL_MUTEX_LOCK);
	assert_int_equal(got[3].flags, 0);
	assert_int_equal(got[3].keep, 3);	/* OFFCPU after OFFCPU o1 */
	assert_memory_equal(got[3].f, o2, sizeof(o2));
	assert_int_equal(t->samples, 2);	/* OFFCPU records are not CPU samples */
	xp_self = NULL;
	free(t);
}

/* OFFCPU_CALLS holds one entry per call made, with the exact totals; SCHED the calling
 * thread's schedstat figures (this test's own thread: it has run). */
static void test_calls_and_sched(void **state)
{
	struct xp_thread *t = thread_new();
	uint64_t rec[2 + 2 * 4] = { 0 }, sched[6] = { 0 };
	static struct rec got[4];

	(void)state;
	xp_self = t;
	t->off.calls[XPF_CALL_READ] = 1000;
	t->off.blocked[XPF_CALL_READ] = 10;
	t->off.blocked_ns[XPF_CALL_READ] = 123456789;
	t->off.calls[XPF_CALL_BARRIER_WAIT] = 3;
	t->off.blocked[XPF_CALL_BARRIER_WAIT] = 3;
	t->off.blocked_ns[XPF_CALL_BARRIER_WAIT] = 42;
	t->busy = 1;
	offcpu_record_thread(t, t, true);
	t->busy = 0;
	assert_int_equal(decode(t->blk, got, 4, rec, 10, sched), 0);
	assert_int_equal(rec[0], 4343);			/* tid */
	assert_int_equal(rec[1], 2);			/* calls with entries */
	assert_int_equal(rec[2], XPF_CALL_READ);
	assert_int_equal(rec[3], 1000);
	assert_int_equal(rec[4], 10);
	assert_int_equal(rec[5], 123456789);
	assert_int_equal(rec[6], XPF_CALL_BARRIER_WAIT);
	assert_int_equal(rec[7], 3);
	assert_int_equal(rec[8], 3);
	assert_int_equal(rec[9], 42);
	assert_int_equal(sched[0], 4343);
	assert_true(sched[1] > 0);			/* on-CPU ns */
	assert_true(sched[3] > 0);			/* timeslices */
	assert_true(sched[4] + sched[5] > 0);		/* context switches */
	xp_self = NULL;
	free(t);
}

/* ---- parsers ---- */

static void test_sched_parse(void **state)
{
	static const char stat[] = "7890123 45678 9\n";
	static const char status[] = "Name:\tx\nState:\tR (running)\nvoluntary_ctxt_switches:\t17\n"
				     "nonvoluntary_ctxt_switches:\t4\n";
	struct xp_sched s = { 0 };

	(void)state;
	assert_int_equal(sched_parse_stat(stat, sizeof(stat) - 1, &s), 0);
	assert_int_equal(s.on_cpu_ns, 7890123);
	assert_int_equal(s.run_delay_ns, 45678);
	assert_int_equal(s.timeslices, 9);
	assert_int_equal(sched_parse_stat("12 34", 5, &s), -1);	/* two numbers only */
	assert_int_equal(sched_parse_stat("", 0, &s), -1);
	assert_int_equal(sched_parse_status(status, sizeof(status) - 1, &s), 0);
	assert_int_equal(s.nvcsw, 17);
	assert_int_equal(s.nivcsw, 4);
	/* "voluntary" must not match inside "nonvoluntary" */
	assert_int_equal(sched_parse_status("nonvoluntary_ctxt_switches:\t4\n", 31, &s), -1);
}

/* The kernel's own files parse, for this thread and for another (by tid). */
static void test_sched_read(void **state)
{
	struct xp_sched me, other;

	(void)state;
	assert_int_equal(sched_read(0, &me), 0);
	assert_true(me.on_cpu_ns > 0 && me.timeslices > 0);
	assert_int_equal(sched_read(xp_gettid(), &other), 0);
	assert_true(other.on_cpu_ns >= me.on_cpu_ns);
	assert_true(other.nvcsw + other.nivcsw > 0);
	assert_int_equal(sched_read(0x7ffffff0, &other), -1);	/* no such thread */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weigh_adds_up),
		cmocka_unit_test(test_weigh_storm),
		cmocka_unit_test(test_weigh_coarse),
		cmocka_unit_test_setup_teardown(test_offcpu_records, setup, outdir_teardown),
		cmocka_unit_test_setup_teardown(test_calls_and_sched, setup, outdir_teardown),
		cmocka_unit_test(test_sched_parse),
		cmocka_unit_test(test_sched_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
