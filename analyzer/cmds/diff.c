// SPDX-License-Identifier: MIT
/*
 * cmds/diff.c - the `diff` command: profile A (the baseline) against profile B, as the
 * difffolded format of Brendan Gregg's FlameGraph tools ("root;...;leaf COUNT_A COUNT_B", one
 * line per stack seen in either, sorted bytewise), or, with -o FILE.svg, as a differential
 * flame graph drawn by flamegraph.c. Analyzer only.
 *
 * Stacks are the folded stacks of each profile (stacks.c) compared as text, so processes
 * match by command name, not pid, and addresses by function name, not by where they were
 * loaded. The text gives raw counts; the graph's widths are B's and its colours compare
 * shares: A's counts are scaled to B's total first, so two runs of different lengths compare
 * by where their time went, not by how much there was.
 */
#include "analyze.h"
#include "flamegraph.h"
#include "stacks.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct dline {
	char *text;		/* frames joined by ';' */
	uint64_t a, b;		/* counts in A and B (samples or ns) */
	uint64_t b_samples;	/* B's samples, shown on hover */
};

struct dlines {
	struct dline *v;
	size_t n, cap;
	uint64_t total_a, total_b;
};

static int cmp_dline(const void *x, const void *y)
{
	return strcmp(((const struct dline *)x)->text, ((const struct dline *)y)->text);
}

/* The folded lines of one profile, sorted; counts go to .a (side 0) or .b (side 1). */
static void fold(struct an_ctx *c, struct profile *p, struct symbols *s, int side,
		 struct dlines *out)
{
	struct stacks_opts so = { .pid = c->o->pid_frame, .tid = c->o->tid_frame,
				  .kind = c->o->kind };
	struct stacks st;

	memset(out, 0, sizeof(*out));
	stacks_build(&st, p, s, &so);
	for (size_t i = 0; i < st.n; i++) {
		uint64_t n = an_weight(c->o, st.v[i].samples, st.v[i].weight_ns);
		struct dline *l;

		if (!n)
			continue;
		l = VEC_PUSH(out->v, out->n, out->cap);
		memset(l, 0, sizeof(*l));
		l->text = stacks_join(p, &st, i);
		*(side ? &l->b : &l->a) = n;
		l->b_samples = side ? st.v[i].samples : 0;
		*(side ? &out->total_b : &out->total_a) += n;
	}
	stacks_fini(&st);
	qsort(out->v, out->n, sizeof(*out->v), cmp_dline);
}

/* Merges sorted A and B into d (which takes over their strings). */
static void merge(struct dlines *a, struct dlines *b, struct dlines *d)
{
	size_t i = 0, j = 0;

	memset(d, 0, sizeof(*d));
	d->total_a = a->total_a;
	d->total_b = b->total_b;
	while (i < a->n || j < b->n) {
		int r = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i].text, b->v[j].text);
		struct dline *l = VEC_PUSH(d->v, d->n, d->cap);

		if (r < 0) {
			*l = a->v[i++];
		} else if (r > 0) {
			*l = b->v[j++];
		} else {
			*l = b->v[j++];
			l->a = a->v[i].a;
			free(a->v[i++].text);
		}
	}
	free(a->v);
	free(b->v);
}

static void dlines_fini(struct dlines *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
}

/* Whether A and B share a function name (other than the fixed [unknown], [vdso], [jit]). */
static bool common_function(const struct an_ctx *c)
{
	struct strtab names;
	bool found = false;

	strtab_init(&names);
	for (size_t f = SYM_LOC_FIXED; f < c->s->nfuncs; f++) {
		const char *n = prof_str(c->p, c->s->funcs[f].name);

		strtab_intern(&names, n, strlen(n));
	}
	for (size_t f = SYM_LOC_FIXED; f < c->s2->nfuncs && !found; f++) {
		const char *n = prof_str(c->p2, c->s2->funcs[f].name);
		size_t before = names.n;

		found = strtab_intern(&names, n, strlen(n)) < before;
	}
	strtab_fini(&names);
	return found;
}

static int write_text(FILE *out, const struct dlines *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(out, "%s %" PRIu64 " %" PRIu64 "\n", d->v[i].text, d->v[i].a, d->v[i].b);
	return ferror(out) ? -EIO : 0;
}

/* Splits every line's text into frames in place (';' becomes NUL) for the graph. */
static int write_svg(struct an_ctx *c, const struct dlines *d)
{
	struct fg_stack *fs = xcalloc(d->n + 1, sizeof(*fs));
	uint64_t *base = xcalloc(d->n + 1, sizeof(*base));
	const char **frames;
	size_t nframes = 0, k = 0;
	char sub[600], title[128];
	struct fg_options fo = {
		.title = c->o->title ? c->o->title : an_title(c->o, "Differential flame graph",
							      title, sizeof(title)),
		.subtitle = sub,
		.unit = an_unit(c->o),
		.base = base,
	};
	int err;

	snprintf(sub, sizeof(sub), "widths: %s; red: larger share in %s, blue: smaller share "
		 "than in %s", c->o->paths[1], c->o->paths[1], c->o->paths[0]);
	for (size_t i = 0; i < d->n; i++)
		for (const char *t = d->v[i].text; t; t = strchr(t + 1, ';'))
			nframes++;
	frames = xmalloc((nframes + 1) * sizeof(*frames));
	for (size_t i = 0; i < d->n; i++) {
		char *t = d->v[i].text;
		double scale = d->total_a ? (double)d->total_b / (double)d->total_a : 0;

		fs[i] = (struct fg_stack){ .frames = frames + k, .value = d->v[i].b,
					   .samples = d->v[i].b_samples };
		base[i] = (uint64_t)((double)d->v[i].a * scale + 0.5);
		for (char *e; (frames[k++] = t, e = strchr(t, ';')); t = e + 1)
			*e = '\0';
		fs[i].nframes = (uint32_t)(frames + k - fs[i].frames);
	}
	err = flamegraph_write(c->out, fs, d->n, &fo);
	free(base);
	free(frames);
	free(fs);
	return err;
}

static bool is_svg(const char *path)
{
	size_t n = path ? strlen(path) : 0;

	return n > 4 && !strcmp(path + n - 4, ".svg");
}

int cmd_diff(struct an_ctx *c)
{
	struct dlines a, b, d;
	int err;

	fold(c, c->p, c->s, 0, &a);
	fold(c, c->p2, c->s2, 1, &b);
	merge(&a, &b, &d);
	if (!common_function(c))
		fprintf(stderr, "xprof-analyze diff: %s and %s have no function in common\n",
			c->o->paths[0], c->o->paths[1]);
	err = is_svg(c->o->output) ? write_svg(c, &d) : write_text(c->out, &d);
	dlines_fini(&d);
	return err;
}
