// SPDX-License-Identifier: MIT
/*
 * jitmem.c - where JIT code lives: the anonymous executable mappings of the process, noted as
 * the program makes them (mmap, mmap64, munmap, mprotect and pkey_mprotect are interposed;
 * executable mappings of files go to jitremap.c and jitfile.c) and read
 * again from /proc/self/maps at the image's end, then written as XPF_REC_JIT_REGION records.
 * The analyzer names addresses there from the runtime's perf map or jitdump (jitfile.c) and
 * counts what none names as [jit].
 *
 * Context. The interposers run on any thread, before our constructor too, and in signal
 * handlers: our own handler and libunwind reach mmap, and garbage collectors mprotect from
 * their fault handlers. So they are AS-safe: the real call, a flag test and, for executable
 * memory only, a lock-free insert into a fixed table (atomics). jitmem_record() runs at the
 * image's end (process_end), AS-safe as well: open/read/close of /proc/self/maps into a
 * static buffer, which only the thread that ends the image touches.
 *
 * Why interpose rather than only read /proc/self/maps at the end: runtimes free code before
 * the process ends (a Node worker's isolate takes its code pages with it), and a region gone
 * by then would make the perf map lines that name it look like another process's. Why the
 * end scan as well: memory mapped by raw system calls, before our constructor, or through a
 * memfd (double-mapped JITs) never passes our interposers.
 *
 * The table holds the ranges that were ever executable: entries are only added or widened,
 * never removed, so it needs no lock. A fork child inherits it with the memory it describes;
 * exec drops it with the image.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xprof-int.h"

#define JM_RANGES	512		/* ranges kept; V8 and HotSpot grow few, adjacent ones */
#define JM_BUF		65536		/* /proc/self/maps is read in chunks of this size */

struct jm_range {
	_Atomic uintptr_t lo, hi;	/* hi == 0: the slot is being filled */
};

/* The ever-executable ranges (top comment); `nranges` may pass JM_RANGES (readers clamp). */
static struct jm_range ranges[JM_RANGES];
static _Atomic unsigned nranges;
static _Atomic unsigned long ranges_lost;
/* The end scan's buffer: used only by the thread that ends the image (process_end). */
static char scan_buf[JM_BUF];

/* AS-safe: widens r to cover [lo, hi) if they overlap or touch; returns whether it did. */
static int widen(struct jm_range *r, uintptr_t lo, uintptr_t hi)
{
	uintptr_t rlo = atomic_load(&r->lo), rhi = atomic_load(&r->hi);

	if (!rhi || hi < rlo || lo > rhi)
		return 0;
	while (lo < rlo && !atomic_compare_exchange_weak(&r->lo, &rlo, lo))
		;
	while (hi > rhi && !atomic_compare_exchange_weak(&r->hi, &rhi, hi))
		;
	return 1;
}

/* AS-safe: see declaration. Two threads racing may both add a slot; readers merge. */
void jitmem_note(uintptr_t lo, uintptr_t hi)
{
	unsigned n = atomic_load(&nranges), i;

	if (hi <= lo)
		return;
	for (i = 0; i < n && i < JM_RANGES; i++)
		if (widen(&ranges[i], lo, hi))
			return;
	i = atomic_fetch_add(&nranges, 1);
	if (i >= JM_RANGES) {
		atomic_fetch_add(&ranges_lost, 1);
		return;
	}
	atomic_store(&ranges[i].lo, lo);
	atomic_store_explicit(&ranges[i].hi, hi, memory_order_release);
}

/* AS-safe: see declaration. */
int jitmem_any(void)
{
	return atomic_load(&nranges) != 0;
}

/* AS-safe: the page range [p, p + len). */
static void note_pages(const void *p, size_t len)
{
	uintptr_t lo = (uintptr_t)p & ~(uintptr_t)(XP_PAGE - 1);
	uintptr_t hi = ((uintptr_t)p + len + XP_PAGE - 1) & ~(uintptr_t)(XP_PAGE - 1);

	if (xp.active)
		jitmem_note(lo, hi);
}

/* AS-safe: an mmap that succeeded with PROT_EXEC: anonymous memory is JIT code; a file mapped
 * executable is an ELF file's code mapped outside the loader (jitremap.c), or a runtime's
 * jitdump, which the jitdump protocol has it map so that perf sees it (jitfile.c). errno is
 * the real call's. */
static void mapped(void *p, size_t len, int flags, int fd, off_t off)
{
	int saved = errno;

	if (flags & MAP_ANONYMOUS)
		note_pages(p, len);
	else if (fd >= 0 && xp.active && !jitremap_mapped(p, len, fd, off))
		jitfile_mapped(fd);
	errno = saved;
}

/* AS-safe: the real call (resolved at init), then a bit test; see mapped(). */
XP_API void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = REAL(mmap)(addr, len, prot, flags, fd, off);

	if ((prot & PROT_EXEC) && p != MAP_FAILED)
		mapped(p, len, flags, fd, off);
	return p;
}

/* AS-safe as mmap once resolved; a program's first mmap64 resolves it (dlsym, normal
 * context: POSIX lists neither in what a signal handler may call). */
XP_API void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	void *p = REAL(mmap64)(addr, len, prot, flags, fd, off);

	if ((prot & PROT_EXEC) && p != MAP_FAILED)
		mapped(p, len, flags, fd, off);
	return p;
}

/* AS-safe: a remap jitremap.c recorded goes away with an UNMAP record. */
XP_API int munmap(void *addr, size_t len)
{
	int r = REAL(munmap)(addr, len), saved = errno;

	if (r == 0 && xp.active) {
		jitremap_unmapped(addr, len);
		errno = saved;
	}
	return r;
}

/* AS-safe: mprotect cannot tell anonymous memory from a file's; the analyzer looks addresses
 * up in the ELF modules first, so a file's pages made executable here do no harm. */
XP_API int mprotect(void *addr, size_t len, int prot)
{
	int r = REAL(mprotect)(addr, len, prot);

	if ((prot & PROT_EXEC) && r == 0)
		note_pages(addr, len);
	return r;
}

/* AS-safe as mprotect once resolved (first use resolves it, as for mmap64). */
XP_API int pkey_mprotect(void *addr, size_t len, int prot, int pkey)
{
	int r = REAL(pkey_mprotect)(addr, len, prot, pkey);

	if ((prot & PROT_EXEC) && r == 0)
		note_pages(addr, len);
	return r;
}

/* AS-safe: a hex number at s[*i]; returns 0 if there is none. */
static int hex_at(const char *s, size_t n, size_t *i, uintptr_t *v)
{
	size_t start = *i;

	*v = 0;
	for (; *i < n; (*i)++) {
		char c = s[*i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 16;

		if (d == 16)
			break;
		*v = *v << 4 | d;
	}
	return *i > start;
}

/* AS-safe: skips one blank-separated field and the blanks after it. */
static void skip_field(const char *s, size_t n, size_t *i)
{
	while (*i < n && s[*i] != ' ')
		(*i)++;
	while (*i < n && s[*i] == ' ')
		(*i)++;
}

/* AS-safe: does s[0..n) start with the NUL-terminated p? */
static int starts(const char *s, size_t n, const char *p)
{
	size_t i;

	for (i = 0; p[i]; i++)
		if (i >= n || s[i] != p[i])
			return 0;
	return 1;
}

/* AS-safe: see declaration. */
int jitmem_parse_line(const char *s, size_t n, uintptr_t *lo, uintptr_t *hi)
{
	size_t i = 0;
	int inode0;

	if (!hex_at(s, n, &i, lo) || i >= n || s[i++] != '-' || !hex_at(s, n, &i, hi) ||
	    i + 5 > n || s[i] != ' ' || *hi <= *lo)
		return 0;
	if (s[i + 3] != 'x')			/* " rwxp": the third permission */
		return 0;
	i++;
	skip_field(s, n, &i);			/* permissions */
	skip_field(s, n, &i);			/* offset */
	skip_field(s, n, &i);			/* device */
	inode0 = i < n && s[i] == '0' && (i + 1 == n || s[i + 1] == ' ');
	skip_field(s, n, &i);			/* inode */
	s += i;
	n -= i;
	/* No path: anonymous. [anon:NAME]: anonymous, named by prctl. /memfd:NAME: a memfd,
	 * which JITs that map their code twice (writable and executable) use. [vdso] and the
	 * like are the kernel's, and a file is an ELF object or data. */
	if (inode0 && (n == 0 || starts(s, n, "[anon:")))
		return 1;
	return starts(s, n, "/memfd:");
}

/* AS-safe (t->busy set by the caller): one region record. */
static void region_record(struct xp_thread *t, uintptr_t lo, uintptr_t hi, int how)
{
	uint64_t nums[3] = { lo, hi, (uint64_t)how };

	rec_fields(t, XPF_REC_JIT_REGION, nums, 3, NULL, NULL, 0);
}

/* AS-safe: is [lo, hi) inside a range of the table? (Then the scan adds nothing.) */
static int in_table(uintptr_t lo, uintptr_t hi)
{
	unsigned n = atomic_load(&nranges);

	for (unsigned i = 0; i < n && i < JM_RANGES; i++) {
		uintptr_t rhi = atomic_load(&ranges[i].hi);

		if (rhi && lo >= atomic_load(&ranges[i].lo) && hi <= rhi)
			return 1;
	}
	return 0;
}

/* AS-safe (t->busy set by the caller): records the anonymous executable mappings listed in
 * /proc/self/maps now, but those the table holds already. */
static void scan_maps(struct xp_thread *t)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	size_t have = 0;
	ssize_t r;

	if (fd < 0)
		return;
	while ((r = read(fd, scan_buf + have, sizeof(scan_buf) - have)) > 0) {
		size_t end = have + (size_t)r, at = 0;

		for (size_t i = 0; i < end; i++) {
			uintptr_t lo, hi;

			if (scan_buf[i] != '\n')
				continue;
			if (jitmem_parse_line(scan_buf + at, i - at, &lo, &hi) && !in_table(lo, hi))
				region_record(t, lo, hi, XPF_JIT_MAPPED);
			at = i + 1;
		}
		/* Keep the unfinished line for the next read; a line longer than the buffer
		 * (a path of PATH_MAX cannot make one) is dropped. */
		have = end - at;
		if (have == sizeof(scan_buf))
			have = 0;
		for (size_t i = 0; i < have; i++)
			scan_buf[i] = scan_buf[at + i];
	}
	fd_real_close(fd);
}

/* AS-safe (t->busy set by the caller): see declaration. */
void jitmem_record(struct xp_thread *t, int scan)
{
	unsigned n = atomic_load(&nranges);
	unsigned long lost = atomic_load(&ranges_lost);

	for (unsigned i = 0; i < n && i < JM_RANGES; i++) {
		uintptr_t hi = atomic_load_explicit(&ranges[i].hi, memory_order_acquire);

		if (hi)
			region_record(t, atomic_load(&ranges[i].lo), hi, XPF_JIT_SEEN);
	}
	if (scan || n)
		scan_maps(t);
	if (lost) {
		static const char text[] = "jit: more executable mappings than the preload's "
					   "table holds; only those still mapped at the end are "
					   "recorded";
		const char *strs[1] = { text };
		size_t lens[1] = { sizeof(text) - 1 };

		rec_fields(t, XPF_REC_NOTE, NULL, 0, strs, lens, 1);
	}
}
