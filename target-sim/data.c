// SPDX-License-Identifier: MIT
/*
 * data.c - the bundle: synthetic daily OHLCV for N assets, written as one CSV file per asset
 * into a temporary directory and loaded back with a real parser (strtol/strtod), the way an
 * engine ingests vendor files. Prices follow a geometric random walk per asset (its own rng
 * stream); some assets list late and some days are missing (halts), so a backtest has to
 * align series on the common business-day calendar.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

#define CSV_HEADER "date,open,high,low,close,volume\n"

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* Business days from 2010-01-04 (a Monday), weekends skipped. */
static void calendar_fill(int32_t *cal, int n)
{
	int y = 2010, m = 1, d = 4, wd = 0;

	for (int i = 0; i < n;) {
		if (wd < 5)
			cal[i++] = y * 10000 + m * 100 + d;
		wd = (wd + 1) % 7;
		if (++d > days_in_month(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
}

int data_tmpdir(char *buf, size_t len)
{
	const char *base = getenv("TMPDIR");

	snprintf(buf, len, "%s/backtest-sim.XXXXXX", base && *base ? base : "/tmp");
	return mkdtemp(buf) ? 0 : -errno;
}

static void asset_path(char *buf, size_t len, const char *dir, int i)
{
	snprintf(buf, len, "%s/A%04d.csv", dir, i);
}

static void write_rows(FILE *f, const int32_t *cal, int nbars, struct rng *r)
{
	double mu = 0.0002 + 0.0004 * rng_normal(r), sigma = 0.01 + 0.015 * rng_uniform(r);
	double price = 20.0 + 180.0 * rng_uniform(r), vol0 = 1e5 + 1e6 * rng_uniform(r);
	int first = rng_uniform(r) < 0.15 ? rng_below(r, nbars / 4) : 0;

	for (int t = first; t < nbars; t++) {
		double open = price * exp(0.3 * sigma * rng_normal(r));
		double close = open * exp(mu + sigma * rng_normal(r));
		double hi = fmax(open, close) * (1.0 + 0.4 * sigma * fabs(rng_normal(r)));
		double lo = fmin(open, close) * (1.0 - 0.4 * sigma * fabs(rng_normal(r)));
		double volume = vol0 * exp(0.5 * rng_normal(r));

		price = close;
		if (rng_uniform(r) < 0.003)
			continue;	/* trading halt: no row that day */
		fprintf(f, "%04d-%02d-%02d,%.4f,%.4f,%.4f,%.4f,%.0f\n", cal[t] / 10000,
			cal[t] / 100 % 100, cal[t] % 100, open, hi, lo, close, volume);
	}
}

int data_write_bundle(const char *dir, int nassets, int nbars, uint64_t seed)
{
	int32_t *cal = malloc(sizeof(*cal) * nbars);
	char path[4096];
	int err = 0;

	if (!cal)
		return -ENOMEM;
	calendar_fill(cal, nbars);
	for (int i = 0; i < nassets && !err; i++) {
		struct rng r;
		FILE *f;

		asset_path(path, sizeof(path), dir, i);
		f = fopen(path, "w");
		if (!f) {
			err = -errno;
			break;
		}
		rng_seed(&r, seed, 1000 + i);
		fputs(CSV_HEADER, f);
		write_rows(f, cal, nbars, &r);
		if (ferror(f))
			err = -EIO;
		if (fclose(f) && !err)
			err = -errno;
	}
	free(cal);
	return err;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(n + 1);
		if (buf && fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else if (buf) {
			buf[n] = 0;
			*len = n;
		}
	}
	fclose(f);
	return buf;
}

static int series_alloc(struct series *s, int cap)
{
	s->date = malloc(sizeof(*s->date) * cap);
	s->open = malloc(sizeof(double) * cap * 5);
	if (!s->date || !s->open)
		return -ENOMEM;
	s->high = s->open + cap;
	s->low = s->high + cap;
	s->close = s->low + cap;
	s->volume = s->close + cap;
	return 0;
}

/* yyyy-mm-dd -> yyyymmdd; returns the end of the field or NULL. */
static char *parse_date(char *p, int32_t *out)
{
	char *e;
	long y = strtol(p, &e, 10), m, d;

	if (*e != '-')
		return NULL;
	m = strtol(e + 1, &e, 10);
	if (*e != '-')
		return NULL;
	d = strtol(e + 1, &e, 10);
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return NULL;
	*out = (int32_t)(y * 10000 + m * 100 + d);
	return e;
}

static int parse_row(char *p, char **end, struct series *s, int row)
{
	double *col[5] = { s->open, s->high, s->low, s->close, s->volume };

	p = parse_date(p, &s->date[row]);
	if (!p)
		return -EINVAL;
	for (int k = 0; k < 5; k++) {
		if (*p != ',')
			return -EINVAL;
		col[k][row] = strtod(p + 1, &p);
	}
	if (*p != '\n')
		return -EINVAL;
	*end = p + 1;
	return 0;
}

static int parse_csv(char *buf, size_t len, int cap, struct series *s)
{
	char *p = buf, *end = buf + len;
	int n = 0, err;

	if (strncmp(p, CSV_HEADER, strlen(CSV_HEADER)))
		return -EINVAL;
	p += strlen(CSV_HEADER);
	while (p < end && n < cap) {
		err = parse_row(p, &p, s, n);
		if (err)
			return err;
		n++;
	}
	s->nbars = n;
	return 0;
}

static int load_one(const char *dir, int i, int cap, struct series *s)
{
	char path[4096];
	size_t len = 0;
	char *buf;
	int err;

	asset_path(path, sizeof(path), dir, i);
	snprintf(s->sym, sizeof(s->sym), "A%04d", i);
	buf = slurp(path, &len);
	if (!buf)
		return errno ? -errno : -EIO;
	err = series_alloc(s, cap);
	if (!err)
		err = parse_csv(buf, len, cap, s);
	free(buf);
	if (err)
		fprintf(stderr, "backtest-sim: %s: %s\n", path, strerror(-err));
	return err;
}

/* Maps each series' first row to its calendar index (rows and calendar are both sorted). */
static void bundle_index(struct bundle *b)
{
	for (int i = 0; i < b->nassets; i++) {
		struct series *s = &b->s[i];
		int t = 0;

		while (s->nbars && t < b->nbars && b->calendar[t] < s->date[0])
			t++;
		s->first = t;
	}
}

int data_load_bundle(const char *dir, int nassets, int nbars, struct bundle *b)
{
	int err = 0;

	memset(b, 0, sizeof(*b));
	b->nassets = nassets;
	b->nbars = nbars;
	b->calendar = malloc(sizeof(*b->calendar) * nbars);
	b->s = calloc(nassets, sizeof(*b->s));
	if (!b->calendar || !b->s)
		err = -ENOMEM;
	else
		calendar_fill(b->calendar, nbars);
	for (int i = 0; i < nassets && !err; i++)
		err = load_one(dir, i, nbars, &b->s[i]);
	if (err) {
		bundle_fini(b);
		return err;
	}
	bundle_index(b);
	return 0;
}

void bundle_fini(struct bundle *b)
{
	for (int i = 0; b->s && i < b->nassets; i++) {
		free(b->s[i].date);
		free(b->s[i].open);
	}
	free(b->s);
	free(b->calendar);
	memset(b, 0, sizeof(*b));
}

void data_rmdir(const char *dir, int nassets)
{
	char path[4096];

	for (int i = 0; i < nassets; i++) {
		asset_path(path, sizeof(path), dir, i);
		unlink(path);
	}
	rmdir(dir);
}
