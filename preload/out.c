// SPDX-License-Identifier: MIT
/*
 * out.c - the output file: OUT/RUN/HOST.BOOT.xpf, one per run and machine, shared by every
 * process image of the run there. Each process maps it MAP_SHARED in 16 MiB segments; blocks
 * of 4 KiB are handed out by one atomic counter in the file header, whichever process asks.
 * An image has a header block of its own (pid, times, how it ended) and data blocks that name
 * it; a thread writes records into its current data block only.
 *
 * Why one shared file and not one per image: creating a file cost 20-200 us of CPU on ext4
 * here (inode allocation), and a shell loop or a build starts thousands of images; opening an
 * existing file is a path lookup, and a fork child keeps its parent's mapping and opens
 * nothing. Why a shared file mapping and not write(): a record is in the page cache the moment
 * it is stored, so it survives _exit, abort, a crash or SIGKILL with no flush at exit, and the
 * handler never makes a write syscall per sample. Why fallocate per block: a store into a
 * sparse page of a full disk raises SIGBUS in the program; reserving the block first turns
 * that into an error we count and report.
 *
 * out_open runs in normal context (library init). Everything else is AS-safe: atomics, plain
 * syscalls (fallocate, mmap, madvise, write) and stores into our own mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xprof-int.h"

#define OPEN_WAIT_NS	1000000000ull	/* how long an opener waits for a new file's header */

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

/* AS-safe: the address of block idx, mapping its segment if needed; NULL if that fails. */
static void *block_at(uint64_t idx)
{
	uint8_t *seg = segment(idx / XP_SEG_BLOCKS);

	return seg ? seg + (idx % XP_SEG_BLOCKS) * XPF_BLOCK_SIZE : NULL;
}

/* AS-safe: see out_stop's declaration. */
void out_stop(int err, const char *what)
{
	static const char pre[] = "xprof: ";
	static const char mid[] = ": profiling stopped, the program runs on (";
	char num[16];
	int n = 0, e = err < 0 ? -err : err;

	atomic_store(&xp.stopped, e ? e : EIO);
	if (xp.img)
		xp.img->stop_errno = e;
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

/*
 * AS-safe: a fresh, allocated block of the file, or NULL (profiling stops, said once). The
 * counter is shared by every process of the run on this machine. An index whose fallocate
 * failed stays a hole of zeros, which readers skip: other processes may already hold later
 * indexes, so it cannot be given back.
 */
static void *block_take(const char *what)
{
	uint64_t idx = __atomic_fetch_add(&xp.fhdr->blocks_used, 1, __ATOMIC_RELAXED);
	void *b;
	int err;

	if (idx >= (uint64_t)XP_MAX_SEGS * XP_SEG_BLOCKS) {
		/* Keep blocks_used within the file's addressable extent for readers. */
		__atomic_fetch_sub(&xp.fhdr->blocks_used, 1, __ATOMIC_RELAXED);
		out_stop(EFBIG, "the run's file is full");
		return NULL;
	}
	err = block_reserve(idx);
	if (err) {
		out_stop(err, what);
		return NULL;
	}
	b = block_at(idx);
	if (!b)
		out_stop(errno, "cannot map the profile");
	return b;
}

/* AS-safe: the block index of an address inside our mapping of the file. */
static uint32_t block_index(const void *b)
{
	for (unsigned s = 0; s < XP_MAX_SEGS; s++) {
		const uint8_t *seg = atomic_load_explicit(&xp.seg[s], memory_order_relaxed);

		if (seg && (const uint8_t *)b >= seg && (const uint8_t *)b < seg + XP_SEG_BYTES)
			return (uint32_t)(s * XP_SEG_BLOCKS +
					  (uint64_t)((const uint8_t *)b - seg) / XPF_BLOCK_SIZE);
	}
	return 0;
}

/* AS-safe: see declaration. */
struct xpf_block_header *out_block_new(struct xp_thread *t, uint64_t now)
{
	struct xpf_block_header *b;

	if (atomic_load_explicit(&xp.stopped, memory_order_relaxed) || !xp.img)
		return NULL;
	if (__atomic_fetch_add(&xp.img->blocks, 1, __ATOMIC_RELAXED) + 1 >= xp.max_blocks) {
		__atomic_fetch_sub(&xp.img->blocks, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&xp.img->blocks_lost, 1, __ATOMIC_RELAXED);
		out_stop(EFBIG, "XPROF_MAX_MB reached");
		return NULL;
	}
	b = block_take("cannot grow the profile");
	if (!b) {
		__atomic_fetch_sub(&xp.img->blocks, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&xp.img->blocks_lost, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	b->tid = t->tid;
	b->seq = t->seq++;
	b->image = xp.image;
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

/* ---- the file ---------------------------------------------------------------------------- */

static void file_header_fill(struct xpf_file_header *h)
{
	struct timespec rt;
	uint64_t magic;

	h->version = XPF_VERSION;
	h->block_size = XPF_BLOCK_SIZE;
	h->header_size = sizeof(*h);
	clock_gettime(CLOCK_REALTIME, &rt);
	h->create_real_ns = (uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec;
	snprintf(h->run_id, sizeof(h->run_id), "%s", xp.cfg.run_id);
	snprintf(h->host, sizeof(h->host), "%s", xp.host);
	snprintf(h->boot_id, sizeof(h->boot_id), "%s", xp.boot_id);
	__atomic_store_n(&h->blocks_used, 1, __ATOMIC_RELAXED);
	/* The magic last, in one store: an opener waits for it (see file_wait). */
	memcpy(&magic, XPF_MAGIC, sizeof(magic));
	__atomic_store_n((uint64_t *)(void *)h->magic, magic, __ATOMIC_RELEASE);
}

/* Not AS-safe: a file someone else is creating gets its header within microseconds. */
static const char *file_wait(const struct xpf_file_header *h)
{
	uint64_t t0 = xp_now();
	struct timespec pause = { 0, 50000 };

	while (__atomic_load_n((const uint64_t *)(const void *)h->magic, __ATOMIC_ACQUIRE) == 0) {
		if (xp_now() - t0 > OPEN_WAIT_NS)
			return "has no header (its creator died?)";
		nanosleep(&pause, NULL);
	}
	if (memcmp(h->magic, XPF_MAGIC, sizeof(h->magic)) || h->version != XPF_VERSION ||
	    h->block_size != XPF_BLOCK_SIZE)
		return "is not an xprof profile of this version";
	if (strncmp(h->run_id, xp.cfg.run_id, sizeof(h->run_id)))
		return "belongs to another run";
	return NULL;
}

/* Not AS-safe: the run's file on this machine, opened or made; the descriptor, or -errno with
 * *step naming what failed. */
static int file_get(const char **step)
{
	int fd, n = snprintf(xp.path, sizeof(xp.path), "%s/%s.%.8s" XPF_FILE_SUFFIX, xp.run_dir,
			     xp.host, xp.boot_id);

	if (n < 0 || (size_t)n >= sizeof(xp.path))
		return *step = "path too long", -ENAMETOOLONG;
	fd = open(xp.path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : (*step = "cannot open the profile", -errno);
	n = mkdir_p(xp.run_dir, 0700);
	if (n)
		return *step = "cannot create the run directory", n;
	fd = open(xp.path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		xp.file_created = 1;
		return fd;
	}
	if (errno == EEXIST)	/* made by another process of the run just now */
		fd = open(xp.path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	return fd >= 0 ? fd : (*step = "cannot create the profile", -errno);
}

/* Not AS-safe: see declaration. */
int out_open(void)
{
	const char *step = NULL;
	int fd, err;

	if (snprintf(xp.run_dir, sizeof(xp.run_dir), "%.4000s/%.47s", xp.cfg.out_dir,
		     xp.cfg.run_id) < 0)
		return -EINVAL;
	fd = file_get(&step);
	if (fd < 0) {
		err = fd;
		goto fail;
	}
	xp.fd = fd_move_high(fd);
	xp.max_blocks = xp.cfg.max_bytes / XPF_BLOCK_SIZE;
	if (xp.file_created && (err = block_reserve(0)) != 0) {
		step = "cannot write the profile";
		goto fail_fd;
	}
	xp.fhdr = (struct xpf_file_header *)(void *)segment(0);
	if (!xp.fhdr) {
		err = -errno;
		step = "cannot map the profile";
		goto fail_fd;
	}
	if (xp.file_created) {
		file_header_fill(xp.fhdr);
	} else if ((step = file_wait(xp.fhdr)) != NULL) {
		err = -EINVAL;
		goto fail_map;
	}
	return 0;
fail_map:
	out_forget();
	goto fail;
fail_fd:
	fd_mark(xp.fd, 0);
	fd_real_close(xp.fd);
	xp.fd = -1;
fail:
	xp_say(1, "xprof: %s: %s%s%s; the program runs unprofiled", xp.path, step,
	       err == -EINVAL ? "" : ": ", err == -EINVAL ? "" : strerror(-err));
	return err;
}

/* Not AS-safe: unmaps the file (a failed open). */
void out_forget(void)
{
	for (unsigned s = 0; s < XP_MAX_SEGS; s++) {
		uint8_t *p = atomic_exchange(&xp.seg[s], NULL);

		if (p)
			munmap(p, XP_SEG_BYTES);
	}
	xp.fhdr = NULL;
	xp.img = NULL;
	if (xp.fd >= 0) {
		fd_mark(xp.fd, 0);
		fd_real_close(xp.fd);
	}
	xp.fd = -1;
}

/* ---- the image --------------------------------------------------------------------------- */

/* AS-safe: see declaration. */
int out_image_begin(uint32_t flags, pid_t ppid, uint32_t parent_image, uint64_t mono,
		    uint64_t cpu)
{
	struct xpf_image_header *h;
	struct timespec rt;

	atomic_store(&xp.stopped, 0);
	atomic_store(&xp.stop_said, 0);
	h = block_take("cannot grow the profile");
	if (!h)
		return -ENOSPC;
	h->header_size = sizeof(*h);
	h->flags = flags | (xp.probed ? XPF_IF_PROBED : 0);
	h->pid = xp.pid;
	h->ppid = ppid;
	h->parent_image = parent_image;
	h->mechanism = (uint32_t)xp.mech;
	h->hz = xp.cfg.hz;
	h->max_depth = xp.cfg.depth;
	h->signo = (uint32_t)xp.cfg.signo;
	h->rank = xp.rank;
	h->probe_sample_ns = xp.probe_ns;
	h->start_mono_ns = mono;
	clock_gettime(CLOCK_REALTIME, &rt);
	h->start_real_ns = (uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec;
	h->start_cpu_ns = cpu;
	xp.img = h;
	xp.image = block_index(h);
	__atomic_fetch_add(&xp.fhdr->images, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&h->magic, XPF_IMAGE_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

/* AS-safe: see declaration. */
void out_image_armed(void)
{
	struct xpf_image_header *h = xp.img;

	if (!h || h->armed_mono_ns)
		return;
	h->armed_cpu_ns = xp_process_cpu();
	__atomic_store_n(&h->armed_mono_ns, xp_now(), __ATOMIC_RELEASE);
}

/* AS-safe: see declaration. */
void out_finish(int how, int status)
{
	struct xpf_image_header *h = xp.img;

	if (!h)
		return;
	h->exit_status = status;
	h->end_mono_ns = xp_now();
	h->process_cpu_ns = xp_process_cpu();
	if (atomic_load(&xp.stopped) && how != XPF_END_EXEC)
		how = XPF_END_STOPPED;
	__atomic_store_n(&h->end_state, (uint32_t)how, __ATOMIC_RELEASE);
}

/* AS-safe: see declaration. */
void out_unfinish(void)
{
	if (xp.img)
		__atomic_store_n(&xp.img->end_state, XPF_END_RUNNING, __ATOMIC_RELEASE);
}
