/* SPDX-License-Identifier: MIT */
/*
 * synth.h - writes synthetic .xpf files for the analyzer's tests and fuzz seeds, following
 * include/xprof-format.h exactly as libxprof.so does: block 0 is the file header, block 1
 * the header of the one process image the file holds (SYNTH_IMAGE), each thread
 * fills its own chain of blocks (seq 0, 1, ...), interleaved with other threads' blocks in
 * the order they are needed; records carry dt from the previous record of their block;
 * sample stacks use keep/n/delta encoding restarted in every block, off-CPU records a keep
 * chain of their own (synth_offcpu); block headers carry the
 * thread's cumulative counters. Header-only (static functions): each unit test is built from
 * one source file. Test code only.
 */
#ifndef XPROF_TESTS_SYNTH_H
#define XPROF_TESTS_SYNTH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <link.h>
#include <unistd.h>

#include "xprof-format.h"

#define SYNTH_THREADS	32
#define SYNTH_DEPTH	1024
#define SYNTH_IMAGE	1	/* block index of the image header */

struct synth_thread {
	int32_t tid;
	uint32_t seq;		/* next block's seq */
	size_t blk;		/* current block index, 0: none */
	uint64_t last_t;	/* time of the block's last record */
	uint64_t prev[SYNTH_DEPTH];	/* previous stack in this block, leaf first */
	uint32_t prev_depth;
	uint64_t oprev[SYNTH_DEPTH];	/* previous off-CPU stack in this block */
	uint32_t oprev_depth;
	uint64_t samples, cpu_ns, dropped_ns;
	uint32_t dropped[XPF_DROP_NR];
};

struct synth {
	uint8_t *buf;
	size_t nblocks;
	struct synth_thread th[SYNTH_THREADS];
	int nth;
};

/* A payload under construction. */
struct synth_buf {
	uint8_t b[XPF_BLOCK_SIZE * 2];
	size_t n;
};

static inline struct xpf_file_header *synth_hdr(struct synth *s)
{
	return (struct xpf_file_header *)s->buf;
}

static inline struct xpf_image_header *synth_img(struct synth *s)
{
	return (struct xpf_image_header *)(s->buf + SYNTH_IMAGE * XPF_BLOCK_SIZE);
}

/* A file of one image: pid, started at start_mono/start_real. `gen` > 0 marks it as an
 * exec'd image (the generation itself is the analyzer's to work out). */
static inline void synth_init(struct synth *s, int32_t pid, uint32_t gen, uint64_t start_mono,
			      uint64_t start_real)
{
	struct xpf_file_header *h;
	struct xpf_image_header *im;

	memset(s, 0, sizeof(*s));
	s->buf = calloc(2, XPF_BLOCK_SIZE);
	s->nblocks = 2;
	h = synth_hdr(s);
	memcpy(h->magic, XPF_MAGIC, 8);
	h->version = XPF_VERSION;
	h->block_size = XPF_BLOCK_SIZE;
	h->header_size = sizeof(*h);
	h->blocks_used = 2;
	h->images = 1;
	h->create_real_ns = start_real;
	snprintf(h->run_id, sizeof(h->run_id), "20260101-000000-%d", (int)pid);
	snprintf(h->host, sizeof(h->host), "testhost");
	snprintf(h->boot_id, sizeof(h->boot_id), "00000000-0000-0000-0000-000000000000");
	im = synth_img(s);
	im->magic = XPF_IMAGE_MAGIC;
	im->header_size = sizeof(*im);
	im->flags = gen ? XPF_IF_EXECED : XPF_IF_ROOT;
	im->pid = pid;
	im->ppid = 1;
	im->rank = -1;
	im->mechanism = XPF_MECH_PERF_TASK_CLOCK;
	im->hz = 999;
	im->max_depth = 128;
	im->signo = 16;
	im->start_mono_ns = start_mono;
	im->start_real_ns = start_real;
}

static inline void synth_free(struct synth *s)
{
	free(s->buf);
	s->buf = NULL;
}

static inline struct synth_thread *synth_thread(struct synth *s, int32_t tid)
{
	for (int i = 0; i < s->nth; i++)
		if (s->th[i].tid == tid)
			return &s->th[i];
	memset(&s->th[s->nth], 0, sizeof(s->th[0]));
	s->th[s->nth].tid = tid;
	return &s->th[s->nth++];
}

static inline struct xpf_block_header *synth_block(struct synth *s, size_t i)
{
	return (struct xpf_block_header *)(s->buf + i * XPF_BLOCK_SIZE);
}

static inline void synth_sync(struct synth *s, struct synth_thread *t)
{
	struct xpf_block_header *b = synth_block(s, t->blk);

	b->samples = t->samples;
	b->cpu_ns = t->cpu_ns;
	b->dropped_ns = t->dropped_ns;
	memcpy(b->dropped, t->dropped, sizeof(b->dropped));
}

static inline void synth_new_block(struct synth *s, struct synth_thread *t, uint64_t t0)
{
	struct xpf_block_header *b;

	s->buf = realloc(s->buf, (s->nblocks + 1) * XPF_BLOCK_SIZE);
	memset(s->buf + s->nblocks * XPF_BLOCK_SIZE, 0, XPF_BLOCK_SIZE);
	t->blk = s->nblocks++;
	synth_hdr(s)->blocks_used = s->nblocks;
	synth_img(s)->blocks++;
	b = synth_block(s, t->blk);
	b->magic = XPF_BLOCK_MAGIC;
	b->image = SYNTH_IMAGE;
	b->tid = t->tid;
	b->seq = t->seq++;
	b->t0_ns = t0;
	t->last_t = t0;
	t->prev_depth = 0;
	t->oprev_depth = 0;
	synth_sync(s, t);
}

static inline void sb_u(struct synth_buf *p, uint64_t v)
{
	p->n += xpf_put_uleb(p->b + p->n, v);
}

static inline void sb_s(struct synth_buf *p, int64_t v)
{
	p->n += xpf_put_sleb(p->b + p->n, v);
}

static inline void sb_str(struct synth_buf *p, const void *s, size_t n)
{
	sb_u(p, n);
	memcpy(p->b + p->n, s, n);
	p->n += n;
}

/* Bytes a record with `flen` field bytes takes, with the worst-case dt. */
static inline size_t synth_rec_size(size_t flen)
{
	return 1 + 10 + 10 + flen;
}

static inline int synth_fits(struct synth *s, struct synth_thread *t, size_t flen)
{
	return t->blk && synth_block(s, t->blk)->used + synth_rec_size(flen) <= XPF_BLOCK_PAYLOAD;
}

/* Appends record `tag` with fields f (dt is prepended) to tid's current block at time tm. */
static inline void synth_put(struct synth *s, struct synth_thread *t, uint64_t tm, unsigned tag,
			     const struct synth_buf *f)
{
	struct xpf_block_header *b;
	struct synth_buf pl = { .n = 0 };
	uint8_t *p;

	if (!synth_fits(s, t, f->n))
		synth_new_block(s, t, tm);
	b = synth_block(s, t->blk);
	sb_u(&pl, tm - t->last_t);
	memcpy(pl.b + pl.n, f->b, f->n);
	pl.n += f->n;
	p = (uint8_t *)b + sizeof(*b) + b->used;
	*p++ = (uint8_t)tag;
	p += xpf_put_uleb(p, pl.n);
	memcpy(p, pl.b, pl.n);
	b->used = (uint32_t)(p + pl.n - ((uint8_t *)b + sizeof(*b)));
	t->last_t = tm;
	synth_sync(s, t);
}

static inline void synth_rec(struct synth *s, int32_t tid, uint64_t tm, unsigned tag,
			     const struct synth_buf *f)
{
	synth_put(s, synth_thread(s, tid), tm, tag, f);
}

/* Encodes keep, n and the frames of stack[0..depth) (leaf first) against prev. */
static inline void synth_frames(struct synth_buf *f, const uint64_t *prev_stack,
				uint32_t prev_depth, const uint64_t *stack, uint32_t depth)
{
	uint32_t keep = 0;
	uint64_t prev = 0;

	while (keep < depth && keep < prev_depth &&
	       stack[depth - 1 - keep] == prev_stack[prev_depth - 1 - keep])
		keep++;
	sb_u(f, keep);
	sb_u(f, depth - keep);
	for (uint32_t i = 0; i < depth - keep; i++) {
		sb_s(f, (int64_t)(stack[i] - prev));
		prev = stack[i];
	}
}

/* Encodes a sample of stack[0..depth) (leaf first) against the block's previous stack. */
static inline void synth_encode(struct synth_thread *t, struct synth_buf *f, uint64_t w,
				unsigned flags, const uint64_t *stack, uint32_t depth)
{
	f->n = 0;
	sb_u(f, w);
	sb_u(f, flags);
	synth_frames(f, t->prev, t->prev_depth, stack, depth);
}

static inline void synth_encode_off(struct synth_thread *t, struct synth_buf *f,
				    uint64_t blocked, unsigned call, unsigned flags,
				    const uint64_t *stack, uint32_t depth)
{
	f->n = 0;
	sb_u(f, blocked);
	sb_u(f, call);
	sb_u(f, flags);
	synth_frames(f, t->oprev, t->oprev_depth, stack, depth);
}

/* An off-CPU record (call returned at tm after blocking `blocked` ns), chained to the
 * block's previous off-CPU record only. */
static inline void synth_offcpu(struct synth *s, int32_t tid, uint64_t tm, uint64_t blocked,
				unsigned call, unsigned flags, const uint64_t *stack,
				uint32_t depth)
{
	struct synth_thread *t = synth_thread(s, tid);
	struct synth_buf f;

	synth_encode_off(t, &f, blocked, call, flags, stack, depth);
	if (!synth_fits(s, t, f.n)) {
		synth_new_block(s, t, tm);
		synth_encode_off(t, &f, blocked, call, flags, stack, depth);
	}
	synth_put(s, t, tm, XPF_REC_OFFCPU, &f);
	memcpy(t->oprev, stack, depth * sizeof(*stack));
	t->oprev_depth = depth;
}

/* SCHED for thread `tid`, written in the block of thread `in` (itself, or the one that
 * ends the image). */
static inline void synth_sched(struct synth *s, int32_t in, uint64_t tm, int32_t tid,
			       uint64_t on_cpu, uint64_t run_delay, uint64_t slices,
			       uint64_t nvcsw, uint64_t nivcsw)
{
	struct synth_buf f = { .n = 0 };

	sb_u(&f, (uint64_t)tid);
	sb_u(&f, on_cpu);
	sb_u(&f, run_delay);
	sb_u(&f, slices);
	sb_u(&f, nvcsw);
	sb_u(&f, nivcsw);
	synth_rec(s, in, tm, XPF_REC_SCHED, &f);
}

/* OFFCPU_CALLS for thread `tid`: n x (call, calls, blocked, blocked_ns) in v[4 * n]. */
static inline void synth_calls(struct synth *s, int32_t in, uint64_t tm, int32_t tid,
			       const uint64_t *v, unsigned n)
{
	struct synth_buf f = { .n = 0 };

	sb_u(&f, (uint64_t)tid);
	sb_u(&f, n);
	for (unsigned i = 0; i < 4 * n; i++)
		sb_u(&f, v[i]);
	synth_rec(s, in, tm, XPF_REC_OFFCPU_CALLS, &f);
}

static inline void synth_thread_start(struct synth *s, int32_t tid, uint64_t tm, uint64_t cpu,
				      const char *name)
{
	struct synth_buf f = { .n = 0 };

	sb_u(&f, cpu);
	sb_u(&f, 0);	/* creator */
	sb_str(&f, name, strlen(name));
	synth_rec(s, tid, tm, XPF_REC_THREAD_START, &f);
}

static inline void synth_sample(struct synth *s, int32_t tid, uint64_t tm, uint64_t w,
				unsigned flags, const uint64_t *stack, uint32_t depth)
{
	struct synth_thread *t = synth_thread(s, tid);
	struct synth_buf f;

	synth_encode(t, &f, w, flags, stack, depth);
	if (!synth_fits(s, t, f.n)) {
		synth_new_block(s, t, tm);
		synth_encode(t, &f, w, flags, stack, depth);
	}
	t->samples++;
	t->cpu_ns += w;
	synth_put(s, t, tm, XPF_REC_SAMPLE, &f);
	memcpy(t->prev, stack, depth * sizeof(*stack));
	t->prev_depth = depth;
}

static inline void synth_drop(struct synth *s, int32_t tid, unsigned reason, uint64_t ns)
{
	struct synth_thread *t = synth_thread(s, tid);

	t->dropped[reason]++;
	t->dropped_ns += ns;
	t->cpu_ns += ns;
	if (t->blk)
		synth_sync(s, t);
}

static inline void synth_map(struct synth *s, int32_t tid, uint64_t tm, uint64_t bias,
			     uint64_t lo, uint64_t hi, const char *build_id, size_t bidlen,
			     const char *path)
{
	struct synth_buf f = { .n = 0 };

	sb_u(&f, bias);
	sb_u(&f, lo);
	sb_u(&f, hi);
	sb_str(&f, build_id, bidlen);
	sb_str(&f, path, strlen(path));
	synth_rec(s, tid, tm, XPF_REC_MAP, &f);
}

static inline void synth_unmap(struct synth *s, int32_t tid, uint64_t tm, uint64_t bias,
			       uint64_t lo)
{
	struct synth_buf f = { .n = 0 };

	sb_u(&f, bias);
	sb_u(&f, lo);
	synth_rec(s, tid, tm, XPF_REC_UNMAP, &f);
}

/* PROCESS record; cmdline is one string here (argv[0] only). */
static inline void synth_process(struct synth *s, int32_t tid, uint64_t tm, const char *exe,
				 const char *argv0)
{
	struct synth_buf f = { .n = 0 };

	sb_str(&f, exe, strlen(exe));
	sb_str(&f, argv0, strlen(argv0));
	sb_str(&f, "/", 1);
	synth_rec(s, tid, tm, XPF_REC_PROCESS, &f);
}

static inline void synth_thread_name(struct synth *s, int32_t tid, uint64_t tm, const char *n)
{
	struct synth_buf f = { .n = 0 };

	sb_str(&f, n, strlen(n));
	synth_rec(s, tid, tm, XPF_REC_THREAD_NAME, &f);
}

static inline void synth_thread_end(struct synth *s, int32_t tid, uint64_t tm, uint64_t cpu)
{
	struct synth_buf f = { .n = 0 };

	sb_u(&f, cpu);
	synth_rec(s, tid, tm, XPF_REC_THREAD_END, &f);
}

static inline void synth_region(struct synth *s, int32_t tid, uint64_t tm, uint64_t dur,
				uint64_t cpu, const char *name)
{
	struct synth_buf f = { .n = 0 };

	sb_u(&f, dur);
	sb_u(&f, cpu);
	sb_str(&f, name, strlen(name));
	synth_rec(s, tid, tm, XPF_REC_REGION, &f);
}

static inline void synth_exit(struct synth *s, int32_t tid, uint64_t tm, unsigned how,
			      int status, uint64_t cpu)
{
	struct synth_buf f = { .n = 0 };
	struct xpf_image_header *h;

	sb_u(&f, how);
	sb_s(&f, status);
	sb_u(&f, cpu);
	synth_rec(s, tid, tm, XPF_REC_EXIT, &f);
	h = synth_img(s);
	h->end_state = how;
	h->exit_status = status;
	h->process_cpu_ns = cpu;
	h->end_mono_ns = tm;
}

static inline size_t synth_size(const struct synth *s)
{
	return s->nblocks * XPF_BLOCK_SIZE;
}

/* Writes the first `len` bytes (all if 0) to path. Returns 0 or -1. */
static inline int synth_write(const struct synth *s, const char *path, size_t len)
{
	FILE *f = fopen(path, "wb");
	size_t n = len ? len : synth_size(s);
	int ok;

	if (!f)
		return -1;
	ok = fwrite(s->buf, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* The running program's own mapping, as libxprof.so would record it. */
struct synth_self {
	uint64_t bias, lo, hi;
	char build_id[64];
	size_t bidlen;
	char path[4096];
};

static inline int synth_self_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct synth_self *me = data;

	(void)size;
	me->bias = info->dlpi_addr;
	me->lo = UINT64_MAX;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t a = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD) {
			me->lo = a < me->lo ? a : me->lo;
			me->hi = a + ph->p_memsz > me->hi ? a + ph->p_memsz : me->hi;
		} else if (ph->p_type == PT_NOTE) {
			const uint8_t *p = (const uint8_t *)a, *end = p + ph->p_memsz;

			while (p + 12 <= end) {
				const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
				size_t nsz = (n->n_namesz + 3) & ~3u, dsz = (n->n_descsz + 3) & ~3u;

				if (n->n_type == NT_GNU_BUILD_ID && n->n_descsz <= 64) {
					memcpy(me->build_id, p + 12 + nsz, n->n_descsz);
					me->bidlen = n->n_descsz;
				}
				p += 12 + nsz + dsz;
			}
		}
	}
	return 1;	/* the first object is the program itself */
}

static inline void synth_self(struct synth_self *me)
{
	ssize_t n;

	memset(me, 0, sizeof(*me));
	dl_iterate_phdr(synth_self_cb, me);
	n = readlink("/proc/self/exe", me->path, sizeof(me->path) - 1);
	me->path[n > 0 ? n : 0] = '\0';
}

#endif /* XPROF_TESTS_SYNTH_H */
