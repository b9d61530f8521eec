// SPDX-License-Identifier: MIT
/*
 * timeline.c - writes the profile as Chrome's trace-event format (JSON object form), which
 * Perfetto's UI and Chrome's trace viewers open. Analyzer only; reads the profile and the
 * symbols, changes neither. JSON is written by hand (json.h).
 *
 * Tracks: one process per pid (named "COMMAND (pid N)", the latest image's command) and one
 * thread track per thread (named as the thread named itself). Across hosts of an MPI job the
 * same pid may mean two processes: the second host's pids are moved up by 2^22 (the largest
 * pid Linux gives is below that) so that they stay apart; the names keep the real pid.
 *
 * Events ("ph"): a "process" slice ("X") on the main thread from the first image's start to
 * the last image's end, an "image" slice inside it per exec generation (command, gen, exe,
 * command line, how it ended); then, for what the model holds time-stamped events of
 * (profile.keep_events), thread lifetimes ("thread" slices from start to end), samples
 * (instants named by their leaf function, with the whole stack and CPU time as arguments),
 * regions of <xprof.h> and blocked calls recorded one by one (XPF_SF_ONE_CALL: "X" slices
 * named "[blocked] CALL", the stack at the call's entry as argument; calls sampled by time
 * have no interval of their own). Always, from the scheduler figures (XPF_REC_SCHED, about
 * once a second), two counters ("C") per thread: "run queue ms (tid N)", its cumulative
 * time waiting for a CPU, and "context switches (tid N)", voluntary and involuntary. Times
 * ("ts", "dur") are microseconds since the earliest start of the processes read, on their
 * real-time clocks.
 */
#include "timeline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define HOST_PID_STRIDE	4194304		/* PID_MAX_LIMIT on 64-bit Linux: 2^22 */

struct tl {
	FILE *f;
	const struct profile *p;
	const struct symbols *s;
	uint32_t *tpid;		/* process image -> trace pid */
	bool first;		/* no event written yet */
};

/* Trace pids: the real pid, moved up by HOST_PID_STRIDE per host after the first. */
static uint32_t *trace_pids(const struct profile *p)
{
	uint32_t *hosts = xcalloc(p->nprocs + 1, sizeof(*hosts)), *tpid;
	size_t nhosts = 0;

	tpid = xcalloc(p->nprocs + 1, sizeof(*tpid));
	for (size_t i = 0; i < p->nprocs; i++) {
		size_t h = 0;

		while (h < nhosts && hosts[h] != p->procs[i].host)
			h++;
		if (h == nhosts)
			hosts[nhosts++] = p->procs[i].host;
		tpid[i] = (uint32_t)p->procs[i].pid + (uint32_t)(h * HOST_PID_STRIDE);
	}
	free(hosts);
	return tpid;
}

/* A thread's trace tid: its tid, moved like its process's pid. */
static uint32_t trace_tid(const struct tl *c, const struct prof_thread *t)
{
	const struct prof_process *pr = &c->p->procs[t->proc];

	return c->tpid[t->proc] - (uint32_t)pr->pid + (uint32_t)t->tid;
}

/* Microseconds since the run's start of mono time t of process image pr. */
static double ts_us(const struct tl *c, const struct prof_process *pr, uint64_t t)
{
	int64_t rel = (int64_t)(t - pr->start_mono) +
		      (int64_t)(pr->start_real - c->p->run_start_real);

	return rel / 1e3;
}

static uint64_t image_end(const struct prof_process *pr)
{
	return pr->end_mono > pr->start_mono ? pr->end_mono : pr->last_mono;
}

/* Starts an event object: {"ph":PH,"pid":P,"tid":T, */
static void ev(struct tl *c, const char *ph, uint32_t pid, uint32_t tid)
{
	fprintf(c->f, "%s{\"ph\":\"%s\",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32 ",",
		c->first ? "\n" : ",\n", ph, pid, tid);
	c->first = false;
}

/* A metadata event: process_name and thread_name take args.name, process_labels args.labels. */
static void meta(struct tl *c, const char *what, uint32_t pid, uint32_t tid, const char *val)
{
	ev(c, "M", pid, tid);
	fprintf(c->f, "\"name\":\"%s\",\"args\":{\"%s\":", what,
		strcmp(what, "process_labels") ? "name" : "labels");
	json_str(c->f, val);
	fputs("}}", c->f);
}

/* The latest image of the trace pid of image i (the one that names the process track). */
static bool is_latest_image(const struct tl *c, size_t i)
{
	for (size_t k = 0; k < c->p->nprocs; k++)
		if (k != i && c->tpid[k] == c->tpid[i] && !c->p->procs[k].hidden &&
		    (c->p->procs[k].gen > c->p->procs[i].gen ||
		     (c->p->procs[k].gen == c->p->procs[i].gen && k > i)))
			return false;
	return true;
}

static void write_names(struct tl *c)
{
	const struct profile *p = c->p;
	char buf[600];

	for (size_t i = 0; i < p->nprocs; i++) {
		const struct prof_process *pr = &p->procs[i];

		if (pr->hidden || !is_latest_image(c, i))
			continue;
		snprintf(buf, sizeof(buf), "%s (pid %" PRId32 ")", prof_str(p, pr->comm), pr->pid);
		meta(c, "process_name", c->tpid[i], c->tpid[i], buf);
		snprintf(buf, sizeof(buf), "host %s%s", prof_str(p, pr->host), pr->rank >= 0 ?
			 ", MPI rank" : "");
		if (pr->rank >= 0)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " %" PRId32, pr->rank);
		meta(c, "process_labels", c->tpid[i], c->tpid[i], buf);
	}
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct prof_thread *t = &p->threads[i];

		if (!t->hidden && is_latest_image(c, t->proc))
			meta(c, "thread_name", c->tpid[t->proc], trace_tid(c, t), prof_str(p, t->name));
	}
}

static const char *end_name(uint32_t e)
{
	static const char *const names[] = { "running or killed", "exit", "exec", "_exit",
					     "stopped" };

	return e < sizeof(names) / sizeof(names[0]) ? names[e] : "unknown";
}

/* The command line (arguments NUL-separated in the file) as one string, spaces between. */
static void json_cmdline(const struct tl *c, uint32_t id)
{
	size_t n = c->p->strs.len[id];
	char *s = xstrndup(prof_str(c->p, id), n);

	for (size_t i = 0; i < n; i++)
		if (!s[i])
			s[i] = ' ';
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	json_str(c->f, s);
	free(s);
}

/* One "image" slice per exec generation, on the process's main thread. */
static void write_image(struct tl *c, size_t i)
{
	const struct prof_process *pr = &c->p->procs[i];
	double t0 = ts_us(c, pr, pr->start_mono), t1 = ts_us(c, pr, image_end(pr));

	ev(c, "X", c->tpid[i], c->tpid[i]);
	fputs("\"cat\":\"image\",\"name\":", c->f);
	json_str(c->f, prof_str(c->p, pr->comm));
	fprintf(c->f, ",\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"gen\":%" PRIu32 ",\"ppid\":%" PRId32
		",\"exe\":", t0, t1 - t0, pr->gen, pr->ppid);
	json_str(c->f, prof_str(c->p, pr->exe));
	fputs(",\"cmdline\":", c->f);
	json_cmdline(c, pr->cmdline);
	fprintf(c->f, ",\"end\":\"%s\"", end_name(pr->end_state));
	if (pr->end_state == XPF_END_EXIT || pr->end_state == XPF_END__EXIT)
		fprintf(c->f, ",\"exit_status\":%" PRId32, pr->exit_status);
	fputs("}}", c->f);
}

/* One "process" slice per trace pid, around all its images. */
static void write_process(struct tl *c, size_t i)
{
	const struct profile *p = c->p;
	double t0 = 1e300, t1 = -1e300;

	for (size_t k = 0; k < p->nprocs; k++) {
		const struct prof_process *pr = &p->procs[k];

		if (c->tpid[k] != c->tpid[i] || pr->hidden)
			continue;
		t0 = ts_us(c, pr, pr->start_mono) < t0 ? ts_us(c, pr, pr->start_mono) : t0;
		t1 = ts_us(c, pr, image_end(pr)) > t1 ? ts_us(c, pr, image_end(pr)) : t1;
	}
	ev(c, "X", c->tpid[i], c->tpid[i]);
	fprintf(c->f, "\"cat\":\"process\",\"name\":\"process %" PRId32 "\",\"ts\":%.3f,"
		"\"dur\":%.3f,\"args\":{\"host\":", p->procs[i].pid, t0, t1 - t0);
	json_str(c->f, prof_str(p, p->procs[i].host));
	fputs("}}", c->f);
}

/* The function names of stack `sid`, root first, joined by ';', into buf. */
static const char *stack_text(const struct tl *c, uint32_t sid, char *buf, size_t n,
			      const char **leaf)
{
	const struct prof_stack *sk = &c->p->stacks[sid];
	size_t o = 0;

	buf[0] = '\0';
	*leaf = "[unknown]";
	for (uint32_t j = 0; j < sk->nlocs; j++) {
		uint32_t k;
		const struct sym_frame *fr = sym_chain(c->s, c->p->stack_locs[sk->locs + j], &k);

		while (k--) {
			*leaf = prof_str(c->p, c->s->funcs[fr[k].func].name);
			if (o < n)
				o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? ";" : "", *leaf);
		}
	}
	return buf;
}

static void write_stack_event(struct tl *c, const struct prof_event *e, uint32_t pid,
			      uint32_t tid, double t)
{
	char stack[8192], name[64], num[24];
	const char *leaf;

	stack_text(c, e->ref, stack, sizeof(stack), &leaf);
	if (e->kind == PROF_EV_BLOCKED) {
		snprintf(name, sizeof(name), "[blocked] %s", prof_call_name(e->call, num,
									    sizeof(num)));
		leaf = name;
	}
	ev(c, e->kind == PROF_EV_SAMPLE ? "i" : "X", pid, tid);
	fprintf(c->f, "\"cat\":\"%s\",\"name\":", e->kind == PROF_EV_SAMPLE ? "sample" : "blocked");
	json_str(c->f, leaf);
	if (e->kind == PROF_EV_SAMPLE)
		fprintf(c->f, ",\"s\":\"t\",\"ts\":%.3f,\"args\":{\"cpu_ns\":%" PRIu64 ",\"stack\":",
			t, e->weight_ns);
	else
		fprintf(c->f, ",\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"stack\":", t, e->dur / 1e3);
	json_str(c->f, stack);
	fputs("}}", c->f);
}

static void write_event(struct tl *c, const struct prof_event *e)
{
	const struct prof_thread *th = &c->p->threads[e->thread];
	const struct prof_process *pr = &c->p->procs[th->proc];
	uint32_t pid = c->tpid[th->proc], tid = trace_tid(c, th);
	double t = ts_us(c, pr, e->t);

	if (th->hidden)
		return;
	if (e->kind == PROF_EV_SAMPLE || e->kind == PROF_EV_BLOCKED) {
		write_stack_event(c, e, pid, tid, t);
		return;
	}
	ev(c, e->kind == PROF_EV_REGION ? "X" : "i", pid, tid);
	if (e->kind == PROF_EV_REGION) {
		fputs("\"cat\":\"region\",\"name\":", c->f);
		json_str(c->f, prof_str(c->p, e->ref));
		fprintf(c->f, ",\"ts\":%.3f,\"dur\":%.3f}", t, e->dur / 1e3);
	} else {
		fprintf(c->f, "\"cat\":\"thread\",\"name\":\"thread %s\",\"s\":\"t\",\"ts\":%.3f}",
			e->kind == PROF_EV_THREAD_START ? "start" : "end", t);
	}
}

/* A "thread" slice from a thread's start to its end, where both were seen. */
static void write_thread_lives(struct tl *c)
{
	const struct profile *p = c->p;
	uint64_t *start = xcalloc(p->nthreads + 1, sizeof(*start));

	for (size_t i = 0; i < p->nevents; i++) {
		const struct prof_event *e = &p->events[i];
		const struct prof_thread *th = &p->threads[e->thread];
		double t0;

		if (e->kind == PROF_EV_THREAD_START)
			start[e->thread] = e->t + 1;	/* + 1: 0 means not seen */
		if (e->kind != PROF_EV_THREAD_END || !start[e->thread] || th->hidden)
			continue;
		t0 = ts_us(c, &p->procs[th->proc], start[e->thread] - 1);
		ev(c, "X", c->tpid[th->proc], trace_tid(c, th));
		fputs("\"cat\":\"thread\",\"name\":", c->f);
		json_str(c->f, prof_str(p, th->name));
		fprintf(c->f, ",\"ts\":%.3f,\"dur\":%.3f}", t0,
			ts_us(c, &p->procs[th->proc], e->t) - t0);
	}
	free(start);
}

/* The scheduler counters of every visible thread, one pair per SCHED record. */
static void write_sched(struct tl *c)
{
	const struct profile *p = c->p;

	for (size_t i = 0; i < p->nscheds; i++) {
		const struct prof_sched *r = &p->scheds[i];
		const struct prof_thread *th = &p->threads[r->thread];
		const struct prof_process *pr = &p->procs[th->proc];
		uint64_t runq = r->run_delay_ns > th->runq_base ? r->run_delay_ns - th->runq_base : 0;
		uint32_t pid = c->tpid[th->proc];
		double t = ts_us(c, pr, r->t);

		if (th->hidden || pr->hidden)
			continue;
		ev(c, "C", pid, trace_tid(c, th));
		fprintf(c->f, "\"name\":\"run queue ms (tid %" PRId32 ")\",\"ts\":%.3f,"
			"\"args\":{\"ms\":%.3f}}", th->tid, t, runq / 1e6);
		ev(c, "C", pid, trace_tid(c, th));
		fprintf(c->f, "\"name\":\"context switches (tid %" PRId32 ")\",\"ts\":%.3f,"
			"\"args\":{\"voluntary\":%" PRIu64 ",\"involuntary\":%" PRIu64 "}}",
			th->tid, t, r->nvcsw, r->nivcsw);
	}
}

int timeline_write(FILE *out, const struct profile *p, const struct symbols *s)
{
	struct tl c = { .f = out, .p = p, .s = s, .first = true };

	c.tpid = trace_pids(p);
	fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"exporter\":\"xprof-analyze\"},"
	      "\n\"traceEvents\":[", out);
	write_names(&c);
	for (size_t i = 0; i < p->nprocs; i++) {
		if (p->procs[i].hidden)
			continue;
		if (is_latest_image(&c, i))
			write_process(&c, i);
		write_image(&c, i);
	}
	write_thread_lives(&c);
	for (size_t i = 0; i < p->nevents; i++)
		write_event(&c, &p->events[i]);
	write_sched(&c);
	fputs("]}\n", out);
	free(c.tpid);
	return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}
