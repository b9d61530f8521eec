// SPDX-License-Identifier: MIT
/*
 * indicators.c - technical indicators over one price series: SMA, EMA, RSI (Wilder),
 * Bollinger bands and ATR. Every function writes n outputs; values before the window is full
 * are computed over the bars available so far (a warm-up, not NaN), so signals stay finite.
 */
#include <math.h>

#include "sim.h"

void ind_sma(const double *x, int n, int w, double *out)
{
	double sum = 0.0;

	for (int t = 0; t < n; t++) {
		sum += x[t];
		if (t >= w)
			sum -= x[t - w];
		out[t] = sum / (t + 1 < w ? t + 1 : w);
	}
}

void ind_ema(const double *x, int n, int w, double *out)
{
	double a = 2.0 / (w + 1.0), e = n ? x[0] : 0.0;

	for (int t = 0; t < n; t++) {
		e += a * (x[t] - e);
		out[t] = e;
	}
}

void ind_rsi(const double *x, int n, int w, double *out)
{
	double up = 0.0, down = 0.0;

	if (n)
		out[0] = 50.0;
	for (int t = 1; t < n; t++) {
		double d = x[t] - x[t - 1];
		double g = d > 0 ? d : 0.0, l = d < 0 ? -d : 0.0;

		/* Wilder smoothing; the simple mean until the window fills. */
		if (t <= w) {
			up += (g - up) / t;
			down += (l - down) / t;
		} else {
			up = (up * (w - 1) + g) / w;
			down = (down * (w - 1) + l) / w;
		}
		out[t] = down == 0.0 ? 100.0 : 100.0 - 100.0 / (1.0 + up / down);
	}
}

/* Two-pass mean/deviation per window: slower than running sums but free of cancellation. */
static void window_stats(const double *x, int lo, int hi, double *mean, double *sd)
{
	double m = 0.0, v = 0.0;

	for (int i = lo; i <= hi; i++)
		m += x[i];
	m /= hi - lo + 1;
	for (int i = lo; i <= hi; i++)
		v += (x[i] - m) * (x[i] - m);
	*mean = m;
	*sd = sqrt(v / (hi - lo + 1));
}

void ind_bollinger(const double *x, int n, int w, double k, double *up, double *lo)
{
	for (int t = 0; t < n; t++) {
		double m, sd;

		window_stats(x, t >= w ? t - w + 1 : 0, t, &m, &sd);
		up[t] = m + k * sd;
		lo[t] = m - k * sd;
	}
}

void ind_atr(const double *h, const double *l, const double *c, int n, int w, double *out)
{
	double atr = n ? h[0] - l[0] : 0.0;

	for (int t = 0; t < n; t++) {
		double tr = h[t] - l[t];

		if (t > 0) {
			tr = fmax(tr, fabs(h[t] - c[t - 1]));
			tr = fmax(tr, fabs(l[t] - c[t - 1]));
		}
		atr += (tr - atr) / (t + 1 < w ? t + 1 : w);
		out[t] = atr;
	}
}
