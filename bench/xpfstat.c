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

/* One block's records added to f (image headers give the mechanism and probe cost). */
static void block_add(const uint8_t *b, struct fstat *f)
{
	const struct xpf_block_header *bh = (const void *)b;
	const struct xpf_image_header *ih = (const void *)b;
	const uint8_t *p = b + sizeof(*bh), *end;
	uint64_t len, dt;

	if (ih->magic == XPF_IMAGE_MAGIC && !f->have_image) {
		f->mech = ih->mechanism;
		f->probe = ih->probe_sample_ns;
		f->have_image = 1;
	}
	if (bh->magic != XPF_BLOCK_MAGIC || bh->used > XPF_BLOCK_PAYLOAD)
		return;
	end = p + bh->used;
	while (p < end && *p != XPF_REC_PAD) {
		const uint8_t *rec = p;
		unsigned tag = *p++, k = xpf_get_uleb(p, end, &len), kd;
		const uint8_t *q = p + k;

		if (!k || len > (uint64_t)(end - q))
			return;
		p = q + len;
		if (tag == XPF_REC_SAMPLE) {
			f->samples++;
			f->sample_bytes += (uint64_t)(p - rec);
		} else if (tag == XPF_REC_PY_CODE) {
			f->pycode_bytes += (uint64_t)(p - rec);
		} else if (tag == XPF_REC_HANDLER_TIME && (kd = xpf_get_uleb(q, p, &dt))) {
			hist_add(q + kd, p, f);
		}
	}
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
	int ret = 0;

	for (int i = 1; i < argc; i++)
		if (stat_one(argv[i]) < 0)
			ret = 1;
	if (fflush(stdout) || ferror(stdout))
		return 2;
	return ret;
}
