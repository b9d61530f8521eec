// SPDX-License-Identifier: MIT
/*
 * record.c - encoding records into the calling thread's current block.
 *
 * Every function here works on the caller's own struct xp_thread and the block it owns, so
 * nothing is shared and nothing is locked. A record is laid out as tag, ULEB128 length,
 * payload; the payload is encoded at p+3 and moved down one byte when its length fits in
 * one ULEB128 byte. It becomes visible to readers only when rec_commit() advances
 * blk->used, so a record is complete or absent, never torn.
 *
 * All functions but rec_fields() are AS-safe (they run in the sampling handler).
 */
#include <string.h>

#include "xprof-int.h"

#define REC_HDR_MAX 3		/* tag + 2-byte ULEB length (payload < 16 KiB) */

static size_t block_room(const struct xpf_block_header *b)
{
	return XPF_BLOCK_PAYLOAD - b->used;
}

/* AS-safe: copies the thread's counters into its block header. */
static void counters_sync(struct xp_thread *t)
{
	struct xpf_block_header *b = t->blk;

	if (!b)
		return;
	b->samples = t->samples;
	b->cpu_ns = t->last_cpu;
	b->dropped_ns = t->dropped_ns;
	memcpy(b->dropped, t->dropped, sizeof(b->dropped));
}

/* AS-safe: see declaration. */
uint8_t *rec_reserve(struct xp_thread *t, size_t need, uint64_t now)
{
	need += REC_HDR_MAX;
	if (need > XPF_BLOCK_PAYLOAD)
		return NULL;
	if (!t->blk || block_room(t->blk) < need) {
		struct xpf_block_header *old = t->blk, *b = out_block_new(t, now);

		/* Without a new block the old one stays current: its header keeps taking the
		 * counters (drops included), so the file still adds up. */
		if (!b)
			return NULL;
		out_block_done(old);
		t->blk = b;
		t->last_t = now;
		t->prev_n = 0;
		t->py_prev_n = 0;
		t->off.prev_n = 0;
		t->off.py_prev_n = 0;
	}
	return (uint8_t *)(t->blk + 1) + t->blk->used;
}

/* AS-safe: see declaration. */
void rec_commit(struct xp_thread *t, uint8_t *p, unsigned tag, size_t len, uint64_t now)
{
	size_t total;

	p[0] = (uint8_t)tag;
	if (len < 0x80) {
		p[1] = (uint8_t)len;
		memmove(p + 2, p + 3, len);
		total = 2 + len;
	} else {
		p[1] = (uint8_t)(0x80 | (len & 0x7f));
		p[2] = (uint8_t)(len >> 7);
		total = 3 + len;
	}
	t->last_t = now;
	counters_sync(t);
	__atomic_store_n(&t->blk->used, t->blk->used + (uint32_t)total, __ATOMIC_RELEASE);
}

static uint64_t dt_of(const struct xp_thread *t, uint64_t now)
{
	return now > t->last_t ? now - t->last_t : 0;
}

/*
 * The previous record of one kind in the block, whose root-end frames the next record of
 * that kind shares (`keep`, `pykeep`): SAMPLE records chain among themselves, OFFCPU records
 * among themselves, so a reader that skips one kind still decodes the other.
 */
struct chain {
	uintptr_t *f;
	uint32_t *n;
	uint64_t *codes, *instr;
	uint32_t *npy;
};

static struct chain chain_of(struct xp_thread *t, unsigned tag)
{
	if (tag == XPF_REC_OFFCPU)
		return (struct chain){ t->off_prev, &t->off.prev_n, t->off_py_codes,
				       t->off_py_instr, &t->off.py_prev_n };
	return (struct chain){ t->prev, &t->prev_n, t->py_prev_codes, t->py_prev_instr,
			       &t->py_prev_n };
}

/* AS-safe: frames shared at the root end with the chain's previous record. */
static uint32_t shared_root(const struct chain *c, const uintptr_t *f, uint32_t n)
{
	uint32_t k = 0, pn = *c->n;

	while (k < n && k < pn && f[n - 1 - k] == c->f[pn - 1 - k])
		k++;
	return k;
}

/* AS-safe: Python frames shared at the root end with the chain's previous record. */
static uint32_t py_shared_root(const struct xp_thread *t, const struct chain *c, uint32_t n)
{
	uint32_t k = 0, pn = *c->npy;

	while (k < n && k < pn && t->py_codes[n - 1 - k] == c->codes[pn - 1 - k] &&
	       t->py_instr[n - 1 - k] == c->instr[pn - 1 - k])
		k++;
	return k;
}

/* What one sample record holds: native frames f[0..n), Python frames in t (npy), and the
 * root-end frames of each kind shared with the chain's previous record. call is the
 * blocking call of an OFFCPU record (0 for a SAMPLE, which has no such field). */
struct sample_enc {
	uint64_t dt, weight;
	unsigned call, flags;
	const uintptr_t *f;
	uint32_t n, keep, npy, pykeep;
};

/* AS-safe: appends the Python part (pykeep, npy, frames) at p; returns the end, or NULL if
 * it does not fit after shared frames (retry in a fresh block). In a fresh block frames that
 * do not fit are cut at the root end. */
static uint8_t *encode_py(uint8_t *p, const uint8_t *end, const struct xp_thread *t,
			  struct sample_enc *e)
{
	uint32_t nnew = e->npy - e->pykeep, fit = 0;
	uint64_t prev = 0;
	uint8_t *cnt;

	if (end - p < 2 * 10)
		return NULL;
	p += xpf_put_uleb(p, e->pykeep);
	cnt = p;
	p += 2;			/* count, fixed at two bytes like the native one */
	for (; fit < nnew && end - p >= 20; fit++) {
		p += xpf_put_sleb(p, (int64_t)(t->py_codes[fit] - prev));
		prev = t->py_codes[fit];
		p += xpf_put_uleb(p, t->py_instr[fit]);
	}
	if (fit < nnew) {
		if (e->pykeep || e->keep)
			return NULL;
		e->npy = fit;
	}
	cnt[0] = (uint8_t)(0x80 | (fit & 0x7f));
	cnt[1] = (uint8_t)(fit >> 7);
	return p;
}

/* AS-safe: encodes the payload at q (room bytes); returns its length or 0 if it won't fit.
 * In a fresh block (keep == 0) frames that don't fit are cut at the root end. */
static size_t encode_sample(uint8_t *q, size_t room, const struct xp_thread *t,
			    struct sample_enc *e)
{
	uint8_t *p = q, *end = q + room;
	uint32_t nnew = e->n - e->keep, fit = 0;
	uint8_t *nnew_at, *flags_at;
	uintptr_t prev = 0;

	if (room < 6 * 10)
		return 0;
	p += xpf_put_uleb(p, e->dt);
	p += xpf_put_uleb(p, e->weight);
	if (e->call)
		p += xpf_put_uleb(p, e->call);
	flags_at = p++;
	p += xpf_put_uleb(p, e->keep);
	nnew_at = p;
	p += 2;			/* count, fixed at two bytes (frames < 16384) */
	for (; fit < nnew; fit++) {
		if (end - p < 10)
			break;
		p += xpf_put_sleb(p, (int64_t)(e->f[fit] - prev));
		prev = e->f[fit];
	}
	if (fit < nnew) {
		if (e->keep)
			return 0;	/* retry in a fresh block */
		e->flags |= XPF_SF_TRUNCATED;
		e->n = fit;
	}
	if ((e->flags & XPF_SF_PYTHON) && !(p = encode_py(p, end, t, e)))
		return 0;
	*flags_at = (uint8_t)e->flags;
	nnew_at[0] = (uint8_t)(0x80 | (fit & 0x7f));
	nnew_at[1] = (uint8_t)(fit >> 7);
	return (size_t)(p - q);
}

/* AS-safe: the frames of a written record become its chain's previous ones. */
static void remember(const struct xp_thread *t, const struct chain *c,
		     const struct sample_enc *e)
{
	uint32_t npy = (e->flags & XPF_SF_PYTHON) ? e->npy : 0;

	memcpy(c->f, e->f, e->n * sizeof(*e->f));
	*c->n = e->n;
	if (npy) {
		memcpy(c->codes, t->py_codes, npy * sizeof(*t->py_codes));
		memcpy(c->instr, t->py_instr, npy * sizeof(*t->py_instr));
	}
	*c->npy = npy;
}

/* AS-safe: one SAMPLE or OFFCPU record (tag); 0 if no room could be had. */
static int rec_stack(struct xp_thread *t, unsigned tag, uint64_t now, uint64_t weight,
		     unsigned call, unsigned flags, const uintptr_t *frames, uint32_t n,
		     uint32_t npy)
{
	size_t want = 6 * 10 + (size_t)n * 10, len = 0;
	uint8_t *p;

	if (flags & XPF_SF_PYTHON)
		want += 2 * 10 + (size_t)npy * 20;
	for (int attempt = 0; attempt < 2 && !len; attempt++) {
		struct sample_enc e = { .weight = weight, .call = call, .flags = flags,
					.f = frames, .n = n, .npy = npy };
		struct chain c;

		p = rec_reserve(t, want > XPF_BLOCK_PAYLOAD - REC_HDR_MAX ?
				   XPF_BLOCK_PAYLOAD - REC_HDR_MAX : want, now);
		if (!p)
			break;
		c = chain_of(t, tag);	/* after rec_reserve: a fresh block resets it */
		e.dt = dt_of(t, now);
		e.keep = shared_root(&c, frames, n);
		e.pykeep = (flags & XPF_SF_PYTHON) ? py_shared_root(t, &c, npy) : 0;
		len = encode_sample(p + REC_HDR_MAX, XPF_BLOCK_PAYLOAD - t->blk->used - REC_HDR_MAX,
				    t, &e);
		if (len) {
			remember(t, &c, &e);
			rec_commit(t, p, tag, len, now);
			return 1;
		}
		/* Didn't fit after the shared frames: again in a fresh block, from the root. */
		*c.n = 0;
		*c.npy = 0;
		want = (size_t)XPF_BLOCK_PAYLOAD;	/* forces a new block */
	}
	return 0;
}

/* AS-safe: see declaration. */
void rec_sample(struct xp_thread *t, uint64_t now, uint64_t weight, unsigned flags,
		const uintptr_t *frames, uint32_t n, uint32_t npy)
{
	t->samples++;	/* counted before the commit copies the counters */
	if (!rec_stack(t, XPF_REC_SAMPLE, now, weight, 0, flags, frames, n, npy)) {
		t->samples--;
		rec_drop(t, XPF_DROP_NOSPACE, weight);
	}
}

/* AS-safe: see declaration. An off-CPU record that finds no room is lost with the file's
 * space: profiling is stopping (out.c says so). */
void rec_offcpu(struct xp_thread *t, uint64_t now, uint64_t weight, unsigned call,
		unsigned flags, const uintptr_t *frames, uint32_t n, uint32_t npy)
{
	rec_stack(t, XPF_REC_OFFCPU, now, weight, call, flags, frames, n, npy);
}

/* AS-safe: see declaration. */
void rec_drop(struct xp_thread *t, enum xpf_drop why, uint64_t weight)
{
	t->dropped[why]++;
	t->dropped_ns += weight;
	counters_sync(t);
}

/* Not AS-safe only by contract (strings may be long); call with t->busy set. */
void rec_fields(struct xp_thread *t, unsigned tag, const uint64_t *nums, int nnum,
		const char *const *strs, const size_t *lens, int nstr)
{
	uint64_t now = xp_now();
	size_t need = 10 * (size_t)(nnum + 1), len;
	uint8_t *p, *q;

	for (int i = 0; i < nstr; i++)
		need += 3 + (lens[i] < XPF_MAX_STRING ? lens[i] : XPF_MAX_STRING);
	p = rec_reserve(t, need, now);
	if (!p)
		return;
	q = p + REC_HDR_MAX;
	q += xpf_put_uleb(q, dt_of(t, now));
	for (int i = 0; i < nnum; i++)
		q += xpf_put_uleb(q, nums[i]);
	for (int i = 0; i < nstr; i++) {
		size_t l = lens[i] < XPF_MAX_STRING ? lens[i] : XPF_MAX_STRING;

		q += xpf_put_uleb(q, l);
		memcpy(q, strs[i], l);
		q += l;
	}
	len = (size_t)(q - (p + REC_HDR_MAX));
	rec_commit(t, p, tag, len, now);
}
