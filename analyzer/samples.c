// SPDX-License-Identifier: MIT
/*
 * samples.c - pass 2 of reading a .xpf file: decodes sample stacks, regions and notes of a
 * process that passed the --pid/--comm filters, and aggregates samples into the profile.
 * Analyzer only.
 *
 * Stack encoding (see xprof-format.h): frames leaf first on disk; `keep` root-end frames are
 * shared with the previous sample of the same block, then `n` new frames as SLEB128 deltas.
 * Kept root first in c->stack, the shared frames are a prefix and the new ones are written
 * after it in reverse, so no copying is needed. Once a sample of a block is bad, the later
 * samples of that block are skipped: their `keep` would refer to an unknown stack. Python
 * frames (XPF_SF_PYTHON) follow in the same scheme with their own keep; each code address
 * is tied to the process's PY_CODE description in force at the sample's time.
 */
#include "reader_int.h"

#include <inttypes.h>
#include <string.h>

#define STACK_FLAGS	(XPF_SF_TRUNCATED | XPF_SF_LEAF_EXACT)

/* Decodes the stack of one sample into c->stack; false (reported) if it is bad. */
static bool decode_stack(struct rctx *c, struct cur *k, uint64_t keep, uint64_t n)
{
	uint64_t addr = 0;

	if (keep > c->depth) {
		reader_fault(c, "sample: keeps %" PRIu64 " frames of a %" PRIu32
				"-frame stack; rest of block's samples skipped",
			     keep, c->depth);
		return false;
	}
	/* Every delta takes at least one byte, so n is bounded by what is left. */
	if (n > (uint64_t)(k->end - k->p) || keep + n > PROF_MAX_DEPTH) {
		reader_fault(c, "sample: %" PRIu64 " new frames do not fit (%zu bytes left, "
				"%d frames at most); rest of block's samples skipped",
			     n, (size_t)(k->end - k->p), PROF_MAX_DEPTH);
		return false;
	}
	for (uint64_t i = 0; i < n; i++) {
		addr += (uint64_t)cur_s(k);
		c->stack[keep + n - 1 - i] = addr;
	}
	if (k->bad) {
		reader_fault(c, "sample: frame addresses run past the payload; rest of block's "
				"samples skipped");
		return false;
	}
	c->depth = (uint32_t)(keep + n);
	return true;
}

/* Decodes the Python frames of one sample into c->pyaddr/pyinstr (root first); false
 * (reported) if they are bad. A sample without them leaves none for the next one's keep. */
static bool decode_py(struct rctx *c, struct cur *k, uint64_t flags)
{
	uint64_t keep, n, addr = 0;

	if (!(flags & XPF_SF_PYTHON)) {
		c->pydepth = 0;
		return true;
	}
	keep = cur_u(k);
	n = cur_u(k);
	if (k->bad || keep > c->pydepth || n > (uint64_t)(k->end - k->p) / 2 ||
	    keep + n > PROF_MAX_DEPTH) {
		reader_fault(c, "sample: bad Python frames (keep %" PRIu64 " of %" PRIu32
				", %" PRIu64 " new); rest of block's samples skipped",
			     keep, c->pydepth, n);
		return false;
	}
	for (uint64_t i = 0; i < n; i++) {
		addr += (uint64_t)cur_s(k);
		c->pyaddr[keep + n - 1 - i] = addr;
		c->pyinstr[keep + n - 1 - i] = cur_u(k);
	}
	if (k->bad) {
		reader_fault(c, "sample: Python frames run past the payload; rest of block's "
				"samples skipped");
		return false;
	}
	c->pydepth = (uint32_t)(keep + n);
	return true;
}

/* The model's stack of the decoded sample: native frames, then the Python frames as values
 * naming the code each address meant at time t. Returns the number of Python frames. */
static uint32_t join_py(struct rctx *c, uint64_t flags, uint64_t t)
{
	const struct prof_process *pr = &c->p->procs[c->proc];
	uint32_t npy = (flags & XPF_SF_PYTHON) ? c->pydepth : 0;

	memcpy(c->both, c->stack, c->depth * sizeof(*c->stack));
	for (uint32_t i = 0; i < npy; i++)
		c->both[c->depth + i] = PROF_PY_VALUE(profile_pycode_at(pr, c->pyaddr[i], t),
						      c->pyinstr[i]);
	return npy;
}

/* Whether mono time t of the current process falls in --from/--to. */
static bool in_time(struct rctx *c, uint64_t t)
{
	const struct prof_process *pr = &c->p->procs[c->proc];
	int64_t rel;

	if (!c->o->has_time)
		return true;
	rel = (int64_t)(t - pr->start_mono) + (int64_t)(pr->start_real - c->p->run_start_real);
	if (rel < 0)
		rel = 0;
	return (uint64_t)rel >= c->o->from_ns && (uint64_t)rel < c->o->to_ns;
}

static void rec_sample(struct rctx *c, struct rblock *b, struct cur *k, uint64_t t)
{
	uint64_t weight = cur_u(k), flags = cur_u(k), keep = cur_u(k), n = cur_u(k);
	struct prof_thread *th = &c->p->threads[b->thread];
	uint32_t epoch, sid, npy;

	if (c->stack_bad)
		return;
	if (k->bad) {
		reader_fault(c, "sample: a field runs past the payload; rest of block's samples "
				"skipped");
		c->stack_bad = true;
		return;
	}
	if (!decode_stack(c, k, keep, n) || !decode_py(c, k, flags)) {
		c->stack_bad = true;
		return;
	}
	if (th->hidden || !in_time(c, t))
		return;
	if (flags & XPF_SF_PY_PARTIAL) {
		th->py_partial++;
		th->py_partial_ns += weight;
	}
	epoch = profile_epoch(&c->p->procs[c->proc], t);
	npy = join_py(c, flags, t);
	sid = profile_stack_py(c->p, c->proc, epoch, (uint8_t)(flags & STACK_FLAGS), c->both,
			       c->depth, npy);
	profile_add_samples(c->p, b->thread, sid, 1, weight);
	profile_add_event(c->p, &(struct prof_event){ .thread = b->thread, .kind = PROF_EV_SAMPLE,
						      .ref = sid, .t = t, .weight_ns = weight });
	/* The pointer may have moved: profile_stack() does not grow threads, but be plain. */
	th = &c->p->threads[b->thread];
	th->samples++;
	th->sampled_ns += weight;
	if (flags & XPF_SF_TRUNCATED)
		th->truncated++;
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
	if (c->p->threads[b->thread].hidden || !in_time(c, t))
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
	else if (tag == XPF_REC_REGION)
		rec_region(c, b, k, t);
	else if (tag == XPF_REC_NOTE)
		rec_note(c, k);
}

void reader_pass2(struct rctx *c)
{
	for (size_t i = c->pass2_from; i < c->pass2_to; i++) {
		c->depth = 0;
		c->pydepth = 0;
		c->stack_bad = false;
		reader_walk_block(c, &c->blks[i], pass2_fn, false);
	}
}
