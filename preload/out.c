// SPDX-License-Identifier: MIT
/*
 * out.c - the output file of one process image: OUT/RUN/HOST.PID.GEN.xpf, mapped MAP_SHARED
 * in 16 MiB segments and handed out in 4 KiB blocks.
 *
 * Why a shared file mapping and not write(): a record is in the page cache the moment it is
 * stored, so it survives _exit, abort, a crash or SIGKILL with no flush at exit, and the
 * handler never makes a write syscall per sample.
 * Why fallocate per block: a store into a sparse page of a full disk raises SIGBUS in the
 * program; reserving the block first turns that into an error we can count and report.
 *
 * out_open/out_forget/out_finish run in normal context; out_block_new, out_block_done and
 * out_stop are AS-safe (atomics and plain syscalls only).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xprof-int.h"

/* Not AS-safe: mkdir -p with `mode` for the last component, 0755 above it. */
static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* AS-safe: a zeroed, allocated block at index idx (fallocate, else write zeros). */
static int block_reserve(uint64_t idx)
{
	static const char zero[XPF_BLOCK_SIZE];
	off_t off = (off_t)(idx * XPF_BLOCK_SIZE);

	if (fallocate(xp.fd, 0, off, XPF_BLOCK_SIZE) == 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != ENOSYS)
		return -errno;
	/* Filesystems without fallocate: writing the zeros allocates just the same. */
	if (pwrite(xp.fd, zero, sizeof(zero), off) != (ssize_t)sizeof(zero))
		return errno ? -errno : -ENOSPC;
	return 0;
}

/* AS-safe: the mapping of segment s, made on first use (mmap is a plain syscall; two
 * threads racing both map it, the loser unmaps its copy). */
static uint8_t *segment(uint64_t s)
{
	uint8_t *p = atomic_load_explicit(&xp.seg[s], memory_order_acquire);
	uint8_t *expect = NULL;

	if (p)
		return p;
	p = mmap(NULL, XP_SEG_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, xp.fd,
		 (off_t)(s * XP_SEG_BYTES));
	if (p == MAP_FAILED)
		return NULL;
	if (!atomic_compare_exchange_strong(&xp.seg[s], &expect, p)) {
		munmap(p, XP_SEG_BYTES);
		p = expect;
	}
	return p;
}

/* AS-safe: see out_stop's declaration. */
void out_stop(int err, const char *what)
{
	static const char pre[] = "xprof: ";
	static const char mid[] = ": profiling stopped, the program runs on (";
	char num[16];
	int n = 0, e = err < 0 ? -err : err;

	atomic_store(&xp.stopped, e ? e : EIO);
	if (xp.hdr)
		xp.hdr->stop_errno = e;
	if (atomic_exchange(&xp.stop_said, 1))
		return;
	/* strerror is not AS-safe: print the number, the man page lists the usual ones. */
	do
		num[sizeof(num) - 1 - n++] = '0' + e % 10;
	while ((e /= 10) && n < 15);
	ssize_t r = write(2, pre, sizeof(pre) - 1);

	r = write(2, xp.path, strlen(xp.path));
	r = write(2, ": ", 2);
	r = write(2, what, strlen(what));
	r = write(2, mid, sizeof(mid) - 1);
	r = write(2, "errno ", 6);
	r = write(2, num + sizeof(num) - n, n);
	r = write(2, ")\n", 2);
	(void)r;
}

/* AS-safe: see declaration. */
struct xpf_block_header *out_block_new(struct xp_thread *t, uint64_t now)
{
	uint64_t idx;
	uint8_t *seg;
	struct xpf_block_header *b;
	int err;

	if (atomic_load_explicit(&xp.stopped, memory_order_relaxed) || !xp.hdr)
		return NULL;
	/* blocks_used never passes the limit: a reader trusts it as the file's extent. */
	idx = __atomic_load_n(&xp.hdr->blocks_used, __ATOMIC_RELAXED);
	do {
		if (idx >= xp.max_blocks) {
			__atomic_fetch_add(&xp.hdr->blocks_lost, 1, __ATOMIC_RELAXED);
			out_stop(EFBIG, "XPROF_MAX_MB reached");
			return NULL;
		}
	} while (!__atomic_compare_exchange_n(&xp.hdr->blocks_used, &idx, idx + 1, 1,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	err = block_reserve(idx);
	if (err) {
		uint64_t mine = idx + 1;

		/* Give the index back when no one took a later one, so that blocks_used keeps
		 * matching the file (a later taker's block may be there: then it stays). */
		__atomic_compare_exchange_n(&xp.hdr->blocks_used, &mine, idx, 0, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
		__atomic_fetch_add(&xp.hdr->blocks_lost, 1, __ATOMIC_RELAXED);
		out_stop(err, "cannot grow the profile");
		return NULL;
	}
	seg = segment(idx / XP_SEG_BLOCKS);
	if (!seg) {
		__atomic_fetch_add(&xp.hdr->blocks_lost, 1, __ATOMIC_RELAXED);
		out_stop(errno, "cannot map the profile");
		return NULL;
	}
	b = (struct xpf_block_header *)(seg + (idx % XP_SEG_BLOCKS) * XPF_BLOCK_SIZE);
	b->tid = t->tid;
	b->seq = t->seq++;
	b->t0_ns = now;
	b->samples = t->samples;
	b->cpu_ns = t->last_cpu;
	b->dropped_ns = t->dropped_ns;
	memcpy(b->dropped, t->dropped, sizeof(b->dropped));
	b->used = 0;
	/* The magic last: a reader never trusts a block whose header is half written. */
	__atomic_store_n(&b->magic, XPF_BLOCK_MAGIC, __ATOMIC_RELEASE);
	return b;
}

/* AS-safe: madvise is a plain syscall. For a shared file mapping MADV_DONTNEED only drops
 * the page table entries: dirty data stays in the page cache and reaches the file. */
void out_block_done(struct xpf_block_header *b)
{
	if (b)
		madvise(b, XPF_BLOCK_SIZE, MADV_DONTNEED);
}

/* Not AS-safe: OUT/RUN/HOST.PID.GEN.xpf, created exclusively; GEN counts images of a pid. */
static int create_file(pid_t pid)
{
	for (uint32_t gen = 0; gen < 1000; gen++) {
		int fd, n = snprintf(xp.path, sizeof(xp.path), "%s/%s.%d.%u" XPF_FILE_SUFFIX,
				     xp.run_dir, xp.host, (int)pid, gen);

		if (n < 0 || (size_t)n >= sizeof(xp.path))
			return -ENAMETOOLONG;
		fd = open(xp.path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			xp.gen = gen;
			return fd;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static void header_fill(struct xpf_file_header *h, uint32_t flags, pid_t ppid)
{
	struct timespec rt;

	memcpy(h->magic, XPF_MAGIC, sizeof(h->magic));
	h->version = XPF_VERSION;
	h->block_size = XPF_BLOCK_SIZE;
	h->header_size = sizeof(*h);
	h->flags = flags | (xp.gen ? XPF_FF_EXECED : 0);
	h->pid = xp.pid;
	h->ppid = ppid;
	h->exec_gen = xp.gen;
	h->mechanism = (uint32_t)xp.mech;
	h->probe_sample_ns = xp.probe_ns;
	h->hz = xp.cfg.hz;
	h->max_depth = xp.cfg.depth;
	h->signo = (uint32_t)xp.cfg.signo;
	h->start_mono_ns = xp_now();
	clock_gettime(CLOCK_REALTIME, &rt);
	h->start_real_ns = (uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec;
	snprintf(h->run_id, sizeof(h->run_id), "%s", xp.cfg.run_id);
	snprintf(h->host, sizeof(h->host), "%s", xp.host);
	__atomic_store_n(&h->blocks_used, 1, __ATOMIC_RELEASE);
}

/* Not AS-safe: see declaration. */
int out_open(uint32_t flags, pid_t ppid)
{
	const char *step;
	int fd, err;

	if (snprintf(xp.run_dir, sizeof(xp.run_dir), "%.4000s/%.47s", xp.cfg.out_dir,
		     xp.cfg.run_id) < 0)
		return -EINVAL;
	err = mkdir_p(xp.run_dir, 0700);
	if (err) {
		snprintf(xp.path, sizeof(xp.path), "%s", xp.run_dir);
		step = "cannot create the run directory";
		goto fail;
	}
	fd = create_file(xp.pid);
	if (fd < 0) {
		err = fd;
		step = "cannot create the profile";
		goto fail;
	}
	xp.fd = fd_move_high(fd);
	xp.max_blocks = xp.cfg.max_bytes / XPF_BLOCK_SIZE;
	err = block_reserve(0);
	if (err) {
		step = "cannot write the profile";
		goto fail_fd;
	}
	if (!segment(0)) {
		err = -errno;
		step = "cannot map the profile";
		goto fail_fd;
	}
	xp.hdr = (struct xpf_file_header *)atomic_load(&xp.seg[0]);
	header_fill(xp.hdr, flags, ppid);
	return 0;
fail_fd:
	fd_mark(xp.fd, 0);
	fd_real_close(xp.fd);
	xp.fd = -1;
fail:
	xp_say(1, "xprof: %s: %s: %s; the program runs unprofiled", xp.path, step,
	       strerror(-err));
	return err;
}

/* Not AS-safe: a fork child must not write into its parent's file. */
void out_forget(void)
{
	for (unsigned s = 0; s < XP_MAX_SEGS; s++) {
		uint8_t *p = atomic_exchange(&xp.seg[s], NULL);

		if (p)
			munmap(p, XP_SEG_BYTES);
	}
	xp.hdr = NULL;
	if (xp.fd >= 0) {
		fd_mark(xp.fd, 0);
		fd_real_close(xp.fd);
	}
	xp.fd = -1;
}

/* Not AS-safe: see declaration. */
void out_finish(int how, int status)
{
	struct xpf_file_header *h = xp.hdr;
	struct timespec ts;

	if (!h)
		return;
	h->exit_status = status;
	h->end_mono_ns = xp_now();
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0)
		h->process_cpu_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	if (atomic_load(&xp.stopped) && how != XPF_END_EXEC)
		how = XPF_END_STOPPED;
	__atomic_store_n(&h->end_state, (uint32_t)how, __ATOMIC_RELEASE);
}
