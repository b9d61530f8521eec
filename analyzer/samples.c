// SPDX-License-Identifier: MIT
/*
 * samples.c - pass 2 of reading a .xpf file: decodes the stacks of samples and off-CPU
 * records, regions and notes of a process that passed the --pid/--comm filters, and
 * aggregates samples and off-CPU records into the profile.
 * Analyzer only.
 *
 * Stack encoding (see xprof-format.h): frames leaf first on disk; `keep` root-end frames are
 * shared with the previous sample of the same block, then `n` new frames as SLEB128 deltas.
 * Kept root first in the chain's stack, the shared frames are a prefix and the new ones are
 * written after it in reverse, so no copying is needed. Once a sample of a block is bad, the later
 * samples of that block are skipped: their `keep` would refer to an unknown stack. Off-CPU
 * records (XPF_REC_OFFCPU) have a chain of their own in the same scheme, so a bad one skips
 * only the block's later off-CPU records, and a bad sample none of them. Python
 * frames (XPF_SF_PYTHON) follow in the same scheme with their own keep; each code address
 * is tied to the process's PY_CODE description in force at the sample's time.
 */
#include "reader_int.h"

#include <inttypes.h>
#include <string.h>

#define STACK_FLAGS	(XPF_SF_TRUNCATED | XPF_SF_LEAF_EXACT)

/* Decodes the stack of one record into ch->stack; false (reported) if it is bad. */
static bool decode_stack(struct rctx *c, struct rchain *ch, struct cur *k, uint64_t keep,
			 uint64_t n)
{
	uint64_t addr = 0;

	if (keep > ch->depth) {
		reader_fault(c, "%s: keeps %" PRIu64 " frames of a %" PRIu32
				"-frame stack; rest of block's %s records skipped",
			     ch->what, keep, ch->depth, ch->what);
		return false;
	}
	/* Every delta takes at least one byte, so n is bounded by what is left. */
	if (n > (uint64_t)(k->end - k->p) || keep + n > PROF_MAX_DEPTH) {
		reader_fault(c, "%s: %" PRIu64 " new frames do not fit (%zu bytes left, "
				"%d frames at most); rest of block's %s records skipped",
			     ch->what, n, (size_t)(k->end - k->p), PROF_MAX_DEPTH, ch->what);
		return false;
	}
	for (uint64_t i = 0; i < n; i++) {
		addr += (uint64_t)cur_s(k);
		ch->stack[keep + n - 1 - i] = addr;
	}
	if (k->bad) {
		reader_fault(c, "%s: frame addresses run past the payload; rest of block's %s "
				"records skipped", ch->what, ch->what);
		return false;
	}
	ch->depth = (uint32_t)(keep + n);
	return true;
}

/* Decodes the Python frames of one record into ch->pyaddr/pyinstr (root first); false
 * (reported) if they are bad. A record without them leaves none for the next one's keep. */
static bool decode_py(struct rctx *c, struct rchain *ch, struct cur *k, uint64_t flags)
{
	uint64_t keep, n, addr = 0;

	if (!(flags & XPF_SF_PYTHON)) {
		ch->pydepth = 0;
		return true;
	}
	keep = cur_u(k);
	n = cur_u(k);
	if (k->bad || keep > ch->pydepth || n > (uint64_t)(k->end - k->p) / 2 ||
	    keep + n > PROF_MAX_DEPTH) {
		reader_fault(c, "%s: bad Python frames (keep %" PRIu64 " of %" PRIu32
				", %" PRIu64 " new); rest of block's %s records skipped",
			     ch->what, keep, ch->pydepth, n, ch->what);
		return false;
	}
	for (uint64_t i = 0; i < n; i++) {
		addr += (uint64_t)cur_s(k);
		ch->pyaddr[keep + n - 1 - i] = addr;
		ch->pyinstr[keep + n - 1 - i] = cur_u(k);
	}
	if (k->bad) {
		reader_fault(c, "%s: Python frames run past the payload; rest of block's %s "
				"records skipped", ch->what, ch->what);
		return false;
	}
	ch->pydepth = (uint32_t)(keep + n);
	return true;
}

/* Decodes the keep/n/frames (and Python frames) part of a SAMPLE or OFFCPU record into ch;
 * false if the record is bad, and then the rest of the block's records of that kind too. */
static bool decode_frames(struct rctx *c, struct rchain *ch, struct cur *k, uint64_t flags,
			  uint64_t keep, uint64_t n)
{
	if (ch->bad)
		return false;
	if (k->bad) {
		reader_fault(c, "%s: a field runs past the payload; rest of block's %s records "
				"skipped", ch->what, ch->what);
		ch->bad = true;
		return false;
	}
	if (!decode_stack(c, ch, k, keep, n) || !decode_py(c, ch, k, flags)) {
		ch->bad = true;
		return false;
	}
	return true;
}

/* The model's stack of the decoded record: native frames, then the Python frames as values
 * naming the code each address meant at time t. */
static uint32_t intern_stack(struct rctx *c, struct rchain *ch, uint64_t flags, uint64_t t)
{
	const struct prof_process *pr = &c->p->procs[c->proc];
	uint32_t npy = (flags & XPF_SF_PYTHON) ? ch->pydepth : 0;

	memcpy(c->both, ch->stack, ch->depth * sizeof(*ch->stack));
	for (uint32_t i = 0; i < npy; i++)
		c->both[ch->depth + i] = PROF_PY_VALUE(profile_pycode_at(pr, ch->pyaddr[i], t),
						       ch->pyinstr[i]);
	return profile_stack_py(c->p, c->proc, profile_epoch(pr, t),
				(uint8_t)(flags & STACK_FLAGS), c->both, ch->depth, npy);
}

uint64_t reader_rel_time(const struct rctx *c, uint64_t t)
{
	const struct prof_process *pr = &c->p->procs[c->proc];
	int64_t rel = (int64_t)(t - pr->start_mono) +
		      (int64_t)(pr->start_real - c->p->run_start_real);

	return rel < 0 ? 0 : (uint64_t)rel;
}

bool reader_in_time(const struct rctx *c, uint64_t t)
{
	uint64_t rel;

	if (!c->o->has_time)
		return true;
	rel = reader_rel_time(c, t);
	return rel >= c->o->from_ns && rel < c->o->to_ns;
}

static void rec_sample(struct rctx *c, struct rblock *b, struct cur *k, uint64_t t)
{
	uint64_t weight = cur_u(k), flags = cur_u(k), keep = cur_u(k), n = cur_u(k);
	struct prof_thread *th;
	uint32_t sid;

	if (!decode_frames(c, &c->on, k, flags, keep, n))
		return;
	th = &c->p->threads[b->thread];
	if (th->hidden || !reader_in_time(c, t))
		return;
	if (flags & XPF_SF_PY_PARTIAL) {
		th->py_partial++;
		th->py_partial_ns += weight;
	}
	sid = intern_stack(c, &c->on, flags, t);
	profile_add_samples(c->p, b->thread, sid, 1, weight);
	profile_add_event(c->p, &(struct prof_event){ .thread = b->thread, .kind = PROF_EV_SAMPLE,
						      .ref = sid, .t = t, .weight_ns = weight });
	/* The pointer may have moved: profile_stack() does not grow threads, but be plain. */
	th = &c->p->threads[b->thread];
	th->samples++;
	th->sampled_ns += weight;
	if (flags & XPF_SF_TRUNCATED)
		th->truncated++;
	if (t >= th->last_sample_t) {	/* where a [run queue] leaf goes (wall kind) */
		th->last_sample_t = t;
		th->last_stack = sid;
	}
}

/* A blocking call that blocked: weight blocked_ns, stack at its entry, its own keep chain. */
static void rec_offcpu(struct rctx *c, struct rblock *b, struct cur *k, uint64_t t)
{
	uint64_t blocked = cur_u(k), call = cur_u(k), flags = cur_u(k), keep = cur_u(k);
	uint64_t n = cur_u(k);
	struct prof_thread *th;
	uint32_t sid;

	if (!decode_frames(c, &c->off, k, flags, keep, n))
		return;
	if (call > UINT32_MAX) {
		reader_fault(c, "offcpu: call number %" PRIu64 " out of range; record skipped",
			     call);
		return;
	}
	th = &c->p->threads[b->thread];
	if (th->hidden || !reader_in_time(c, t))
		return;
	sid = intern_stack(c, &c->off, flags, t);
	profile_add_agg(c->p, PROF_AGG_OFFCPU, (uint32_t)call, b->thread, sid, 1, blocked);
	if (flags & XPF_SF_ONE_CALL)
		profile_add_event(c->p, &(struct prof_event){
			.thread = b->thread, .kind = PROF_EV_BLOCKED, .ref = sid,
			.call = (uint32_t)call, .t = t > blocked ? t - blocked : 0, .dur = blocked });
	th = &c->p->threads[b->thread];
	th->offcpu_samples++;
	th->offcpu_ns += blocked;
}

static void rec_region(struct rctx *c, struct rblock *b, struct cur *k, uint64_t t)
{
	uint64_t dur = cur_u(k), cpu = cur_u(k);
	size_t n;
	const char *name = cur_str(k, &n);
	uint32_t id;

	if (k->bad) {
		reader_fault(c, "region: a field runs past the payload; record skipped");
		return;
	}
	if (c->p->threads[b->thread].hidden || !reader_in_time(c, t))
		return;
	id = strtab_intern(&c->p->strs, name, strnlen(name, n));
	profile_add_region(c->p, id, dur, cpu);
	profile_add_event(c->p, &(struct prof_event){ .thread = b->thread, .kind = PROF_EV_REGION,
						      .ref = id, .t = t > dur ? t - dur : 0,
						      .dur = dur });
}

static void rec_note(struct rctx *c, struct cur *k)
{
	struct profile *p = c->p;
	size_t n;
	const char *s = cur_str(k, &n);
	uint32_t id;
	struct prof_note *note;

	if (k->bad) {
		reader_fault(c, "note: a field runs past the payload; record skipped");
		return;
	}
	id = strtab_intern(&p->strs, s, strnlen(s, n));
	for (size_t i = 0; i < p->nnotes; i++)
		if (p->notes[i].proc == c->proc && p->notes[i].text == id)
			return;
	note = VEC_PUSH(p->notes, p->nnotes, p->capnotes);
	note->proc = c->proc;
	note->text = id;
}

static void pass2_fn(struct rctx *c, struct rblock *b, unsigned tag, struct cur *k, uint64_t t)
{
	if (tag == XPF_REC_SAMPLE)
		rec_sample(c, b, k, t);
	else if (tag == XPF_REC_OFFCPU)
		rec_offcpu(c, b, k, t);
	else if (tag == XPF_REC_REGION)
		rec_region(c, b, k, t);
	else if (tag == XPF_REC_NOTE)
		rec_note(c, k);
}

void reader_pass2(struct rctx *c)
{
	for (size_t i = c->pass2_from; i < c->pass2_to; i++) {
		c->on.depth = c->off.depth = 0;
		c->on.pydepth = c->off.pydepth = 0;
		c->on.bad = c->off.bad = false;
		reader_walk_block(c, &c->blks[i], pass2_fn, false);
	}
}
