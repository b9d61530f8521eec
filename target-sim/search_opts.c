// SPDX-License-Identifier: MIT
/*
 * search_opts.c - options of the two optimisers, grid-search and bohb, which search the same
 * space over the same bundle and so share their data options.
 */
#include <getopt.h>
#include <stdio.h>

#include "sim.h"

static void search_usage(FILE *f, const char *cmd, int bohb)
{
	fprintf(f, "usage: backtest-sim %s [--assets A] [--bars B]%s [--seed S] [--timing]\n"
		   "  --assets A      assets in the bundle (default 20)\n"
		   "  --bars B        business days of history, the full budget (default 1000)\n",
		cmd, bohb ? " [--iterations I] [--eta E]" : "");
	if (bohb)
		fprintf(f, "  --iterations I  Hyperband iterations (default 8)\n"
			   "  --eta E         halving rate; budgets B/E^2, B/E, B (default 3)\n");
	fprintf(f, "  --seed S        random seed (default 1)\n"
		   "  --timing        print the wall time to stderr\n");
}

/* Returns 0 to run, 1 after --help, <0 on a usage error (already reported). */
int search_parse(const char *cmd, int bohb, int argc, char **argv, struct search_opts *o)
{
	static const struct option lo[] = {
		{ "assets", required_argument, NULL, 'a' },
		{ "bars", required_argument, NULL, 'T' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "eta", required_argument, NULL, 'e' },
		{ "seed", required_argument, NULL, 's' },
		{ "timing", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, err = 0;

	*o = (struct search_opts){ .c.seed = 1, .assets = 20, .bars = 1000, .iterations = 8,
				   .eta = 3 };
	optind = 1;
	while (!err && (c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'a': err = opt_int(cmd, "assets", optarg, 1, 100000, &o->assets); break;
		case 'T': err = opt_int(cmd, "bars", optarg, 100, 100000, &o->bars); break;
		case 'i': err = bohb ? opt_int(cmd, "iterations", optarg, 1, 1000, &o->iterations) : -1; break;
		case 'e': err = bohb ? opt_int(cmd, "eta", optarg, 2, 10, &o->eta) : -1; break;
		case 's': err = opt_u64(cmd, "seed", optarg, &o->c.seed); break;
		case 't': o->c.timing = 1; break;
		case 'h': search_usage(stdout, cmd, bohb); return 1;
		default: err = -1;
		}
	}
	if (!err && optind < argc) {
		fprintf(stderr, "backtest-sim %s: unexpected argument '%s'\n", cmd, argv[optind]);
		err = -1;
	}
	if (err)
		search_usage(stderr, cmd, bohb);
	return err;
}

/* Writes and loads the bundle both optimisers search over; dir is removed by the caller. */
int search_bundle(const struct search_opts *o, const char *dir, struct bundle *b)
{
	int err = data_write_bundle(dir, o->assets, o->bars, o->c.seed);

	return err ? err : data_load_bundle(dir, o->assets, o->bars, b);
}
