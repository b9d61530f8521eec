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
