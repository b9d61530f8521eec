// SPDX-License-Identifier: MIT
/*
 * pymerge.c - Python frames in native stacks. Analyzer only; runs once, after every native
 * location is symbolised (symbols_resolve).
 *
 * A CPython sample has two stacks: the native one, where the interpreter shows as calls of
 * its evaluation function (_PyEval_EvalFrameDefault), and the thread's Python frames, split
 * by their entry marks into runs, one run per call of that function (before 3.11 every
 * Python frame is a call of its own; from 3.11 on one call runs frames until an entry frame).
 * Each run takes the place of the evaluation frame that ran it, so a stack reads
 * main -> ... -> py:run_backtest -> py:compute_signals -> (the native code it called), with
 * the native frames above and below kept.
 *
 * Runs and evaluation frames are paired from the leaf end: the native stack's root end is the
 * one that may be cut (XPROF_DEPTH), and the leaf end is where both stacks are exact. Runs
 * left over (their evaluation frames were cut, or the native unwind stopped early) go at the
 * root end; evaluation frames left over keep their native name (SYM_EVAL locations stay in
 * the stack: the report counts their CPU as Python that could not be named).
 *
 * A Python frame is a location of its own (one per code object), shown as
 * `py:QUALNAME (FILE:LINE)` with FILE the source file's base name and LINE its first line:
 * a function of the tables, the folded stacks and every writer over the model.
 */
#include "symbols.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The location of Python code `code` (a pycodes index or PROF_PY_UNKNOWN), made once. */
static uint32_t py_loc(struct symbols *s, uint32_t code)
{
	struct profile *p = s->p;
	const struct prof_pycode *pc = code == PROF_PY_UNKNOWN ? NULL : &p->pycodes[code];
	const char *file = pc ? prof_str(p, pc->file) : "";
	uint32_t id, label, module;
	struct sym_frame *f;
	struct sym_loc *l;
	char buf[2600];
	bool added;
	int n;

	id = kvmap_get_or_put(&s->py_map, code, 0, (uint32_t)s->nlocs, &added);
	if (!added)
		return id;
	if (pc)
		n = snprintf(buf, sizeof(buf), "py:%s (%s:%d)", prof_str(p, pc->name),
			     path_base(file), pc->line);
	else
		n = snprintf(buf, sizeof(buf), "py:[unknown code]");
	for (char *c = buf; *c; c++)
		if (*c == ';' || *c == '\n' || *c == '\r')
			*c = ':';
	label = strtab_intern(&p->strs, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	module = strtab_intern(&p->strs, path_base(file), strlen(path_base(file)));
	l = VEC_PUSH(s->locs, s->nlocs, s->caplocs);
	memset(l, 0, sizeof(*l));
	l->modfile = PROF_NONE;
	l->kind = SYM_PYTHON;
	l->rel = code;
	l->chain = (uint32_t)s->nchain;
	l->nchain = 1;
	f = VEC_PUSH(s->chain, s->nchain, s->capchain);
	f->func = sym_func_of(s, label, module);
	f->label = label;
	f->file = s->o.src && pc ? pc->file : 0;
	f->line = s->o.src && pc ? pc->line : 0;
	return id;
}

/* The number of runs in Python frames py[0..n) (root first); starts[] gets where each
 * begins. A run begins at an entry frame, or at the root (its entry may have been cut). */
static uint32_t py_runs(const uint64_t *py, uint32_t n, uint32_t *starts)
{
	uint32_t r = 0;

	for (uint32_t i = 0; i < n; i++)
		if (i == 0 || PROF_PY_ENTRY(py[i]))
			starts[r++] = i;
	return r;
}

/* Appends the locations of run k (of nruns) of py to out at *o. */
static void put_run(struct symbols *s, const uint64_t *py, uint32_t npy,
		    const uint32_t *starts, uint32_t nruns, uint32_t k, uint32_t *out,
		    uint32_t *o)
{
	uint32_t end = k + 1 < nruns ? starts[k + 1] : npy;

	for (uint32_t i = starts[k]; i < end; i++)
		out[(*o)++] = py_loc(s, PROF_PY_CODE(py[i]));
}

/* Merges one stack into out[] (room for depth + npy); returns its length. */
static uint32_t merge_one(struct symbols *s, const struct prof_stack *st, uint32_t *out,
			  uint32_t *starts)
{
	struct profile *p = s->p;
	const uint32_t *nat = p->stack_locs + st->locs;
	const uint64_t *py = p->addrs + st->off + st->depth;
	uint32_t nruns = py_runs(py, st->npy, starts), nevals = 0, e = 0, o = 0;

	for (uint32_t j = 0; j < st->depth; j++)
		nevals += s->locs[nat[j]].kind == SYM_EVAL;
	/* Pairing from the leaf: evaluation frame e (from the root) runs run e - nevals + nruns. */
	for (uint32_t k = 0; k + nevals < nruns; k++)
		put_run(s, py, st->npy, starts, nruns, k, out, &o);
	for (uint32_t j = 0; j < st->depth; j++) {
		if (s->locs[nat[j]].kind == SYM_EVAL && e++ + nruns >= nevals)
			put_run(s, py, st->npy, starts, nruns, e - 1 + nruns - nevals, out, &o);
		else
			out[o++] = nat[j];
	}
	return o;
}

void py_merge(struct symbols *s)
{
	struct profile *p = s->p;
	uint32_t *out = NULL, *starts = NULL;
	size_t cap = 0;

	for (size_t i = 0; i < p->nstacks; i++) {
		struct prof_stack *st = &p->stacks[i];
		size_t need = (size_t)st->depth + st->npy;

		if (!st->npy)
			continue;
		if (need > cap) {
			cap = need;
			out = xrealloc(out, cap, sizeof(*out));
			starts = xrealloc(starts, cap, sizeof(*starts));
		}
		st->nlocs = merge_one(s, st, out, starts);
		/* The stack's Python values follow its native ones in addrs, and stack_locs has a
		 * slot for each: the merged stack fits where they were. */
		memcpy(p->stack_locs + st->locs, out, st->nlocs * sizeof(*out));
	}
	free(out);
	free(starts);
}

/* The share of v for version `version`, added if new. */
static struct py_share *share_of(struct py_share **v, size_t *n, uint32_t version,
				 bool walked)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].version == version && (*v)[i].walked == walked)
			return &(*v)[i];
	*v = xrealloc(*v, *n + 1, sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].version = version;
	(*v)[*n].walked = walked;
	return &(*v)[(*n)++];
}

/* Adds one (thread, stack) aggregate's CPU to sh by what its merged stack names. */
static void share_add(const struct symbols *s, const struct prof_stack *st,
		      const struct prof_agg *a, struct py_share *sh)
{
	const uint32_t *l = s->p->stack_locs + st->locs;
	bool py = false, eval_unnamed = false, leaf_unnamed;

	for (uint32_t j = 0; j < st->nlocs; j++) {
		uint8_t k = s->locs[l[j]].kind;

		py |= k == SYM_PYTHON;
		if (k == SYM_PYTHON || k == SYM_EVAL)
			eval_unnamed = k == SYM_EVAL;	/* the innermost of either kind */
	}
	leaf_unnamed = !st->nlocs || s->locs[l[st->nlocs - 1]].kind == SYM_NONAME;
	sh->samples += a->samples;
	sh->weight_ns += a->weight_ns;
	sh->py_ns += py ? a->weight_ns : 0;
	sh->eval_ns += eval_unnamed ? a->weight_ns : 0;
	sh->leaf_ns += leaf_unnamed ? a->weight_ns : 0;
	sh->unnamed_ns += eval_unnamed || leaf_unnamed ? a->weight_ns : 0;
}

size_t py_shares(const struct symbols *s, struct py_share **out)
{
	const struct profile *p = s->p;
	struct py_share *v = NULL;
	size_t n = 0;

	for (size_t i = 0; i < p->nprocs; i++)
		if (!p->procs[i].hidden && p->procs[i].py_version)
			share_of(&v, &n, p->procs[i].py_version, p->procs[i].py_walked)->procs++;
	for (size_t i = 0; i < p->naggs; i++) {
		const struct prof_agg *a = &p->aggs[i];
		const struct prof_thread *t = &p->threads[a->thread];
		const struct prof_process *pr = &p->procs[t->proc];

		if (!pr->hidden && pr->py_version && a->kind == PROF_AGG_CPU)
			share_add(s, &p->stacks[a->stack], a,
				  share_of(&v, &n, pr->py_version, pr->py_walked));
	}
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct prof_thread *t = &p->threads[i];
		const struct prof_process *pr = &p->procs[t->proc];
		struct py_share *sh;

		if (t->hidden || !pr->py_version)
			continue;
		sh = share_of(&v, &n, pr->py_version, pr->py_walked);
		sh->partial += t->py_partial;
		sh->partial_ns += t->py_partial_ns;
	}
	*out = v;
	return n;
}
