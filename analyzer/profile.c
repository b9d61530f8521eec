// SPDX-License-Identifier: MIT
/*
 * profile.c - the in-memory profile model: interning of module files, threads and stacks,
 * per-(thread, stack) sample aggregation, regions, and time-aware module lookup.
 * Analyzer only: single-threaded. The struct profile owns everything it points to;
 * profile_fini() frees it all.
 */
#define XPF_CALL_NAMES	/* the one definition of xpf_call_names[] */
#include "profile.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void profile_init(struct profile *p)
{
	memset(p, 0, sizeof(*p));
	strtab_init(&p->strs);
	p->run_start_real = PROF_NO_TIME;
	/* Never NULL, so an empty stack still has a valid (zero-length) place. */
	p->capaddrs = 64;
	p->addrs = xmalloc(p->capaddrs * sizeof(*p->addrs));
	kvmap_init(&p->pycode_idx);
}

void profile_fini(struct profile *p)
{
	for (size_t i = 0; i < p->nprocs; i++) {
		free(p->procs[i].mods);
		free(p->procs[i].ev);
		free(p->procs[i].pyaddrs);
		free(p->procs[i].jregs);
		free(p->procs[i].jfiles);
	}
	free(p->pycodes);
	kvmap_fini(&p->pycode_idx);
	for (size_t i = 0; i < p->nregions; i++)
		free(p->regions[i].dur);
	free(p->modfiles);
	free(p->procs);
	for (size_t i = 0; i < p->nthreads; i++)
		free(p->threads[i].calls);
	free(p->threads);
	free(p->scheds);
	htab_fini(&p->thread_idx);
	free(p->addrs);
	free(p->stacks);
	htab_fini(&p->stack_idx);
	free(p->aggs);
	htab_fini(&p->agg_idx);
	free(p->regions);
	free(p->notes);
	free(p->reaps);
	free(p->events);
	free(p->stack_locs);
	strtab_fini(&p->strs);
}

uint32_t profile_modfile(struct profile *p, const char *path, size_t pathlen,
			 const uint8_t *bid, size_t bidlen)
{
	uint32_t pid = strtab_intern(&p->strs, path, pathlen);
	struct prof_modfile *m;

	if (bidlen > sizeof(m->build_id))
		bidlen = sizeof(m->build_id);
	/* Few module files per run (tens to hundreds): a backwards scan finds recent ones first. */
	for (size_t i = p->nmodfiles; i-- > 0;) {
		m = &p->modfiles[i];
		if (m->path == pid && m->build_id_len == bidlen &&
		    !memcmp(m->build_id, bid, bidlen))
			return (uint32_t)i;
	}
	m = VEC_PUSH(p->modfiles, p->nmodfiles, p->capmodfiles);
	memset(m, 0, sizeof(*m));
	m->path = pid;
	m->build_id_len = (uint32_t)bidlen;
	memcpy(m->build_id, bid, bidlen);
	m->vdso = !strcmp(prof_str(p, pid), "[vdso]") ||
		  !strncmp(path_base(prof_str(p, pid)), "linux-vdso.so", 13) ||
		  !strncmp(path_base(prof_str(p, pid)), "linux-gate.so", 13);
	return (uint32_t)(p->nmodfiles - 1);
}

static uint64_t thread_key_hash(uint32_t proc, int32_t tid)
{
	return hash_mix(((uint64_t)proc << 32) ^ (uint32_t)tid);
}

static uint64_t thread_hash(const void *ctx, uint32_t id)
{
	const struct profile *p = ctx;

	return thread_key_hash(p->threads[id].proc, p->threads[id].tid);
}

struct thread_key {
	uint32_t proc;
	int32_t tid;
};

static bool thread_eq(const void *ctx, uint32_t id, const void *key)
{
	const struct prof_thread *t = &((const struct profile *)ctx)->threads[id];
	const struct thread_key *k = key;

	return t->proc == k->proc && t->tid == k->tid;
}

uint32_t profile_thread(struct profile *p, uint32_t proc, int32_t tid)
{
	struct thread_key k = { proc, tid };
	struct prof_thread *t;
	uint32_t *slot;

	htab_reserve(&p->thread_idx, p->nthreads, thread_hash, p);
	slot = htab_slot(&p->thread_idx, thread_key_hash(proc, tid), thread_eq, p, &k);
	if (*slot)
		return *slot - 1;
	t = VEC_PUSH(p->threads, p->nthreads, p->capthreads);
	memset(t, 0, sizeof(*t));
	t->proc = proc;
	t->tid = tid;
	t->last_stack = PROF_NONE;
	*slot = (uint32_t)p->nthreads;
	return (uint32_t)(p->nthreads - 1);
}

static inline uint64_t rotl64(uint64_t x, int r)
{
	return x << r | x >> (64 - r);
}

/*
 * The hottest function of reading: two independent multiply-rotate lanes so the CPU can
 * overlap them, one full mix at the end.
 */
static uint64_t stack_key_hash(uint32_t proc, uint32_t epoch, uint8_t flags, const uint64_t *a,
			       uint32_t depth)
{
	uint64_t h1 = ((uint64_t)proc << 32 | epoch) ^ 0x9e3779b97f4a7c15ull;
	uint64_t h2 = ((uint64_t)flags << 32 | depth) ^ 0xc2b2ae3d27d4eb4full;
	uint32_t i = 0;

	for (; i + 1 < depth; i += 2) {
		h1 = rotl64((h1 ^ a[i]) * 0x87c37b91114253d5ull, 31);
		h2 = rotl64((h2 ^ a[i + 1]) * 0x4cf5ad432745937full, 29);
	}
	if (i < depth)
		h1 = rotl64((h1 ^ a[i]) * 0x87c37b91114253d5ull, 31);
	return hash_mix(h1 ^ rotl64(h2, 17));
}

static uint64_t stack_hash(const void *ctx, uint32_t id)
{
	const struct profile *p = ctx;
	const struct prof_stack *s = &p->stacks[id];

	return stack_key_hash(s->proc, s->epoch, s->flags, p->addrs + s->off,
			      (uint32_t)s->depth + s->npy) ^ s->npy;
}

struct stack_key {
	uint32_t proc, epoch, depth, npy;
	uint8_t flags;
	const uint64_t *addrs;
};

static bool stack_eq(const void *ctx, uint32_t id, const void *key)
{
	const struct profile *p = ctx;
	const struct prof_stack *s = &p->stacks[id];
	const struct stack_key *k = key;

	return s->proc == k->proc && s->epoch == k->epoch && s->flags == k->flags &&
	       s->depth == k->depth && s->npy == k->npy &&
	       !memcmp(p->addrs + s->off, k->addrs, (k->depth + k->npy) * 8ul);
}

uint32_t profile_stack(struct profile *p, uint32_t proc, uint32_t epoch, uint8_t flags,
		       const uint64_t *addrs, uint32_t depth)
{
	return profile_stack_py(p, proc, epoch, flags, addrs, depth, 0);
}

uint32_t profile_stack_py(struct profile *p, uint32_t proc, uint32_t epoch, uint8_t flags,
			  const uint64_t *addrs, uint32_t depth, uint32_t npy)
{
	struct stack_key k = { proc, epoch, depth, npy, flags, addrs };
	uint32_t all = depth + npy, *slot;
	struct prof_stack *s;

	htab_reserve(&p->stack_idx, p->nstacks, stack_hash, p);
	slot = htab_slot(&p->stack_idx, stack_key_hash(proc, epoch, flags, addrs, all) ^ npy,
			 stack_eq, p, &k);
	if (*slot)
		return *slot - 1;
	vec_reserve((void **)&p->addrs, &p->capaddrs, p->naddrs + all, sizeof(*p->addrs));
	memcpy(p->addrs + p->naddrs, addrs, all * 8ul);
	s = VEC_PUSH(p->stacks, p->nstacks, p->capstacks);
	s->proc = proc;
	s->epoch = epoch;
	s->flags = flags;
	s->depth = (uint16_t)depth;
	s->npy = (uint16_t)npy;
	s->off = (uint32_t)p->naddrs;
	s->locs = 0;
	s->nlocs = depth;
	p->naddrs += all;
	*slot = (uint32_t)p->nstacks;
	return (uint32_t)(p->nstacks - 1);
}

static uint64_t agg_key_hash(uint32_t thread, uint32_t stack, uint32_t kind, uint32_t call)
{
	return hash_mix(((uint64_t)thread << 32 | stack) ^ hash_mix((uint64_t)kind << 32 | call));
}

static uint64_t agg_hash(const void *ctx, uint32_t id)
{
	const struct prof_agg *a = &((const struct profile *)ctx)->aggs[id];

	return agg_key_hash(a->thread, a->stack, a->kind, a->call);
}

static bool agg_eq(const void *ctx, uint32_t id, const void *key)
{
	const struct prof_agg *a = &((const struct profile *)ctx)->aggs[id];
	const uint32_t *k = key;	/* thread, stack, kind, call */

	return a->thread == k[0] && a->stack == k[1] && a->kind == k[2] && a->call == k[3];
}

void profile_add_agg(struct profile *p, uint32_t kind, uint32_t call, uint32_t thread,
		     uint32_t stack, uint64_t samples, uint64_t weight_ns)
{
	uint32_t k[4] = { thread, stack, kind, call }, *slot;
	struct prof_agg *a;

	htab_reserve(&p->agg_idx, p->naggs, agg_hash, p);
	slot = htab_slot(&p->agg_idx, agg_key_hash(thread, stack, kind, call), agg_eq, p, k);
	if (*slot) {
		a = &p->aggs[*slot - 1];
		a->samples += samples;
		a->weight_ns += weight_ns;
		return;
	}
	a = VEC_PUSH(p->aggs, p->naggs, p->capaggs);
	a->thread = thread;
	a->stack = stack;
	a->kind = kind;
	a->call = call;
	a->samples = samples;
	a->weight_ns = weight_ns;
	*slot = (uint32_t)p->naggs;
}

void profile_add_samples(struct profile *p, uint32_t thread, uint32_t stack, uint64_t samples,
			 uint64_t weight_ns)
{
	profile_add_agg(p, PROF_AGG_CPU, 0, thread, stack, samples, weight_ns);
}

const char *prof_call_name(uint64_t call, char *buf, size_t n)
{
	if (call < XPF_CALL_NR && xpf_call_names[call])
		return xpf_call_names[call];
	snprintf(buf, n, "call#%" PRIu64, call);
	return buf;
}

/* ---- a thread's wall time, split ---------------------------------------------------------- */

uint64_t prof_thread_runq(const struct prof_thread *t)
{
	return t->run_delay_ns > t->runq_base ? t->run_delay_ns - t->runq_base : 0;
}

uint64_t prof_thread_runq_window(const struct prof_thread *t, bool window)
{
	uint64_t lo = t->runq_lo > t->runq_base ? t->runq_lo : t->runq_base;

	if (!window)
		return prof_thread_runq(t);
	return t->runq_hi > lo ? t->runq_hi - lo : 0;
}

uint64_t prof_thread_blocked(const struct prof_thread *t)
{
	uint64_t ns = 0;

	if (!t->calls_seen)	/* killed before its totals were written: what was sampled */
		return t->offcpu_ns;
	for (size_t i = 0; i < t->ncalls; i++)
		ns += t->calls[i].blocked_ns;
	return ns;
}

uint64_t prof_thread_wall(const struct profile *p, const struct prof_thread *t)
{
	const struct prof_process *pr = &p->procs[t->proc];
	uint64_t from = t->t_start ? t->t_start : pr->start_mono;
	uint64_t to = t->t_end ? t->t_end : pr->end_mono > pr->start_mono ? pr->end_mono :
									      pr->last_mono;

	return to > from ? to - from : 0;
}

uint64_t prof_thread_unseen(const struct profile *p, const struct prof_thread *t)
{
	uint64_t wall = prof_thread_wall(p, t);
	uint64_t seen = t->cpu_ns + prof_thread_runq(t) + prof_thread_blocked(t);

	return wall > seen ? wall - seen : 0;
}

void profile_add_runq(struct profile *p, bool window)
{
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct prof_thread *t = &p->threads[i];
		uint64_t ns = prof_thread_runq_window(t, window);
		uint32_t stack = t->last_stack;

		if (t->hidden || p->procs[t->proc].hidden || !ns)
			continue;
		if (stack == PROF_NONE)	/* never sampled: under the thread frame alone */
			stack = profile_stack(p, t->proc, 0, 0, p->addrs, 0);
		profile_add_agg(p, PROF_AGG_RUNQ, 0, (uint32_t)i, stack, 0, ns);
	}
}

void profile_add_region(struct profile *p, uint32_t name, uint64_t dur_ns, uint64_t cpu_ns)
{
	struct prof_region *r = NULL;

	/* Programs mark a handful of distinct regions: a linear scan is enough. */
	for (size_t i = 0; i < p->nregions && !r; i++)
		if (p->regions[i].name == name)
			r = &p->regions[i];
	if (!r) {
		r = VEC_PUSH(p->regions, p->nregions, p->capregions);
		memset(r, 0, sizeof(*r));
		r->name = name;
	}
	r->count++;
	r->total_ns += dur_ns;
	r->cpu_ns += cpu_ns;
	*VEC_PUSH(r->dur, r->ndur, r->capdur) = dur_ns;
}

void profile_add_event(struct profile *p, const struct prof_event *e)
{
	if (p->keep_events)
		*VEC_PUSH(p->events, p->nevents, p->capevents) = *e;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Number of event times <= t (upper bound). */
uint32_t profile_epoch(const struct prof_process *pr, uint64_t t)
{
	size_t lo = 0, hi = pr->nev;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pr->ev[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (uint32_t)lo;
}

void profile_finish_maps(struct prof_process *pr)
{
	size_t n = 0;

	free(pr->ev);
	pr->ev = xmalloc((pr->nmods * 2 + 1) * sizeof(*pr->ev));
	for (size_t i = 0; i < pr->nmods; i++) {
		pr->ev[n++] = pr->mods[i].t_map;
		if (pr->mods[i].t_unmap != PROF_NO_TIME)
			pr->ev[n++] = pr->mods[i].t_unmap;
	}
	qsort(pr->ev, n, sizeof(*pr->ev), cmp_u64);
	pr->nev = n;
	for (size_t i = 0; i < pr->nmods; i++) {
		struct prof_module *m = &pr->mods[i];

		m->ep_map = profile_epoch(pr, m->t_map);
		m->ep_unmap = m->t_unmap == PROF_NO_TIME ? UINT32_MAX : profile_epoch(pr, m->t_unmap);
	}
}

long profile_module_at(const struct prof_process *pr, uint64_t addr, uint32_t epoch)
{
	long any = -1;
	bool ambiguous = false;

	for (size_t i = 0; i < pr->nmods; i++) {
		const struct prof_module *m = &pr->mods[i];

		if (addr < m->lo || addr >= m->hi)
			continue;
		if (m->ep_map <= epoch && epoch < m->ep_unmap)
			return (long)i;
		/* Unmapped before the sample: whatever ran there was something else (JIT code
		 * where a copy of a file's code had been, say). */
		if (epoch >= m->ep_unmap)
			continue;
		/*
		 * Not mapped at that moment by the records (e.g. a sample taken before the MAP
		 * record of an early library was written). Use a module only if no other file
		 * ever covered this address: a guess between two files could name the wrong one.
		 */
		if (any >= 0 && (pr->mods[any].modfile != m->modfile || pr->mods[any].bias != m->bias))
			ambiguous = true;
		if (any < 0)
			any = (long)i;
	}
	return ambiguous ? -1 : any;
}

uint64_t profile_process_cpu(const struct profile *p, uint32_t proc, bool *exact)
{
	const struct prof_process *pr = &p->procs[proc];
	uint64_t sum = 0;

	if (pr->process_cpu_ns) {
		*exact = true;
		return pr->process_cpu_ns;
	}
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].proc == proc)
			sum += p->threads[i].cpu_ns;
	*exact = false;
	return sum;
}

/* Images of one machine and pid in start order, so an exec'd one follows its predecessor. */
static const struct profile *link_p;

static int cmp_image(const void *a, const void *b)
{
	const struct prof_process *x = &link_p->procs[*(const uint32_t *)a];
	const struct prof_process *y = &link_p->procs[*(const uint32_t *)b];

	if (x->host != y->host)
		return x->host < y->host ? -1 : 1;
	if (x->boot != y->boot)
		return x->boot < y->boot ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->start_mono != y->start_mono)
		return x->start_mono < y->start_mono ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static bool same_machine_pid(const struct prof_process *x, const struct prof_process *y)
{
	return x->host == y->host && x->boot == y->boot && x->pid == y->pid;
}

/* The image's own CPU: the kernel's process clock less what its predecessor ended with. */
static void own_cpu(struct prof_process *pr, uint64_t base)
{
	pr->process_cpu_ns = pr->end_cpu_ns > base ? pr->end_cpu_ns - base : 0;
	pr->presample_cpu_ns = pr->armed_mono && pr->armed_cpu_ns > base ?
				       pr->armed_cpu_ns - base : 0;
}

/* Orders an image against (host, boot, pid, t), as cmp_image orders images. */
static int cmp_key(const struct prof_process *pr, const struct prof_process *like, int32_t pid,
		   uint64_t t)
{
	if (pr->host != like->host)
		return pr->host < like->host ? -1 : 1;
	if (pr->boot != like->boot)
		return pr->boot < like->boot ? -1 : 1;
	if (pr->pid != pid)
		return pr->pid < pid ? -1 : 1;
	return pr->start_mono <= t ? -1 : 1;
}

/* The newest image in ord (sorted by cmp_image) of the machine of `like` and pid that
 * started at or before t, PROF_NONE if none. */
static uint32_t image_before(const struct profile *p, const uint32_t *ord,
			     const struct prof_process *like, int32_t pid, uint64_t t)
{
	size_t lo = 0, hi = p->nprocs;	/* first index ordered after the key */
	const struct prof_process *pr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_key(&p->procs[ord[mid]], like, pid, t) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return PROF_NONE;
	pr = &p->procs[ord[lo - 1]];
	return pr->host == like->host && pr->boot == like->boot && pr->pid == pid ? ord[lo - 1] :
										      PROF_NONE;
}

/*
 * A reap's figure is the kernel's whole CPU for the child, its reaped descendants included.
 * What the child's images recorded falls short by the kernel's work after their last record
 * (exit, teardown) or by all of it for an image killed before it could record its end: that
 * difference goes to the chain's last image, so that the images add up to the kernel's count.
 */
static void apply_reaps(struct profile *p, const uint32_t *ord)
{
	uint64_t *reaped = xcalloc(p->nprocs ? p->nprocs : 1, sizeof(*reaped));

	for (size_t r = 0; r < p->nreaps; r++)
		reaped[p->reaps[r].proc] += p->reaps[r].cpu_ns;	/* by the reaping image */
	for (size_t r = 0; r < p->nreaps; r++) {
		const struct prof_reap *rp = &p->reaps[r];
		uint32_t last = image_before(p, ord, &p->procs[rp->proc], rp->pid, rp->t);
		uint64_t got = 0;

		if (last == PROF_NONE)
			continue;
		for (uint32_t i = last; i != PROF_NONE; i = p->procs[i].pred)
			got += p->procs[i].process_cpu_ns - p->procs[i].exit_cpu_ns + reaped[i];
		if (rp->cpu_ns > got) {
			p->procs[last].exit_cpu_ns = rp->cpu_ns - got;
			p->procs[last].process_cpu_ns += rp->cpu_ns - got;
		}
	}
	free(reaped);
}

/* The kernel's run delay of a thread goes on across exec (the same task): an exec'd image's
 * share is what it gained over the last figure its predecessor recorded for the same tid. */
static void runq_bases(struct profile *p)
{
	for (size_t i = 0; i < p->nthreads; i++) {
		struct prof_thread *t = &p->threads[i];
		uint32_t pred = p->procs[t->proc].pred;

		struct thread_key k = { pred, t->tid };
		uint32_t *slot;

		if (pred == PROF_NONE)
			continue;
		slot = htab_slot(&p->thread_idx, thread_key_hash(pred, t->tid), thread_eq, p, &k);
		if (*slot)
			t->runq_base = p->threads[*slot - 1].run_delay_ns;
	}
}

void profile_link_images(struct profile *p)
{
	uint32_t *ord = xcalloc(p->nprocs ? p->nprocs : 1, sizeof(*ord));

	for (size_t i = 0; i < p->nprocs; i++)
		ord[i] = (uint32_t)i;
	link_p = p;
	qsort(ord, p->nprocs, sizeof(*ord), cmp_image);
	for (size_t k = 0; k < p->nprocs; k++) {
		struct prof_process *pr = &p->procs[ord[k]];
		const struct prof_process *prev = k ? &p->procs[ord[k - 1]] : NULL;

		pr->pred = PROF_NONE;
		pr->gen = 0;
		if (prev && same_machine_pid(prev, pr) && prev->end_state == XPF_END_EXEC &&
		    prev->end_mono <= pr->start_mono && !(pr->flags & XPF_IF_FORKED)) {
			pr->pred = ord[k - 1];
			pr->gen = prev->gen + 1;
		}
		own_cpu(pr, pr->pred == PROF_NONE ? 0 : prev->end_cpu_ns);
	}
	runq_bases(p);
	/* Children before the images that reaped them: a reap's descendants are done first. */
	apply_reaps(p, ord);
	free(ord);
}

uint32_t profile_pycode(struct profile *p, uint32_t name, uint32_t file, int32_t line)
{
	bool added;
	uint32_t id = kvmap_get_or_put(&p->pycode_idx, (uint64_t)name << 32 | file,
				       (uint64_t)(uint32_t)line, (uint32_t)p->npycodes, &added);

	if (added)
		*VEC_PUSH(p->pycodes, p->npycodes, p->cappycodes) =
			(struct prof_pycode){ name, file, line };
	return id;
}

static int cmp_pyaddr(const void *a, const void *b)
{
	const struct prof_pyaddr *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->t < y->t ? -1 : x->t > y->t;
}

void profile_finish_pyaddrs(struct prof_process *pr)
{
	if (pr->npyaddrs)
		qsort(pr->pyaddrs, pr->npyaddrs, sizeof(*pr->pyaddrs), cmp_pyaddr);
}

uint32_t profile_pycode_at(const struct prof_process *pr, uint64_t addr, uint64_t t)
{
	size_t lo = 0, hi = pr->npyaddrs, first;

	while (lo < hi) {	/* the first record of addr */
		size_t mid = lo + (hi - lo) / 2;

		if (pr->pyaddrs[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == pr->npyaddrs || pr->pyaddrs[lo].addr != addr)
		return PROF_PY_UNKNOWN;
	first = lo;
	while (lo + 1 < pr->npyaddrs && pr->pyaddrs[lo + 1].addr == addr &&
	       pr->pyaddrs[lo + 1].t <= t)
		lo++;
	return pr->pyaddrs[lo].t <= t ? pr->pyaddrs[lo].code : pr->pyaddrs[first].code;
}
