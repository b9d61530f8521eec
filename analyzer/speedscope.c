// SPDX-License-Identifier: MIT
/*
 * speedscope.c - writes the profile in speedscope's file format: one "sampled" profile per
 * thread, named after its process and thread, weights in nanoseconds of the kind asked
 * (CPU, off-CPU or wall: --kind), or sample counts (--weight=samples). Analyzer only;
 * reads the profile and the symbols, changes neither. JSON is written by hand (json.h).
 *
 * Frames are shared by every profile: one per function of symbols.c (inlined functions are
 * frames of their own, as in the folded stacks), plus "[truncated]" for stacks whose root side
 * was cut. A frame's file is its source file when symbols.c read lines, else its module.
 * A sample is one (thread, stack) aggregate: its stack root first (off-CPU and run-queue
 * time end in their `[blocked] CALL` and `[run queue]` frames), its weight the time of all
 * the samples it stands for. speedscope's time-order view therefore shows the
 * aggregates, not the sampling order (the model keeps no sample times).
 */
#include "speedscope.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define SCHEMA	"https://www.speedscope.app/file-format-schema.json"

/* What is written: the aggregates of a kind, weighed in ns or samples. */
struct ss {
	const struct profile *p;
	const struct symbols *s;
	enum prof_kind kind;
	bool ns;
};

static uint64_t weight(const struct ss *c, const struct prof_agg *a)
{
	return c->ns ? a->weight_ns : a->samples;
}

static bool taken(const struct ss *c, const struct prof_agg *a)
{
	return prof_kind_has(c->kind, a) && weight(c, a);
}

static void write_frames(FILE *f, const struct profile *p, const struct symbols *s)
{
	uint32_t *file = xcalloc(s->nfuncs + 1, sizeof(*file));

	for (size_t i = 0; i < s->nchain; i++)
		if (s->chain[i].file && !file[s->chain[i].func])
			file[s->chain[i].func] = s->chain[i].file;
	fputs("\"shared\":{\"frames\":[", f);
	for (size_t i = 0; i < s->nfuncs; i++) {
		fputs(i ? ",\n{\"name\":" : "\n{\"name\":", f);
		json_str(f, prof_str(p, s->funcs[i].name));
		fputs(",\"file\":", f);
		json_str(f, prof_str(p, file[i] ? file[i] : s->funcs[i].module));
		fputc('}', f);
	}
	fprintf(f, "%s{\"name\":\"[truncated]\"}]},\n", s->nfuncs ? ",\n" : "");
	free(file);
}

/* The stack of aggregate a, root first, as indices into the frames. */
static void write_stack(FILE *f, const struct profile *p, const struct symbols *s,
			const struct prof_agg *a)
{
	const struct prof_stack *sk = &p->stacks[a->stack];
	uint32_t leaf = sym_agg_leaf(s, a);
	bool first = true;

	fputc('[', f);
	if (sk->flags & XPF_SF_TRUNCATED) {
		fprintf(f, "%zu", s->nfuncs);
		first = false;
	}
	for (uint32_t j = 0; j < sk->nlocs; j++) {
		uint32_t n;
		const struct sym_frame *fr = sym_chain(s, p->stack_locs[sk->locs + j], &n);

		while (n--) {	/* the chain is innermost first */
			fprintf(f, first ? "%" PRIu32 : ",%" PRIu32, fr[n].func);
			first = false;
		}
	}
	if (leaf != PROF_NONE)
		fprintf(f, first ? "%" PRIu32 : ",%" PRIu32, s->chain[s->locs[leaf].chain].func);
	fputc(']', f);
}

/* The profile of one thread, from its aggregates agg[0..n). */
static void write_profile(FILE *f, const struct ss *c, uint32_t thread, const uint32_t *agg,
			  size_t n)
{
	const struct profile *p = c->p;
	const struct prof_thread *t = &p->threads[thread];
	const struct prof_process *pr = &p->procs[t->proc];
	uint64_t total = 0;
	char name[1200];

	for (size_t i = 0; i < n; i++)
		total += weight(c, &p->aggs[agg[i]]);
	snprintf(name, sizeof(name), "%s %" PRId32 " / %s %" PRId32, prof_str(p, pr->comm),
		 pr->pid, prof_str(p, t->name), t->tid);
	fputs("{\"type\":\"sampled\",\"name\":", f);
	json_str(f, name);
	fprintf(f, ",\"unit\":\"%s\",\"startValue\":0,\"endValue\":%" PRIu64
		   ",\n\"samples\":[", c->ns ? "nanoseconds" : "none", total);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", f);
		write_stack(f, p, c->s, &p->aggs[agg[i]]);
	}
	fputs("],\n\"weights\":[", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, i ? ",%" PRIu64 : "%" PRIu64, weight(c, &p->aggs[agg[i]]));
	fputs("]}", f);
}

/* The aggregates taken, grouped by thread (counting sort): thread t's are
 * order[at[t]..at[t+1]); *sum[t] gets their weight. */
static uint32_t *by_thread(const struct ss *c, size_t **at, uint64_t **sum)
{
	const struct profile *p = c->p;
	uint32_t *order = xmalloc((p->naggs + 1) * sizeof(*order));
	size_t *pos = xcalloc(p->nthreads + 1, sizeof(*pos));

	*at = xcalloc(p->nthreads + 1, sizeof(**at));
	*sum = xcalloc(p->nthreads + 1, sizeof(**sum));
	for (size_t i = 0; i < p->naggs; i++) {
		if (!taken(c, &p->aggs[i]))
			continue;
		(*at)[p->aggs[i].thread + 1]++;
		(*sum)[p->aggs[i].thread] += weight(c, &p->aggs[i]);
	}
	for (size_t t = 0; t < p->nthreads; t++)
		(*at)[t + 1] += (*at)[t];
	memcpy(pos, *at, p->nthreads * sizeof(*pos));
	for (size_t i = 0; i < p->naggs; i++)
		if (taken(c, &p->aggs[i]))
			order[pos[p->aggs[i].thread]++] = (uint32_t)i;
	free(pos);
	return order;
}

/* The position, among the profiles written (threads with time of the kind, in the model's
 * order), of the thread with the most: the one speedscope opens first. */
static size_t busiest(const struct profile *p, const uint64_t *sum)
{
	size_t k = 0, best = 0;
	uint64_t most = 0;

	for (uint32_t t = 0; t < p->nthreads; t++) {
		if (!sum[t])
			continue;
		if (sum[t] > most) {
			most = sum[t];
			best = k;
		}
		k++;
	}
	return best;
}

int speedscope_write(FILE *out, const struct profile *p, const struct symbols *s,
		     enum prof_kind kind, bool ns)
{
	const struct ss c = { .p = p, .s = s, .kind = kind, .ns = ns };
	const char *run = "";
	bool first = true;
	uint32_t *order;
	uint64_t *sum;
	size_t *at;

	for (size_t i = 0; i < p->nprocs && !*run; i++)
		if (!p->procs[i].hidden)
			run = prof_str(p, p->procs[i].run_id);
	order = by_thread(&c, &at, &sum);
	fputs("{\"$schema\":\"" SCHEMA "\",\n\"exporter\":\"xprof-analyze\",\"name\":", out);
	json_str(out, *run ? run : "xprof");
	fprintf(out, ",\"activeProfileIndex\":%zu,\n", busiest(p, sum));
	write_frames(out, p, s);
	fputs("\"profiles\":[", out);
	for (uint32_t t = 0; t < p->nthreads; t++) {
		if (!sum[t] || p->threads[t].hidden)
			continue;
		fputs(first ? "\n" : ",\n", out);
		write_profile(out, &c, t, order + at[t], at[t + 1] - at[t]);
		first = false;
	}
	fputs("]}\n", out);
	free(order);
	free(at);
	free(sum);
	return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}
