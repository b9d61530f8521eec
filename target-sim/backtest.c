// SPDX-License-Identifier: MIT
/*
 * backtest.c - one backtest: per-backtest initialisation (align the bundle's series on the
 * calendar, forward-fill gaps, compute indicators), then a bar-by-bar order simulation with
 * next-open fills, slippage, fees and stop-losses, portfolio accounting (cash, positions,
 * equity curve) and metrics (return, Sharpe, drawdown, bootstrapped Sharpe, turnover).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define START_CASH	1e6
#define SLIP_BPS	5.0
#define FEE_BPS		1.0
#define FEE_MIN		1.0
#define BOOT_N		500
#define BOOT_BLOCK	10

struct book {
	double cash;
	double *qty, *entry;
	signed char *want;	/* order decided at the close, filled at the next open */
	double traded;
	int trades;
};

/* Copies one series onto calendar bars [start, start+n), forward-filling halts. */
static void align_series(const struct series *s, const int32_t *cal, int start, int n,
			 double *o, double *h, double *l, double *c, unsigned char *live)
{
	int row = 0;
	double last = s->nbars ? s->open[0] : 0.0;

	while (row < s->nbars && s->date[row] < cal[start])
		last = s->close[row++];
	for (int t = 0; t < n; t++) {
		if (row < s->nbars && s->date[row] == cal[start + t]) {
			o[t] = s->open[row];
			h[t] = s->high[row];
			l[t] = s->low[row];
			c[t] = last = s->close[row];
			live[t] = 1;
			row++;
		} else {
			o[t] = h[t] = l[t] = c[t] = last;
			live[t] = 0;
		}
	}
}

int bt_init(struct bt_ctx *c, const struct bundle *b, int asset0, int nassets, int start,
	    const struct params *p)
{
	int n = b->nbars - start;
	size_t cells = (size_t)nassets * n;

	memset(c, 0, sizeof(*c));
	c->nassets = nassets;
	c->nbars = n;
	c->open = malloc(sizeof(double) * cells * 4);
	c->live = malloc(cells);
	c->ind = calloc(nassets, sizeof(*c->ind));
	c->equity = malloc(sizeof(double) * n);
	if (!c->open || !c->live || !c->ind || !c->equity)
		goto nomem;
	c->high = c->open + cells;
	c->low = c->high + cells;
	c->close = c->low + cells;
	for (int a = 0; a < nassets; a++) {
		size_t off = (size_t)a * n;
		const struct series *s = &b->s[(asset0 + a) % b->nassets];

		align_series(s, b->calendar, start, n, c->open + off, c->high + off,
			     c->low + off, c->close + off, c->live + off);
		if (indset_init(&c->ind[a], n))
			goto nomem;
		strat_indicators(c->high + off, c->low + off, c->close + off, n, p, &c->ind[a]);
	}
	return 0;
nomem:
	bt_fini(c);
	return -ENOMEM;
}

void bt_fini(struct bt_ctx *c)
{
	for (int a = 0; c->ind && a < c->nassets; a++)
		indset_fini(&c->ind[a]);
	free(c->ind);
	free(c->open);
	free(c->live);
	free(c->equity);
	memset(c, 0, sizeof(*c));
}

static void fill(struct book *bk, int a, double qty, double px)
{
	double notional = fabs(qty) * px, fee = fmax(FEE_MIN, notional * FEE_BPS * 1e-4);

	bk->cash -= qty * px + fee;
	bk->qty[a] += qty;
	bk->traded += notional;
	bk->trades++;
	if (qty > 0)
		bk->entry[a] = px;
}

/* Orders decided yesterday fill at today's open, worse by slippage that grows with ATR. */
static void execute_orders(struct bt_ctx *c, struct book *bk, int t, double equity)
{
	for (int a = 0; a < c->nassets; a++) {
		size_t i = (size_t)a * c->nbars + t;
		double px = c->open[i], atr = c->ind[a].atr[t], slip;

		if (!bk->want[a] || !c->live[i] || px <= 0)
			continue;
		slip = px * (SLIP_BPS * 1e-4 + 0.05 * atr / px);
		if (bk->want[a] > 0 && bk->qty[a] == 0) {
			double budget = equity / c->nassets;
			double qty = floor(budget / (px + slip));

			if (qty > 0 && qty * (px + slip) < bk->cash)
				fill(bk, a, qty, px + slip);
		} else if (bk->want[a] < 0 && bk->qty[a] > 0) {
			fill(bk, a, -bk->qty[a], px - slip);
		}
		bk->want[a] = 0;
	}
}

static void check_stops(struct bt_ctx *c, struct book *bk, int t, const struct params *p)
{
	for (int a = 0; a < c->nassets; a++) {
		size_t i = (size_t)a * c->nbars + t;
		double stop = bk->entry[a] * (1.0 - p->stop);

		if (bk->qty[a] > 0 && c->live[i] && c->low[i] < stop)
			fill(bk, a, -bk->qty[a], fmin(c->open[i], stop));
	}
}

static double mark_to_market(struct bt_ctx *c, struct book *bk, int t, const struct params *p)
{
	double eq = bk->cash;

	for (int a = 0; a < c->nassets; a++) {
		size_t i = (size_t)a * c->nbars + t;
		int hold = bk->qty[a] > 0;
		int sig = strat_signal(&c->ind[a], t, c->close[i], hold, p);

		eq += bk->qty[a] * c->close[i];
		if (c->live[i] && sig != hold)
			bk->want[a] = sig ? 1 : -1;
	}
	return eq;
}

static double sharpe_of(const double *r, int n)
{
	double m = 0.0, v = 0.0;

	for (int i = 0; i < n; i++)
		m += r[i];
	m /= n > 0 ? n : 1;
	for (int i = 0; i < n; i++)
		v += (r[i] - m) * (r[i] - m);
	v /= n > 1 ? n - 1 : 1;
	return v > 0 ? m / sqrt(v) * sqrt(252.0) : 0.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Moving-block bootstrap of daily returns: a lower confidence bound on the Sharpe ratio. */
static double bootstrap_sharpe(const double *r, int n, uint64_t seed)
{
	double boot[BOOT_N], *tmp = malloc(sizeof(double) * (n > 0 ? n : 1));
	struct rng g;

	if (!tmp || n < 2 * BOOT_BLOCK) {
		free(tmp);
		return 0.0;
	}
	rng_seed(&g, seed, 77);
	for (int k = 0; k < BOOT_N; k++) {
		for (int i = 0; i < n; i += BOOT_BLOCK) {
			int s = rng_below(&g, n - BOOT_BLOCK);

			for (int j = 0; j < BOOT_BLOCK && i + j < n; j++)
				tmp[i + j] = r[s + j];
		}
		boot[k] = sharpe_of(tmp, n);
	}
	free(tmp);
	qsort(boot, BOOT_N, sizeof(boot[0]), cmp_double);
	return boot[BOOT_N / 20];
}

static void compute_metrics(const double *eq, int n, double traded, int trades,
			    uint64_t seed, struct metrics *m)
{
	double *r = malloc(sizeof(double) * (n > 1 ? n : 1)), peak = eq[0], dd = 0.0;

	for (int t = 1; t < n; t++) {
		if (r)
			r[t - 1] = eq[t] / eq[t - 1] - 1.0;
		peak = fmax(peak, eq[t]);
		dd = fmax(dd, 1.0 - eq[t] / peak);
	}
	m->total_return = eq[n - 1] / eq[0] - 1.0;
	m->max_drawdown = dd;
	m->sharpe = r ? sharpe_of(r, n - 1) : 0.0;
	m->sharpe_lo = r ? bootstrap_sharpe(r, n - 1, seed) : 0.0;
	m->turnover = traded / START_CASH;
	m->trades = trades;
	free(r);
}

void bt_run(struct bt_ctx *c, const struct params *p, uint64_t seed, struct metrics *m)
{
	struct book bk = { .cash = START_CASH };
	double eq = START_CASH;

	bk.qty = calloc(c->nassets * 2, sizeof(double));
	bk.want = calloc(c->nassets, 1);
	if (!bk.qty || !bk.want) {
		memset(m, 0, sizeof(*m));
		goto out;
	}
	bk.entry = bk.qty + c->nassets;
	for (int t = 0; t < c->nbars; t++) {
		execute_orders(c, &bk, t, eq);
		check_stops(c, &bk, t, p);
		eq = mark_to_market(c, &bk, t, p);
		c->equity[t] = eq;
	}
	compute_metrics(c->equity, c->nbars, bk.traded, bk.trades, seed, m);
out:
	free(bk.qty);
	free(bk.want);
}

/* Bars a backtest at budget `frac` covers: never less than two slow windows (warm-up). */
int bt_window(int nbars, double frac, const struct params *p)
{
	int n = (int)(frac * nbars + 0.5);

	if (n < 2 * p->slow)
		n = 2 * p->slow;
	return n < nbars ? n : nbars;
}

int bt_evaluate(const struct bundle *b, int asset0, int nassets, double frac,
		const struct params *p, uint64_t seed, struct metrics *m, double **equity)
{
	int n = bt_window(b->nbars, frac, p), err;
	struct bt_ctx c;

	err = bt_init(&c, b, asset0, nassets, b->nbars - n, p);
	if (err)
		return err;
	bt_run(&c, p, seed, m);
	if (equity) {
		*equity = c.equity;	/* ownership moves to the caller */
		c.equity = NULL;
	}
	bt_fini(&c);
	return 0;
}

/* What the optimisers maximise: Sharpe, penalised by drawdown. */
double bt_objective(const struct metrics *m)
{
	return m->sharpe - 2.0 * m->max_drawdown;
}

void csum_metrics(struct csum *c, const struct metrics *m)
{
	csum_double(c, m->total_return);
	csum_double(c, m->sharpe);
	csum_double(c, m->max_drawdown);
	csum_double(c, m->sharpe_lo);
	csum_double(c, m->turnover);
	csum_u64(c, (uint64_t)m->trades);
}
