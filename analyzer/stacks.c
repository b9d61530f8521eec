// SPDX-License-Identifier: MIT
/*
 * stacks.c - merges the profile's (thread, stack) aggregates into named stacks of frame
 * labels (see stacks.h). Analyzer only. Work is per aggregate, not per sample, and labels
 * are compared as interned ids, so no string is built here.
 */
#include "stacks.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t labels_hash(const uint32_t *l, uint32_t n)
{
	return hash_bytes(l, n * sizeof(*l));
}

static uint64_t stack_hash(const void *ctx, uint32_t id)
{
	const struct stacks *st = ctx;

	return labels_hash(st->labels + st->v[id].off, st->v[id].n);
}

struct labels_key {
	const uint32_t *l;
	uint32_t n;
};

static bool stack_eq(const void *ctx, uint32_t id, const void *key)
{
	const struct stacks *st = ctx;
	const struct named_stack *v = &st->v[id];
	const struct labels_key *k = key;

	return v->n == k->n && !memcmp(st->labels + v->off, k->l, k->n * sizeof(*k->l));
}

/* Adds the stack built at labels[off ..) (not yet kept) with its counts. */
static void add(struct stacks *st, uint32_t off, uint32_t n, uint64_t samples, uint64_t w)
{
	struct labels_key k = { st->labels + off, n };
	struct named_stack *v;
	uint32_t *slot;

	htab_reserve(&st->idx, st->n, stack_hash, st);
	slot = htab_slot(&st->idx, labels_hash(k.l, n), stack_eq, st, &k);
	if (*slot) {
		v = &st->v[*slot - 1];
		v->samples += samples;
		v->weight_ns += w;
		st->nlabels = off;	/* drop the duplicate */
		return;
	}
	v = VEC_PUSH(st->v, st->n, st->cap);
	v->off = off;
	v->n = n;
	v->samples = samples;
	v->weight_ns = w;
	*slot = (uint32_t)st->n;
}

static void push_label(struct stacks *st, uint32_t id)
{
	*VEC_PUSH(st->labels, st->nlabels, st->caplabels) = id;
}

static uint32_t fmt_label(struct profile *p, const char *name, long num)
{
	char buf[600];
	int n = snprintf(buf, sizeof(buf), "%s-%ld", name, num);

	return strtab_intern(&p->strs, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void stacks_build(struct stacks *st, struct profile *p, const struct symbols *s,
		  const struct stacks_opts *o)
{
	uint32_t trunc = strtab_intern(&p->strs, "[truncated]", 11);

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < p->naggs; i++) {
		const struct prof_agg *a = &p->aggs[i];
		const struct prof_thread *t = &p->threads[a->thread];
		const struct prof_process *pr = &p->procs[t->proc];
		const struct prof_stack *sk = &p->stacks[a->stack];
		uint32_t off = (uint32_t)st->nlabels, leaf = sym_agg_leaf(s, a);

		if (!prof_kind_has(o->kind, a) || t->hidden)
			continue;
		push_label(st, o->pid ? fmt_label(p, prof_str(p, pr->comm), pr->pid) : pr->comm);
		if (o->tid)
			push_label(st, fmt_label(p, prof_str(p, t->name), t->tid));
		if (sk->flags & XPF_SF_TRUNCATED)
			push_label(st, trunc);
		for (uint32_t j = 0; j < sk->nlocs; j++) {
			uint32_t n;
			const struct sym_frame *f = sym_chain(s, p->stack_locs[sk->locs + j], &n);

			while (n--)	/* chain is innermost first */
				push_label(st, f[n].label);
		}
		if (leaf != PROF_NONE)
			push_label(st, s->chain[s->locs[leaf].chain].label);
		add(st, off, (uint32_t)(st->nlabels - off), a->samples, a->weight_ns);
	}
}

void stacks_fini(struct stacks *st)
{
	free(st->labels);
	free(st->v);
	htab_fini(&st->idx);
	memset(st, 0, sizeof(*st));
}

char *stacks_join(const struct profile *p, const struct stacks *st, size_t i)
{
	const struct named_stack *v = &st->v[i];
	size_t len = 0, o = 0;
	char *s;

	for (uint32_t k = 0; k < v->n; k++)
		len += p->strs.len[st->labels[v->off + k]] + 1;
	s = xmalloc(len + 1);
	for (uint32_t k = 0; k < v->n; k++) {
		uint32_t id = st->labels[v->off + k];

		if (k)
			s[o++] = ';';
		memcpy(s + o, prof_str(p, id), p->strs.len[id]);
		o += p->strs.len[id];
	}
	s[o] = '\0';
	return s;
}
