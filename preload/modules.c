// SPDX-License-Identifier: MIT
/*
 * modules.c - which ELF objects are mapped where, so that addresses can be symbolised after
 * the process is gone: a MAP record (load bias, address range, build-id, path) for every
 * object at start and after every dlopen, an UNMAP record after dlclose. Each record is
 * timestamped, so a library unloaded and replaced at the same address still resolves
 * correctly for samples taken before and after.
 *
 * The build-id is read from the object's PT_NOTE in memory: no file I/O, and it identifies
 * the exact file that was mapped even if it is rebuilt or deleted later.
 * Normal context only (dl_iterate_phdr takes the loader lock; the table is malloc'ed).
 * The dlopen/dlclose interposers also flag the thread as "in the loader" so that a sample
 * landing there is counted, not taken: unwinding into half-updated loader state is unsafe.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xprof-int.h"

struct module {
	uintptr_t bias, lo, hi;
	uint8_t build_id[40];
	size_t build_id_len;
	char *path;
	int seen;		/* in the current scan */
};

/*
 * Threads inside dlopen/dlclose (ours or the program's) and a fork waiting for them. glibc's
 * fork does not take the loader's lock, so a fork while another thread is inside dlopen gives
 * a child whose loader lock is held forever; the child's first unwind of a new address would
 * wait on it. Forks therefore wait until no interposed dlopen/dlclose is running, and new
 * ones wait for the fork.
 */
static _Atomic int loader_users, forking;

static void loader_enter(struct xp_thread *t)
{
	for (;;) {
		while (atomic_load(&forking))
			sched_yield();
		atomic_fetch_add(&loader_users, 1);
		if (!atomic_load(&forking))
			break;
		atomic_fetch_sub(&loader_users, 1);
	}
	t->in_loader = 1;
	handler_gate_close();
}

static void loader_leave(struct xp_thread *t)
{
	handler_gate_open();
	t->in_loader = 0;
	atomic_fetch_sub(&loader_users, 1);
}

/* Not AS-safe: see declaration. A dlopen'ed constructor may fork: don't wait for ourselves. */
void modules_fork_prepare(struct xp_thread *t)
{
	int self = t && t->in_loader;

	atomic_fetch_add(&forking, 1);
	while (atomic_load(&loader_users) > self)
		sched_yield();
}

void modules_fork_done(int child)
{
	if (child) {
		atomic_store(&forking, 0);
		atomic_store(&loader_users, 0);
	} else {
		atomic_fetch_sub(&forking, 1);
	}
}

/* Recursive: a program's signal handler may interrupt a scan (inside our dlopen) and fork,
 * whose prepare handler takes this lock on the same thread; fork from a handler works
 * without us, so it must not deadlock with us. */
static pthread_mutex_t modules_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static struct module *mods;	/* the table, guarded by modules_mutex */
static size_t nmods, capmods;

void modules_lock(void)
{
	REAL(pthread_mutex_lock)(&modules_mutex);
}

void modules_unlock(void)
{
	pthread_mutex_unlock(&modules_mutex);
}

void modules_reset_lock(void)
{
	modules_mutex = (pthread_mutex_t)PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
}

static void read_build_id(struct dl_phdr_info *info, struct module *m)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
			size_t name = (n->n_namesz + 3) & ~3u, desc = (n->n_descsz + 3) & ~3u;
			const uint8_t *d = p + sizeof(*n) + name;

			if (d + n->n_descsz > end)
				break;
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
			    !memcmp(p + sizeof(*n), "GNU", 4) && n->n_descsz <= sizeof(m->build_id)) {
				memcpy(m->build_id, d, n->n_descsz);
				m->build_id_len = n->n_descsz;
				return;
			}
			p = d + desc;
		}
	}
}

static void load_range(struct dl_phdr_info *info, uintptr_t *lo, uintptr_t *hi, int exec_only)
{
	*lo = UINTPTR_MAX;
	*hi = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || (exec_only && !(ph->p_flags & PF_X)))
			continue;
		if (a < *lo)
			*lo = a;
		if (a + ph->p_memsz > *hi)
			*hi = a + ph->p_memsz;
	}
	if (*lo > *hi)
		*lo = *hi = 0;
}

static struct module *find(uintptr_t bias, uintptr_t lo)
{
	for (size_t i = 0; i < nmods; i++)
		if (mods[i].bias == bias && mods[i].lo == lo)
			return &mods[i];
	return NULL;
}

static char *object_path(const char *name)
{
	char buf[PATH_MAX];
	ssize_t n;

	if (name && *name)
		return strdup(name);
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return strdup("[exe]");
	buf[n] = 0;
	return strdup(buf);
}

/* The loader's code: a sample there is never unwound (see the unwind gate). libunwind's
 * range is set by unwind.c for the exact object it loaded. */
static void note_code_range(const char *path, uintptr_t lo, uintptr_t hi)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!strncmp(base, "ld-linux", 8) || !strncmp(base, "ld.so", 5))
		xp.loader = (struct xp_range){ lo, hi };
}

static int scan_one(struct dl_phdr_info *info, size_t size, void *data)
{
	struct module *m;
	uintptr_t lo, hi, xlo, xhi;

	(void)size;
	(void)data;
	load_range(info, &lo, &hi, 0);
	if (hi == lo)
		return 0;
	m = find(info->dlpi_addr, lo);
	if (m) {
		m->seen = 1;
		return 0;
	}
	if (nmods == capmods) {
		size_t cap = capmods ? 2 * capmods : 64;
		struct module *n = realloc(mods, cap * sizeof(*n));

		if (!n)
			return 1;
		mods = n;
		capmods = cap;
	}
	m = &mods[nmods++];
	memset(m, 0, sizeof(*m));
	m->bias = info->dlpi_addr;
	m->lo = lo;
	m->hi = hi;
	m->seen = 2;		/* new */
	m->path = object_path(info->dlpi_name);
	read_build_id(info, m);
	load_range(info, &xlo, &xhi, 1);
	if (m->path)
		note_code_range(m->path, xlo, xhi);
	return 0;
}

static void record_map(struct xp_thread *t, const struct module *m)
{
	uint64_t nums[3] = { m->bias, m->lo, m->hi };
	const char *strs[2] = { (const char *)m->build_id, m->path ? m->path : "" };
	size_t lens[2] = { m->build_id_len, strlen(strs[1]) };

	XP_BUSY(t, rec_fields(t, XPF_REC_MAP, nums, 3, strs, lens, 2));
}

static void record_unmap(struct xp_thread *t, const struct module *m)
{
	uint64_t nums[2] = { m->bias, m->lo };

	XP_BUSY(t, rec_fields(t, XPF_REC_UNMAP, nums, 2, NULL, NULL, 0));
}

/* Not AS-safe: called with the table held. No sample while we hold the loader lock: a
 * handler here would unwind while another thread's handler may wait for that lock (see the
 * unwind gate in xprof-int.h). */
static void scan_locked(struct xp_thread *t)
{
	size_t i = 0;

	if (t->busy)	/* a program's handler interrupted a write of ours: not now */
		return;
	for (size_t k = 0; k < nmods; k++)
		mods[k].seen = 0;
	XP_BUSY(t, dl_iterate_phdr(scan_one, NULL));
	while (i < nmods) {
		struct module *m = &mods[i];

		if (m->seen == 2) {
			record_map(t, m);
		} else if (!m->seen) {
			record_unmap(t, m);
			free(m->path);
			mods[i] = mods[--nmods];
			continue;
		}
		i++;
	}
}

/* Not AS-safe: see declaration. */
void modules_scan(struct xp_thread *t)
{
	if (!t)
		return;
	modules_lock();
	scan_locked(t);
	modules_unlock();
}

/* Not AS-safe: see declaration. */
int modules_scan_try(struct xp_thread *t)
{
	if (pthread_mutex_trylock(&modules_mutex) != 0)
		return -EBUSY;
	scan_locked(t);
	modules_unlock();
	return 0;
}

struct code_of {
	uintptr_t addr;
	struct xp_range r;
};

static int code_of_one(struct dl_phdr_info *info, size_t size, void *data)
{
	struct code_of *c = data;
	uintptr_t lo, hi;

	(void)size;
	load_range(info, &lo, &hi, 1);
	if (c->addr < lo || c->addr >= hi)
		return 0;
	c->r = (struct xp_range){ lo, hi };
	return 1;
}

/* Not AS-safe: see declaration. */
struct xp_range modules_code_of(const void *addr)
{
	struct code_of c = { (uintptr_t)addr, { 0, 0 } };

	REAL(dl_iterate_phdr)(code_of_one, &c);
	return c.r;
}

/*
 * Interposer: the program's own dl_iterate_phdr holds the loader lock while its callback
 * runs (and callbacks may malloc), so it gets the same treatment as dlopen. libunwind's calls
 * from our handler (t->busy) go straight through: they must not wait for themselves.
 * AS-safe on that path: a flag test and the cached real function.
 */
XP_API int dl_iterate_phdr(int (*cb)(struct dl_phdr_info *, size_t, void *), void *data)
{
	struct xp_thread *t = xp.active ? xp_self : NULL;
	int r;

	if (!t || t->busy || t->in_loader || t->tid != xp_gettid())
		return REAL(dl_iterate_phdr)(cb, data);
	loader_enter(t);
	r = REAL(dl_iterate_phdr)(cb, data);
	loader_leave(t);
	return r;
}

/* Interposer: the library that dlopen brings in gets its MAP record right away. */
XP_API void *dlopen(const char *file, int mode)
{
	struct xp_thread *t = xp.active && process_is_self() ? thread_self() : NULL;
	void *h;

	if (t)
		loader_enter(t);
	h = REAL(dlopen)(file, mode);
	if (t) {
		int saved = errno;

		if (h) {
			modules_scan(t);
			py_detect(t);	/* an embedded interpreter may come in a dlopen */
		}
		loader_leave(t);
		errno = saved;
	}
	return h;
}

/* Interposer: record what dlclose really unloaded (it may unload nothing). */
XP_API int dlclose(void *h)
{
	struct xp_thread *t = xp.active && process_is_self() ? thread_self() : NULL;
	int r;

	if (t)
		loader_enter(t);
	r = REAL(dlclose)(h);
	if (t) {
		int saved = errno;

		modules_scan(t);
		loader_leave(t);
		errno = saved;
	}
	return r;
}
