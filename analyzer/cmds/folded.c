// SPDX-License-Identifier: MIT
/*
 * cmds/folded.c - the `folded` command: Brendan Gregg's folded stacks ("root;...;leaf COUNT"),
 * one line per distinct stack, sorted bytewise so the output is deterministic and ready for
 * flamegraph.pl, inferno or speedscope. Analyzer only.
 *
 * COUNT is the number of samples, or with --weight=ns the CPU nanoseconds they stand for.
 * With --kind offcpu the stacks end in `[blocked] CALL` and COUNT is blocked nanoseconds;
 * with --kind wall both are there, and each thread's run-queue nanoseconds under a
 * `[run queue]` leaf (stacks.h). Dropped samples have no stack and are not here (`report`
 * counts them).
 */
#include "analyze.h"
#include "stacks.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct line {
	char *text;		/* frames joined by ';' */
	uint64_t count;
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

int cmd_folded(struct an_ctx *c)
{
	struct stacks_opts so = { .pid = c->o->pid_frame, .tid = c->o->tid_frame,
				  .kind = c->o->kind };
	struct stacks st;
	struct line *lines;
	size_t n = 0;

	stacks_build(&st, c->p, c->s, &so);
	lines = xmalloc((st.n + 1) * sizeof(*lines));
	for (size_t i = 0; i < st.n; i++) {
		uint64_t count = an_weight(c->o, st.v[i].samples, st.v[i].weight_ns);

		if (!count)
			continue;
		lines[n].text = stacks_join(c->p, &st, i);
		lines[n++].count = count;
	}
	qsort(lines, n, sizeof(*lines), cmp_line);
	for (size_t i = 0; i < n; i++) {
		fprintf(c->out, "%s %" PRIu64 "\n", lines[i].text, lines[i].count);
		free(lines[i].text);
	}
	free(lines);
	stacks_fini(&st);
	return ferror(c->out) ? -EIO : 0;
}
