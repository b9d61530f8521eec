// SPDX-License-Identifier: MIT
/*
 * reader.c - parses one .xpf file (header, images, blocks, records) into the profile model.
 * Analyzer only: single-threaded, allocates.
 *
 * A file holds every process image of a run on one machine. Its blocks are first sorted out:
 * image headers, data blocks (grouped by the image they name), and blocks of zeros (handed out
 * to a writer that was killed before it wrote them, skipped). Images are then read in block
 * order, so that a fork child comes after its parent, whose process description and module
 * map at the fork it inherits (a fork child records neither). Each image's blocks are read in
 * two passes, taken in (tid, seq) order:
 *  1. checks every block header and the framing of its records, and takes the records that
 *     describe the process (PROCESS, MAP/UNMAP, threads, EXIT). After it the module map of
 *     the process is complete, so each sample can be tied to the modules of its moment, and
 *     the process is known well enough for the --pid/--comm filters. Scheduler figures and
 *     blocking-call totals (reader_sched.c) are read here too.
 *  2. decodes the samples and off-CPU records (keep/n/delta stacks, which restart in every
 *     block) and the REGION and NOTE records, within the ranges pass 1 found well-framed.
 * Faults: a bad record payload skips that record; bad framing skips the rest of the block; a
 * bad block header skips the block; a bad file header skips the file. Each prints one line.
 */
#include "reader_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void reader_fault(struct rctx *c, const char *fmt, ...)
{
	unsigned max = c->o->max_msgs ? c->o->max_msgs : 20;
	va_list ap;

	c->faults++;
	c->p->faults++;
	if (c->o->quiet || ++c->shown > max)
		return;
	fprintf(stderr, "%s: ", c->name);
	if (c->cb)
		fprintf(stderr, "block %" PRIu32 " at 0x%" PRIx64 ": ", c->cb->idx,
			(uint64_t)c->cb->idx * XPF_BLOCK_SIZE);
	if (c->rec)
		fprintf(stderr, "record %u at 0x%" PRIx32 ": ", c->rec, c->recoff);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *reader_tag_name(unsigned tag)
{
	static const char *const names[] = {
		"pad", "sample", "thread-start", "thread-end", "thread-name", "map", "unmap",
		"process", "exec", "exec-failed", "spawn", "region", "exit", "note", "thread-cpu",
		"handler-time", "stack-use", "reap", "jit-region", "jit-file", "py-code", "py-runtime",
		"offcpu", "sched", "offcpu-calls",
	};

	return tag < sizeof(names) / sizeof(names[0]) ? names[tag] : "unknown";
}

/* ---- file and block headers ------------------------------------------------------------ */

static int check_header(const struct xpf_file_header *h, size_t len, const char **why)
{
	if (len < sizeof(*h))
		return *why = "too short for a file header", -EINVAL;
	if (memcmp(h->magic, XPF_MAGIC, sizeof(h->magic)))
		return *why = "not an xprof profile (bad magic)", -EINVAL;
	if (h->version > XPF_VERSION)
		return *why = "format version is newer than this analyzer reads; skipped", -ENOTSUP;
	if (h->version < XPF_VERSION)
		return *why = "format version 1 (one file per process) is no longer read; record "
			      "it again", -ENOTSUP;
	if (h->block_size != XPF_BLOCK_SIZE)
		return *why = "unsupported block size", -EINVAL;
	if (h->header_size < sizeof(*h) || h->header_size > XPF_BLOCK_SIZE)
		return *why = "bad header size", -EINVAL;
	return 0;
}

static uint32_t intern_field(struct profile *p, const char *s, size_t max)
{
	return strtab_intern(&p->strs, s, strnlen(s, max));
}

static void start_process(struct rctx *c, const struct xpf_image_header *h)
{
	struct profile *p = c->p;
	struct prof_process *pr = VEC_PUSH(p->procs, p->nprocs, p->capprocs);

	memset(pr, 0, sizeof(*pr));
	c->proc = (uint32_t)(p->nprocs - 1);
	pr->pid = h->pid;
	pr->ppid = h->ppid;
	pr->rank = h->rank;
	pr->host = intern_field(p, c->h.host, sizeof(c->h.host));
	pr->boot = intern_field(p, c->h.boot_id, sizeof(c->h.boot_id));
	pr->run_id = intern_field(p, c->h.run_id, sizeof(c->h.run_id));
	pr->file = strtab_intern(&p->strs, c->name, strlen(c->name));
	pr->flags = h->flags;
	pr->mechanism = h->mechanism;
	pr->hz = h->hz;
	pr->max_depth = h->max_depth;
	pr->end_state = h->end_state;
	pr->exit_status = h->exit_status;
	pr->stop_errno = h->stop_errno;
	pr->start_mono = h->start_mono_ns;
	pr->end_mono = h->end_mono_ns;
	pr->last_mono = h->start_mono_ns;
	pr->start_real = h->start_real_ns;
	pr->start_cpu_ns = h->start_cpu_ns;
	pr->armed_mono = h->armed_mono_ns;
	pr->armed_cpu_ns = h->armed_cpu_ns;
	pr->setup_cpu_ns = h->setup_cpu_ns;
	pr->end_cpu_ns = h->process_cpu_ns;
	pr->blocks_lost = h->blocks_lost;
	pr->pred = PROF_NONE;
	pr->fork_parent = PROF_NONE;
}

/* Block count to read: blocks_used, cut to what the file holds. A file shorter than that is
 * one whose last block was handed out but not yet allocated: a writer killed in between, or
 * one that could not grow the file (disk full; its image says so, see note_stops). */
static size_t block_count(struct rctx *c)
{
	size_t full = c->len / XPF_BLOCK_SIZE, tail = c->len % XPF_BLOCK_SIZE;
	size_t have = full + (tail >= BH_SIZE);

	if (c->h.blocks_used == 0) {
		reader_fault(c, "header says 0 blocks used (header damaged?); reading %zu blocks", have);
		return have;
	}
	if (c->h.blocks_used > full) {
		c->short_by = c->h.blocks_used - full;
		return c->h.blocks_used < have ? (size_t)c->h.blocks_used : have;
	}
	return (size_t)c->h.blocks_used;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* An image header block: checked and kept in c->imgs. */
static void take_image(struct rctx *c, uint32_t i, struct rblock *b)
{
	struct rimage im = { .idx = i, .proc = UINT32_MAX };
	size_t off = (size_t)i * XPF_BLOCK_SIZE, n = sizeof(im.h);

	if (c->len - off < n)
		n = c->len - off;
	memcpy(&im.h, c->buf + off, n);
	if (n < sizeof(im.h) || im.h.header_size < sizeof(im.h))
		reader_fault(c, "image header too short (%" PRIu32 " bytes); image skipped",
			     im.h.header_size);
	else if (im.h.pid <= 0)
		reader_fault(c, "image header: bad pid %" PRId32 "; image skipped", im.h.pid);
	else
		*VEC_PUSH(c->imgs, c->nimgs, c->capimgs) = im;
	(void)b;
}

/* Checks block i's header; adds it to c->blks or c->imgs if usable. */
static void take_block(struct rctx *c, uint32_t i)
{
	size_t off = (size_t)i * XPF_BLOCK_SIZE, left = c->len - off - BH_SIZE;
	struct rblock b = { .idx = i };

	memcpy(&b.h, c->buf + off, BH_SIZE);
	c->cb = &b;
	if (all_zero(&b.h, BH_SIZE)) {
		c->cb = NULL;	/* handed out, never written: the writer died first */
		return;
	}
	if (b.h.magic == XPF_IMAGE_MAGIC)
		take_image(c, i, &b);
	else if (b.h.magic != XPF_BLOCK_MAGIC)
		reader_fault(c, "bad block magic 0x%08" PRIx32 "; block skipped", b.h.magic);
	else if (b.h.used > XPF_BLOCK_PAYLOAD)
		reader_fault(c, "used %" PRIu32 " exceeds the block payload (%zu); block skipped",
		      b.h.used, XPF_BLOCK_PAYLOAD);
	else if (b.h.tid <= 0)
		reader_fault(c, "bad thread id %" PRId32 "; block skipped", b.h.tid);
	else {
		if (b.h.used > left) {
			reader_fault(c, "truncated (%" PRIu32 " record bytes wanted, %zu left)",
			      b.h.used, left);
			b.h.used = (uint32_t)left;
		}
		b.tid = b.h.tid;
		b.seq = b.h.seq;
		b.end = b.h.used;
		*VEC_PUSH(c->blks, c->nblks, c->capblks) = b;
	}
	c->cb = NULL;
}

static int cmp_block(const void *a, const void *b)
{
	const struct rblock *x = a, *y = b;

	if (x->h.image != y->h.image)
		return x->h.image < y->h.image ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sorts blocks into images and thread chains; drops duplicated (image, tid, seq) blocks. */
static void order_blocks(struct rctx *c)
{
	size_t n = 0;

	if (!c->nblks)
		return;
	qsort(c->blks, c->nblks, sizeof(*c->blks), cmp_block);
	for (size_t i = 0; i < c->nblks; i++) {
		if (n && c->blks[n - 1].h.image == c->blks[i].h.image &&
		    c->blks[n - 1].tid == c->blks[i].tid && c->blks[n - 1].seq == c->blks[i].seq) {
			c->cb = &c->blks[i];
			reader_fault(c, "thread %" PRId32 " has block seq %" PRIu32 " twice; skipped",
			      c->blks[i].tid, c->blks[i].seq);
			c->cb = NULL;
			continue;
		}
		c->blks[n++] = c->blks[i];
	}
	c->nblks = n;
}

/* ---- pass 1: process description ------------------------------------------------------- */

static void take_thread_header(struct rctx *c, struct rblock *b)
{
	struct prof_thread *t;

	b->thread = profile_thread(c->p, c->proc, b->tid);
	t = &c->p->threads[b->thread];
	if (b->seq < t->newest_seq && t->hdr_samples)
		return;
	t->newest_seq = b->seq;
	t->hdr_samples = b->h.samples;
	t->dropped_ns = b->h.dropped_ns;
	for (int r = 0; r < XPF_DROP_NR; r++)
		t->dropped[r] = b->h.dropped[r];
	if (!t->cpu_exact)
		t->cpu_ns = b->h.cpu_ns;
}

static bool is_hex(const char *s, size_t n)
{
	if (n < 2 || n % 2 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return true;
}

/* Build-ids are raw bytes on disk; a hex spelling is accepted too. */
static size_t decode_build_id(const char *s, size_t n, uint8_t *out, size_t max)
{
	if (!is_hex(s, n)) {
		n = n < max ? n : max;
		memcpy(out, s, n);
		return n;
	}
	n /= 2;
	n = n < max ? n : max;
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void rec_map(struct rctx *c, struct cur *k, uint64_t t)
{
	struct prof_process *pr = &c->p->procs[c->proc];
	uint64_t bias = cur_u(k), lo = cur_u(k), hi = cur_u(k);
	size_t bidlen, pathlen, n;
	const char *bid = cur_str(k, &bidlen), *path = cur_str(k, &pathlen);
	uint8_t raw[64];
	struct prof_module *m;

	if (k->bad)
		return;
	if (hi <= lo) {
		reader_fault(c, "map: empty range 0x%" PRIx64 "-0x%" PRIx64 "; skipped", lo, hi);
		return;
	}
	n = decode_build_id(bid, bidlen, raw, sizeof(raw));
	m = VEC_PUSH(pr->mods, pr->nmods, pr->capmods);
	memset(m, 0, sizeof(*m));
	m->bias = bias;
	m->lo = lo;
	m->hi = hi;
	m->t_map = t;
	m->t_unmap = PROF_NO_TIME;
	m->modfile = profile_modfile(c->p, path, pathlen, raw, n);
}

static void rec_unmap(struct rctx *c, struct cur *k, uint64_t t)
{
	struct prof_process *pr = &c->p->procs[c->proc];
	uint64_t bias = cur_u(k), lo = cur_u(k);

	if (k->bad)
		return;
	for (size_t i = pr->nmods; i-- > 0;) {
		struct prof_module *m = &pr->mods[i];

		if (m->bias == bias && m->lo == lo && m->t_unmap == PROF_NO_TIME &&
		    m->t_map <= t) {
			m->t_unmap = t;
			return;
		}
	}
}

static void rec_process(struct rctx *c, struct cur *k)
{
	struct prof_process *pr = &c->p->procs[c->proc];
	size_t nexe, ncmd;
	const char *exe = cur_str(k, &nexe), *cmd = cur_str(k, &ncmd);

	if (k->bad)
		return;
	pr->exe = strtab_intern(&c->p->strs, exe, strnlen(exe, nexe));
	pr->cmdline = strtab_intern(&c->p->strs, cmd, ncmd);
}

static void rec_thread(struct rctx *c, struct rblock *b, struct cur *k, unsigned tag,
		       uint64_t tm)
{
	struct prof_thread *t = &c->p->threads[b->thread];
	uint64_t cpu = 0;
	size_t n;
	const char *name;

	if (tag == XPF_REC_THREAD_START) {
		cpu = cur_u(k);
		cur_u(k);
		if (!k->bad && !t->start_seen) {
			t->start_cpu_ns = cpu;
			t->start_seen = true;
			t->t_start = tm;
			profile_add_event(c->p, &(struct prof_event){
				.thread = b->thread, .kind = PROF_EV_THREAD_START, .t = tm });
		}
	} else if (tag == XPF_REC_THREAD_END) {
		cpu = cur_u(k);
		if (!k->bad) {
			t->cpu_ns = cpu;
			t->cpu_exact = true;
			t->t_end = tm;
			profile_add_event(c->p, &(struct prof_event){
				.thread = b->thread, .kind = PROF_EV_THREAD_END, .t = tm });
		}
		return;
	}
	name = cur_str(k, &n);
	if (!k->bad)
		t->name = strtab_intern(&c->p->strs, name, strnlen(name, n));
}

static void rec_thread_cpu(struct rctx *c, struct cur *k)
{
	int64_t tid = (int64_t)cur_u(k);
	uint64_t cpu = cur_u(k);
	struct prof_thread *t;
	uint32_t ti;

	if (k->bad || tid <= 0 || tid > INT32_MAX)
		return;
	ti = profile_thread(c->p, c->proc, (int32_t)tid);	/* may move p->threads */
	t = &c->p->threads[ti];
	t->cpu_ns = cpu;
	t->cpu_exact = true;
}

static void rec_exit(struct rctx *c, struct cur *k)
{
	struct prof_process *pr = &c->p->procs[c->proc];
	uint64_t how = cur_u(k);
	int64_t status = (int64_t)cur_u(k);	/* ULEB of the two's complement */
	uint64_t cpu = cur_u(k);

	if (k->bad)
		return;
	if (!pr->end_state && how <= XPF_END_STOPPED)
		pr->end_state = (uint32_t)how;
	if (!pr->exit_status)
		pr->exit_status = (int32_t)status;
	if (!pr->end_cpu_ns)
		pr->end_cpu_ns = cpu;
}

/* The writer's own cost: time per sample in its signal handler, added up over threads. */
static void rec_handler_time(struct rctx *c, struct cur *k)
{
	struct profile *p = c->p;
	uint64_t tid = cur_u(k), bucket = cur_u(k), n = cur_u(k);

	(void)tid;
	if (k->bad || !bucket || (p->handler_bucket_ns && p->handler_bucket_ns != bucket))
		return;
	p->handler_bucket_ns = bucket;
	for (uint64_t i = 0; i < n && !k->bad; i++) {
		uint64_t v = cur_u(k);

		if (!k->bad) {
			p->handler_hist[i < PROF_HIST - 1 ? i : PROF_HIST - 1] += v;
			p->procs[c->proc].handled += v;
		}
	}
}

/* The handler's stacks: the most used of any thread's private stack and of delivery stacks. */
static void rec_stack_use(struct rctx *c, struct cur *k)
{
	struct profile *p = c->p;
	uint64_t tid = cur_u(k), size = cur_u(k), used = cur_u(k), own = cur_u(k);
	uint64_t frame = cur_u(k);

	(void)tid;
	if (k->bad)
		return;
	if (size > p->stack_size)
		p->stack_size = size;
	if (used > p->stack_used_max)
		p->stack_used_max = used;
	if (own > p->stack_own_max)
		p->stack_own_max = own;
	if (frame > p->stack_frame_max)
		p->stack_frame_max = frame;
}

static void rec_reap(struct rctx *c, struct cur *k, uint64_t t)
{
	int64_t pid = (int64_t)cur_u(k);
	struct prof_reap *r;

	cur_u(k);	/* the wait status: the child's own image header has it */
	if (k->bad || pid <= 0 || pid > INT32_MAX)
		return;
	r = VEC_PUSH(c->p->reaps, c->p->nreaps, c->p->capreaps);
	r->proc = c->proc;
	r->pid = (int32_t)pid;
	r->t = t;
	r->cpu_ns = cur_u(k);
	if (k->bad)
		c->p->nreaps--;
}

/* A code object's description: its address means this code from t on (see profile.h). */
static void rec_pycode(struct rctx *c, struct cur *k, uint64_t t)
{
	struct profile *p = c->p;
	uint64_t addr = cur_u(k), line = cur_u(k);
	size_t nn, nf;
	const char *name = cur_str(k, &nn), *file = cur_str(k, &nf);
	struct prof_process *pr;
	uint32_t code;

	if (k->bad)
		return;
	code = profile_pycode(p, strtab_intern(&p->strs, name, strnlen(name, nn)),
			      strtab_intern(&p->strs, file, strnlen(file, nf)),
			      line > INT32_MAX ? 0 : (int32_t)line);
	pr = &p->procs[c->proc];
	*VEC_PUSH(pr->pyaddrs, pr->npyaddrs, pr->cappyaddrs) =
		(struct prof_pyaddr){ .addr = addr, .t = t, .code = code };
}

static void rec_pyruntime(struct rctx *c, struct cur *k)
{
	struct prof_process *pr = &c->p->procs[c->proc];
	uint64_t version = cur_u(k), walked = cur_u(k);

	if (k->bad)
		return;
	pr->py_version = (uint32_t)version;
	pr->py_walked = walked != 0;
}

static void pass1_record(struct rctx *c, struct rblock *b, unsigned tag, struct cur *k,
			 uint64_t t)
{
	switch (tag) {
	case XPF_REC_MAP:
		rec_map(c, k, t);
		break;
	case XPF_REC_UNMAP:
		rec_unmap(c, k, t);
		break;
	case XPF_REC_PROCESS:
		rec_process(c, k);
		break;
	case XPF_REC_THREAD_START:
	case XPF_REC_THREAD_END:
	case XPF_REC_THREAD_NAME:
		rec_thread(c, b, k, tag, t);
		break;
	case XPF_REC_THREAD_CPU:
		rec_thread_cpu(c, k);
		break;
	case XPF_REC_EXIT:
		rec_exit(c, k);
		break;
	case XPF_REC_HANDLER_TIME:
		rec_handler_time(c, k);
		break;
	case XPF_REC_STACK_USE:
		rec_stack_use(c, k);
		break;
	case XPF_REC_REAP:
		rec_reap(c, k, t);
		break;
	case XPF_REC_PY_CODE:
		rec_pycode(c, k, t);
		break;
	case XPF_REC_PY_RUNTIME:
		rec_pyruntime(c, k);
		break;
	case XPF_REC_JIT_REGION:
	case XPF_REC_JIT_FILE:
		reader_jit_record(c, tag, k);
		break;
	case XPF_REC_SCHED:
	case XPF_REC_OFFCPU_CALLS:
		reader_sched_record(c, tag, k, t);
		break;
	default:
		return;	/* samples, off-CPU, regions, notes: pass 2; unknown tags: skipped */
	}
	if (k->bad)
		reader_fault(c, "%s: a field runs past the payload; record skipped", reader_tag_name(tag));
}

void reader_walk_block(struct rctx *c, struct rblock *b, rec_fn fn, bool check)
{
	const uint8_t *base = c->buf + (size_t)b->idx * XPF_BLOCK_SIZE + BH_SIZE;
	uint32_t off = 0;
	uint64_t t = b->h.t0_ns;

	c->cb = b;
	for (c->rec = 1; off < b->end; c->rec++) {
		uint64_t plen = 0, dt;
		unsigned tag = base[off], n;
		struct cur k;

		c->recoff = (uint32_t)(b->idx * XPF_BLOCK_SIZE + BH_SIZE + off);
		if (tag == XPF_REC_PAD)
			break;
		n = xpf_get_uleb(base + off + 1, base + b->end, &plen);
		if (!n || plen > b->end - off - 1 - n) {
			if (check) {
				if (!n)
					reader_fault(c, "bad record length; rest of block skipped");
				else
					reader_fault(c, "truncated (%" PRIu64 " bytes wanted, %u left); "
						 "rest of block skipped",
					      plen, b->end - off - 1 - n);
				b->end = off;
			}
			break;
		}
		k.p = base + off + 1 + n;
		k.end = k.p + plen;
		k.bad = false;
		off += 1 + n + (uint32_t)plen;
		dt = cur_u(&k);
		if (k.bad) {
			if (check)
				reader_fault(c, "%s: no time field; record skipped", reader_tag_name(tag));
			continue;
		}
		t += dt;
		fn(c, b, tag, &k, t);
	}
	c->cb = NULL;
	c->rec = 0;
}

static void pass1_fn(struct rctx *c, struct rblock *b, unsigned tag, struct cur *k, uint64_t t)
{
	struct prof_process *pr = &c->p->procs[c->proc];

	if (t > pr->last_mono && t - pr->start_mono < (1ull << 62))
		pr->last_mono = t;
	pass1_record(c, b, tag, k, t);
}

/* ---- whole file ------------------------------------------------------------------------ */

static bool in_list(const int32_t *v, size_t n, int32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* comm: the exe's basename, else argv[0]'s, like ps shows. */
static void finish_comm(struct rctx *c, struct prof_process *pr)
{
	struct profile *p = c->p;
	const char *exe = prof_str(p, pr->exe), *argv0 = prof_str(p, pr->cmdline);
	const char *b = *exe ? path_base(exe) : path_base(argv0);
	char buf[32];

	if (!*b) {
		snprintf(buf, sizeof(buf), "pid-%" PRId32, pr->pid);
		b = buf;
	}
	pr->comm = strtab_intern(&p->strs, b, strlen(b));
}

/* The main executable may be mapped with an empty path (dl_iterate_phdr's first entry). */
static void finish_modules(struct rctx *c, struct prof_process *pr)
{
	struct profile *p = c->p;
	const char *exe = prof_str(p, pr->exe);

	for (size_t i = 0; i < pr->nmods; i++) {
		struct prof_modfile mf = p->modfiles[pr->mods[i].modfile];	/* a copy: */

		if (!*prof_str(p, mf.path) && *exe)	/* profile_modfile() may move the array */
			pr->mods[i].modfile = profile_modfile(p, exe, strlen(exe), mf.build_id,
							      mf.build_id_len);
	}
	profile_finish_maps(pr);
}

static void finish_process(struct rctx *c)
{
	struct profile *p = c->p;
	struct prof_process *pr = &p->procs[c->proc];
	const struct reader_opts *o = c->o;

	finish_comm(c, pr);
	finish_modules(c, pr);
	profile_finish_pyaddrs(pr);
	if (o->npids && !in_list(o->pids, o->npids, pr->pid))
		pr->hidden = true;
	if (o->comm && strcmp(o->comm, prof_str(p, pr->comm)))
		pr->hidden = true;
	for (size_t i = 0; i < p->nthreads; i++) {
		struct prof_thread *t = &p->threads[i];

		if (t->proc != c->proc)
			continue;
		if (!t->name)
			t->name = pr->comm;
		/* A thread's CPU clock goes on across exec (the main thread) and starts at the
		 * fork in a fork child: its own share is what it gained in this image. */
		t->cpu_ns = t->cpu_ns > t->start_cpu_ns ? t->cpu_ns - t->start_cpu_ns : 0;
		if (pr->hidden || (o->ntids && !in_list(o->tids, o->ntids, t->tid)))
			t->hidden = true;
	}
}

static int parse_header(struct rctx *c)
{
	const char *why = NULL;
	int err;

	if (c->len >= sizeof(c->h))
		memcpy(&c->h, c->buf, sizeof(c->h));
	err = check_header(&c->h, c->len, &why);
	if (err == -ENOTSUP && c->h.version > XPF_VERSION) {
		if (!c->o->quiet)
			fprintf(stderr, "%s: format version %" PRIu32 " is newer than this "
					"analyzer reads (%d); file skipped\n",
				c->name, c->h.version, XPF_VERSION);
		return err;
	}
	if (err) {
		if (!c->o->quiet)
			fprintf(stderr, "%s: %s; file skipped\n", c->name, why);
		return err;
	}
	c->h.run_id[sizeof(c->h.run_id) - 1] = '\0';
	c->h.host[sizeof(c->h.host) - 1] = '\0';
	c->h.boot_id[sizeof(c->h.boot_id) - 1] = '\0';
	if (c->o->run_id && strncmp(c->o->run_id, c->h.run_id, sizeof(c->h.run_id)))
		return -ENOENT;
	return 0;
}

/* The profile index of the image whose header is block idx, UINT32_MAX if none was read. */
static uint32_t image_proc(const struct rctx *c, uint32_t idx)
{
	for (size_t i = 0; i < c->nimgs; i++)
		if (c->imgs[i].idx == idx)
			return c->imgs[i].proc;
	return UINT32_MAX;
}

/* A fork child's process description and modules are its parent's at the fork. */
static void inherit(struct rctx *c, const struct rimage *im)
{
	struct profile *p = c->p;
	uint32_t pi = image_proc(c, im->h.parent_image);
	struct prof_process *pr = &p->procs[c->proc], *pa;

	if (!(im->h.flags & XPF_IF_FORKED) || !im->h.parent_image)
		return;
	if (pi == UINT32_MAX) {
		reader_fault(c, "fork child %" PRId32 ": its parent's image (block %" PRIu32 ") "
				"was not read; no module map",
			     im->h.pid, im->h.parent_image);
		return;
	}
	pa = &p->procs[pi];
	if (!pr->py_version) {
		pr->py_version = pa->py_version;
		pr->py_walked = pa->py_walked;
	}
	/* The code objects its parent described before the fork: the child's memory holds
	 * the same objects, and its writer knows them described (its set is a copy). */
	for (size_t i = 0; i < pa->npyaddrs; i++) {
		struct prof_pyaddr a = pa->pyaddrs[i];

		if (a.t > pr->start_mono)
			continue;
		pr = &p->procs[c->proc];
		*VEC_PUSH(pr->pyaddrs, pr->npyaddrs, pr->cappyaddrs) = a;
	}
	pr->fork_parent = pi;
	if (!pr->exe && !pr->cmdline) {
		pr->exe = pa->exe;
		pr->cmdline = pa->cmdline;
	}
	for (size_t i = 0; i < pa->nmods; i++) {
		struct prof_module m = pa->mods[i];

		if (m.t_map > pr->start_mono || m.t_unmap <= pr->start_mono)
			continue;
		m.t_unmap = PROF_NO_TIME;
		m.t_map = pr->start_mono;
		pr = &p->procs[c->proc];	/* VEC_PUSH below may not move procs: mods only */
		*VEC_PUSH(pr->mods, pr->nmods, pr->capmods) = m;
	}
}

/* The blocks of image im: a run of c->blks, which is sorted by image. */
static void image_blocks(struct rctx *c, const struct rimage *im, size_t *from, size_t *to)
{
	size_t i = 0;

	while (i < c->nblks && c->blks[i].h.image < im->idx)
		i++;
	*from = i;
	while (i < c->nblks && c->blks[i].h.image == im->idx)
		i++;
	*to = i;
}

static void parse_image(struct rctx *c, struct rimage *im)
{
	struct profile *p = c->p;
	size_t from, to;

	start_process(c, &im->h);
	im->proc = c->proc;
	image_blocks(c, im, &from, &to);
	for (size_t i = from; i < to; i++) {
		take_thread_header(c, &c->blks[i]);
		reader_walk_block(c, &c->blks[i], pass1_fn, true);
	}
	inherit(c, im);
	finish_process(c);
	if (!p->procs[c->proc].hidden) {
		c->pass2_from = from;
		c->pass2_to = to;
		reader_pass2(c);
	}
}

/* Data blocks that name no image header read: reported once per missing image. */
static void note_orphans(struct rctx *c)
{
	uint32_t last = 0;

	for (size_t i = 0; i < c->nblks; i++) {
		struct rblock *b = &c->blks[i];

		if (b->h.image == last || image_proc(c, b->h.image) != UINT32_MAX)
			continue;
		last = b->h.image;
		c->cb = b;
		reader_fault(c, "names image %" PRIu32 ", which has no image header; its blocks "
				"skipped",
			     b->h.image);
		c->cb = NULL;
	}
}

/* A file shorter than its blocks_used: said as the images explain it. */
static void note_short(struct rctx *c)
{
	int err = 0;

	if (!c->short_by)
		return;
	for (size_t i = 0; i < c->nimgs && !err; i++)
		err = c->imgs[i].h.stop_errno;
	if (err) {
		if (!c->o->quiet)
			fprintf(stderr, "%s: profiling stopped early: the file could not grow (%s)\n",
				c->name, strerror(err));
		return;
	}
	reader_fault(c, "file is %zu bytes, shorter than its %" PRIu64 " blocks (%" PRIu64
			" missing): a writer was probably killed while growing it; reading what "
			"is there",
		     c->len, c->h.blocks_used, c->short_by);
}

int reader_parse(struct profile *p, const char *name, const uint8_t *buf, size_t len,
		 const struct reader_opts *o)
{
	struct rctx *c = xcalloc(1, sizeof(*c));
	size_t nb;
	int err;

	c->p = p;
	c->name = name;
	c->buf = buf;
	c->len = len;
	c->o = o;
	c->on.what = "sample";
	c->off.what = "offcpu";
	err = parse_header(c);
	if (err) {
		if (err != -ENOENT)
			p->faults++;
		goto out;
	}
	if (p->run_start_real == PROF_NO_TIME || c->h.create_real_ns < p->run_start_real)
		p->run_start_real = c->h.create_real_ns;
	nb = block_count(c);
	for (uint32_t i = 1; i < nb; i++)
		take_block(c, i);
	order_blocks(c);
	note_short(c);
	for (size_t i = 0; i < c->nimgs; i++)
		parse_image(c, &c->imgs[i]);
	note_orphans(c);
	p->files_ok++;
	if (c->shown > (o->max_msgs ? o->max_msgs : 20) && !o->quiet)
		fprintf(stderr, "%s: %u more faults not shown\n", name,
			c->shown - (o->max_msgs ? o->max_msgs : 20));
	err = c->faults ? 1 : 0;
out:
	free(c->blks);
	free(c->imgs);
	free(c);
	return err;
}

static int map_file(const char *path, const uint8_t **buf, size_t *len, const char **why)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), err = 0;
	void *m;

	if (fd < 0)
		return *why = strerror(errno), -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		*why = strerror(errno);
	} else if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		*why = "not a regular file";
	} else if (st.st_size == 0) {
		err = -EINVAL;
		*why = "empty file";
	} else {
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			err = -errno;
			*why = strerror(errno);
		} else {
			*buf = m;
			*len = (size_t)st.st_size;
		}
	}
	close(fd);
	return err;
}

int reader_read_file(struct profile *p, const char *path, const struct reader_opts *o)
{
	const uint8_t *buf = NULL;
	const char *why = NULL;
	size_t len = 0;
	int err = map_file(path, &buf, &len, &why);

	if (err) {
		if (!o->quiet)
			fprintf(stderr, "%s: %s; file skipped\n", path, why);
		p->faults++;
		return err;
	}
	madvise((void *)buf, len, MADV_SEQUENTIAL);
	err = reader_parse(p, path, buf, len, o);
	munmap((void *)buf, len);
	return err;
}

int reader_peek(const char *path, struct xpf_file_header *h, const char **why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), err;
	struct stat st;
	ssize_t n;

	*why = NULL;
	if (fd < 0)
		return *why = strerror(errno), -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return *why = "not a regular file", -EINVAL;
	}
	n = pread(fd, h, sizeof(*h), 0);
	close(fd);
	if (n < 0)
		return *why = strerror(errno), -EIO;
	err = check_header(h, (size_t)n, why);
	if (!err)
		h->run_id[sizeof(h->run_id) - 1] = '\0';
	return err;
}
