// SPDX-License-Identifier: MIT
/*
 * xpfstat.c - on-disk size of xprof profile files, for the benchmark's bytes-per-sample.
 *
 *	xpfstat FILE.xpf...
 *
 * Prints one row per file: path, used bytes (blocks_used * block_size from the file header,
 * what the profile really occupies), allocated bytes (st_blocks * 512, what du shows), the
 * mechanism (enum xpf_mechanism) and probe_sample_ns of its first image header, the
 * handler-time histogram's bucket width and bucket count (from the XPF_REC_HANDLER_TIME
 * records; 0 0 if there are none: the last bucket holds everything above, so a quantile
 * that lands there is only a lower bound), then the histogram's samples and their time added
 * up at bucket midpoints (ns, for a mean), the sample records and their bytes (tag, length
 * and payload), and the bytes of XPF_REC_PY_CODE records.
 * Reads through include/xprof-format.h so a layout change cannot go unnoticed here.
 *
 *	xpfstat --offcpu FILE.xpf...
 *
 * prints the off-CPU records of each file instead, tab-separated:
 *	offcpu	FILE	records	one_call	partial	bytes	sched_records	calls_records
 *		the XPF_REC_OFFCPU records (of which XPF_SF_ONE_CALL, and with XPF_SF_PARTIAL
 *		stacks), their bytes (tag, length, payload), the SCHED and OFFCPU_CALLS records;
 *	call	FILE	CALL	records	weight_ns	calls	blocked	blocked_ns
 *		per call number (enum xpf_call) that has records or totals: its OFFCPU records
 *		and their weights added up, and the exact totals of the last OFFCPU_CALLS
 *		record of each thread, added up over the threads;
 *	sched	FILE	TID	on_cpu_ns	run_delay_ns	timeslices	nvcsw	nivcsw	wall_ns	cpu_ns
 *		per thread, its last SCHED record, its lifetime (THREAD_START to THREAD_END
 *		or its last record) and its CPU at THREAD_END (0 if it has none).
 * Exit 0, or 1 if some file could not be read (its row is skipped).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xprof-format.h"

struct fstat {
	uint32_t mech;
	uint64_t probe, bucket, nb, hist_n, hist_ns, samples, sample_bytes, pycode_bytes;
	int have_image;
};

/* A handler-time record's payload after dt: tid, bucket_ns, n, n counts. */
static void hist_add(const uint8_t *q, const uint8_t *end, struct fstat *f)
{
	uint64_t v[3], c;
	unsigned k;

	for (int i = 0; i < 3; i++) {	/* tid, bucket_ns, n */
		if (!(k = xpf_get_uleb(q, end, &v[i])))
			return;
		q += k;
	}
	if (!f->bucket) {
		f->bucket = v[1];
		f->nb = v[2];
	}
	for (uint64_t i = 0; i < v[2] && (k = xpf_get_uleb(q, end, &c)); i++, q += k) {
		f->hist_n += c;
		f->hist_ns += c * (i * v[1] + v[1] / 2);
	}
}

typedef void (*rec_fn)(void *ctx, const struct xpf_block_header *bh, unsigned tag,
		       const uint8_t *q, const uint8_t *end, uint64_t now, uint64_t bytes);

/* Every record of a data block: fn gets its tag, its payload after dt (q to end), its time
 * (the block's t0 plus the dts so far) and its size, tag and length included. */
static void block_records(const uint8_t *b, rec_fn fn, void *ctx)
{
	const struct xpf_block_header *bh = (const void *)b;
	const uint8_t *p = b + sizeof(*bh), *end;
	uint64_t len, dt, now;

	if (bh->magic != XPF_BLOCK_MAGIC || bh->used > XPF_BLOCK_PAYLOAD)
		return;
	end = p + bh->used;
	now = bh->t0_ns;
	while (p < end && *p != XPF_REC_PAD) {
		const uint8_t *rec = p;
		unsigned tag = *p++, k = xpf_get_uleb(p, end, &len), kd;
		const uint8_t *q = p + k;

		if (!k || len > (uint64_t)(end - q))
			return;
		p = q + len;
		if (!(kd = xpf_get_uleb(q, p, &dt)))
			continue;
		now += dt;
		fn(ctx, bh, tag, q + kd, p, now, (uint64_t)(p - rec));
	}
}

static void stat_record(void *ctx, const struct xpf_block_header *bh, unsigned tag,
			const uint8_t *q, const uint8_t *end, uint64_t now, uint64_t bytes)
{
	struct fstat *f = ctx;

	(void)bh;
	(void)now;
	if (tag == XPF_REC_SAMPLE) {
		f->samples++;
		f->sample_bytes += bytes;
	} else if (tag == XPF_REC_PY_CODE) {
		f->pycode_bytes += bytes;
	} else if (tag == XPF_REC_HANDLER_TIME) {
		hist_add(q, end, f);
	}
}

/* One block's records added to f (image headers give the mechanism and probe cost). */
static void block_add(const uint8_t *b, struct fstat *f)
{
	const struct xpf_image_header *ih = (const void *)b;

	if (ih->magic == XPF_IMAGE_MAGIC && !f->have_image) {
		f->mech = ih->mechanism;
		f->probe = ih->probe_sample_ns;
		f->have_image = 1;
	}
	block_records(b, stat_record, f);
}

/* ---- --offcpu ---- */

#define MAX_TIDS 4096

struct tid_off {
	int32_t tid;
	int have_sched, have_calls;
	uint64_t sched[5], start, last, cpu;
	uint64_t calls[XPF_CALL_NR][3];
};

static struct {
	uint64_t records, one_call, partial, bytes, sched, calls_recs;
	uint64_t rec_n[XPF_CALL_NR], rec_w[XPF_CALL_NR];
	struct tid_off tids[MAX_TIDS];
	size_t ntids;
} off;

static struct tid_off *tid_of(int32_t tid)
{
	for (size_t i = 0; i < off.ntids; i++)
		if (off.tids[i].tid == tid)
			return &off.tids[i];
	if (off.ntids == MAX_TIDS)
		return NULL;
	memset(&off.tids[off.ntids], 0, sizeof(off.tids[0]));
	off.tids[off.ntids].tid = tid;
	return &off.tids[off.ntids++];
}

/* n ULEB fields at q (after dt); 0 if the payload is short. */
static int ulebs(const uint8_t *q, const uint8_t *end, uint64_t *v, int n, const uint8_t **next)
{
	for (int i = 0; i < n; i++) {
		unsigned k = xpf_get_uleb(q, end, &v[i]);

		if (!k)
			return 0;
		q += k;
	}
	if (next)
		*next = q;
	return 1;
}

static void off_record(unsigned tag, const uint8_t *q, const uint8_t *end, uint64_t now,
		       struct tid_off *self, uint64_t bytes)
{
	uint64_t v[8];
	struct tid_off *t;

	if (self && !self->start)
		self->start = now;
	if (self)
		self->last = now;
	if (tag == XPF_REC_OFFCPU && ulebs(q, end, v, 2, &q) && q < end) {
		off.records++;
		off.bytes += bytes;
		if (*q & XPF_SF_ONE_CALL)
			off.one_call++;
		if (*q & XPF_SF_PARTIAL)
			off.partial++;
		if (v[1] < XPF_CALL_NR) {
			off.rec_n[v[1]]++;
			off.rec_w[v[1]] += v[0];
		}
	} else if (tag == XPF_REC_SCHED && ulebs(q, end, v, 6, NULL) && (t = tid_of((int32_t)v[0]))) {
		off.sched++;
		memcpy(t->sched, v + 1, sizeof(t->sched));
		t->have_sched = 1;
	} else if (tag == XPF_REC_OFFCPU_CALLS && ulebs(q, end, v, 2, &q) &&
		   (t = tid_of((int32_t)v[0]))) {
		off.calls_recs++;
		memset(t->calls, 0, sizeof(t->calls));
		t->have_calls = 1;
		for (uint64_t i = 0; i < v[1] && ulebs(q, end, v + 2, 4, &q); i++)
			if (v[2] < XPF_CALL_NR)
				memcpy(t->calls[v[2]], v + 3, 3 * sizeof(uint64_t));
	} else if (tag == XPF_REC_THREAD_END && self && ulebs(q, end, v, 1, NULL)) {
		self->cpu = v[0];
	} else if (tag == XPF_REC_THREAD_START && self) {
		self->start = now;
	}
}

static void off_rec(void *ctx, const struct xpf_block_header *bh, unsigned tag,
		    const uint8_t *q, const uint8_t *end, uint64_t now, uint64_t bytes)
{
	(void)ctx;
	off_record(tag, q, end, now, tid_of(bh->tid), bytes);
}

static void off_block(const uint8_t *b)
{
	block_records(b, off_rec, NULL);
}

static void off_print(const char *path)
{
	printf("offcpu\t%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\n", path,
	       (unsigned long long)off.records, (unsigned long long)off.one_call,
	       (unsigned long long)off.partial, (unsigned long long)off.bytes,
	       (unsigned long long)off.sched, (unsigned long long)off.calls_recs);
	for (unsigned c = 1; c < XPF_CALL_NR; c++) {
		uint64_t tot[3] = { 0 };

		for (size_t i = 0; i < off.ntids; i++)
			for (int k = 0; k < 3; k++)
				tot[k] += off.tids[i].calls[c][k];
		if (!off.rec_n[c] && !tot[0])
			continue;
		printf("call\t%s\t%u\t%llu\t%llu\t%llu\t%llu\t%llu\n", path, c,
		       (unsigned long long)off.rec_n[c], (unsigned long long)off.rec_w[c],
		       (unsigned long long)tot[0], (unsigned long long)tot[1],
		       (unsigned long long)tot[2]);
	}
	for (size_t i = 0; i < off.ntids; i++) {
		const struct tid_off *t = &off.tids[i];

		if (!t->have_sched)
			continue;
		printf("sched\t%s\t%d\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\n", path, t->tid,
		       (unsigned long long)t->sched[0], (unsigned long long)t->sched[1],
		       (unsigned long long)t->sched[2], (unsigned long long)t->sched[3],
		       (unsigned long long)t->sched[4], (unsigned long long)(t->last - t->start),
		       (unsigned long long)t->cpu);
	}
}

static int offcpu_one(const char *path)
{
	static uint8_t blk[XPF_BLOCK_SIZE];
	struct xpf_file_header hdr;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror(path);
		return -1;
	}
	memset(&off, 0, sizeof(off));
	if (pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    memcmp(hdr.magic, XPF_MAGIC, sizeof(hdr.magic)) != 0) {
		fprintf(stderr, "xpfstat: %s: not an xprof profile\n", path);
		close(fd);
		return -1;
	}
	for (uint64_t i = 1; i < hdr.blocks_used && hdr.block_size == XPF_BLOCK_SIZE; i++) {
		if (pread(fd, blk, sizeof(blk), (off_t)(i * sizeof(blk))) != (ssize_t)sizeof(blk))
			break;
		off_block(blk);
	}
	close(fd);
	off_print(path);
	return 0;
}

static int stat_one(const char *path)
{
	static uint8_t blk[XPF_BLOCK_SIZE];	/* one block at a time; single-threaded */
	struct xpf_file_header hdr;
	struct fstat f = { 0 };
	struct stat st;
	const char *step;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		step = "fstat";
		goto fail;
	}
	if (pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr)) {
		step = "header: short read";
		goto fail;
	}
	if (memcmp(hdr.magic, XPF_MAGIC, sizeof(hdr.magic)) != 0) {
		step = "header: bad magic";
		goto fail;
	}
	for (uint64_t i = 1; i < hdr.blocks_used && hdr.block_size == XPF_BLOCK_SIZE; i++) {
		if (pread(fd, blk, sizeof(blk), (off_t)(i * sizeof(blk))) != (ssize_t)sizeof(blk))
			break;
		block_add(blk, &f);
	}
	printf("%s\t%llu\t%llu\t%u\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\n", path,
	       (unsigned long long)hdr.blocks_used * hdr.block_size,
	       (unsigned long long)st.st_blocks * 512, f.mech, (unsigned long long)f.probe,
	       (unsigned long long)f.bucket, (unsigned long long)f.nb,
	       (unsigned long long)f.hist_n, (unsigned long long)f.hist_ns,
	       (unsigned long long)f.samples, (unsigned long long)f.sample_bytes,
	       (unsigned long long)f.pycode_bytes);
	close(fd);
	return 0;
fail:
	fprintf(stderr, "xpfstat: %s: %s\n", path, step);
	close(fd);
	return -1;
}

int main(int argc, char **argv)
{
	int ret = 0, offcpu = argc > 1 && !strcmp(argv[1], "--offcpu");

	for (int i = 1 + offcpu; i < argc; i++)
		if ((offcpu ? offcpu_one(argv[i]) : stat_one(argv[i])) < 0)
			ret = 1;
	if (fflush(stdout) || ferror(stdout))
		return 2;
	return ret;
}
