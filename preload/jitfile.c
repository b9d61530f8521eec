// SPDX-License-Identifier: MIT
/*
 * jitfile.c - keeps each process image's JIT symbol files with its profile. JIT runtimes name
 * their generated code in /tmp/perf-PID.map (Node with --perf-basic-prof, a JVM with
 * DumpPerfMapAtExit, CPython 3.12+ with PYTHONPERFSUPPORT=1) or in a jitdump, jit-PID.dump,
 * which the jitdump protocol has them map executable so that a profiler learns its path (the
 * mmap interposer in jitmem.c passes it here). At the image's end (exit, _exit, exec) both
 * are copied into the run directory as HOST.BOOT.IMAGE.perf-PID.map and
 * HOST.BOOT.IMAGE.jit-PID.dump (IMAGE: the block index of the image's header), and an
 * XPF_REC_JIT_FILE record names the copy: /tmp is cleaned, and a pid is reused, but a copy
 * belongs to one image for good. Then the image's JIT regions are recorded (jitmem.c).
 *
 * Pid reuse. A perf map that exists when the image starts is noted (device, inode, size,
 * mtime); if it is still the same file at the end, this image never wrote it, and it is
 * recorded as stale and not copied. One the image rewrote or grew is copied, flagged as having
 * existed before (its first lines may be another process's: the analyzer checks each line
 * against the image's executable memory).
 *
 * Context: jitfile_start() in normal context at the image's start (library init, fork child).
 * jitfile_mapped() and jitfile_end() are AS-safe: _exit and execve may come from a signal
 * handler, so the copy uses plain system calls (stat, open, read, write, close), a static
 * buffer that only the thread ending the image uses, and hand-made strings.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xprof-int.h"

#define JF_BUF		65536		/* copy chunk */
#define JF_NAME		384		/* room for a copy's name */

/* The perf map as it was when this image started (jitfile_start, before any timer). */
static struct {
	int existed;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
} map_start;

/* The jitdump this image mapped: dump_state 0 none, 1 being set, 2 set (then read-only). */
static char dump_path[PATH_MAX];
static _Atomic int dump_state;

/* Buffers of the end: only the thread that ends the image (process_end, once at a time)
 * uses them. Static rather than on the stack: _exit may come from a signal handler on a
 * small alternate stack. */
static char copy_buf[JF_BUF];
static char dst[PATH_MAX], name[JF_NAME];

/* AS-safe: appends s to buf (cap bytes) at *at; always NUL-terminated. */
static void put_s(char *buf, size_t cap, size_t *at, const char *s)
{
	while (*s && *at + 1 < cap)
		buf[(*at)++] = *s++;
	buf[*at] = '\0';
}

/* AS-safe: appends v in decimal. */
static void put_u(char *buf, size_t cap, size_t *at, uint64_t v)
{
	char tmp[24];
	size_t k = 0;

	do
		tmp[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < sizeof(tmp));
	while (k && *at + 1 < cap)
		buf[(*at)++] = tmp[--k];
	buf[*at] = '\0';
}

/* AS-safe: /tmp/perf-PID.map of this process. */
static void map_path(char *buf, size_t cap)
{
	size_t at = 0;

	put_s(buf, cap, &at, "/tmp/perf-");
	put_u(buf, cap, &at, (uint64_t)xp.pid);
	put_s(buf, cap, &at, ".map");
}

/* Not AS-safe: see declaration. */
void jitfile_start(void)
{
	char path[64];
	struct stat st;

	atomic_store(&dump_state, 0);
	map_path(path, sizeof(path));
	map_start.existed = stat(path, &st) == 0;
	if (map_start.existed) {
		map_start.dev = st.st_dev;
		map_start.ino = st.st_ino;
		map_start.size = st.st_size;
		map_start.mtime = st.st_mtim;
	}
}

/* AS-safe: is s the base name of a jitdump, "jit-DIGITS.dump"? */
static int is_dump_name(const char *s)
{
	const char *b = s, *p;
	size_t n;

	for (p = s; *p; p++)
		if (*p == '/')
			b = p + 1;
	n = (size_t)(p - b);
	if (n < 10 || strncmp(b, "jit-", 4) || strcmp(b + n - 5, ".dump"))
		return 0;
	for (p = b + 4; p < b + n - 5; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/* AS-safe: see declaration. The first jitdump mapped is the image's (a runtime writes one). */
void jitfile_mapped(int fd)
{
	char link[32];
	size_t at = 0;
	ssize_t n;
	int none = 0;

	if (atomic_load(&dump_state) || !atomic_compare_exchange_strong(&dump_state, &none, 1))
		return;
	put_s(link, sizeof(link), &at, "/proc/self/fd/");
	put_u(link, sizeof(link), &at, (uint64_t)fd);
	n = readlink(link, dump_path, sizeof(dump_path) - 1);
	if (n > 0 && dump_path[0] == '/') {
		dump_path[n] = '\0';
		if (is_dump_name(dump_path)) {
			atomic_store(&dump_state, 2);
			return;
		}
	}
	atomic_store(&dump_state, 0);
}

/* AS-safe: the copy's name in the run directory: HOST.BOOT.IMAGE.SUFFIX, HOST.BOOT being
 * the run file's name less ".xpf". */
static void copy_name(char *buf, size_t cap, const char *kind_part)
{
	const char *base = xp.path, *p;
	size_t at = 0, stem;

	for (p = xp.path; *p; p++)
		if (*p == '/')
			base = p + 1;
	stem = strlen(base);
	if (stem > sizeof(XPF_FILE_SUFFIX) - 1)
		stem -= sizeof(XPF_FILE_SUFFIX) - 1;
	for (size_t i = 0; i < stem && at + 1 < cap; i++)
		buf[at++] = base[i];
	buf[at] = '\0';
	put_s(buf, cap, &at, ".");
	put_u(buf, cap, &at, xp.image);
	put_s(buf, cap, &at, ".");
	put_s(buf, cap, &at, kind_part);
	put_s(buf, cap, &at, "-");
	put_u(buf, cap, &at, (uint64_t)xp.pid);
	put_s(buf, cap, &at, kind_part[0] == 'p' ? ".map" : ".dump");
}

/* AS-safe: writes all of buf[0..n) to fd. 0 or -errno. */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

struct copy_res {
	int state, err;
	uint64_t bytes;
};

/* AS-safe: copies the regular file src to the run directory as `copy`, at most
 * XPROF_MAX_MB of it. */
static struct copy_res copy_file(const char *src, const char *copy)
{
	struct copy_res r = { XPF_JIT_KEPT, 0, 0 };
	size_t at = 0;
	struct stat st;
	int in, out = -1;
	ssize_t n;

	put_s(dst, sizeof(dst), &at, xp.run_dir);
	put_s(dst, sizeof(dst), &at, "/");
	put_s(dst, sizeof(dst), &at, copy);
	/* No FIFO or device: O_NONBLOCK for the open, then it must be a regular file. */
	in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (in < 0 || fstat(in, &st) < 0) {
		r.err = errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		r.err = EINVAL;
		goto fail;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		r.err = errno;
		goto fail;
	}
	while ((n = read(in, copy_buf, sizeof(copy_buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r.err = errno;
			goto fail;
		}
		if (r.bytes + (uint64_t)n > xp.cfg.max_bytes) {
			n = (ssize_t)(xp.cfg.max_bytes - r.bytes);
			r.state = XPF_JIT_CUT;
		}
		if ((r.err = -write_all(out, copy_buf, (size_t)n)) != 0)
			goto fail;
		r.bytes += (uint64_t)n;
		if (r.state == XPF_JIT_CUT)
			break;
	}
	fd_real_close(in);
	fd_real_close(out);
	return r;
fail:
	r.state = XPF_JIT_FAILED;
	if (!r.err)
		r.err = EIO;
	if (in >= 0)
		fd_real_close(in);
	if (out >= 0)
		fd_real_close(out);
	return r;
}

/* AS-safe (t->busy set by the caller): one XPF_REC_JIT_FILE record. */
static void file_record(struct xp_thread *t, int kind, const struct copy_res *r,
			unsigned flags, const char *copy, const char *src)
{
	uint64_t nums[5] = { (uint64_t)kind, (uint64_t)r->state, flags, (uint64_t)r->err,
			     r->bytes };
	const char *strs[2] = { copy, src };
	size_t lens[2] = { strlen(copy), strlen(src) };

	rec_fields(t, XPF_REC_JIT_FILE, nums, 5, strs, lens, 2);
}

/* AS-safe (t->busy set by the caller): the perf map, if there is one. Returns whether. */
static int keep_map(struct xp_thread *t)
{
	char src[64];
	struct copy_res r = { XPF_JIT_STALE, 0, 0 };
	struct stat st;

	map_path(src, sizeof(src));
	if (stat(src, &st) != 0)
		return 0;
	if (map_start.existed && st.st_dev == map_start.dev && st.st_ino == map_start.ino &&
	    st.st_size == map_start.size && st.st_mtim.tv_sec == map_start.mtime.tv_sec &&
	    st.st_mtim.tv_nsec == map_start.mtime.tv_nsec) {
		r.bytes = (uint64_t)st.st_size;
		file_record(t, XPF_JIT_PERF_MAP, &r, 0, "", src);
		return 1;
	}
	copy_name(name, sizeof(name), "perf");
	r = copy_file(src, name);
	file_record(t, XPF_JIT_PERF_MAP, &r, map_start.existed ? XPF_JF_PREDATES : 0,
		    r.state == XPF_JIT_FAILED ? "" : name, src);
	return 1;
}

/* AS-safe (t->busy set by the caller): the jitdump this image mapped. Returns whether. */
static int keep_dump(struct xp_thread *t)
{
	struct copy_res r;

	if (atomic_load(&dump_state) != 2)
		return 0;
	copy_name(name, sizeof(name), "jit");
	r = copy_file(dump_path, name);
	file_record(t, XPF_JIT_DUMP, &r, 0, r.state == XPF_JIT_FAILED ? "" : name, dump_path);
	return 1;
}

/* AS-safe (t->busy set by the caller): see declaration. A process with no JIT file and no
 * executable memory of its own costs one stat here. */
void jitfile_end(struct xp_thread *t)
{
	int saved = errno, files;

	files = keep_map(t);
	files |= keep_dump(t);
	jitmem_record(t, files);
	errno = saved;
}
