// SPDX-License-Identifier: MIT
/*
 * unnamed.c - the report's account of CPU that stayed unnamed: sampled CPU whose innermost
 * frame has no function name ([unknown], [jit], [vdso] or module+0xOFFSET), by module, with
 * what to do about each kind. Analyzer only; reads the profile and the symbols.
 *
 * Only the innermost frame counts: that is where the CPU was spent. A named function whose
 * callers are unnamed is a named sample here (its callers show in the inclusive table).
 */
#include "unnamed.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct um {
	uint32_t module;		/* strtab id */
	uint64_t unnamed_ns, self_ns;	/* innermost frames in the module: unnamed, all */
};

static int cmp_um(const void *a, const void *b, void *arg)
{
	const struct um *x = a, *y = b;
	const struct profile *p = arg;

	if (x->unnamed_ns != y->unnamed_ns)
		return x->unnamed_ns > y->unnamed_ns ? -1 : 1;
	return strcmp(prof_str(p, x->module), prof_str(p, y->module));
}

/* Innermost-frame CPU per module; returns the modules' count, *total the unnamed CPU. */
static size_t tally(const struct an_ctx *c, struct um **out, uint64_t *total)
{
	const struct profile *p = c->p;
	const struct symbols *s = c->s;
	struct kvmap idx;	/* module id -> index in v */
	struct um *v = NULL;
	size_t n = 0, cap = 0;

	kvmap_init(&idx);
	*total = 0;
	for (size_t i = 0; i < p->naggs; i++) {
		const struct prof_agg *a = &p->aggs[i];
		const struct prof_stack *sk = &p->stacks[a->stack];
		const struct sym_frame *fr;
		const struct sym_func *fn;
		uint32_t k, at;
		bool added;

		if (!sk->depth || a->kind != PROF_AGG_CPU)
			continue;
		fr = sym_chain(s, p->stack_locs[sk->locs + sk->depth - 1u], &k);
		if (!k)
			continue;
		fn = &s->funcs[fr[k - 1].func];	/* the function that holds the code */
		at = kvmap_get_or_put(&idx, fn->module, 0, (uint32_t)n, &added);
		if (added)
			*VEC_PUSH(v, n, cap) = (struct um){ fn->module, 0, 0 };
		v[at].self_ns += a->weight_ns;
		if (fn->unnamed) {
			v[at].unnamed_ns += a->weight_ns;
			*total += a->weight_ns;
		}
	}
	kvmap_fini(&idx);
	*out = v;
	return n;
}

/* One line per kind of unnamed code seen: why it has no name and what gives it one. In
 * Markdown a list, the kind in code spans ("[jit]: ..." would be a link definition). */
static void hints(const struct an_ctx *c, const struct um *v, size_t n)
{
	static const struct {
		const char *kind, *text;
	} what[] = {
		{ "[jit]", "JIT code no perf map or jitdump names: run with XPROF_JIT=1 (Node, "
			   "a JVM, CPython 3.12+) or the runtime's perf-map option" },
		{ "module+0xOFFSET", "a stripped module: install its debug symbols (found by "
				     "build-id under /usr/lib/debug or --debug-dir DIR), or "
				     "set DEBUGINFOD_URLS" },
		{ "[unknown]", "an address in no module the process recorded" },
	};
	bool seen[3] = { false, false, false }, md = c->o->fmt == TABLE_MARKDOWN, any = false;

	for (size_t i = 0; i < n && v[i].unnamed_ns; i++) {
		const char *m = prof_str(c->p, v[i].module);

		if (!strcmp(m, "[jit]"))
			seen[0] = true;
		else if (!strcmp(m, "[unknown]"))
			seen[2] = true;
		else if (strcmp(m, "[vdso]"))
			seen[1] = true;
	}
	for (size_t k = 0; k < 3; k++) {
		if (!seen[k])
			continue;
		fprintf(c->out, md ? "- `%s`: %s.\n" : "  %s: %s.\n", what[k].kind, what[k].text);
		any = true;
	}
	if (any)
		fputc('\n', c->out);
}

void report_unnamed(struct an_ctx *c, uint64_t whole)
{
	static const struct table_col cols[] = {
		{ "module", "MODULE", false }, { "unnamed_ns", "UNNAMED s", true },
		{ "unnamed_pct", "UNNAMED %", true }, { "module_ns", "MODULE s", true },
		{ "of_module_pct", "OF MODULE %", true },
	};
	enum table_fmt f = c->o->fmt;
	uint64_t total;
	struct um *v;
	size_t n = tally(c, &v, &total);
	struct table t;

	qsort_r(v, n, sizeof(*v), cmp_um, c->p);
	if (f != TABLE_TSV)
		fprintf(c->out, "%sUnnamed CPU:%s %.3f s (%.2f %% of the sampled CPU) ran in code "
				"that no symbol names (innermost frame)\n\n",
			f == TABLE_MARKDOWN ? "**" : "", f == TABLE_MARKDOWN ? "**" : "",
			total / 1e9, whole ? 100.0 * total / whole : 0.0);
	table_init(&t, "unnamed", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < n && v[i].unnamed_ns; i++) {
		table_cell(&t, "%s", prof_str(c->p, v[i].module));
		if (f == TABLE_TSV)
			table_cell(&t, "%" PRIu64, v[i].unnamed_ns);
		else
			table_cell(&t, "%.3f", v[i].unnamed_ns / 1e9);
		table_cell(&t, "%.2f", whole ? 100.0 * v[i].unnamed_ns / whole : 0.0);
		if (f == TABLE_TSV)
			table_cell(&t, "%" PRIu64, v[i].self_ns);
		else
			table_cell(&t, "%.3f", v[i].self_ns / 1e9);
		table_cell(&t, "%.2f", 100.0 * v[i].unnamed_ns / v[i].self_ns);
	}
	if (total || f == TABLE_TSV)
		table_print(c->out, &t, f, "Unnamed CPU by module");
	table_fini(&t);
	if (f != TABLE_TSV)
		hints(c, v, n);
	free(v);
}
