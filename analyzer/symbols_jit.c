// SPDX-License-Identifier: MIT
/*
 * symbols_jit.c - names for addresses in no ELF module: a process's JIT code, from the perf
 * map and jitdump the preload kept for it (XPF_REC_JIT_FILE), parsed by jitmap.c. Analyzer
 * only; symbols.c calls in here when an address resolves to no module.
 *
 * A process's files are read on its first such address. A fork child runs the code it
 * inherited from its parent, which its parent's files name: an address the child's own
 * files do not name is looked up in its parent's, and so on up. An exec'd image starts a new
 * address space and never uses its predecessor's.
 *
 * Pid reuse. A file left unchanged since the image started (state stale) is not used at all.
 * One that existed before the image started and was then written (XPF_JF_PREDATES) may begin
 * with an earlier process's lines, when the runtime appends rather than truncates (CPython
 * appends): the entries before the first one that lies in the image's executable memory (its
 * JIT regions, XPF_REC_JIT_REGION, and its ELF modules) and that themselves lie outside it
 * name code this process never had; they are dropped, each with a message naming the file and
 * line. Other entries are the runtime's own even outside executable memory (V8 names its
 * interpreted functions by their bytecode, on the heap), so nothing else is checked.
 */
#include "symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitmap.h"

#define PARENT_DEPTH	64	/* fork generations looked through */

/* Per process, made on its first address outside every module. */
struct sym_jit {
	bool loaded;
	bool named;			/* tab has entries; modfile is its pseudo module */
	uint32_t modfile;
	struct jit_table tab;
	struct jit_seg *known;		/* executable memory: regions and modules, merged */
	size_t nknown;
	struct jit_seg *regions;	/* the JIT regions alone, merged */
	size_t nregions;
};

static int cmp_seg(const void *a, const void *b)
{
	const struct jit_seg *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorts v[0..n) and merges overlapping or touching ranges; returns the new count. */
static size_t merge(struct jit_seg *v, size_t n)
{
	size_t k = 0;

	qsort(v, n, sizeof(*v), cmp_seg);
	for (size_t i = 0; i < n; i++) {
		if (k && v[i].lo <= v[k - 1].hi) {
			if (v[i].hi > v[k - 1].hi)
				v[k - 1].hi = v[i].hi;
			continue;
		}
		v[k++] = v[i];
	}
	return k;
}

/* Does [lo, hi) overlap a range of the merged v[0..n)? */
static bool overlaps(const struct jit_seg *v, size_t n, uint64_t lo, uint64_t hi)
{
	size_t a = 0, b = n;

	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (v[mid].hi <= lo)
			a = mid + 1;
		else
			b = mid;
	}
	return a < n && v[a].lo < hi;
}

static void memory_of(struct sym_jit *j, const struct prof_process *pr)
{
	size_t n = 0;

	j->regions = xcalloc(pr->njregs + 1, sizeof(*j->regions));
	for (size_t i = 0; i < pr->njregs; i++)
		j->regions[i] = (struct jit_seg){ pr->jregs[i].lo, pr->jregs[i].hi, 0 };
	j->nregions = merge(j->regions, pr->njregs);
	j->known = xcalloc(j->nregions + pr->nmods + 1, sizeof(*j->known));
	for (size_t i = 0; i < j->nregions; i++)
		j->known[n++] = j->regions[i];
	for (size_t i = 0; i < pr->nmods; i++)
		j->known[n++] = (struct jit_seg){ pr->mods[i].lo, pr->mods[i].hi, 0 };
	j->nknown = merge(j->known, n);
}

static void warn_cb(void *ctx, const char *msg)
{
	sym_warn(ctx, NULL, "%s", msg);
}

/* The whole of a regular file, mapped; NULL (said why) if it cannot be had. */
static const uint8_t *map_copy(struct symbols *s, const char *path, size_t *len, int pid)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	void *m = NULL;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		sym_warn(s, path, "cannot open (%s); the JIT code of process %d stays unnamed",
			 fd < 0 ? strerror(errno) : "not a regular file", pid);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	*len = (size_t)st.st_size;
	if (*len)
		m = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		sym_warn(s, path, "mmap: %s; the JIT code of process %d stays unnamed",
			 strerror(errno), pid);
		return NULL;
	}
	return m;
}

/* Drops the entries of file src (from index `from` on) that an earlier process left before
 * this image's own: see the top comment. */
static void check_prefix(struct symbols *s, struct jit_build *b, size_t from,
			 struct jit_src *src, const struct sym_jit *j, int pid)
{
	for (size_t i = from; i < b->n; i++) {
		struct jit_entry *e = &b->v[i];

		if (overlaps(j->known, j->nknown, e->lo, e->hi))
			return;
		e->dropped = 1;
		jit_fault(src, "%s:%" PRIu32 ": 0x%" PRIx64 "-0x%" PRIx64 " (%s) lies in no "
			       "executable memory of process %d, so it names another process's "
			       "code (an earlier process with this pid?); %s ignored",
			  src->name, e->line, e->lo, e->hi, prof_str(s->p, e->name), pid,
			  src->id == XPF_JIT_DUMP ? "record" : "line");
	}
}

/* Reads one kept file into b; says what could not be used. Returns the copy's path id if
 * entries came from it, else 0. */
static uint32_t read_file(struct symbols *s, struct jit_build *b, const struct prof_jit_file *f,
			  const struct sym_jit *j, const struct prof_process *pr)
{
	const char *copy = prof_str(s->p, f->copy), *source = prof_str(s->p, f->source);
	struct jit_src src = { copy, f->kind, &s->p->strs, warn_cb, s, 0 };
	size_t len = 0, from = b->n;
	const uint8_t *buf;

	if (f->state == XPF_JIT_STALE) {
		if (pr->njregs)
			sym_warn(s, source, "left by an earlier process with pid %d (unchanged "
					    "since this one started); not used", pr->pid);
		return 0;
	}
	if (f->state == XPF_JIT_FAILED || !*copy) {
		sym_warn(s, source, "could not be kept with the profile (%s); the JIT code of "
				    "process %d stays unnamed",
			 f->err ? strerror(f->err) : "unknown error", pr->pid);
		return 0;
	}
	if (f->state == XPF_JIT_CUT)
		sym_warn(s, copy, "kept only up to XPROF_MAX_MB (%" PRIu64 " bytes): code named "
				  "later stays unnamed", f->bytes);
	buf = map_copy(s, copy, &len, pr->pid);
	if (!buf)
		return 0;
	if (f->kind == XPF_JIT_PERF_MAP)
		jit_parse_perfmap(b, &src, (const char *)buf, len);
	else
		jit_parse_jitdump(b, &src, buf, len);
	munmap((void *)buf, len);
	if (f->flags & XPF_JF_PREDATES)
		check_prefix(s, b, from, &src, j, pr->pid);
	jit_src_done(&src);
	return b->n > from ? f->copy : 0;
}

static void load(struct symbols *s, uint32_t proc)
{
	const struct prof_process *pr = &s->p->procs[proc];
	struct sym_jit *j = &s->jit[proc];
	const struct prof_jit_file *map = NULL, *dump = NULL;
	struct jit_build b = { 0 };
	uint32_t path = 0, got;

	j->loaded = true;
	memory_of(j, pr);
	for (size_t i = 0; i < pr->njfiles; i++)
		*(pr->jfiles[i].kind == XPF_JIT_PERF_MAP ? &map : &dump) = &pr->jfiles[i];
	/* The jitdump after the perf map: where both name an address, its exact records win. */
	if (map && (got = read_file(s, &b, map, j, pr)))
		path = got;
	if (dump && (got = read_file(s, &b, dump, j, pr)) && !path)
		path = got;
	jit_table_build(&j->tab, &b);
	jit_build_fini(&b);
	if (!j->tab.n)
		return;
	j->named = true;
	j->modfile = profile_modfile(s->p, prof_str(s->p, path), s->p->strs.len[path],
				     (const uint8_t *)"", 0);
	s->p->modfiles[j->modfile].jit = true;
	s->p->modfiles[j->modfile].jit_proc = proc;
}

static struct sym_jit *jit_of(struct symbols *s, uint32_t proc)
{
	if (!s->jit)
		s->jit = xcalloc(s->p->nprocs + 1, sizeof(*s->jit));
	if (!s->jit[proc].loaded)
		load(s, proc);
	return &s->jit[proc];
}

bool sym_jit_find(struct symbols *s, uint32_t proc, uint64_t addr, uint32_t *modfile)
{
	for (int depth = 0; proc != PROF_NONE && depth < PARENT_DEPTH; depth++) {
		struct sym_jit *j = jit_of(s, proc);

		if (j->named && jit_table_find(&j->tab, addr)) {
			*modfile = j->modfile;
			return true;
		}
		proc = s->p->procs[proc].fork_parent;
	}
	return false;
}

bool sym_jit_in_region(struct symbols *s, uint32_t proc, uint64_t addr)
{
	const struct sym_jit *j = jit_of(s, proc);

	return overlaps(j->regions, j->nregions, addr, addr + 1);
}

const struct jit_table *sym_jit_table(const struct symbols *s, uint32_t modfile)
{
	const struct prof_modfile *mf = &s->p->modfiles[modfile];

	return mf->jit && s->jit ? &s->jit[mf->jit_proc].tab : NULL;
}

void sym_jit_fini(struct symbols *s)
{
	for (size_t i = 0; s->jit && i < s->p->nprocs; i++) {
		jit_table_fini(&s->jit[i].tab);
		free(s->jit[i].known);
		free(s->jit[i].regions);
	}
	free(s->jit);
	s->jit = NULL;
}
