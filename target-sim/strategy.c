// SPDX-License-Identifier: MIT
/*
 * strategy.c - a trend-following strategy with a mean-reversion filter: enter long when the
 * fast average is above the slow one, RSI is not overbought and price is inside the upper
 * Bollinger band; exit on a trend reversal or an RSI blow-off. Stops are handled by the
 * order simulator (backtest.c), which knows fills.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"

#define RSI_PERIOD	14
#define BB_PERIOD	20
#define BB_K		2.0
#define ATR_PERIOD	14

int indset_init(struct indset *s, int n)
{
	double *m = malloc(sizeof(double) * n * 6);

	if (!m)
		return -ENOMEM;
	s->fast = m;
	s->slow = m + n;
	s->rsi = m + 2 * n;
	s->bb_up = m + 3 * n;
	s->bb_lo = m + 4 * n;
	s->atr = m + 5 * n;
	return 0;
}

void indset_fini(struct indset *s)
{
	free(s->fast);
	s->fast = NULL;
}

void strat_indicators(const double *h, const double *l, const double *c, int n,
		      const struct params *p, struct indset *s)
{
	ind_ema(c, n, p->fast, s->fast);
	ind_sma(c, n, p->slow, s->slow);
	ind_rsi(c, n, RSI_PERIOD, s->rsi);
	ind_bollinger(c, n, BB_PERIOD, BB_K, s->bb_up, s->bb_lo);
	ind_atr(h, l, c, n, ATR_PERIOD, s->atr);
}

/* Target position at bar t: 1 long, 0 flat. Needs the slow window to be warm. */
int strat_signal(const struct indset *s, int t, double price, int holding,
		 const struct params *p)
{
	int trend = s->fast[t] > s->slow[t];

	if (t < p->slow)
		return 0;
	if (holding)
		return trend && s->rsi[t] < 100.0 - p->rsi_lo / 2.0;
	return trend && s->rsi[t] < 100.0 - p->rsi_lo && price < s->bb_up[t] &&
	       price > s->bb_lo[t];
}

void params_fmt(const struct params *p, char *buf, size_t len)
{
	snprintf(buf, len, "fast=%d slow=%d rsi_lo=%.1f stop=%.3f", p->fast, p->slow, p->rsi_lo,
		 p->stop);
}
