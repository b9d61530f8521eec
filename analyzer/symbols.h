/* SPDX-License-Identifier: MIT */
/*
 * symbols.h - turns the addresses of the profile's stacks into named frames with elfutils
 * libdwfl, offline (the profiled processes are gone). Analyzer only.
 *
 * Every distinct (module file, address) is a location, symbolised once. A location expands
 * to a chain of frames, innermost first: inlined functions (from the DWARF scopes at the
 * address), then the function that really holds the code. Return addresses (every frame but
 * an exact leaf) are looked up at pc - 1, the call instruction. A module whose file is
 * missing or whose build-id differs from the recorded one gets one warning and frames named
 * `module+0xOFFSET`: an old name would be a wrong name. An address in no module is JIT code
 * when the process's perf map or jitdump names it (symbols_jit.c: module [jit]); else it is
 * [jit] if it lies in the process's JIT regions, [unknown] if not.
 */
#ifndef XPROF_ANALYZER_SYMBOLS_H
#define XPROF_ANALYZER_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"

struct jit_table;

#define SYM_LOC_UNKNOWN	0	/* address in no known module */
#define SYM_LOC_VDSO	1	/* address in the vDSO */
#define SYM_LOC_JIT	2	/* JIT code that no perf map or jitdump names */
#define SYM_LOC_FIXED	3	/* locations (and their functions, same index) before
				 * this one stand for no address */

struct sym_frame {
	uint32_t func;			/* index into symbols.funcs */
	uint32_t label;			/* strtab id of the text shown in stacks */
	uint32_t file;			/* strtab id of the source file; 0 unknown or not asked */
	int32_t line;			/* source line; 0 unknown or not asked */
};

struct sym_func {
	uint32_t name, module;		/* strtab ids: function, module basename */
	bool unnamed;			/* no symbol: [unknown], [jit], [vdso], module+0xOFF */
};

/* What a location is, for the Python merge and the report's unnamed shares. */
enum sym_kind {
	SYM_NATIVE = 0,			/* a named native frame */
	SYM_NONAME = 1,			/* unknown, or no symbol: module+0xOFFSET */
	SYM_EVAL = 2,			/* CPython's _PyEval_EvalFrameDefault */
	SYM_PYTHON = 3,			/* a Python function (pymerge.c), no modfile */
};

struct sym_loc {
	uint32_t modfile;
	uint8_t kind;			/* enum sym_kind */
	uint64_t rel;			/* address in the module's ELF, pc - 1 for return addrs */
	uint64_t shown;			/* address in the module's ELF as recorded */
	uint32_t chain, nchain;		/* into symbols.chain, innermost first */
};

struct sym_opts {
	bool no_inline;			/* fold inlined frames into their caller */
	bool lines;			/* append (file:line) to frame labels */
	bool src;			/* fill sym_frame.file and .line (pprof, speedscope) */
	bool progress;			/* "symbolising N/M" on stderr */
	bool quiet;			/* no warnings */
	const char *debug_dirs;		/* ':'-separated roots searched for separate debug
					 * info before /usr/lib/debug (--debug-dir); NULL */
};

struct symbols {
	struct profile *p;
	struct sym_opts o;
	struct sym_loc *locs;
	size_t nlocs, caplocs;
	struct sym_frame *chain;
	size_t nchain, capchain;
	struct sym_func *funcs;
	size_t nfuncs, capfuncs;
	struct kvmap loc_map, func_map;
	struct kvmap py_map;		/* pycodes index -> its location */
	struct kvmap leaf_map;		/* (aggregate kind, call) -> its pseudo leaf location */
	char *(*demangle)(const char *, char *, size_t *, int *);
	unsigned warnings;
	struct sym_jit *jit;		/* per process, made on first use (symbols_jit.c) */
};

void symbols_init(struct symbols *s, struct profile *p, const struct sym_opts *o);
void symbols_fini(struct symbols *s);

/*
 * Resolves every stack of the profile to locations (p->stack_locs, one per frame, root
 * first) and symbolises every location. Returns 0; problems with modules are warnings.
 */
int symbols_resolve(struct symbols *s);

/* The function (name, module), added if new. */
uint32_t sym_func_of(struct symbols *s, uint32_t name, uint32_t module);

/*
 * pymerge.c, called by symbols_resolve(): puts each stack's Python frames in place of the
 * evaluation frames that ran them, in p->stack_locs (see profile.h).
 */
void py_merge(struct symbols *s);

/* What names the CPU of the CPython processes of one version (pymerge.c): all their sampled
 * CPU, the part with a Python frame, the part whose innermost interpreter frame stayed an
 * evaluation frame (Python code not named), whose leaf has no symbol, either of those two,
 * and the samples whose Python frame chain was unreadable (XPF_SF_PY_PARTIAL). */
struct py_share {
	uint32_t version;		/* major << 16 | minor << 8 | micro */
	bool walked;			/* xprof knew its layout */
	uint64_t procs, samples, weight_ns, py_ns, eval_ns, leaf_ns, unnamed_ns;
	uint64_t partial, partial_ns;
};

/* One py_share per (version, walked) of the visible processes, into *out (malloc'd: the
 * caller frees); returns their number. Needs py_merge() done. */
size_t py_shares(const struct symbols *s, struct py_share **out);
/* One warning line "PATH: ..." (PATH may be NULL), unless quiet; counted either way. */
__attribute__((format(printf, 3, 4))) void sym_warn(struct symbols *s, const char *path,
						    const char *fmt, ...);

/* symbols_jit.c. Whether a JIT symbol file of process proc (or of the image it was forked
 * from) names addr; *modfile then gets the pseudo module of the file that does. */
bool sym_jit_find(struct symbols *s, uint32_t proc, uint64_t addr, uint32_t *modfile);
/* Whether addr lies in a JIT region the process recorded. */
bool sym_jit_in_region(struct symbols *s, uint32_t proc, uint64_t addr);
/* The JIT symbols of pseudo module `modfile`, NULL if it is an ELF file. */
const struct jit_table *sym_jit_table(const struct symbols *s, uint32_t modfile);
void sym_jit_fini(struct symbols *s);

/*
 * The leaf an aggregate adds below its stack, a location that stands for no address: the
 * function "[blocked] CALL" (module "[blocked]") for off-CPU time, "[run queue]" (module
 * "[run queue]") for run-queue time; PROF_NONE for CPU samples. symbols_resolve() makes
 * those of the aggregates present.
 */
uint32_t sym_agg_leaf(const struct symbols *s, const struct prof_agg *a);

/* The chain of frames of location `loc`, innermost first; *n gets its length. */
static inline const struct sym_frame *sym_chain(const struct symbols *s, uint32_t loc,
						uint32_t *n)
{
	*n = s->locs[loc].nchain;
	return s->chain + s->locs[loc].chain;
}

#endif /* XPROF_ANALYZER_SYMBOLS_H */
