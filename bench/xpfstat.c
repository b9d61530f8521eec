// SPDX-License-Identifier: MIT
/*
 * xpfstat.c - on-disk size of xprof profile files, for the benchmark's bytes-per-sample.
 *
 *	xpfstat FILE.xpf...
 *
 * Prints one row per file: path, used bytes (blocks_used * block_size from the file header,
 * what the profile really occupies), allocated bytes (st_blocks * 512, what du shows), the
 * mechanism (enum xpf_mechanism), probe_sample_ns, and the handler-time histogram's bucket
 * width and bucket count (from the XPF_REC_HANDLER_TIME records; 0 0 if there are none: the
 * last bucket holds everything above, so a quantile that lands there is only a lower bound).
 * Reads through include/xprof-format.h so a layout change cannot go unnoticed here.
 * Exit 0, or 1 if some file could not be read (its row is skipped).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xprof-format.h"

/* Bucket width and count of the first handler-time record in block `b`, if any. */
static void hist_shape(const uint8_t *b, uint64_t *bucket, uint64_t *n)
{
	const struct xpf_block_header *bh = (const void *)b;
	const uint8_t *p = b + sizeof(*bh), *end;
	uint64_t len, v[4];

	if (bh->magic != XPF_BLOCK_MAGIC || bh->used > XPF_BLOCK_PAYLOAD)
		return;
	end = p + bh->used;
	while (p < end && *p != XPF_REC_PAD) {
		unsigned tag = *p++, k = xpf_get_uleb(p, end, &len);
		const uint8_t *q = p + k;

		if (!k || len > (uint64_t)(end - q))
			return;
		p = q + len;
		if (tag != XPF_REC_HANDLER_TIME)
			continue;
		for (int i = 0; i < 4; i++) {	/* dt, tid, bucket_ns, n */
			k = xpf_get_uleb(q, p, &v[i]);
			if (!k)
				return;
			q += k;
		}
		*bucket = v[2];
		*n = v[3];
	}
}

static int stat_one(const char *path)
{
	static uint8_t blk[XPF_BLOCK_SIZE];	/* one block at a time; single-threaded */
	struct xpf_file_header hdr;
	uint64_t bucket = 0, nb = 0;
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
		hist_shape(blk, &bucket, &nb);
	}
	printf("%s\t%llu\t%llu\t%u\t%llu\t%llu\t%llu\n", path,
	       (unsigned long long)hdr.blocks_used * hdr.block_size,
	       (unsigned long long)st.st_blocks * 512, hdr.mechanism,
	       (unsigned long long)hdr.probe_sample_ns, (unsigned long long)bucket,
	       (unsigned long long)nb);
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
