// SPDX-License-Identifier: MIT
/*
 * space.c - the strategy's parameter space, shared by grid search (a fixed lattice), BOHB
 * (points of the unit cube decoded into parameters) and the parallel tasks (slices of the
 * lattice), so that every optimiser searches the same space.
 */
#include <math.h>

#include "sim.h"

static const int grid_fast[] = { 5, 8, 12, 16, 20, 25 };
static const int grid_slow[] = { 40, 60, 90, 120, 160 };
static const double grid_rsi[] = { 10, 20, 30, 40 };
static const double grid_stop[] = { 0.02, 0.05, 0.08, 0.12 };

#define LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* u in [0,1]^4 -> fast [3,30], slow [35,200], rsi_lo [10,40], stop [0.01,0.15]. */
void space_decode(const double u[SPACE_DIMS], struct params *p)
{
	p->fast = 3 + (int)lround(u[0] * 27);
	p->slow = 35 + (int)lround(u[1] * 165);
	p->rsi_lo = 10.0 + 30.0 * u[2];
	p->stop = 0.01 + 0.14 * u[3];
}

int space_grid_size(void)
{
	return LEN(grid_fast) * LEN(grid_slow) * LEN(grid_rsi) * LEN(grid_stop);
}

void space_grid_point(int i, struct params *p)
{
	p->stop = grid_stop[i % LEN(grid_stop)];
	i /= LEN(grid_stop);
	p->rsi_lo = grid_rsi[i % LEN(grid_rsi)];
	i /= LEN(grid_rsi);
	p->slow = grid_slow[i % LEN(grid_slow)];
	i /= LEN(grid_slow);
	p->fast = grid_fast[i % LEN(grid_fast)];
}
