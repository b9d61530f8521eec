// SPDX-License-Identifier: MIT
/*
 * symbols.c - offline symbolisation of profile addresses with elfutils libdwfl.
 * Analyzer only: single-threaded, allocates, opens the ELF files named in the profile.
 *
 * Module paths come from an untrusted profile: only regular files are opened (never FIFOs or
 * devices) and the build-id is checked before any name is taken from them. Each module file
 * gets its own Dwfl with the module reported at its ELF addresses (base 0), so a location is
 * looked up as sample address - recorded load bias. Separate debug info is found the
 * standard ways by dwfl_standard_find_debuginfo: .gnu_debuglink next to the file or in
 * .debug/, DIR/.build-id/xx/rest.debug for each --debug-dir DIR and /usr/lib/debug, and, when
 * DEBUGINFOD_URLS is set, from those debuginfod servers (libdwfl's own client, libdebuginfod,
 * cached as DEBUGINFOD_CACHE_PATH says). A stripped file's MiniDebugInfo (.gnu_debugdata, an
 * xz-compressed symbol table) is read by libdwfl when no other symbol table is found.
 * An address no symbol covers may be a PLT stub, named "target@plt" (plt.c). Addresses in no
 * module go to symbols_jit.c.
 */
#include "symbols.h"

#include "jitmap.h"
#include "plt.h"

#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include <fcntl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_INLINE	64	/* inlined frames kept per location */

static char *debuginfo_path;	/* NULL: libdwfl's default; must outlive every Dwfl */

static const Dwfl_Callbacks offline_cb = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

/* Per module file, while its locations are symbolised. */
struct symfile {
	Dwfl *dwfl;
	Dwfl_Module *mod;	/* NULL: frames are module+0xOFFSET */
	const struct jit_table *jit;	/* a process's JIT symbols instead of an ELF file */
	struct plt_table plt;	/* its PLT stubs, read on the first address no symbol covers */
	bool plt_read;
	const char *base;	/* basename of the path, for labels */
	uint32_t module;	/* strtab id of base */
};

/* The debuginfo path libdwfl searches: the default, with the --debug-dir roots before
 * /usr/lib/debug (absolute entries are searched both as DIR/PATH-OF-FILE and by build-id). */
static void set_debuginfo_path(const char *dirs)
{
	static const char def[] = ":.debug:";

	free(debuginfo_path);
	debuginfo_path = NULL;
	if (!dirs || !*dirs)
		return;
	debuginfo_path = xmalloc(sizeof(def) + strlen(dirs) + sizeof(":/usr/lib/debug"));
	sprintf(debuginfo_path, "%s%s:/usr/lib/debug", def, dirs);
}

void symbols_init(struct symbols *s, struct profile *p, const struct sym_opts *o)
{
	static const char *const fixed[SYM_LOC_FIXED] = { "[unknown]", "[vdso]", "[jit]" };

	memset(s, 0, sizeof(*s));
	s->p = p;
	s->o = *o;
	kvmap_init(&s->loc_map);
	kvmap_init(&s->func_map);
	kvmap_init(&s->py_map);
	kvmap_init(&s->leaf_map);
	set_debuginfo_path(o->debug_dirs);
	/* Demangle C++ names when libstdc++ is at hand; the analyzer does not link it. */
	s->demangle = dlsym(RTLD_DEFAULT, "__cxa_demangle");
	if (!s->demangle) {
		void *h = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);

		if (h)
			s->demangle = dlsym(h, "__cxa_demangle");
	}
	/* The fixed locations (see SYM_LOC_*). */
	for (int i = 0; i < SYM_LOC_FIXED; i++) {
		struct sym_loc *l = VEC_PUSH(s->locs, s->nlocs, s->caplocs);
		struct sym_frame *f = VEC_PUSH(s->chain, s->nchain, s->capchain);
		uint32_t id = strtab_intern(&p->strs, fixed[i], strlen(fixed[i]));
		struct sym_func *fn = VEC_PUSH(s->funcs, s->nfuncs, s->capfuncs);

		memset(l, 0, sizeof(*l));
		l->chain = (uint32_t)s->nchain - 1;
		l->nchain = 1;
		l->kind = i ? SYM_NATIVE : SYM_NONAME;
		fn->name = id;
		fn->module = id;
		fn->unnamed = true;
		f->func = (uint32_t)s->nfuncs - 1;
		f->label = id;
		f->file = 0;
		f->line = 0;
	}
}

void symbols_fini(struct symbols *s)
{
	sym_jit_fini(s);
	free(s->locs);
	free(s->chain);
	free(s->funcs);
	kvmap_fini(&s->loc_map);
	kvmap_fini(&s->func_map);
	kvmap_fini(&s->py_map);
	kvmap_fini(&s->leaf_map);
}

/* ---- addresses to locations ----------------------------------------------------------- */

/* The location of (modfile, rel), made on first use; shown: the address as recorded. */
static uint32_t loc_in(struct symbols *s, uint32_t modfile, uint64_t rel, uint64_t shown)
{
	bool added;
	uint32_t id = kvmap_get_or_put(&s->loc_map, modfile, rel, (uint32_t)s->nlocs, &added);
	struct sym_loc *l;

	if (!added)
		return id;
	l = VEC_PUSH(s->locs, s->nlocs, s->caplocs);
	memset(l, 0, sizeof(*l));
	l->modfile = modfile;
	l->rel = rel;
	l->shown = shown;
	return id;
}

static uint32_t loc_of(struct symbols *s, uint32_t proc, uint32_t epoch, uint64_t addr,
		       bool ret)
{
	const struct prof_process *pr = &s->p->procs[proc];
	long mi = profile_module_at(pr, addr, epoch);
	const struct prof_module *m;
	uint64_t rel;
	uint32_t jit;

	if (mi < 0) {
		/* JIT code: a return address's call is at addr - 1, as in ELF code. */
		rel = addr - (ret && addr > 0);
		if (sym_jit_find(s, proc, rel, &jit))
			return loc_in(s, jit, rel, addr);
		return sym_jit_in_region(s, proc, rel) ? SYM_LOC_JIT : SYM_LOC_UNKNOWN;
	}
	m = &pr->mods[mi];
	if (s->p->modfiles[m->modfile].vdso)
		return SYM_LOC_VDSO;
	rel = addr - m->bias - (ret && addr - m->bias > 0);
	return loc_in(s, m->modfile, rel, addr - m->bias);
}

/* Fills p->stack_locs: one location per frame of every stack, root first. */
static void map_stacks(struct symbols *s)
{
	struct profile *p = s->p;
	struct kvmap cache;	/* (process, epoch, return?) + address -> location */

	kvmap_init(&cache);
	free(p->stack_locs);
	p->stack_locs = xmalloc((p->naddrs + 1) * sizeof(*p->stack_locs));
	p->nstack_locs = p->naddrs;
	for (size_t i = 0; i < p->nstacks; i++) {
		struct prof_stack *st = &p->stacks[i];

		st->locs = st->off;
		st->nlocs = st->depth;
		for (uint32_t j = 0; j < st->depth; j++) {
			uint64_t addr = p->addrs[st->off + j];
			bool ret = !(j == st->depth - 1u && (st->flags & XPF_SF_LEAF_EXACT));
			uint64_t k1 = (uint64_t)st->proc << 32 | (uint64_t)ret << 31 | st->epoch;
			uint32_t v;

			if (!kvmap_find(&cache, k1, addr, &v)) {
				v = loc_of(s, st->proc, st->epoch, addr, ret);
				kvmap_put(&cache, k1, addr, v);
			}
			p->stack_locs[st->off + j] = v;
		}
	}
	kvmap_fini(&cache);
}

/* ---- module files --------------------------------------------------------------------- */

void sym_warn(struct symbols *s, const char *path, const char *fmt, ...)
{
	va_list ap;

	s->warnings++;
	if (s->o.quiet)
		return;
	if (path)
		fprintf(stderr, "%s: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Opens a module file named by the profile: regular files only. Returns fd or -1. */
static int open_module(const char *path, const char **why)
{
	struct stat st;
	int fd;

	if (path[0] != '/')
		return *why = "not an absolute path", -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return *why = strerror(errno), -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return *why = "not a regular file", -1;
	}
	return fd;
}

static bool build_id_matches(const struct prof_modfile *mf, Dwfl_Module *mod)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int n;

	if (!mf->build_id_len)
		return true;	/* nothing recorded: nothing to check against */
	n = dwfl_module_build_id(mod, &bits, &vaddr);
	return n == (int)mf->build_id_len && !memcmp(bits, mf->build_id, (size_t)n);
}

static void symfile_open(struct symbols *s, const struct prof_modfile *mf, struct symfile *sf)
{
	const char *path = prof_str(s->p, mf->path), *why = NULL;
	int fd;

	memset(sf, 0, sizeof(*sf));
	if (mf->jit) {
		sf->jit = sym_jit_table(s, (uint32_t)(mf - s->p->modfiles));
		sf->base = "[jit]";
		sf->module = strtab_intern(&s->p->strs, sf->base, strlen(sf->base));
		return;
	}
	sf->base = path_base(path);
	sf->module = strtab_intern(&s->p->strs, sf->base, strlen(sf->base));
	fd = open_module(path, &why);
	if (fd < 0) {
		sym_warn(s, path, "cannot open (%s); frames shown as %s+0xOFFSET", why, sf->base);
		return;
	}
	sf->dwfl = dwfl_begin(&offline_cb);
	if (!sf->dwfl) {
		close(fd);
		sym_warn(s, path, "dwfl_begin: %s", dwfl_errmsg(-1));
		return;
	}
	dwfl_report_begin(sf->dwfl);
	sf->mod = dwfl_report_elf(sf->dwfl, sf->base, path, fd, 0, false);	/* takes fd */
	if (!sf->mod) {
		sym_warn(s, path, "dwfl_report_elf: %s; frames shown as %s+0xOFFSET",
			 dwfl_errmsg(-1), sf->base);
		close(fd);
	} else if (!build_id_matches(mf, sf->mod)) {
		sym_warn(s, path, "build-id differs from the one recorded in the profile (file "
				  "rebuilt or replaced since the run); frames shown as %s+0xOFFSET",
			 sf->base);
		sf->mod = NULL;
	}
	dwfl_report_end(sf->dwfl, NULL, NULL);
}

static void symfile_close(struct symfile *sf)
{
	plt_fini(&sf->plt);
	if (sf->dwfl)
		dwfl_end(sf->dwfl);
}

/* The name of the PLT stub at ELF address pc ("puts@plt"), 0 if pc is in none. */
static uint32_t plt_at(struct symbols *s, struct symfile *sf, GElf_Addr pc)
{
	GElf_Addr bias;

	if (!sf->plt_read && sf->mod)
		plt_build(&sf->plt, dwfl_module_getelf(sf->mod, &bias), &s->p->strs);
	sf->plt_read = true;
	return plt_name(&sf->plt, pc);
}

/* ---- names ---------------------------------------------------------------------------- */

/* Interns name (demangled when it is a C++ symbol), with ';' and newlines made harmless. */
static uint32_t intern_name(struct symbols *s, const char *name)
{
	char *dem = NULL, *buf, *at;
	int st = -1;
	uint32_t id;

	buf = xstrdup(name);
	at = strchr(buf, '@');	/* symbol version: malloc@@GLIBC_2.2.5 is malloc */
	if (at && at != buf)
		*at = '\0';
	if (s->demangle && buf[0] == '_' && buf[1] == 'Z')
		dem = s->demangle(buf, NULL, NULL, &st);
	if (st == 0 && dem) {
		free(buf);
		buf = xstrdup(dem);
	}
	free(dem);
	for (char *c = buf; *c; c++)
		if (*c == ';' || *c == '\n' || *c == '\r')
			*c = ':';
	id = strtab_intern(&s->p->strs, buf, strlen(buf));
	free(buf);
	return id;
}

uint32_t sym_func_of(struct symbols *s, uint32_t name, uint32_t module)
{
	bool added;
	uint32_t id = kvmap_get_or_put(&s->func_map, name, module, (uint32_t)s->nfuncs, &added);
	struct sym_func *f;

	if (added) {
		f = VEC_PUSH(s->funcs, s->nfuncs, s->capfuncs);
		f->name = name;
		f->module = module;
		f->unnamed = false;
	}
	return id;
}

static void push_frame(struct symbols *s, uint32_t name, uint32_t module, const char *file,
		       int line)
{
	struct sym_frame *f = VEC_PUSH(s->chain, s->nchain, s->capchain);
	char buf[4096];

	f->func = sym_func_of(s, name, module);
	f->label = name;
	f->file = s->o.src && file ? strtab_intern(&s->p->strs, file, strlen(file)) : 0;
	f->line = s->o.src && file && line > 0 ? line : 0;
	if (s->o.lines && file && line > 0) {
		snprintf(buf, sizeof(buf), "%s (%s:%d)", prof_str(s->p, name), path_base(file),
			 line);
		f->label = strtab_intern(&s->p->strs, buf, strlen(buf));
	}
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *n = NULL;

	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &a) ||
	    dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a))
		n = dwarf_formstring(&a);
	if (!n && dwarf_attr_integrate(die, DW_AT_name, &a))
		n = dwarf_formstring(&a);
	return n;
}

static const char *call_file(Dwarf_Die *cu, Dwarf_Die *die, int *line)
{
	Dwarf_Attribute a;
	Dwarf_Word idx, ln;
	Dwarf_Files *files;
	size_t nfiles;

	*line = 0;
	if (!dwarf_attr(die, DW_AT_call_line, &a) || dwarf_formudata(&a, &ln))
		return NULL;
	*line = (int)ln;
	if (!dwarf_attr(die, DW_AT_call_file, &a) || dwarf_formudata(&a, &idx) ||
	    dwarf_getsrcfiles(cu, &files, &nfiles) || idx >= nfiles)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

/*
 * Pushes the inlined frames at pc, innermost first; file and line become the call site in the
 * function that holds them (the outer frame's line). Returns how many were pushed.
 */
static unsigned push_inlined(struct symbols *s, struct symfile *sf, GElf_Addr pc,
			     const char **file, int *line)
{
	Dwarf_Addr bias = 0;
	Dwarf_Die *cu = dwfl_module_addrdie(sf->mod, pc, &bias), *scopes = NULL;
	int n = cu ? dwarf_getscopes(cu, pc - bias, &scopes) : 0;
	unsigned pushed = 0;

	for (int i = 0; i < n && pushed < MAX_INLINE; i++) {
		const char *name;
		int tag = dwarf_tag(&scopes[i]);

		if (tag == DW_TAG_subprogram)
			break;
		if (tag != DW_TAG_inlined_subroutine)
			continue;
		name = die_name(&scopes[i]);
		if (!s->o.no_inline)
			push_frame(s, intern_name(s, name ? name : "[inlined]"), sf->module, *file,
				   *line);
		*file = call_file(cu, &scopes[i], line);
		pushed++;
	}
	free(scopes);
	return pushed;
}

static void symbolise_loc(struct symbols *s, struct symfile *sf, uint32_t li)
{
	GElf_Addr pc = s->locs[li].rel;
	const char *name = NULL, *file = NULL;
	GElf_Off off;
	GElf_Sym sym;
	int line = 0;
	char buf[512];
	uint32_t plt;
	Dwfl_Line *dl;

	s->locs[li].chain = (uint32_t)s->nchain;
	if (sf->jit) {
		const struct jit_seg *seg = jit_table_find(sf->jit, pc);

		/* loc_of() made this location because the table names pc. */
		push_frame(s, seg ? seg->name : s->funcs[SYM_LOC_JIT].name, sf->module, NULL, 0);
		s->locs[li].nchain = 1;
		return;
	}
	if (sf->mod)
		name = dwfl_module_addrinfo(sf->mod, pc, &off, &sym, NULL, NULL, NULL);
	if (!name && (plt = plt_at(s, sf, pc))) {
		push_frame(s, plt, sf->module, NULL, 0);
	} else if (!name) {
		snprintf(buf, sizeof(buf), "%s+0x%" PRIx64, sf->base, s->locs[li].shown);
		push_frame(s, strtab_intern(&s->p->strs, buf, strlen(buf)), sf->module, NULL, 0);
		s->locs[li].kind = SYM_NONAME;
		s->funcs[s->chain[s->nchain - 1].func].unnamed = true;
	} else {
		if ((s->o.lines || s->o.src) && (dl = dwfl_module_getsrc(sf->mod, pc)))
			file = dwfl_lineinfo(dl, NULL, &line, NULL, NULL, NULL);
		if (!s->o.no_inline || s->o.lines || s->o.src)
			push_inlined(s, sf, pc, &file, &line);
		push_frame(s, intern_name(s, name), sf->module, file, line);
		if (!strncmp(name, "_PyEval_EvalFrameDefault", 24))	/* .cold parts too */
			s->locs[li].kind = SYM_EVAL;
	}
	s->locs[li].nchain = (uint32_t)s->nchain - s->locs[li].chain;
}

static int cmp_loc_modfile(const void *a, const void *b, void *arg)
{
	const struct sym_loc *locs = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (locs[x].modfile != locs[y].modfile)
		return locs[x].modfile < locs[y].modfile ? -1 : 1;
	return locs[x].rel < locs[y].rel ? -1 : locs[x].rel > locs[y].rel;
}

static void symbolise_all(struct symbols *s)
{
	size_t n = s->nlocs - SYM_LOC_FIXED;
	uint32_t *order = xmalloc((n + 1) * sizeof(*order));
	struct symfile sf = { 0 };
	long cur = -1;

	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)(i + SYM_LOC_FIXED);
	qsort_r(order, n, sizeof(*order), cmp_loc_modfile, s->locs);
	for (size_t i = 0; i < n; i++) {
		uint32_t li = order[i];

		if ((long)s->locs[li].modfile != cur) {
			symfile_close(&sf);
			cur = s->locs[li].modfile;
			symfile_open(s, &s->p->modfiles[cur], &sf);
		}
		symbolise_loc(s, &sf, li);
		if (s->o.progress && (i % 1024 == 0 || i + 1 == n))
			fprintf(stderr, "\rsymbolising %zu/%zu addresses", i + 1, n);
	}
	if (s->o.progress && n)
		fputc('\n', stderr);
	symfile_close(&sf);
	free(order);
}

/* ---- pseudo leaves ---------------------------------------------------------------------- */

/* A location of one frame, function `name` in module `module`, that no address holds. */
static uint32_t pseudo_loc(struct symbols *s, const char *name, const char *module)
{
	struct profile *p = s->p;
	uint32_t id = strtab_intern(&p->strs, name, strlen(name));
	uint32_t mod = strtab_intern(&p->strs, module, strlen(module));
	struct sym_loc *l = VEC_PUSH(s->locs, s->nlocs, s->caplocs);
	struct sym_frame *f;

	memset(l, 0, sizeof(*l));
	l->modfile = PROF_NONE;
	l->kind = SYM_NATIVE;
	l->chain = (uint32_t)s->nchain;
	l->nchain = 1;
	f = VEC_PUSH(s->chain, s->nchain, s->capchain);
	memset(f, 0, sizeof(*f));
	f->func = sym_func_of(s, id, mod);
	f->label = id;
	return (uint32_t)s->nlocs - 1;
}

static void add_leaves(struct symbols *s)
{
	const struct profile *p = s->p;

	for (size_t i = 0; i < p->naggs; i++) {
		const struct prof_agg *a = &p->aggs[i];
		char name[64], num[24];
		uint32_t v;

		if (a->kind == PROF_AGG_CPU || kvmap_find(&s->leaf_map, a->kind, a->call, &v))
			continue;
		if (a->kind == PROF_AGG_RUNQ)
			v = pseudo_loc(s, "[run queue]", "[run queue]");
		else {
			snprintf(name, sizeof(name), "[blocked] %s",
				 prof_call_name(a->call, num, sizeof(num)));
			v = pseudo_loc(s, name, "[blocked]");
		}
		kvmap_put(&s->leaf_map, a->kind, a->call, v);
	}
}

uint32_t sym_agg_leaf(const struct symbols *s, const struct prof_agg *a)
{
	uint32_t v;

	if (a->kind == PROF_AGG_CPU || !kvmap_find(&s->leaf_map, a->kind, a->call, &v))
		return PROF_NONE;
	return v;
}

int symbols_resolve(struct symbols *s)
{
	map_stacks(s);
	symbolise_all(s);
	py_merge(s);
	add_leaves(s);
	return 0;
}
