/* SPDX-License-Identifier: MIT */
/*
 * stacks.h - the profile's samples as named stacks, root first, merged: what folded output
 * and flame graphs are drawn from. Analyzer only.
 *
 * A stack is an array of frame labels (strtab ids): the process frame (`comm`, or
 * `comm-PID`), optionally the thread frame (`name-TID`), `[truncated]` for samples whose root
 * end was cut, then the code frames from root to leaf with inlined frames expanded (unless
 * --no-inline), then for off-CPU time the leaf `[blocked] CALL` and for run-queue time the
 * leaf `[run queue]` (symbols.h, sym_agg_leaf). Samples of identical label arrays are added
 * together. Which aggregates are taken is the kind's choice (--kind, prof_kind_has()).
 */
#ifndef XPROF_ANALYZER_STACKS_H
#define XPROF_ANALYZER_STACKS_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"
#include "symbols.h"

struct stacks_opts {
	bool pid;		/* process frame comm-PID */
	bool tid;		/* add thread frame name-TID */
	enum prof_kind kind;	/* cpu (default), offcpu or wall */
};

struct named_stack {
	uint32_t off, n;	/* labels[off .. off + n) */
	uint64_t samples, weight_ns;
};

struct stacks {
	uint32_t *labels;
	size_t nlabels, caplabels;
	struct named_stack *v;
	size_t n, cap;
	struct htab idx;	/* keyed by the label array */
};

void stacks_build(struct stacks *st, struct profile *p, const struct symbols *s,
		  const struct stacks_opts *o);
void stacks_fini(struct stacks *st);
/* Named stack i as folded text, "root;...;leaf" (malloc'd: the caller frees it). */
char *stacks_join(const struct profile *p, const struct stacks *st, size_t i);

#endif /* XPROF_ANALYZER_STACKS_H */
