// SPDX-License-Identifier: MIT
/*
 * rng.c - deterministic random streams (splitmix64), FNV-1a result checksums and the wall
 * clock. A stream is (seed, stream id): every asset, backtest and task draws from its own
 * stream so results never depend on the order work is scheduled in.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim.h"

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	r->s = seed * 0x9e3779b97f4a7c15ull ^ (stream + 0x632be59bd9b4e019ull) * 0xbf58476d1ce4e5b9ull;
	rng_next(r);
}

uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1) with 53 random bits. */
double rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Box-Muller; the second variate is dropped to keep the stream stateless. */
double rng_normal(struct rng *r)
{
	double u1 = rng_uniform(r), u2 = rng_uniform(r);

	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

int rng_below(struct rng *r, int n)
{
	return (int)(rng_uniform(r) * n);
}

void csum_init(struct csum *c)
{
	c->h = 0xcbf29ce484222325ull;
}

void csum_bytes(struct csum *c, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		c->h ^= *b++;
		c->h *= 0x100000001b3ull;
	}
}

void csum_u64(struct csum *c, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));	/* byte order fixed: same on any host */
	csum_bytes(c, b, sizeof(b));
}

void csum_double(struct csum *c, double v)
{
	uint64_t u;

	if (v == 0.0)
		v = 0.0;	/* -0.0 and 0.0 are the same result */
	memcpy(&u, &v, sizeof(u));
	csum_u64(c, u);
}

void csum_print(const struct csum *c)
{
	printf("checksum: %016llx\n", (unsigned long long)c->h);
}

double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}
