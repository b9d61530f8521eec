// SPDX-License-Identifier: MIT
/*
 * reader_sched.c - pass 1 of reading: a thread's scheduler figures (XPF_REC_SCHED) and the
 * exact totals of its blocking calls (XPF_REC_OFFCPU_CALLS). Analyzer only.
 *
 * Both are cumulative and name their thread by tid, since the thread that ends the image
 * writes them for every live thread: a thread's figures are those of its latest record by
 * time, wherever that record is. Every SCHED record is also kept in the profile's series,
 * for the timeline's counters.
 */
#include "reader_int.h"

#include <inttypes.h>
#include <stdlib.h>

/* The profile thread of a record's tid field, PROF_NONE (reported) if it is no tid. */
static uint32_t thread_of(struct rctx *c, const char *what, uint64_t tid)
{
	if (tid == 0 || tid > INT32_MAX) {
		reader_fault(c, "%s: bad thread id %" PRIu64 "; record skipped", what, tid);
		return PROF_NONE;
	}
	return profile_thread(c->p, c->proc, (int32_t)tid);
}

static void rec_sched(struct rctx *c, struct cur *k, uint64_t t)
{
	struct prof_sched s = { .t = t };
	uint64_t tid = cur_u(k), rel;
	struct prof_thread *th;

	s.on_cpu_ns = cur_u(k);
	s.run_delay_ns = cur_u(k);
	s.timeslices = cur_u(k);
	s.nvcsw = cur_u(k);
	s.nivcsw = cur_u(k);
	if (k->bad || (s.thread = thread_of(c, "sched", tid)) == PROF_NONE)
		return;
	*VEC_PUSH(c->p->scheds, c->p->nscheds, c->p->capscheds) = s;
	th = &c->p->threads[s.thread];
	if (t >= th->sched_t) {
		th->sched_t = t;
		th->on_cpu_ns = s.on_cpu_ns;
		th->run_delay_ns = s.run_delay_ns;
		th->timeslices = s.timeslices;
		th->nvcsw = s.nvcsw;
		th->nivcsw = s.nivcsw;
	}
	/* The figures are cumulative: the largest before a moment is the latest. */
	rel = reader_rel_time(c, t);
	if (c->o->has_time && rel < c->o->from_ns && s.run_delay_ns > th->runq_lo)
		th->runq_lo = s.run_delay_ns;
	if ((!c->o->has_time || rel < c->o->to_ns) && s.run_delay_ns > th->runq_hi)
		th->runq_hi = s.run_delay_ns;
}

static void rec_calls(struct rctx *c, struct cur *k, uint64_t t)
{
	uint64_t tid = cur_u(k), n = cur_u(k);
	struct prof_calls *v;
	struct prof_thread *th;
	uint32_t ti;

	/* Four fields of at least one byte each per call: n is bounded by what is left. */
	if (k->bad || n > (uint64_t)(k->end - k->p) / 4) {
		if (!k->bad)
			reader_fault(c, "offcpu-calls: %" PRIu64 " calls do not fit in %zu bytes; "
					"record skipped", n, (size_t)(k->end - k->p));
		return;
	}
	v = xcalloc(n + 1, sizeof(*v));
	for (uint64_t i = 0; i < n; i++) {
		v[i].call = cur_u(k);
		v[i].calls = cur_u(k);
		v[i].blocked = cur_u(k);
		v[i].blocked_ns = cur_u(k);
	}
	if (k->bad || (ti = thread_of(c, "offcpu-calls", tid)) == PROF_NONE) {
		free(v);
		return;
	}
	th = &c->p->threads[ti];
	if (th->calls_seen && t < th->calls_t) {	/* an older total than the one kept */
		free(v);
		return;
	}
	free(th->calls);
	th->calls = v;
	th->ncalls = (size_t)n;
	th->calls_t = t;
	th->calls_seen = true;
}

void reader_sched_record(struct rctx *c, unsigned tag, struct cur *k, uint64_t t)
{
	if (tag == XPF_REC_SCHED)
		rec_sched(c, k, t);
	else
		rec_calls(c, k, t);
}
