// SPDX-License-Identifier: MIT
/*
 * cmd_batch.c - `backtest-sim batch-init`: write and load a bundle of N assets, then for each
 * of B backtests initialise (align every series, compute indicators: region "init") and run
 * it (region "backtest"). The region means give the per-backtest init time exactly.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xprof.h>

#include "sim.h"

struct batch_opts {
	struct common_opts c;
	int assets, backtests, bars;
};

static void batch_usage(FILE *f)
{
	fprintf(f, "usage: backtest-sim batch-init [--assets N] [--backtests B] [--bars T]\n"
		   "                              [--seed S] [--timing]\n"
		   "  --assets N     assets in the bundle (default 100)\n"
		   "  --backtests B  backtests over the whole bundle (default 100)\n"
		   "  --bars T       business days of history per asset (default 250)\n"
		   "  --seed S       random seed (default 1)\n"
		   "  --timing       print the wall time to stderr\n");
}

static int batch_parse(int argc, char **argv, struct batch_opts *o)
{
	static const struct option lo[] = {
		{ "assets", required_argument, NULL, 'a' },
		{ "backtests", required_argument, NULL, 'b' },
		{ "bars", required_argument, NULL, 'T' },
		{ "seed", required_argument, NULL, 's' },
		{ "timing", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, err = 0;

	*o = (struct batch_opts){ .c.seed = 1, .assets = 100, .backtests = 100, .bars = 250 };
	while (!err && (c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'a': err = opt_int("batch-init", "assets", optarg, 1, 100000, &o->assets); break;
		case 'b': err = opt_int("batch-init", "backtests", optarg, 1, 1000000, &o->backtests); break;
		case 'T': err = opt_int("batch-init", "bars", optarg, 50, 100000, &o->bars); break;
		case 's': err = opt_u64("batch-init", "seed", optarg, &o->c.seed); break;
		case 't': o->c.timing = 1; break;
		case 'h': batch_usage(stdout); return 1;
		default: err = -1;
		}
	}
	if (!err && optind < argc) {
		fprintf(stderr, "backtest-sim batch-init: unexpected argument '%s'\n", argv[optind]);
		err = -1;
	}
	if (err)
		batch_usage(stderr);
	return err;
}

static int batch_one(const struct bundle *b, int i, const struct batch_opts *o,
		     struct metrics *m)
{
	struct params p;
	struct bt_ctx ctx;
	int err;

	space_grid_point((i * 37) % space_grid_size(), &p);
	XPROF_REGION_BEGIN("init");
	err = bt_init(&ctx, b, 0, b->nassets, 0, &p);
	XPROF_REGION_END("init");
	if (err)
		return err;
	XPROF_REGION_BEGIN("backtest");
	bt_run(&ctx, &p, o->c.seed ^ (uint64_t)i, m);
	XPROF_REGION_END("backtest");
	bt_fini(&ctx);
	return 0;
}

static int batch_run(const struct batch_opts *o, const char *dir)
{
	struct bundle b;
	struct csum cs;
	double best = -1e300;
	int err, besti = 0;

	XPROF_REGION_BEGIN("load");
	err = data_write_bundle(dir, o->assets, o->bars, o->c.seed);
	if (!err)
		err = data_load_bundle(dir, o->assets, o->bars, &b);
	XPROF_REGION_END("load");
	if (err)
		return err;
	csum_init(&cs);
	for (int i = 0; i < o->backtests && !err; i++) {
		struct metrics m;

		err = batch_one(&b, i, o, &m);
		csum_metrics(&cs, &m);
		if (!err && bt_objective(&m) > best) {
			best = bt_objective(&m);
			besti = i;
		}
	}
	bundle_fini(&b);
	if (err)
		return err;
	printf("assets: %d\nbacktests: %d\nbest: backtest %d objective %.6f\n", o->assets,
	       o->backtests, besti, best);
	csum_print(&cs);
	return 0;
}

int cmd_batch_init(int argc, char **argv)
{
	struct batch_opts o;
	double t0 = now_sec();
	char dir[4096];
	int err = batch_parse(argc, argv, &o);

	if (err)
		return err > 0 ? 0 : SIM_EXIT_USAGE;
	err = data_tmpdir(dir, sizeof(dir));
	if (!err) {
		err = batch_run(&o, dir);
		data_rmdir(dir, o.assets);
	}
	if (err) {
		fprintf(stderr, "backtest-sim batch-init: %s\n", strerror(-err));
		return SIM_EXIT_FAIL;
	}
	opt_timing_report(&o.c, "batch-init", t0);
	return 0;
}
