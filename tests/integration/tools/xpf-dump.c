/* SPDX-License-Identifier: MIT */
/*
 * xpf-dump FILE...: prints what the integration tests check directly in .xpf files, without
 * the analyzer, as tab-separated lines, one `file` line per process image and one `tid` line
 * per thread of an image:
 *	file	IMAGE	pid	ppid	gen	flags	mechanism	hz	max_depth	signo	end_state
 *		exit_status	blocks_used	header_ok
 *	tid	IMAGE	tid	samples	cpu_ns	dropped_total	blocks
 * IMAGE is PATH#N, N the block index of the image's header. gen counts the images of a pid
 * that followed one another by exec. Thread figures come from the newest block header of
 * each tid (cumulative counters). A file whose header cannot be read prints one file line
 * with header_ok 0. Exit 0, or 1 if a file could not be read.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xprof-format.h"

struct tid_sum {
	uint32_t image;
	int32_t tid;
	uint32_t seq, blocks;
	uint64_t samples, cpu_ns, dropped;
};

struct image {
	uint32_t idx, gen;
	const struct xpf_image_header *h;
};

static struct tid_sum *tid_find(struct tid_sum *t, size_t *n, uint32_t image, int32_t tid)
{
	for (size_t i = 0; i < *n; i++)
		if (t[i].tid == tid && t[i].image == image)
			return &t[i];
	memset(&t[*n], 0, sizeof(t[*n]));
	t[*n].image = image;
	t[*n].tid = tid;
	return &t[(*n)++];
}

/* gen: 0 for an image that did not follow another of its pid by exec, else one more. */
static void number_gens(struct image *im, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct image *best = NULL;

		for (size_t j = 0; j < n; j++) {
			const struct xpf_image_header *a = im[j].h, *b = im[i].h;

			if (j == i || a->pid != b->pid || a->start_mono_ns >= b->start_mono_ns)
				continue;
			if (!best || a->start_mono_ns > best->h->start_mono_ns)
				best = &im[j];
		}
		im[i].gen = 0;
		if (best && best->h->end_state == XPF_END_EXEC && !(im[i].h->flags & XPF_IF_FORKED))
			im[i].gen = best->gen + 1;	/* images are in start order: best is done */
	}
}

static void sum_block(struct tid_sum *t, const struct xpf_block_header *bh)
{
	uint64_t d = 0;

	t->blocks++;
	if (t->blocks > 1 && bh->seq < t->seq)
		return;
	for (int i = 0; i < XPF_DROP_NR; i++)
		d += bh->dropped[i];
	t->seq = bh->seq;
	t->samples = bh->samples;
	t->cpu_ns = bh->cpu_ns;
	t->dropped = d;
}

static int dump(const char *path)
{
	const struct xpf_file_header *h;
	struct tid_sum *tids;
	struct image *im;
	size_t ntid = 0, nim = 0, nblk;
	struct stat st;
	uint8_t *p;
	int fd, ok;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(*h)) {
		printf("file\t%s\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n", path);
		return 1;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return 1;
	h = (const void *)p;
	ok = memcmp(h->magic, XPF_MAGIC, 8) == 0 && h->version == XPF_VERSION &&
	     h->block_size == XPF_BLOCK_SIZE;
	if (!ok)
		printf("file\t%s\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n", path);
	nblk = ok ? (size_t)st.st_size / XPF_BLOCK_SIZE : 0;
	if (nblk > h->blocks_used)
		nblk = h->blocks_used;
	tids = calloc(nblk + 1, sizeof(*tids));
	im = calloc(nblk + 1, sizeof(*im));
	for (size_t b = 1; b < nblk; b++) {
		const struct xpf_block_header *bh = (const void *)(p + b * XPF_BLOCK_SIZE);

		if (bh->magic == XPF_IMAGE_MAGIC)
			im[nim++] = (struct image){ (uint32_t)b, 0, (const void *)bh };
		else if (bh->magic == XPF_BLOCK_MAGIC)
			sum_block(tid_find(tids, &ntid, bh->image, bh->tid), bh);
	}
	number_gens(im, nim);
	for (size_t i = 0; i < nim; i++) {
		const struct xpf_image_header *x = im[i].h;

		printf("file\t%s#%u\t%d\t%d\t%u\t%u\t%u\t%u\t%u\t%u\t%u\t%d\t%llu\t1\n", path,
		       im[i].idx, x->pid, x->ppid, im[i].gen, x->flags, x->mechanism, x->hz,
		       x->max_depth, x->signo, x->end_state, x->exit_status,
		       (unsigned long long)x->blocks + 1);
	}
	for (size_t i = 0; i < ntid; i++)
		printf("tid\t%s#%u\t%d\t%llu\t%llu\t%llu\t%u\n", path, tids[i].image, tids[i].tid,
		       (unsigned long long)tids[i].samples, (unsigned long long)tids[i].cpu_ns,
		       (unsigned long long)tids[i].dropped, tids[i].blocks);
	free(tids);
	free(im);
	munmap(p, st.st_size);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc; i++)
		if (dump(argv[i]) != 0)
			rc = 1;
	return rc;
}
