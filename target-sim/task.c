// SPDX-License-Identifier: MIT
/*
 * task.c - the unit of work of the parallel scenarios: a slice of TASK_PARAMS parameter sets,
 * each backtested over a window of the bundle's assets. Tasks and results cross process
 * boundaries (pipes, MPI) as line-oriented text, the way a pool pickles them; doubles are
 * printed with %.17g so that decode(encode(x)) == x and checksums do not depend on transport.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xprof.h"
#include "sim.h"

#define TASK_ASSETS 20

void task_make(int id, int bundle_assets, struct task *t)
{
	int g = space_grid_size();

	t->id = id;
	t->nassets = bundle_assets < TASK_ASSETS ? bundle_assets : TASK_ASSETS;
	t->asset0 = (id * 3) % bundle_assets;
	for (int k = 0; k < TASK_PARAMS; k++)
		space_grid_point((id * TASK_PARAMS + k) * 7 % g, &t->p[k]);
}

int task_run(const struct bundle *b, const struct task *t, uint64_t seed, struct task_result *r)
{
	double best = -1e300;
	int err = 0;

	memset(r, 0, sizeof(*r));
	r->id = t->id;
	r->nbars = b->nbars;
	for (int k = 0; k < TASK_PARAMS && !err; k++) {
		double *eq = NULL;

		err = bt_evaluate(b, t->asset0, t->nassets, 1.0, &t->p[k],
				  seed ^ ((uint64_t)t->id << 8 | k), &r->m[k], &eq);
		if (!err && bt_objective(&r->m[k]) > best) {
			best = bt_objective(&r->m[k]);
			r->best = k;
			free(r->equity);
			r->equity = eq;
		} else {
			free(eq);
		}
	}
	if (err)
		result_fini(r);
	return err;
}

void result_fini(struct task_result *r)
{
	free(r->equity);
	r->equity = NULL;
}

static char *close_stream(FILE *f, char **buf, size_t *len)
{
	if (ferror(f)) {
		fclose(f);
		free(*buf);
		return NULL;
	}
	if (fclose(f)) {
		free(*buf);
		return NULL;
	}
	return *buf;
}

/* Returns a malloc'd message (caller frees) or NULL. */
char *task_encode(const struct task *t, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f, "T %d %d %d\n", t->id, t->asset0, t->nassets);
	for (int k = 0; k < TASK_PARAMS; k++)
		fprintf(f, "P %d %d %.17g %.17g\n", t->p[k].fast, t->p[k].slow, t->p[k].rsi_lo,
			t->p[k].stop);
	fputs("E\n", f);
	return close_stream(f, &buf, len);
}

int task_decode(const char *buf, size_t len, struct task *t)
{
	const char *p = buf;
	int n;

	if (sscanf(p, "T %d %d %d\n%n", &t->id, &t->asset0, &t->nassets, &n) != 3)
		return -EBADMSG;
	p += n;
	for (int k = 0; k < TASK_PARAMS; k++) {
		if (sscanf(p, "P %d %d %lf %lf\n%n", &t->p[k].fast, &t->p[k].slow,
			   &t->p[k].rsi_lo, &t->p[k].stop, &n) != 4)
			return -EBADMSG;
		p += n;
	}
	return (size_t)(p - buf) < len && *p == 'E' ? 0 : -EBADMSG;
}

char *result_encode(const struct task_result *r, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f, "R %d %d %d\n", r->id, r->best, r->nbars);
	for (int k = 0; k < TASK_PARAMS; k++) {
		const struct metrics *m = &r->m[k];

		fprintf(f, "M %.17g %.17g %.17g %.17g %.17g %d\n", m->total_return, m->sharpe,
			m->max_drawdown, m->sharpe_lo, m->turnover, m->trades);
	}
	fputc('Q', f);
	for (int t = 0; t < r->nbars; t++)
		fprintf(f, " %.17g", r->equity[t]);
	fputc('\n', f);
	return close_stream(f, &buf, len);
}

static int decode_metrics(const char **pp, struct metrics *m)
{
	int n;

	if (sscanf(*pp, "M %lf %lf %lf %lf %lf %d\n%n", &m->total_return, &m->sharpe,
		   &m->max_drawdown, &m->sharpe_lo, &m->turnover, &m->trades, &n) != 6)
		return -EBADMSG;
	*pp += n;
	return 0;
}

/* The equity curve is parsed with strtod: the bulk of a result message. */
static int decode_curve(const char *p, const char *end, struct task_result *r)
{
	char *e;

	if (*p++ != 'Q')
		return -EBADMSG;
	r->equity = malloc(sizeof(double) * (r->nbars > 0 ? r->nbars : 1));
	if (!r->equity)
		return -ENOMEM;
	for (int t = 0; t < r->nbars; t++) {
		if (p >= end)
			return -EBADMSG;
		r->equity[t] = strtod(p, &e);
		if (e == p)
			return -EBADMSG;
		p = e;
	}
	return 0;
}

int result_decode(const char *buf, size_t len, struct task_result *r)
{
	const char *p = buf;
	int n, err = 0;

	memset(r, 0, sizeof(*r));
	if (sscanf(p, "R %d %d %d\n%n", &r->id, &r->best, &r->nbars, &n) != 3 ||
	    r->best < 0 || r->best >= TASK_PARAMS || r->nbars <= 0)
		return -EBADMSG;
	p += n;
	for (int k = 0; k < TASK_PARAMS && !err; k++)
		err = decode_metrics(&p, &r->m[k]);
	if (!err)
		err = decode_curve(p, buf + len, r);
	if (err)
		result_fini(r);
	return err;
}

/* Prints the best task and folds every result, in task order, into the checksum. */
void results_summary(struct task_result *rs, int n, struct csum *c)
{
	int bi = 0;

	for (int i = 0; i < n; i++) {
		struct task_result *r = &rs[i];

		csum_u64(c, (uint64_t)r->id);
		for (int k = 0; k < TASK_PARAMS; k++)
			csum_metrics(c, &r->m[k]);
		for (int t = 0; t < r->nbars; t++)
			csum_double(c, r->equity[t]);
		if (bt_objective(&r->m[r->best]) > bt_objective(&rs[bi].m[rs[bi].best]))
			bi = i;
	}
	if (n)
		printf("tasks: %d\nbest: task %d set %d objective %.6f\n", n, bi, rs[bi].best,
		       bt_objective(&rs[bi].m[rs[bi].best]));
}

int task_serve(const struct bundle *b, uint64_t seed, const char *msg, size_t len, char **out,
	       size_t *out_len)
{
	struct task t;
	struct task_result r;
	int err = task_decode(msg, len, &t);

	if (err)
		return err;
	XPROF_REGION_BEGIN("task");
	err = task_run(b, &t, seed, &r);
	*out = err ? NULL : result_encode(&r, out_len);
	XPROF_REGION_END("task");
	if (err)
		return err;
	result_fini(&r);
	return *out ? 0 : -ENOMEM;
}

int result_store(const char *msg, size_t len, struct task_result *rs, int ntasks)
{
	struct task_result r;
	int err = result_decode(msg, len, &r);

	if (err)
		return err;
	if (r.id < 0 || r.id >= ntasks || rs[r.id].equity) {
		result_fini(&r);
		return -EBADMSG;
	}
	rs[r.id] = r;
	return 0;
}
