// SPDX-License-Identifier: MIT
/*
 * bohb.c - `backtest-sim bohb`: Hyperband over budgets that are fractions of the history
 * (B/eta^2, B/eta, B bars), with BOHB's model-based sampling: per budget, observations are
 * split into good (top 15%) and bad configurations, a Parzen (Gaussian KDE) density is fitted
 * to each, and new configurations are drawn around good points and ranked by l(x)/g(x). The
 * model of the largest budget with enough observations is used; a third of the
 * configurations stay random. The incumbent is the best configuration run at full budget.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xprof.h>

#include "sim.h"

#define S_MAX		2	/* three budgets: B/eta^2, B/eta, B */
#define MIN_POINTS	(SPACE_DIMS + 1)
#define TOP_FRAC	0.15
#define N_CAND		64
#define BW_FACTOR	3.0
#define MIN_BW		1e-3
#define RANDOM_FRAC	(1.0 / 3.0)

struct obs {
	double u[SPACE_DIMS];
	double loss;
};

struct level {
	struct obs *o;
	int n, cap;
};

struct bohb {
	const struct search_opts *opt;
	const struct bundle *b;
	struct rng r;
	struct level lv[S_MAX + 1];
	int evals;
	long long bars;
	double best_obj;
	double best_u[SPACE_DIMS];
	struct csum cs;
};

struct kde {
	const struct obs *pts;	/* sorted by loss */
	int n;
	double bw[SPACE_DIMS];
};

static double level_frac(const struct bohb *h, int l)
{
	return pow(h->opt->eta, l - S_MAX);
}

static int record(struct level *lv, const double *u, double loss)
{
	if (lv->n == lv->cap) {
		int cap = lv->cap ? 2 * lv->cap : 64;
		struct obs *o = realloc(lv->o, sizeof(*o) * cap);

		if (!o)
			return -ENOMEM;
		lv->o = o;
		lv->cap = cap;
	}
	memcpy(lv->o[lv->n].u, u, sizeof(double) * SPACE_DIMS);
	lv->o[lv->n++].loss = loss;
	return 0;
}

static int evaluate(struct bohb *h, const double *u, int l, double *loss)
{
	struct params p;
	struct metrics m;
	int err;

	space_decode(u, &p);
	XPROF_REGION_BEGIN("evaluate");
	err = bt_evaluate(h->b, 0, h->b->nassets, level_frac(h, l), &p,
			  h->opt->c.seed ^ (uint64_t)h->evals, &m, NULL);
	XPROF_REGION_END("evaluate");
	if (err)
		return err;
	h->evals++;
	h->bars += bt_window(h->b->nbars, level_frac(h, l), &p);
	csum_metrics(&h->cs, &m);
	*loss = -bt_objective(&m);
	if (l == S_MAX && -*loss > h->best_obj) {
		h->best_obj = -*loss;
		memcpy(h->best_u, u, sizeof(h->best_u));
	}
	return record(&h->lv[l], u, *loss);
}

static void kde_fit(struct kde *k, const struct obs *pts, int n)
{
	k->pts = pts;
	k->n = n;
	for (int d = 0; d < SPACE_DIMS; d++) {
		double m = 0.0, v = 0.0;

		for (int i = 0; i < n; i++)
			m += pts[i].u[d];
		m /= n;
		for (int i = 0; i < n; i++)
			v += (pts[i].u[d] - m) * (pts[i].u[d] - m);
		/* Scott's rule */
		k->bw[d] = fmax(MIN_BW, sqrt(v / n) * pow(n, -1.0 / (SPACE_DIMS + 4)));
	}
}

static double kde_logpdf(const struct kde *k, const double *u)
{
	double sum = 0.0;

	for (int i = 0; i < k->n; i++) {
		double e = 0.0;

		for (int d = 0; d < SPACE_DIMS; d++) {
			double z = (u[d] - k->pts[i].u[d]) / k->bw[d];

			e += -0.5 * z * z - log(k->bw[d]);
		}
		sum += exp(e);
	}
	return log(sum / k->n + 1e-300);
}

static int cmp_obs(const void *a, const void *b)
{
	double x = ((const struct obs *)a)->loss, y = ((const struct obs *)b)->loss;

	return (x > y) - (x < y);
}

static void sample_around(struct bohb *h, const struct kde *good, double *u)
{
	const struct obs *c = &good->pts[rng_below(&h->r, good->n)];

	for (int d = 0; d < SPACE_DIMS; d++) {
		double v;
		int tries = 0;

		do	/* truncated normal on [0, 1] */
			v = c->u[d] + BW_FACTOR * good->bw[d] * rng_normal(&h->r);
		while ((v < 0.0 || v > 1.0) && ++tries < 20);
		u[d] = fmin(1.0, fmax(0.0, v));
	}
}

/* Proposes from the model of the largest budget with enough points; 0 if none fits. */
static int model_propose(struct bohb *h, double *u)
{
	struct kde good, bad;
	double best = -1e300, cand[SPACE_DIMS];
	struct level *lv = NULL;
	int ng, nb;

	for (int l = S_MAX; l >= 0 && !lv; l--)
		if (h->lv[l].n >= 2 * MIN_POINTS + 2)
			lv = &h->lv[l];
	if (!lv)
		return 0;
	qsort(lv->o, lv->n, sizeof(*lv->o), cmp_obs);
	ng = (int)fmax(MIN_POINTS, TOP_FRAC * lv->n);
	nb = (int)fmax(MIN_POINTS, lv->n - ng);
	kde_fit(&good, lv->o, ng);
	kde_fit(&bad, lv->o + lv->n - nb, nb);
	for (int i = 0; i < N_CAND; i++) {
		double score;

		sample_around(h, &good, cand);
		score = kde_logpdf(&good, cand) - kde_logpdf(&bad, cand);
		if (score > best) {
			best = score;
			memcpy(u, cand, sizeof(cand));
		}
	}
	return 1;
}

static void propose(struct bohb *h, double *u)
{
	if (rng_uniform(&h->r) >= RANDOM_FRAC && model_propose(h, u))
		return;
	for (int d = 0; d < SPACE_DIMS; d++)
		u[d] = rng_uniform(&h->r);
}

/* One successive-halving bracket: n configs from rung S_MAX-s up to the full budget. */
static int bracket(struct bohb *h, int s)
{
	int n = (int)ceil((S_MAX + 1.0) / (s + 1) * pow(h->opt->eta, s)), err = 0;
	struct obs *cfg = calloc(n, sizeof(*cfg));

	if (!cfg)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		propose(h, cfg[i].u);
	for (int l = S_MAX - s; l <= S_MAX && !err; l++) {
		for (int i = 0; i < n && !err; i++)
			err = evaluate(h, cfg[i].u, l, &cfg[i].loss);
		qsort(cfg, n, sizeof(*cfg), cmp_obs);
		n = n / h->opt->eta > 0 ? n / h->opt->eta : 1;
	}
	free(cfg);
	return err;
}

static int bohb_run(struct bohb *h)
{
	int err = 0;

	for (int it = 0; it < h->opt->iterations && !err; it++)
		for (int s = S_MAX; s >= 0 && !err; s--)
			err = bracket(h, s);
	return err;
}

static void bohb_print(const struct bohb *h)
{
	struct params p;
	char ps[128];

	space_decode(h->best_u, &p);
	params_fmt(&p, ps, sizeof(ps));
	printf("evaluations: %d\nbudget: %.2f full-length evaluations (%lld bars)\n"
	       "best objective: %.6f\nbest params: %s\n", h->evals,
	       (double)h->bars / h->opt->bars, h->bars, h->best_obj, ps);
	csum_print(&h->cs);
}

int cmd_bohb(int argc, char **argv)
{
	struct search_opts o;
	struct bundle b;
	struct bohb h = { .opt = &o, .b = &b, .best_obj = -1e300 };
	double t0 = now_sec();
	char dir[4096];
	int err = search_parse("bohb", 1, argc, argv, &o);

	if (err)
		return err > 0 ? 0 : SIM_EXIT_USAGE;
	rng_seed(&h.r, o.c.seed, 4242);
	csum_init(&h.cs);
	err = data_tmpdir(dir, sizeof(dir));
	if (!err) {
		err = search_bundle(&o, dir, &b);
		data_rmdir(dir, o.assets);
	}
	if (!err) {
		err = bohb_run(&h);
		bundle_fini(&b);
	}
	for (int l = 0; l <= S_MAX; l++)
		free(h.lv[l].o);
	if (err) {
		fprintf(stderr, "backtest-sim bohb: %s\n", strerror(-err));
		return SIM_EXIT_FAIL;
	}
	bohb_print(&h);
	opt_timing_report(&o.c, "bohb", t0);
	return 0;
}
