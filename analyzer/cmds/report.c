// SPDX-License-Identifier: MIT
/*
 * cmds/report.c - the `report` command: run summary, processes, threads, top functions by
 * self and inclusive CPU time, the CPU that stayed unnamed (unnamed.c), regions, and where
 * samples were lost, as aligned text, Markdown (--markdown) or TSV (--tsv). Analyzer only;
 * reads the profile and symbols, changes neither.
 *
 * Times are CPU-time weights of samples (weight_ns), so a function's seconds are the CPU
 * seconds it was seen using; percentages are of all sampled CPU time of the selection.
 * Inclusive time counts a function once per sample even when it recurses. With --kind
 * offcpu the function tables rank blocked time instead, the `[blocked] CALL` leaves being
 * the self time; with --kind wall, all of it with `[run queue]` leaves. The process and
 * thread tables split wall time whatever the kind: CPU, run queue (the kernel's schedstat),
 * blocked (the exact per-call totals, else the off-CPU samples), and what is left unseen.
 */
#include "analyze.h"
#include "unnamed.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define TOP_DEFAULT	25

static const char *const drop_names[] = { "busy", "loader", "unwinder", "unwind", "nospace",
					  "stack" };
#define NDROP	(sizeof(drop_names) / sizeof(drop_names[0]))

static const char *end_names[] = { "running", "exit", "exec", "_exit", "stopped" };

struct fstat {
	uint32_t func;
	uint64_t self_ns, total_ns, self_n, total_n;
};

struct totals {
	uint64_t samples, dropped, sampled_ns, cpu_ns, threads, procs;
	uint64_t runq_ns, blocked_ns, offcpu_samples;
	uint64_t presample_ns, setup_ns;	/* before the first samples; xprof's part */
	uint64_t drop_n[NDROP], drop_ns[NDROP];
};

/* Cell helpers: TSV gets raw integers, people get seconds. */
static void cell_ns(struct table *t, enum table_fmt f, uint64_t ns)
{
	if (f == TABLE_TSV)
		table_cell(t, "%" PRIu64, ns);
	else
		table_cell(t, "%.3f", ns / 1e9);
}

static void cell_pct(struct table *t, uint64_t part, uint64_t whole)
{
	table_cell(t, "%.2f", whole ? 100.0 * part / whole : 0.0);
}

static uint64_t thread_dropped(const struct prof_thread *t)
{
	uint64_t n = 0;

	for (size_t r = 0; r < NDROP; r++)
		n += t->dropped[r];
	return n;
}

static void count_totals(const struct profile *p, struct totals *tt)
{
	memset(tt, 0, sizeof(*tt));
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct prof_thread *t = &p->threads[i];
		uint64_t d = thread_dropped(t);

		if (t->hidden)
			continue;
		tt->threads++;
		tt->runq_ns += prof_thread_runq(t);
		tt->blocked_ns += prof_thread_blocked(t);
		tt->offcpu_samples += t->offcpu_samples;
		tt->samples += t->samples;
		tt->sampled_ns += t->sampled_ns;
		tt->dropped += d;
		/* The file keeps drop ns per thread, not per reason: share it by count. */
		for (size_t r = 0; r < NDROP; r++) {
			tt->drop_n[r] += t->dropped[r];
			if (d)
				tt->drop_ns[r] += (uint64_t)((double)t->dropped_ns * t->dropped[r] / d);
		}
	}
	for (size_t i = 0; i < p->nprocs; i++) {
		bool exact;

		if (p->procs[i].hidden)
			continue;
		tt->procs++;
		tt->cpu_ns += profile_process_cpu(p, (uint32_t)i, &exact);
		tt->presample_ns += p->procs[i].presample_cpu_ns;
		tt->setup_ns += p->procs[i].setup_cpu_ns;
	}
}

static const char *mech_name(uint32_t m)
{
	return m == XPF_MECH_PERF_TASK_CLOCK ? "perf-task-clock" :
	       m == XPF_MECH_TIMER_THREAD_CPU ? "timer-thread-cpu" : "none";
}

static void run_table(struct an_ctx *c, const struct totals *tt)
{
	static const struct table_col cols[] = {
		{ "run_id", "RUN", false }, { "processes", "PROCESSES", true },
		{ "threads", "THREADS", true }, { "samples", "SAMPLES", true },
		{ "dropped", "DROPPED", true }, { "sampled_ns", "SAMPLED s", true },
		{ "cpu_ns", "CPU s", true }, { "mechanism", "MECHANISM", false },
		{ "hz", "HZ", true }, { "presample_ns", "PRE-SAMPLE s", true },
		{ "setup_ns", "SET-UP s", true }, { "runq_ns", "RUN QUEUE s", true },
		{ "blocked_ns", "BLOCKED s", true }, { "offcpu_samples", "OFF-CPU N", true },
	};
	const struct profile *p = c->p;
	const char *run = NULL, *mech = NULL;
	long hz = -1;
	struct table t;

	for (size_t i = 0; i < p->nprocs; i++) {
		const struct prof_process *pr = &p->procs[i];
		const char *r = prof_str(p, pr->run_id), *m = mech_name(pr->mechanism);

		if (pr->hidden)
			continue;
		run = !run || !strcmp(run, r) ? r : "mixed";
		mech = !mech || !strcmp(mech, m) ? m : "mixed";
		hz = hz < 0 || hz == pr->hz ? (long)pr->hz : 0;
	}
	table_init(&t, "run", cols, sizeof(cols) / sizeof(cols[0]));
	table_cell(&t, "%s", run && *run ? run : "-");
	table_cell(&t, "%" PRIu64, tt->procs);
	table_cell(&t, "%" PRIu64, tt->threads);
	table_cell(&t, "%" PRIu64, tt->samples);
	table_cell(&t, "%" PRIu64, tt->dropped);
	cell_ns(&t, c->o->fmt, tt->sampled_ns);
	cell_ns(&t, c->o->fmt, tt->cpu_ns);
	table_cell(&t, "%s", mech ? mech : "none");
	table_cell(&t, "%ld", hz < 0 ? 0 : hz);
	cell_ns(&t, c->o->fmt, tt->presample_ns);
	cell_ns(&t, c->o->fmt, tt->setup_ns);
	cell_ns(&t, c->o->fmt, tt->runq_ns);
	cell_ns(&t, c->o->fmt, tt->blocked_ns);
	table_cell(&t, "%" PRIu64, tt->offcpu_samples);
	table_print(c->out, &t, c->o->fmt, "Run");
	table_fini(&t);
}

/* A process's figures summed over its shown threads. */
struct proc_sums {
	uint64_t sampled, samples, dropped, trunc, runq, blocked, unseen;
};

static struct proc_sums proc_sum(const struct profile *p, uint32_t i)
{
	struct proc_sums s = { 0 };

	for (size_t k = 0; k < p->nthreads; k++) {
		const struct prof_thread *th = &p->threads[k];

		if (th->proc != i || th->hidden)
			continue;
		s.runq += prof_thread_runq(th);
		s.blocked += prof_thread_blocked(th);
		s.unseen += prof_thread_unseen(p, th);
		s.sampled += th->sampled_ns;
		s.samples += th->samples;
		s.dropped += thread_dropped(th);
		s.trunc += th->truncated;
	}
	return s;
}

static void proc_row(struct an_ctx *c, struct table *t, uint32_t i)
{
	const struct profile *p = c->p;
	const struct prof_process *pr = &p->procs[i];
	struct proc_sums s = proc_sum(p, i);
	uint64_t end, cpu;
	bool exact;

	end = pr->end_mono > pr->start_mono ? pr->end_mono : pr->last_mono;
	cpu = profile_process_cpu(p, i, &exact);
	table_cell(t, "%" PRId32, pr->pid);
	table_cell(t, "%" PRId32, pr->ppid);
	table_cell(t, "%" PRIu32, pr->gen);
	table_cell(t, "%s", prof_str(p, pr->comm));
	table_cell(t, "%s", prof_str(p, pr->host));
	cell_ns(t, c->o->fmt, end > pr->start_mono ? end - pr->start_mono : 0);
	cell_ns(t, c->o->fmt, cpu);
	cell_ns(t, c->o->fmt, s.sampled);
	table_cell(t, "%" PRIu64, s.samples);
	table_cell(t, "%" PRIu64, s.dropped);
	table_cell(t, "%" PRIu64, s.trunc);
	table_cell(t, "%s", pr->end_state <= XPF_END_STOPPED ? end_names[pr->end_state] : "running");
	if (pr->end_state == XPF_END_EXIT || pr->end_state == XPF_END__EXIT)
		table_cell(t, "%" PRId32, pr->exit_status);
	else
		table_cell(t, "-");
	cell_ns(t, c->o->fmt, pr->presample_cpu_ns);
	cell_ns(t, c->o->fmt, pr->setup_cpu_ns);
	table_cell(t, "%" PRIu64, pr->handled);
	if (c->o->fmt != TABLE_TSV)	/* people get them in the wall table */
		return;
	cell_ns(t, c->o->fmt, s.runq);
	cell_ns(t, c->o->fmt, s.blocked);
	cell_ns(t, c->o->fmt, s.unseen);
}

static void process_table(struct an_ctx *c)
{
	static const struct table_col cols[] = {
		{ "pid", "PID", true }, { "ppid", "PPID", true }, { "gen", "GEN", true },
		{ "comm", "COMMAND", false }, { "host", "HOST", false },
		{ "wall_ns", "WALL s", true }, { "cpu_ns", "CPU s", true },
		{ "sampled_ns", "SAMPLED s", true }, { "samples", "SAMPLES", true },
		{ "dropped", "DROPPED", true }, { "truncated", "TRUNC", true },
		{ "end", "END", false }, { "exit_status", "STATUS", true },
		{ "presample_ns", "PRE-SAMPLE s", true }, { "setup_ns", "SET-UP s", true },
		{ "handled", "HANDLED", true }, { "runq_ns", "RUN QUEUE s", true },
		{ "blocked_ns", "BLOCKED s", true }, { "unseen_ns", "UNSEEN s", true },
	};
	struct table t;

	/* In text and Markdown the wall split has a table of its own (wall_table). */
	table_init(&t, "process", cols,
		   sizeof(cols) / sizeof(cols[0]) - (c->o->fmt != TABLE_TSV) * 3);
	for (uint32_t i = 0; i < c->p->nprocs; i++)
		if (!c->p->procs[i].hidden)
			proc_row(c, &t, i);
	table_print(c->out, &t, c->o->fmt, "Processes");
	table_fini(&t);
}

static void thread_table(struct an_ctx *c)
{
	static const struct table_col cols[] = {
		{ "pid", "PID", true }, { "gen", "GEN", true }, { "tid", "TID", true },
		{ "name", "NAME", false }, { "cpu_ns", "CPU s", true },
		{ "sampled_ns", "SAMPLED s", true }, { "samples", "SAMPLES", true },
		{ "dropped", "DROPPED", true }, { "truncated", "TRUNC", true },
		{ "hz_achieved", "HZ", true }, { "wall_ns", "WALL s", true },
		{ "runq_ns", "RUN QUEUE s", true }, { "blocked_ns", "BLOCKED s", true },
		{ "unseen_ns", "UNSEEN s", true },
	};
	const struct profile *p = c->p;
	bool tsv = c->o->fmt == TABLE_TSV;
	struct table t;

	table_init(&t, "thread", cols, sizeof(cols) / sizeof(cols[0]) - !tsv * 4);
	for (uint32_t i = 0; i < p->nprocs; i++) {
		for (size_t k = 0; k < p->nthreads; k++) {
			const struct prof_thread *th = &p->threads[k];

			if (th->proc != i || th->hidden)
				continue;
			table_cell(&t, "%" PRId32, p->procs[i].pid);
			table_cell(&t, "%" PRIu32, p->procs[i].gen);
			table_cell(&t, "%" PRId32, th->tid);
			table_cell(&t, "%s", prof_str(p, th->name));
			cell_ns(&t, c->o->fmt, th->cpu_ns);
			cell_ns(&t, c->o->fmt, th->sampled_ns);
			table_cell(&t, "%" PRIu64, th->samples);
			table_cell(&t, "%" PRIu64, thread_dropped(th));
			table_cell(&t, "%" PRIu64, th->truncated);
			table_cell(&t, "%.1f", th->cpu_ns ? th->samples * 1e9 / th->cpu_ns : 0.0);
			if (!tsv)
				continue;
			cell_ns(&t, c->o->fmt, prof_thread_wall(p, th));
			cell_ns(&t, c->o->fmt, prof_thread_runq(th));
			cell_ns(&t, c->o->fmt, prof_thread_blocked(th));
			cell_ns(&t, c->o->fmt, prof_thread_unseen(p, th));
		}
	}
	table_print(c->out, &t, c->o->fmt, "Threads");
	table_fini(&t);
}

/* Text and Markdown: each process's wall split, then its threads' (TSV has the same figures
 * in the process and thread tables). */
static void wall_table(struct an_ctx *c)
{
	static const struct table_col cols[] = {
		{ "pid", "PID", true }, { "gen", "GEN", true }, { "tid", "TID", true },
		{ "name", "NAME", false }, { "wall_ns", "WALL s", true },
		{ "cpu_ns", "CPU s", true },
		{ "runq_ns", "RUN QUEUE s", true }, { "blocked_ns", "BLOCKED s", true },
		{ "unseen_ns", "UNSEEN s", true },
	};
	const struct profile *p = c->p;
	enum table_fmt f = c->o->fmt;
	struct table t;

	table_init(&t, "wall", cols, sizeof(cols) / sizeof(cols[0]));
	for (uint32_t i = 0; i < p->nprocs; i++) {
		const struct prof_process *pr = &p->procs[i];
		struct proc_sums s;
		uint64_t end;
		bool exact;

		if (pr->hidden)
			continue;
		s = proc_sum(p, i);
		end = pr->end_mono > pr->start_mono ? pr->end_mono : pr->last_mono;
		table_cell(&t, "%" PRId32, pr->pid);
		table_cell(&t, "%" PRIu32, pr->gen);
		table_cell(&t, "all");
		table_cell(&t, "%s", prof_str(p, pr->comm));
		cell_ns(&t, f, end > pr->start_mono ? end - pr->start_mono : 0);
		cell_ns(&t, f, profile_process_cpu(p, i, &exact));
		cell_ns(&t, f, s.runq);
		cell_ns(&t, f, s.blocked);
		cell_ns(&t, f, s.unseen);
		for (size_t k = 0; k < p->nthreads; k++) {
			const struct prof_thread *th = &p->threads[k];

			if (th->proc != i || th->hidden)
				continue;
			table_cell(&t, "%" PRId32, pr->pid);
			table_cell(&t, "%" PRIu32, pr->gen);
			table_cell(&t, "%" PRId32, th->tid);
			table_cell(&t, "%s", prof_str(p, th->name));
			cell_ns(&t, f, prof_thread_wall(p, th));
			cell_ns(&t, f, th->cpu_ns);
			cell_ns(&t, f, prof_thread_runq(th));
			cell_ns(&t, f, prof_thread_blocked(th));
			cell_ns(&t, f, prof_thread_unseen(p, th));
		}
	}
	table_print(c->out, &t, f, "Wall time: CPU + run queue + blocked + unseen, per process "
				   "(TID all) and thread");
	table_fini(&t);
}

/* Self and inclusive time per function, from the aggregates of the kind; *whole gets their
 * total. A [blocked] or [run queue] leaf is a function of its own, below the stack. */
static struct fstat *function_stats(struct an_ctx *c, uint64_t *whole)
{
	const struct profile *p = c->p;
	const struct symbols *s = c->s;
	struct fstat *fs = xcalloc(s->nfuncs, sizeof(*fs));
	size_t *seen = xcalloc(s->nfuncs, sizeof(*seen));	/* agg index + 1 that counted it */

	*whole = 0;
	for (size_t f = 0; f < s->nfuncs; f++)
		fs[f].func = (uint32_t)f;
	for (size_t i = 0; i < p->naggs; i++) {
		const struct prof_agg *a = &p->aggs[i];
		const struct prof_stack *sk = &p->stacks[a->stack];
		uint32_t leaf = sym_agg_leaf(s, a), nl = sk->nlocs + (leaf != PROF_NONE);

		if (!prof_kind_has(c->o->kind, a))
			continue;
		*whole += a->weight_ns;
		for (uint32_t j = 0; j < nl; j++) {
			uint32_t n, loc = j < sk->nlocs ? p->stack_locs[sk->locs + j] : leaf;
			const struct sym_frame *fr = sym_chain(s, loc, &n);

			if (j == nl - 1u && n) {
				fs[fr[0].func].self_ns += a->weight_ns;
				fs[fr[0].func].self_n += a->samples;
			}
			for (uint32_t k = 0; k < n; k++) {
				if (seen[fr[k].func] == i + 1)
					continue;	/* recursion: once per sample */
				seen[fr[k].func] = i + 1;
				fs[fr[k].func].total_ns += a->weight_ns;
				fs[fr[k].func].total_n += a->samples;
			}
		}
	}
	free(seen);
	return fs;
}

/* Sorting context: qsort_r passes the command for the weight and the name tie-break. */
static int cmp_name(const struct fstat *x, const struct fstat *y, const struct an_ctx *c)
{
	const struct sym_func *fx = &c->s->funcs[x->func], *fy = &c->s->funcs[y->func];
	int r = strcmp(prof_str(c->p, fx->name), prof_str(c->p, fy->name));

	return r ? r : strcmp(prof_str(c->p, fx->module), prof_str(c->p, fy->module));
}

static int cmp_self(const void *a, const void *b, void *arg)
{
	const struct fstat *x = a, *y = b;
	const struct an_ctx *c = arg;
	uint64_t xs = an_weight(c->o, x->self_n, x->self_ns), ys = an_weight(c->o, y->self_n,
									     y->self_ns);
	uint64_t xt = an_weight(c->o, x->total_n, x->total_ns), yt = an_weight(c->o, y->total_n,
									      y->total_ns);

	if (xs != ys)
		return xs > ys ? -1 : 1;
	if (xt != yt)
		return xt > yt ? -1 : 1;
	return cmp_name(x, y, c);
}

static int cmp_total(const void *a, const void *b, void *arg)
{
	const struct fstat *x = a, *y = b;
	const struct an_ctx *c = arg;
	uint64_t xt = an_weight(c->o, x->total_n, x->total_ns), yt = an_weight(c->o, y->total_n,
									      y->total_ns);

	if (xt != yt)
		return xt > yt ? -1 : 1;
	return cmp_self(a, b, arg);
}

static void function_table(struct an_ctx *c, struct fstat *fs, size_t n, uint64_t whole,
			   bool by_total)
{
	static const struct table_col cols[] = {
		{ "name", "FUNCTION", false }, { "module", "MODULE", false },
		{ "self_ns", "SELF s", true }, { "total_ns", "TOTAL s", true },
		{ "self_pct", "SELF %", true }, { "total_pct", "TOTAL %", true },
		{ "self_samples", "SELF N", true }, { "total_samples", "TOTAL N", true },
	};
	static const char *const kinds[] = { "CPU time", "off-CPU (blocked) time", "wall time" };
	enum table_fmt f = c->o->fmt;
	size_t top = c->o->top > 0 ? (size_t)c->o->top : f == TABLE_TSV ? SIZE_MAX : TOP_DEFAULT;
	char title[96];
	struct table t;

	qsort_r(fs, n, sizeof(*fs), by_total ? cmp_total : cmp_self, c);
	table_init(&t, "function", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < n && i < top; i++) {
		const struct sym_func *fn = &c->s->funcs[fs[i].func];

		if ((!fs[i].total_n && !fs[i].total_ns) ||
		    (!by_total && !fs[i].self_n && !fs[i].self_ns && f != TABLE_TSV))
			break;
		table_cell(&t, "%s", prof_str(c->p, fn->name));
		table_cell(&t, "%s", prof_str(c->p, fn->module));
		cell_ns(&t, f, fs[i].self_ns);
		cell_ns(&t, f, fs[i].total_ns);
		cell_pct(&t, fs[i].self_ns, whole);
		cell_pct(&t, fs[i].total_ns, whole);
		table_cell(&t, "%" PRIu64, fs[i].self_n);
		table_cell(&t, "%" PRIu64, fs[i].total_n);
	}
	snprintf(title, sizeof(title), "Top functions by %s %s", by_total ? "inclusive" : "self",
		 kinds[c->o->kind]);
	table_print(c->out, &t, f, title);
	table_fini(&t);
}

/* In TSV one table: ranked by self time for CPU, by inclusive time for the other kinds
 * (whose self time is mostly the [blocked] leaves, which the blocked table has exactly). */
static void functions(struct an_ctx *c)
{
	uint64_t whole;
	struct fstat *fs = function_stats(c, &whole);
	bool cpu = c->o->kind == PROF_KIND_CPU;

	if (c->o->fmt != TABLE_TSV || cpu)
		function_table(c, fs, c->s->nfuncs, whole, false);
	if (c->o->fmt != TABLE_TSV || !cpu)
		function_table(c, fs, c->s->nfuncs, whole, true);
	free(fs);
}

/* Rows of the blocked table: one per thread and call that was made. */
struct brow {
	uint32_t thread;
	const struct prof_calls *k;
};

static int cmp_brow(const void *a, const void *b)
{
	const struct brow *x = a, *y = b;

	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	if (x->k->blocked_ns != y->k->blocked_ns)
		return x->k->blocked_ns > y->k->blocked_ns ? -1 : 1;
	return x->k->call < y->k->call ? -1 : x->k->call > y->k->call;
}

/* The exact per-call totals of every visible thread (XPF_REC_OFFCPU_CALLS), by process and
 * thread as the thread table lists them, then by blocked time. */
static void blocked_table(struct an_ctx *c)
{
	static const struct table_col cols[] = {
		{ "pid", "PID", true }, { "gen", "GEN", true }, { "tid", "TID", true },
		{ "name", "NAME", false }, { "call", "CALL", false }, { "calls", "CALLS", true },
		{ "blocked", "BLOCKED", true }, { "blocked_ns", "BLOCKED s", true },
	};
	const struct profile *p = c->p;
	struct brow *v = NULL;
	size_t n = 0, cap = 0;
	struct table t;
	char num[24];

	for (uint32_t i = 0; i < p->nprocs; i++)
		for (size_t k = 0; k < p->nthreads; k++) {
			const struct prof_thread *th = &p->threads[k];

			if (th->proc != i || th->hidden)
				continue;
			for (size_t j = 0; j < th->ncalls; j++)
				if (th->calls[j].calls)
					*VEC_PUSH(v, n, cap) = (struct brow){ (uint32_t)k,
									      &th->calls[j] };
		}
	/* Rows come grouped by thread, in the thread table's order: sort each thread's. */
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && v[j].thread == v[i].thread)
			j++;
		qsort(v + i, j - i, sizeof(*v), cmp_brow);
		i = j;
	}
	table_init(&t, "blocked", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < n; i++) {
		const struct prof_thread *th = &p->threads[v[i].thread];
		const struct prof_process *pr = &p->procs[th->proc];

		table_cell(&t, "%" PRId32, pr->pid);
		table_cell(&t, "%" PRIu32, pr->gen);
		table_cell(&t, "%" PRId32, th->tid);
		table_cell(&t, "%s", prof_str(p, th->name));
		table_cell(&t, "%s", prof_call_name(v[i].k->call, num, sizeof(num)));
		table_cell(&t, "%" PRIu64, v[i].k->calls);
		table_cell(&t, "%" PRIu64, v[i].k->blocked);
		cell_ns(&t, c->o->fmt, v[i].k->blocked_ns);
	}
	if (n || c->o->fmt == TABLE_TSV)
		table_print(c->out, &t, c->o->fmt, "Blocked calls");
	table_fini(&t);
	free(v);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n). */
static uint64_t pct(const uint64_t *v, size_t n, unsigned q)
{
	size_t r = (n * q + 99) / 100;

	return n ? v[r ? r - 1 : 0] : 0;
}

static int cmp_region(const void *a, const void *b)
{
	const struct prof_region *x = *(struct prof_region *const *)a;
	const struct prof_region *y = *(struct prof_region *const *)b;

	return x->total_ns != y->total_ns ? (x->total_ns > y->total_ns ? -1 : 1) :
	       (x->name > y->name) - (x->name < y->name);
}

static void region_table(struct an_ctx *c)
{
	static const struct table_col cols[] = {
		{ "name", "REGION", false }, { "count", "COUNT", true },
		{ "total_ns", "TOTAL s", true }, { "mean_ns", "MEAN s", true },
		{ "p50_ns", "P50 s", true }, { "p99_ns", "P99 s", true },
		{ "cpu_ns", "CPU s", true },
	};
	struct profile *p = c->p;
	struct prof_region **v = xmalloc((p->nregions + 1) * sizeof(*v));
	enum table_fmt f = c->o->fmt;
	size_t top = c->o->top > 0 ? (size_t)c->o->top : SIZE_MAX;
	struct table t;

	for (size_t i = 0; i < p->nregions; i++)
		v[i] = &p->regions[i];
	qsort(v, p->nregions, sizeof(*v), cmp_region);
	table_init(&t, "region", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < p->nregions && i < top; i++) {
		struct prof_region *r = v[i];

		qsort(r->dur, r->ndur, sizeof(*r->dur), cmp_u64);
		table_cell(&t, "%s", prof_str(p, r->name));
		table_cell(&t, "%" PRIu64, r->count);
		cell_ns(&t, f, r->total_ns);
		cell_ns(&t, f, r->count ? r->total_ns / r->count : 0);
		cell_ns(&t, f, pct(r->dur, r->ndur, 50));
		cell_ns(&t, f, pct(r->dur, r->ndur, 99));
		cell_ns(&t, f, r->cpu_ns);
	}
	if (p->nregions || f == TABLE_TSV)
		table_print(c->out, &t, f, "Regions");
	table_fini(&t);
	free(v);
}

static void drop_table(struct an_ctx *c, const struct totals *tt)
{
	static const struct table_col cols[] = {
		{ "reason", "REASON", false }, { "count", "COUNT", true }, { "ns", "CPU s", true },
	};
	struct table t;

	table_init(&t, "drop", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t r = 0; r < NDROP; r++) {
		table_cell(&t, "%s", drop_names[r]);
		table_cell(&t, "%" PRIu64, tt->drop_n[r]);
		cell_ns(&t, c->o->fmt, tt->drop_ns[r]);
	}
	table_print(c->out, &t, c->o->fmt, "Dropped samples (CPU s shared out by count per thread)");
	table_fini(&t);
}

/* The q-quantile of the handler-time histogram, at the middle of its bucket. */
static uint64_t hist_quantile(const struct profile *p, uint64_t total, unsigned q)
{
	uint64_t acc = 0;

	for (size_t i = 0; i < PROF_HIST; i++) {
		acc += p->handler_hist[i];
		if (acc * 100 >= total * q)
			return i * p->handler_bucket_ns + p->handler_bucket_ns / 2;
	}
	return PROF_HIST * p->handler_bucket_ns;
}

static void handler_table(struct an_ctx *c)
{
	static const struct table_col cols[] = {
		{ "samples", "SAMPLES", true }, { "p50_ns", "P50 ns", true },
		{ "p90_ns", "P90 ns", true },   { "p99_ns", "P99 ns", true },
		{ "bucket_ns", "BUCKET ns", true },
	};
	const struct profile *p = c->p;
	uint64_t total = 0;
	struct table t;

	for (size_t i = 0; i < PROF_HIST; i++)
		total += p->handler_hist[i];
	if (!total && c->o->fmt != TABLE_TSV)
		return;
	table_init(&t, "handler", cols, sizeof(cols) / sizeof(cols[0]));
	table_cell(&t, "%" PRIu64, total);
	for (unsigned q = 50; q <= 99; q += q == 50 ? 40 : 9)
		table_cell(&t, "%" PRIu64, total ? hist_quantile(p, total, q) : 0);
	table_cell(&t, "%" PRIu64, p->handler_bucket_ns);
	table_print(c->out, &t, c->o->fmt, "Time in the sampling handler per sample taken");
	table_fini(&t);
}

/* The time the sampling handler took, all samples together (bucket midpoints). */
static uint64_t handler_total_ns(const struct profile *p)
{
	uint64_t ns = 0;

	for (size_t i = 0; i < PROF_HIST; i++)
		ns += p->handler_hist[i] * (i * p->handler_bucket_ns + p->handler_bucket_ns / 2);
	return ns;
}

/* What profiling cost that no sample shows: xprof's set-up in each image, the CPU images
 * spent before their first sample (exec, the loader, set-up), and the handler's own time. */
static void cost_line(struct an_ctx *c, const struct totals *tt)
{
	bool md = c->o->fmt == TABLE_MARKDOWN;

	fprintf(c->out, "%sProfiling cost:%s xprof set-up %.3f ms in %" PRIu64 " images (%.1f us "
			"each); CPU before the first sample %.3f ms (exec, loader, set-up: no "
			"sample can show it); sampling handler %.3f ms\n\n",
		md ? "**" : "", md ? "**" : "", tt->setup_ns / 1e6, tt->procs,
		tt->procs ? tt->setup_ns / 1e3 / tt->procs : 0.0, tt->presample_ns / 1e6,
		handler_total_ns(c->p) / 1e6);
}

/* The handler's stacks (XPF_REC_STACK_USE): what it used of the stack a signal came in on,
 * and of its private stack. */
static void stack_table(struct an_ctx *c)
{
	static const struct table_col cols[] = {
		{ "private_bytes", "PRIVATE", true }, { "private_used", "USED", true },
		{ "own_max", "ON DELIVERY STACK", true }, { "frame_max", "KERNEL FRAME", true },
	};
	const struct profile *p = c->p;
	struct table t;

	if (!p->stack_size && c->o->fmt != TABLE_TSV)
		return;
	table_init(&t, "stack", cols, sizeof(cols) / sizeof(cols[0]));
	table_cell(&t, "%" PRIu64, p->stack_size);
	table_cell(&t, "%" PRIu64, p->stack_used_max);
	table_cell(&t, "%" PRIu64, p->stack_own_max);
	table_cell(&t, "%" PRIu64, p->stack_frame_max);
	table_print(c->out, &t, c->o->fmt, "Handler stack use, bytes (most of any thread)");
	table_fini(&t);
}

/* The CPython interpreters of the run: how much of their CPU has Python names. */
static void python_table(struct an_ctx *c)
{
	static const struct table_col cols[] = {
		{ "version", "PYTHON", false }, { "walked", "FRAMES", false },
		{ "processes", "PROCESSES", true }, { "sampled_ns", "SAMPLED s", true },
		{ "python_pct", "NAMED %", true }, { "eval_unnamed_pct", "EVAL UNNAMED %", true },
		{ "leaf_unnamed_pct", "LEAF UNNAMED %", true },
		{ "unnamed_pct", "UNNAMED %", true }, { "partial", "PARTIAL", true },
	};
	struct py_share *v;
	size_t n = py_shares(c->s, &v);
	struct table t;

	if (!n && c->o->fmt != TABLE_TSV)
		return;
	table_init(&t, "python", cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < n; i++) {
		table_cell(&t, "%u.%u.%u", v[i].version >> 16, v[i].version >> 8 & 0xff,
			   v[i].version & 0xff);
		table_cell(&t, "%s", v[i].walked ? "python" : "native-only");
		table_cell(&t, "%" PRIu64, v[i].procs);
		cell_ns(&t, c->o->fmt, v[i].weight_ns);
		cell_pct(&t, v[i].py_ns, v[i].weight_ns);
		cell_pct(&t, v[i].eval_ns, v[i].weight_ns);
		cell_pct(&t, v[i].leaf_ns, v[i].weight_ns);
		cell_pct(&t, v[i].unnamed_ns, v[i].weight_ns);
		table_cell(&t, "%" PRIu64, v[i].partial);
	}
	table_print(c->out, &t, c->o->fmt,
		    "CPython interpreters: CPU with Python names, and unnamed (evaluation frame "
		    "left, or leaf without symbol)");
	table_fini(&t);
	free(v);
}

static void loss_line(struct an_ctx *c, const struct totals *tt)
{
	FILE *f = c->out;

	fprintf(f, "%sSamples: %" PRIu64 " total = %" PRIu64 " recorded + %" PRIu64 " dropped (",
		c->o->fmt == TABLE_MARKDOWN ? "**" : "", tt->samples + tt->dropped, tt->samples,
		tt->dropped);
	for (size_t r = 0; r < NDROP; r++)
		fprintf(f, "%s%s %" PRIu64, r ? ", " : "", drop_names[r], tt->drop_n[r]);
	fprintf(f, ")%s\n\n", c->o->fmt == TABLE_MARKDOWN ? "**" : "");
}

static void notes(struct an_ctx *c)
{
	const struct profile *p = c->p;
	bool any = false;

	for (size_t i = 0; i < p->nnotes; i++) {
		const struct prof_process *pr = &p->procs[p->notes[i].proc];

		if (pr->hidden)
			continue;
		if (!any)
			fprintf(c->out, "%s\n", c->o->fmt == TABLE_MARKDOWN ? "### Notes\n" : "Notes");
		any = true;
		fprintf(c->out, "%s%s %" PRId32 ": %s\n", c->o->fmt == TABLE_MARKDOWN ? "- " : "  ",
			prof_str(p, pr->comm), pr->pid, prof_str(p, p->notes[i].text));
	}
	if (any)
		fputc('\n', c->out);
}

int cmd_report(struct an_ctx *c)
{
	struct totals tt;

	count_totals(c->p, &tt);
	run_table(c, &tt);
	if (c->o->fmt != TABLE_TSV) {
		loss_line(c, &tt);
		cost_line(c, &tt);
	}
	process_table(c);
	thread_table(c);
	if (c->o->fmt != TABLE_TSV)
		wall_table(c);
	blocked_table(c);
	functions(c);
	python_table(c);
	report_unnamed(c, tt.sampled_ns);
	region_table(c);
	if (c->o->fmt == TABLE_TSV || tt.dropped)
		drop_table(c, &tt);
	handler_table(c);
	stack_table(c);
	if (c->o->fmt != TABLE_TSV)
		notes(c);
	return 0;
}
