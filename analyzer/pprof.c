// SPDX-License-Identifier: MIT
/*
 * pprof.c - writes the profile as pprof's profile.proto (perftools.profiles.Profile),
 * gzip-compressed. Analyzer only; reads the profile and the symbols, changes neither.
 *
 * Encoding is protobuf-c's (Debian's libprotobuf-c, code generated from pprof.proto by
 * protoc-c) and compression zlib's: both are the maintained libraries for the job, so no
 * wire format is written by hand here.
 *
 * What goes where:
 *  - Mapping: one per module file, in the file's own ELF addresses (the load bias taken
 *    off), so every process that mapped it shares its locations and the addresses are the
 *    ones symbols.c looked up. The main executable of the first process is mapping[0].
 *  - Location: one per symbols.c location; its lines are the location's frame chain, the
 *    innermost inlined function first and the function holding the code last, as
 *    profile.proto orders them. Unknown, vDSO and JIT addresses have no mapping.
 *  - Function: one per symbols.c function (name, module).
 *  - Sample: one per (thread, stack) aggregate of CPU or off-CPU time, leaf first, with a
 *    "[truncated]" location at the root end when the stack's root side was cut (as the
 *    folded stacks show it), and labels pid, tid, command, thread and, for MPI processes,
 *    rank. An off-CPU sample's leaf is its "[blocked] CALL" location (a function of that
 *    name, no mapping); its CPU values are 0, as a CPU sample's off-CPU values are.
 *    Run-queue time has no stack of its own (it is the wall kind's, in the other outputs).
 *  - Sample types: two per kind of sample the model holds (see kinds[]).
 */
#include "pprof.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pprof.pb-c.h"

typedef Perftools__Profiles__Profile PbProfile;
typedef Perftools__Profiles__ValueType PbValueType;
typedef Perftools__Profiles__Sample PbSample;
typedef Perftools__Profiles__Label PbLabel;
typedef Perftools__Profiles__Mapping PbMapping;
typedef Perftools__Profiles__Location PbLocation;
typedef Perftools__Profiles__Line PbLine;
typedef Perftools__Profiles__Function PbFunction;

#define MAX_LABELS	5	/* pid, tid, command, thread, rank */

/*
 * A kind of sample the model holds, written as two sample types: how many samples and how
 * many nanoseconds they stand for.
 */
struct pp_kind {
	const char *count_type, *ns_type;
	bool (*present)(const struct profile *p);
	/* The aggregate's samples and nanoseconds of this kind (0 and 0 if none). */
	void (*values)(const struct prof_agg *a, uint64_t *n, uint64_t *ns);
};

/* Always present: a CPU profile with no samples is still a valid CPU profile. */
static bool cpu_present(const struct profile *p)
{
	return true;
}

static void cpu_values(const struct prof_agg *a, uint64_t *n, uint64_t *ns)
{
	bool on = a->kind == PROF_AGG_CPU;

	*n = on ? a->samples : 0;
	*ns = on ? a->weight_ns : 0;
}

/* Present where off-CPU records were kept. */
static bool offcpu_present(const struct profile *p)
{
	for (size_t i = 0; i < p->naggs; i++)
		if (p->aggs[i].kind == PROF_AGG_OFFCPU)
			return true;
	return false;
}

static void offcpu_values(const struct prof_agg *a, uint64_t *n, uint64_t *ns)
{
	bool off = a->kind == PROF_AGG_OFFCPU;

	*n = off ? a->samples : 0;
	*ns = off ? a->weight_ns : 0;
}

/* "samples"/"count" + "cpu"/"nanoseconds" is what Go's CPU profiles use: tools know it.
 * Off-CPU: "offcpu_samples"/"count" (records) + "offcpu"/"nanoseconds" (blocked time). */
static const struct pp_kind kinds[] = {
	{ "samples", "cpu", cpu_present, cpu_values },
	{ "offcpu_samples", "offcpu", offcpu_present, offcpu_values },
};

/* Aggregates written as samples: CPU and off-CPU time. */
static bool written(const struct prof_agg *a)
{
	return a->kind == PROF_AGG_CPU || a->kind == PROF_AGG_OFFCPU;
}
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

/* Everything the message points to; pp_fini() frees it. */
struct pp {
	const struct profile *p;
	const struct symbols *s;
	PbProfile prof;
	struct strtab strs;		/* the string table: id 0 is "", as profile.proto wants */
	const struct pp_kind *kind[NKINDS];
	size_t nkind;
	PbValueType types[2 * NKINDS], period_type;
	PbValueType *type_ptrs[2 * NKINDS];
	PbMapping *maps, **map_ptrs;
	uint64_t *map_id;		/* modfile -> mapping id; 0: none */
	PbFunction *funcs, **func_ptrs;
	PbLocation *locs, **loc_ptrs;
	PbLine *lines, **line_ptrs;
	uint64_t trunc_loc;		/* id of the "[truncated]" location */
	PbSample *samples, **sample_ptrs;
	uint64_t *loc_ids;
	int64_t *values;
	PbLabel *labels, **label_ptrs;
	int64_t comment;
};

static int64_t pp_str(struct pp *c, const char *s)
{
	return strtab_intern(&c->strs, s, strlen(s));
}

static void add_types(struct pp *c)
{
	for (size_t k = 0; k < NKINDS; k++)
		if (kinds[k].present(c->p))
			c->kind[c->nkind++] = &kinds[k];
	for (size_t k = 0; k < c->nkind; k++) {
		PbValueType *t = &c->types[2 * k];

		perftools__profiles__value_type__init(t);
		t->type = pp_str(c, c->kind[k]->count_type);
		t->unit = pp_str(c, "count");
		perftools__profiles__value_type__init(t + 1);
		t[1].type = pp_str(c, c->kind[k]->ns_type);
		t[1].unit = pp_str(c, "nanoseconds");
		c->type_ptrs[2 * k] = t;
		c->type_ptrs[2 * k + 1] = t + 1;
	}
	c->prof.n_sample_type = 2 * c->nkind;
	c->prof.sample_type = c->type_ptrs;
	c->prof.default_sample_type = c->types[1].type;
}

/* The first visible process's executable, to be mapping[0]; its path's strtab id or 0. */
static uint32_t main_exe(const struct profile *p)
{
	for (size_t i = 0; i < p->nprocs; i++)
		if (!p->procs[i].hidden)
			return p->procs[i].exe;
	return 0;
}

static void hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

/* Mapping for module file m: the ELF address range all its instances covered. */
static void fill_mapping(struct pp *c, PbMapping *pm, uint32_t m)
{
	const struct profile *p = c->p;
	const struct prof_modfile *mf = &p->modfiles[m];
	uint64_t lo = UINT64_MAX, hi = 0;
	char bid[2 * sizeof(mf->build_id) + 1];

	for (size_t i = 0; i < p->nprocs; i++) {
		for (size_t k = 0; k < p->procs[i].nmods; k++) {
			const struct prof_module *md = &p->procs[i].mods[k];

			if (md->modfile != m)
				continue;
			lo = md->lo - md->bias < lo ? md->lo - md->bias : lo;
			hi = md->hi - md->bias > hi ? md->hi - md->bias : hi;
		}
	}
	hex(bid, mf->build_id, mf->build_id_len);
	perftools__profiles__mapping__init(pm);
	pm->memory_start = lo == UINT64_MAX ? 0 : lo;
	pm->memory_limit = hi;
	pm->filename = pp_str(c, prof_str(p, mf->path));
	pm->build_id = pp_str(c, bid);
	pm->has_functions = true;
	pm->has_filenames = c->s->o.src;
	pm->has_line_numbers = c->s->o.src;
	pm->has_inline_frames = !c->s->o.no_inline;
}

static void add_mappings(struct pp *c)
{
	const struct profile *p = c->p;
	uint32_t exe = main_exe(p);
	size_t n = 0;

	c->maps = xcalloc(p->nmodfiles + 1, sizeof(*c->maps));
	c->map_ptrs = xcalloc(p->nmodfiles + 1, sizeof(*c->map_ptrs));
	c->map_id = xcalloc(p->nmodfiles + 1, sizeof(*c->map_id));
	/* Two rounds: the main executable, then the others in the model's order. */
	for (int round = 0; round < 2; round++) {
		for (uint32_t m = 0; m < p->nmodfiles; m++) {
			bool is_exe = exe && p->modfiles[m].path == exe;

			if (p->modfiles[m].vdso || p->modfiles[m].jit || c->map_id[m] ||
			    is_exe != !round)
				continue;
			fill_mapping(c, &c->maps[n], m);
			c->map_id[m] = c->maps[n].id = n + 1;
			c->map_ptrs[n] = &c->maps[n];
			n++;
		}
	}
	c->prof.n_mapping = n;
	c->prof.mapping = c->map_ptrs;
}

/* Functions 1..nfuncs are symbols.c's; nfuncs + 1 is "[truncated]". */
static void add_functions(struct pp *c)
{
	const struct symbols *s = c->s;
	size_t n = s->nfuncs;

	c->funcs = xcalloc(n + 1, sizeof(*c->funcs));
	c->func_ptrs = xcalloc(n + 1, sizeof(*c->func_ptrs));
	for (size_t f = 0; f <= n; f++) {
		const char *name = f < n ? prof_str(c->p, s->funcs[f].name) : "[truncated]";

		perftools__profiles__function__init(&c->funcs[f]);
		c->funcs[f].id = f + 1;
		c->funcs[f].name = c->funcs[f].system_name = pp_str(c, name);
		c->func_ptrs[f] = &c->funcs[f];
	}
	/* A function's file is the one any of its frames gives: they all agree. */
	for (size_t i = 0; i < s->nchain; i++)
		if (s->chain[i].file && !c->funcs[s->chain[i].func].filename)
			c->funcs[s->chain[i].func].filename =
				pp_str(c, prof_str(c->p, s->chain[i].file));
	c->prof.n_function = n + 1;
	c->prof.function = c->func_ptrs;
}

static void fill_location(struct pp *c, size_t i, PbLine **lines)
{
	const struct symbols *s = c->s;
	PbLocation *l = &c->locs[i];
	uint32_t n;
	const struct sym_frame *f = i < s->nlocs ? sym_chain(s, (uint32_t)i, &n) : NULL;

	perftools__profiles__location__init(l);
	l->id = i + 1;
	if (!f) {	/* "[truncated]" */
		n = 1;
		perftools__profiles__line__init(*lines);
		(*lines)->function_id = s->nfuncs + 1;
	}
	for (uint32_t k = 0; f && k < n; k++) {
		perftools__profiles__line__init(lines[k]);
		lines[k]->function_id = f[k].func + 1;
		lines[k]->line = f[k].line;
	}
	l->n_line = n;
	l->line = lines;
	/* JIT code has no mapping (no file holds it), nor has a Python frame: the address
	 * stands alone. */
	if (f && i >= SYM_LOC_FIXED && s->locs[i].modfile != PROF_NONE) {
		l->mapping_id = c->map_id[s->locs[i].modfile];
		l->address = s->locs[i].shown;
	}
}

/* Locations 1..nlocs are symbols.c's, nlocs + 1 is "[truncated]". */
static void add_locations(struct pp *c)
{
	const struct symbols *s = c->s;
	size_t n = s->nlocs + 1, used = 0;

	c->locs = xcalloc(n, sizeof(*c->locs));
	c->loc_ptrs = xcalloc(n, sizeof(*c->loc_ptrs));
	c->lines = xcalloc(s->nchain + 1, sizeof(*c->lines));
	c->line_ptrs = xcalloc(s->nchain + 1, sizeof(*c->line_ptrs));
	for (size_t i = 0; i <= s->nchain; i++)
		c->line_ptrs[i] = &c->lines[i];
	for (size_t i = 0; i < n; i++) {
		fill_location(c, i, c->line_ptrs + used);
		used += c->locs[i].n_line;
		c->loc_ptrs[i] = &c->locs[i];
	}
	c->trunc_loc = n;
	c->prof.n_location = n;
	c->prof.location = c->loc_ptrs;
}

static void label_num(struct pp *c, PbSample *sm, const char *key, int64_t v)
{
	PbLabel *l = sm->label[sm->n_label++];

	perftools__profiles__label__init(l);
	l->key = pp_str(c, key);
	l->num = v;
}

static void label_str(struct pp *c, PbSample *sm, const char *key, const char *v)
{
	PbLabel *l = sm->label[sm->n_label++];

	perftools__profiles__label__init(l);
	l->key = pp_str(c, key);
	l->str = pp_str(c, v);
}

static void fill_sample(struct pp *c, size_t i, const struct prof_agg *a, uint64_t *ids,
			int64_t *vals)
{
	const struct profile *p = c->p;
	const struct prof_thread *t = &p->threads[a->thread];
	const struct prof_process *pr = &p->procs[t->proc];
	const struct prof_stack *sk = &p->stacks[a->stack];
	PbSample *sm = &c->samples[i];
	uint32_t leaf = sym_agg_leaf(c->s, a);
	char rank[16];
	size_t n = 0;

	perftools__profiles__sample__init(sm);
	if (leaf != PROF_NONE)
		ids[n++] = leaf + 1;
	for (uint32_t j = sk->nlocs; j-- > 0;)
		ids[n++] = p->stack_locs[sk->locs + j] + 1;
	if (sk->flags & XPF_SF_TRUNCATED)
		ids[n++] = c->trunc_loc;
	sm->n_location_id = n;
	sm->location_id = ids;
	for (size_t k = 0; k < c->nkind; k++) {
		uint64_t cnt, ns;

		c->kind[k]->values(a, &cnt, &ns);
		vals[2 * k] = (int64_t)cnt;
		vals[2 * k + 1] = (int64_t)ns;
	}
	sm->n_value = 2 * c->nkind;
	sm->value = vals;
	sm->label = c->label_ptrs + i * MAX_LABELS;
	label_num(c, sm, "pid", pr->pid);
	label_num(c, sm, "tid", t->tid);
	label_str(c, sm, "command", prof_str(p, pr->comm));
	label_str(c, sm, "thread", prof_str(p, t->name));
	/* A string: Go's reader drops numeric labels of value 0, and rank 0 is the usual one. */
	if (pr->rank >= 0) {
		snprintf(rank, sizeof(rank), "%" PRId32, pr->rank);
		label_str(c, sm, "rank", rank);
	}
}

static void add_samples(struct pp *c)
{
	const struct profile *p = c->p;
	size_t n = 0, nids = 0;

	for (size_t i = 0; i < p->naggs; i++) {
		if (!written(&p->aggs[i]))
			continue;
		n++;
		nids += p->stacks[p->aggs[i].stack].nlocs + 2u;	/* + leaf, [truncated] */
	}
	c->samples = xcalloc(n + 1, sizeof(*c->samples));
	c->sample_ptrs = xcalloc(n + 1, sizeof(*c->sample_ptrs));
	c->loc_ids = xcalloc(nids + 1, sizeof(*c->loc_ids));
	c->values = xcalloc(n * 2 * NKINDS + 1, sizeof(*c->values));
	c->labels = xcalloc(n * MAX_LABELS + 1, sizeof(*c->labels));
	c->label_ptrs = xcalloc(n * MAX_LABELS + 1, sizeof(*c->label_ptrs));
	for (size_t i = 0; i < n * MAX_LABELS; i++)
		c->label_ptrs[i] = &c->labels[i];
	nids = 0;
	for (size_t i = 0, k = 0; i < p->naggs; i++) {
		if (!written(&p->aggs[i]))
			continue;
		fill_sample(c, k, &p->aggs[i], c->loc_ids + nids, c->values + k * 2 * NKINDS);
		nids += c->samples[k].n_location_id;
		c->sample_ptrs[k] = &c->samples[k];
		k++;
	}
	c->prof.n_sample = n;
	c->prof.sample = c->sample_ptrs;
}

/* Start, duration, sampling period and a comment naming the run. */
static void add_info(struct pp *c)
{
	const struct profile *p = c->p;
	uint64_t end = 0, hz = 0;
	char buf[128];

	for (size_t i = 0; i < p->nprocs; i++) {
		const struct prof_process *pr = &p->procs[i];
		uint64_t last = pr->end_mono > pr->last_mono ? pr->end_mono : pr->last_mono;
		uint64_t e = pr->start_real + (last - pr->start_mono);

		if (pr->hidden)
			continue;
		end = e > end ? e : end;
		hz = hz ? hz : pr->hz;
		if (!c->comment) {
			snprintf(buf, sizeof(buf), "xprof run %s", prof_str(p, pr->run_id));
			c->comment = pp_str(c, buf);
		}
	}
	if (p->run_start_real != PROF_NO_TIME) {
		c->prof.time_nanos = (int64_t)p->run_start_real;
		c->prof.duration_nanos = end > p->run_start_real ?
					 (int64_t)(end - p->run_start_real) : 0;
	}
	perftools__profiles__value_type__init(&c->period_type);
	c->period_type.type = pp_str(c, "cpu");
	c->period_type.unit = pp_str(c, "nanoseconds");
	c->prof.period_type = &c->period_type;
	c->prof.period = hz ? (int64_t)(1000000000 / hz) : 0;
	c->prof.n_comment = c->comment ? 1 : 0;
	c->prof.comment = &c->comment;
}

static void pp_fini(struct pp *c)
{
	free(c->maps);
	free(c->map_ptrs);
	free(c->map_id);
	free(c->funcs);
	free(c->func_ptrs);
	free(c->locs);
	free(c->loc_ptrs);
	free(c->lines);
	free(c->line_ptrs);
	free(c->samples);
	free(c->sample_ptrs);
	free(c->loc_ids);
	free(c->values);
	free(c->labels);
	free(c->label_ptrs);
	strtab_fini(&c->strs);
}

/* gzip of buf[0..len) to out: a gzip header (windowBits 16 + 15), as pprof wants on disk. */
static int gzip_write(FILE *out, const uint8_t *buf, size_t len)
{
	uint8_t chunk[1 << 16];
	z_stream z = { 0 };
	int zr, err = 0;

	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	z.next_in = (uint8_t *)buf;
	do {
		/* avail_in is 32 bits: feed at most 1 GiB at a time. */
		size_t feed = len < (1u << 30) ? len : (1u << 30);

		z.avail_in = (uInt)feed;
		len -= feed;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof(chunk);
			zr = deflate(&z, len ? Z_NO_FLUSH : Z_FINISH);
			if (fwrite(chunk, 1, sizeof(chunk) - z.avail_out, out) !=
			    sizeof(chunk) - z.avail_out)
				err = -EIO;
		} while (!err && z.avail_out == 0);
	} while (!err && len);
	if (!err && zr != Z_STREAM_END)
		err = -EIO;
	deflateEnd(&z);
	return err;
}

int pprof_write(FILE *out, const struct profile *p, const struct symbols *s)
{
	struct pp c = { .p = p, .s = s };
	uint8_t *buf;
	size_t len;
	int err;

	perftools__profiles__profile__init(&c.prof);
	strtab_init(&c.strs);
	add_types(&c);
	add_mappings(&c);
	add_functions(&c);
	add_locations(&c);
	add_samples(&c);
	add_info(&c);
	/* The string table goes in last: every message above has added its strings. */
	c.prof.n_string_table = c.strs.n;
	c.prof.string_table = c.strs.str;
	len = perftools__profiles__profile__get_packed_size(&c.prof);
	buf = xmalloc(len + 1);
	perftools__profiles__profile__pack(&c.prof, buf);
	err = gzip_write(out, buf, len);
	free(buf);
	pp_fini(&c);
	if (!err && (fflush(out) != 0 || ferror(out)))
		err = -EIO;
	return err;
}
