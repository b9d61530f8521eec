/* SPDX-License-Identifier: MIT */
/*
 * xpf-dump FILE...: prints what the integration tests check directly in .xpf files, without
 * the analyzer, as tab-separated lines:
 *	file	PATH	pid	ppid	gen	flags	mechanism	hz	max_depth	signo	end_state
 *		exit_status	blocks_used	header_ok
 *	tid	PATH	tid	samples	cpu_ns	dropped_total	blocks
 * Thread figures come from the newest block header of each tid (cumulative counters). A file
 * whose header cannot be read prints header_ok 0 and no tid lines. Exit 0, or 1 if a file
 * could not be read.
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
	int32_t tid;
	uint32_t seq, blocks;
	uint64_t samples, cpu_ns, dropped;
};

static struct tid_sum *tid_find(struct tid_sum *t, size_t *n, int32_t tid)
{
	for (size_t i = 0; i < *n; i++)
		if (t[i].tid == tid)
			return &t[i];
	memset(&t[*n], 0, sizeof(t[*n]));
	t[*n].tid = tid;
	return &t[(*n)++];
}

static int dump(const char *path)
{
	const struct xpf_file_header *h;
	struct tid_sum *tids;
	size_t ntid = 0, nblk;
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
	printf("file\t%s\t%d\t%d\t%u\t%u\t%u\t%u\t%u\t%u\t%u\t%d\t%llu\t%d\n", path, h->pid,
	       h->ppid, h->exec_gen, h->flags, h->mechanism, h->hz, h->max_depth, h->signo,
	       h->end_state, h->exit_status, (unsigned long long)h->blocks_used, ok);
	nblk = ok ? (size_t)st.st_size / XPF_BLOCK_SIZE : 0;
	tids = calloc(nblk + 1, sizeof(*tids));
	for (size_t b = 1; b < nblk; b++) {
		const struct xpf_block_header *bh = (const void *)(p + b * XPF_BLOCK_SIZE);
		struct tid_sum *t;
		uint64_t d = 0;

		if (bh->magic != XPF_BLOCK_MAGIC)
			continue;
		t = tid_find(tids, &ntid, bh->tid);
		t->blocks++;
		if (t->blocks > 1 && bh->seq < t->seq)
			continue;
		for (int i = 0; i < XPF_DROP_NR; i++)
			d += bh->dropped[i];
		t->seq = bh->seq;
		t->samples = bh->samples;
		t->cpu_ns = bh->cpu_ns;
		t->dropped = d;
	}
	for (size_t i = 0; i < ntid; i++)
		printf("tid\t%s\t%d\t%llu\t%llu\t%llu\t%u\n", path, tids[i].tid,
		       (unsigned long long)tids[i].samples, (unsigned long long)tids[i].cpu_ns,
		       (unsigned long long)tids[i].dropped, tids[i].blocks);
	free(tids);
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
