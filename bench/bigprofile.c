// SPDX-License-Identifier: MIT
/*
 * bigprofile.c - writes a large, valid xprof run for timing the analyzer at scale.
 *
 *	bigprofile -n SAMPLES -o RUNDIR ELF
 *
 * Writes RUNDIR/bench.PID.0.xpf for 3 processes (a root and 2 fork children) of 2 threads
 * each, SAMPLES samples in all (exactly), 999 Hz weights, as libxprof.so would have written
 * a run of ELF: a PROCESS record, a MAP record with ELF's real build-id, its PT_LOAD range and
 * the load bias a PIE gets under no ASLR, then samples, THREAD_END and EXIT records. The
 * encoding (blocks per thread chained by seq, keep/n/SLEB frames, cumulative counters in
 * block headers, blocks_used) is tests/unit/synth.h's, shared with the analyzer's tests.
 *
 * Stacks are 30 frames deep, every address inside ELF's executable segment so that each
 * symbolises. They form a tree like a real program's: 6 root frames fixed per process, then
 * 4 x 8 x 8 variants of the frames below and 16 leaf pcs, 4096 distinct stacks, drawn with a
 * skew toward a few hot ones. Prints the sample count and the bytes written.
 * Exit 0, 2 on error, 64 on bad usage. Benchmark helper only.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synth.h"

#define NPROC		3
#define NTHREAD		2
#define DEPTH		30
#define PIE_BIAS	0x555555554000ull	/* where Linux puts a PIE without ASLR */
#define T0		1000000000000ull
#define WEIGHT		1001001ull		/* ns per sample at 999 Hz */

/* Levels of the stack tree, root first: frames in the level and variants of it. */
static const struct { int frames, variants; } levels[] = {
	{ 6, 1 }, { 6, 4 }, { 8, 8 }, { 9, 8 }, { 1, 16 },
};

struct elf_info {
	uint64_t lo, hi;		/* all PT_LOADs, file addresses */
	uint64_t text_lo, text_hi;	/* the executable PT_LOAD */
	uint64_t bias;
	char build_id[64];
	size_t bidlen;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

/* Reads the program headers and the GNU build-id note of a 64-bit ELF file. */
static int elf_read(const char *path, struct elf_info *e)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	const char *step = "ELF header";
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(e, 0, sizeof(*e));
	e->lo = UINT64_MAX;
	if (fd < 0) {
		perror(path);
		return -1;
	}
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		goto fail;
	e->bias = eh.e_type == ET_DYN ? PIE_BIAS : 0;
	step = "program headers";
	for (int i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + (off_t)i * eh.e_phentsize) != sizeof(ph))
			goto fail;
		if (ph.p_type == PT_LOAD) {
			e->lo = ph.p_vaddr < e->lo ? ph.p_vaddr : e->lo;
			e->hi = ph.p_vaddr + ph.p_memsz > e->hi ? ph.p_vaddr + ph.p_memsz : e->hi;
			if (ph.p_flags & PF_X) {
				e->text_lo = ph.p_vaddr;
				e->text_hi = ph.p_vaddr + ph.p_memsz;
			}
		} else if (ph.p_type == PT_NOTE && ph.p_filesz <= 4096) {
			uint8_t buf[4096], *p = buf, *end = buf + ph.p_filesz;

			if (pread(fd, buf, ph.p_filesz, ph.p_offset) != (ssize_t)ph.p_filesz)
				goto fail;
			while (p + 12 <= end) {
				Elf64_Nhdr *n = (Elf64_Nhdr *)p;
				size_t nsz = (n->n_namesz + 3) & ~3u, dsz = (n->n_descsz + 3) & ~3u;

				if (n->n_type == NT_GNU_BUILD_ID && n->n_descsz <= 64 &&
				    p + 12 + nsz + n->n_descsz <= end) {
					memcpy(e->build_id, p + 12 + nsz, n->n_descsz);
					e->bidlen = n->n_descsz;
				}
				p += 12 + nsz + dsz;
			}
		}
	}
	step = "executable segment";
	if (e->text_hi <= e->text_lo)
		goto fail;
	close(fd);
	return 0;
fail:
	fprintf(stderr, "bigprofile: %s: %s\n", path, step);
	close(fd);
	return -1;
}

/* Variant index in [0, n), skewed toward 0: a few hot paths, a long tail. */
static int pick(int n)
{
	double u = (double)(rng() >> 11) / (double)(1ull << 53);

	return (int)(u * u * n);
}

/* A stack of the tree for process `proc`, leaf first, as run-time addresses. */
static void make_stack(const struct elf_info *e, int proc, uint64_t *st)
{
	uint64_t span = e->text_hi - e->text_lo;
	int pos = DEPTH - 1;	/* fill root first: st[DEPTH-1] is the root */

	for (unsigned l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		int v = levels[l].variants > 1 ? pick(levels[l].variants) : proc;

		for (int f = 0; f < levels[l].frames; f++, pos--) {
			uint64_t key = ((uint64_t)l << 48) | ((uint64_t)v << 24) | (uint64_t)f;

			st[pos] = e->bias + e->text_lo + mix(key + 1) % span;
		}
	}
}

static int write_process(const char *dir, const char *elf, const struct elf_info *e, int proc,
			 uint64_t samples)
{
	static struct synth s;	/* large (per-thread stack copies); one process at a time */
	int32_t pid = 1000 + proc, tids[NTHREAD] = { pid, pid + NPROC };
	uint64_t st[DEPTH], t = T0, cpu[NTHREAD] = { 0 }, total = 0;
	struct xpf_file_header *h;
	struct xpf_image_header *im;
	char path[4096];
	const char *base = strrchr(elf, '/') ? strrchr(elf, '/') + 1 : elf;
	int ret;

	synth_init(&s, pid, 0, T0, T0);
	h = synth_hdr(&s);
	im = synth_img(&s);
	im->flags = proc ? XPF_IF_FORKED : XPF_IF_ROOT;
	im->ppid = proc ? 1000 : 1;
	snprintf(h->run_id, sizeof(h->run_id), "big");
	snprintf(h->host, sizeof(h->host), "bench");
	synth_process(&s, pid, t++, elf, base);
	synth_map(&s, pid, t++, e->bias, e->bias + e->lo, e->bias + e->hi, e->build_id,
		  e->bidlen, elf);
	for (uint64_t i = 0; i < samples; i++) {
		int k = i % NTHREAD;

		make_stack(e, proc, st);
		t += WEIGHT / NTHREAD;
		cpu[k] += WEIGHT;
		synth_sample(&s, tids[k], t, WEIGHT, XPF_SF_LEAF_EXACT, st, DEPTH);
	}
	for (int k = 0; k < NTHREAD; k++) {
		synth_thread_end(&s, tids[k], ++t, cpu[k]);
		total += cpu[k];
	}
	synth_exit(&s, pid, ++t, XPF_END_EXIT, 0, total);
	snprintf(path, sizeof(path), "%s/bench.%d.0%s", dir, pid, XPF_FILE_SUFFIX);
	ret = synth_write(&s, path, 0);
	if (ret < 0)
		fprintf(stderr, "bigprofile: %s: %s\n", path, strerror(errno));
	else
		printf("%s\t%llu\t%zu\n", path, (unsigned long long)samples, synth_size(&s));
	synth_free(&s);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned long long n = 10000000;
	const char *dir = NULL;
	struct elf_info e;
	int c;

	while ((c = getopt(argc, argv, "n:o:")) != -1) {
		switch (c) {
		case 'n': n = strtoull(optarg, NULL, 0); break;
		case 'o': dir = optarg; break;
		default: goto usage;
		}
	}
	if (!dir || optind != argc - 1)
		goto usage;
	if (elf_read(argv[optind], &e) < 0)
		return 2;
	for (int p = 0; p < NPROC; p++)
		if (write_process(dir, argv[optind], &e, p, n / NPROC + (p < (int)(n % NPROC))) < 0)
			return 2;
	return fflush(stdout) || ferror(stdout) ? 2 : 0;
usage:
	fprintf(stderr, "usage: bigprofile -n SAMPLES -o RUNDIR ELF\n");
	return 64;
}
