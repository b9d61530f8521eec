/* SPDX-License-Identifier: MIT */
/*
 * reader_int.h - state shared by reader.c (headers, framing, process records) and
 * samples.c (sample stacks, regions, notes) while one .xpf file is parsed. Analyzer only.
 */
#ifndef XPROF_ANALYZER_READER_INT_H
#define XPROF_ANALYZER_READER_INT_H

#include "reader.h"

#define BH_SIZE		sizeof(struct xpf_block_header)

struct rblock {
	uint32_t idx;		/* block index in the file */
	int32_t tid;
	uint32_t seq;
	uint32_t end;		/* record bytes well framed (pass 1) */
	uint32_t thread;	/* profile thread index */
	struct xpf_block_header h;
};

/* An image header block of the file being read. */
struct rimage {
	uint32_t idx;		/* its block index */
	uint32_t proc;		/* profile process index once read, else UINT32_MAX */
	struct xpf_image_header h;
};

/* The previous stack of one kind of record in the block, for the next one's `keep`. */
struct rchain {
	const char *what;		/* "sample", "offcpu": for messages */
	uint64_t stack[PROF_MAX_DEPTH];	/* native frames, root first */
	uint32_t depth;			/* restarts at 0 in every block */
	bool bad;			/* a record of this block was bad: keep is meaningless */
	/* Python frames, root first (code address, instr << 1 | entry). */
	uint64_t pyaddr[PROF_MAX_DEPTH], pyinstr[PROF_MAX_DEPTH];
	uint32_t pydepth;
};

struct rctx {
	struct profile *p;
	const char *name;
	const uint8_t *buf;
	size_t len;
	const struct reader_opts *o;
	struct xpf_file_header h;
	uint32_t proc;
	struct rblock *blks;		/* data blocks, sorted by (image, tid, seq) */
	size_t nblks, capblks;
	struct rimage *imgs;		/* image headers, in block order */
	size_t nimgs, capimgs;
	size_t pass2_from, pass2_to;	/* the current image's run of blks */
	uint64_t short_by;		/* blocks_used beyond the file's end */
	unsigned faults, shown;
	/* Record being parsed, for messages. */
	const struct rblock *cb;
	unsigned rec;
	uint32_t recoff;
	/* The keep chains of the block being read: samples and off-CPU records each refer to
	 * the previous record of their own kind. */
	struct rchain on, off;
	uint64_t both[2 * PROF_MAX_DEPTH];	/* the stack handed to the model: native frames,
						 * then the Python ones as values */
};

/* Cursor over one record payload; `bad` sticks once a field runs past the payload. */
struct cur {
	const uint8_t *p, *end;
	bool bad;
};

static inline uint64_t cur_u(struct cur *c)
{
	uint64_t v = 0;
	unsigned n = c->bad ? 0 : xpf_get_uleb(c->p, c->end, &v);

	if (!n) {
		c->bad = true;
		return 0;
	}
	c->p += n;
	return v;
}

static inline int64_t cur_s(struct cur *c)
{
	int64_t v = 0;
	unsigned n = c->bad ? 0 : xpf_get_sleb(c->p, c->end, &v);

	if (!n) {
		c->bad = true;
		return 0;
	}
	c->p += n;
	return v;
}

static inline const char *cur_str(struct cur *c, size_t *len)
{
	uint64_t n = cur_u(c);
	const char *s = (const char *)c->p;

	if (c->bad || n > (uint64_t)(c->end - c->p)) {
		c->bad = true;
		*len = 0;
		return "";
	}
	c->p += n;
	*len = (size_t)n;
	return s;
}

/* One message for a fault at the current block/record of c; counts it. */
__attribute__((format(printf, 2, 3))) void reader_fault(struct rctx *c, const char *fmt, ...);
const char *reader_tag_name(unsigned tag);

typedef void (*rec_fn)(struct rctx *c, struct rblock *b, unsigned tag, struct cur *k,
		       uint64_t t);
/*
 * Walks the well-framed records of block b, calling fn(c, b, tag, payload cursor, time) for
 * each (the cursor starts after dt). With check set (pass 1), it validates the framing,
 * reports the first fault and cuts b->end there so pass 2 sees only good records.
 */
void reader_walk_block(struct rctx *c, struct rblock *b, rec_fn fn, bool check);

/* Pass 2 over all blocks of the file: samples, off-CPU records, regions, notes. */
void reader_pass2(struct rctx *c);

/* Nanoseconds since the run's start of mono time t of the current process (>= 0). */
uint64_t reader_rel_time(const struct rctx *c, uint64_t t);
/* Whether mono time t of the current process falls in --from/--to. */
bool reader_in_time(const struct rctx *c, uint64_t t);

/* Pass 1: an XPF_REC_SCHED or XPF_REC_OFFCPU_CALLS record of the current process
 * (reader_sched.c). Sets k->bad if a field runs past the payload. */
void reader_sched_record(struct rctx *c, unsigned tag, struct cur *k, uint64_t t);

/* Pass 1: an XPF_REC_JIT_REGION or XPF_REC_JIT_FILE record of the current process
 * (reader_jit.c). Sets k->bad if a field runs past the payload; a bad value is reported. */
void reader_jit_record(struct rctx *c, unsigned tag, struct cur *k);

#endif /* XPROF_ANALYZER_READER_INT_H */
