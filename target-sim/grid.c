// SPDX-License-Identifier: MIT
/*
 * grid.c - `backtest-sim grid-search`: every point of the parameter lattice (space.c) is
 * backtested at the full budget (all bars, all assets); prints the best objective, the
 * number of evaluations and the budget used, in the same terms as bohb.
 */
#include <stdio.h>
#include <string.h>

#include <xprof.h>

#include "sim.h"

struct best {
	double obj;
	struct params p;
};

static int grid_run(const struct search_opts *o, const struct bundle *b, struct csum *cs,
		    struct best *best)
{
	int n = space_grid_size(), err = 0;

	for (int i = 0; i < n && !err; i++) {
		struct params p;
		struct metrics m;

		space_grid_point(i, &p);
		XPROF_REGION_BEGIN("evaluate");
		err = bt_evaluate(b, 0, b->nassets, 1.0, &p, o->c.seed ^ (uint64_t)i, &m, NULL);
		XPROF_REGION_END("evaluate");
		if (err)
			break;
		csum_metrics(cs, &m);
		if (bt_objective(&m) > best->obj) {
			best->obj = bt_objective(&m);
			best->p = p;
		}
	}
	return err;
}

int cmd_grid_search(int argc, char **argv)
{
	struct search_opts o;
	struct best best = { .obj = -1e300 };
	struct bundle b;
	struct csum cs;
	double t0 = now_sec();
	char dir[4096], ps[128];
	int err = search_parse("grid-search", 0, argc, argv, &o);

	if (err)
		return err > 0 ? 0 : SIM_EXIT_USAGE;
	csum_init(&cs);
	err = data_tmpdir(dir, sizeof(dir));
	if (err)
		goto fail;
	err = search_bundle(&o, dir, &b);
	data_rmdir(dir, o.assets);
	if (err)
		goto fail;
	err = grid_run(&o, &b, &cs, &best);
	bundle_fini(&b);
	if (err)
		goto fail;
	params_fmt(&best.p, ps, sizeof(ps));
	printf("evaluations: %d\nbudget: %.2f full-length evaluations (%lld bars)\n"
	       "best objective: %.6f\nbest params: %s\n", space_grid_size(),
	       (double)space_grid_size(), (long long)space_grid_size() * o.bars, best.obj, ps);
	csum_print(&cs);
	opt_timing_report(&o.c, "grid-search", t0);
	return 0;
fail:
	fprintf(stderr, "backtest-sim grid-search: %s\n", strerror(-err));
	return SIM_EXIT_FAIL;
}
