// SPDX-License-Identifier: MIT
/*
 * cmd_parallel.c - `backtest-sim parallel`: the coordinator writes the bundle once, runs T
 * tasks over a pool of W forked workers (pool.c) or W threads (tpool.c, --threads), and
 * prints the best task and a checksum over all results that does not depend on W, on the
 * pool kind or on scheduling. The option parser is shared with the MPI variant.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static void par_usage(FILE *f, const char *cmd, int mpi)
{
	fprintf(f, "usage: backtest-sim %s [--%s N] [--tasks T] [--assets A] [--bars B]%s\n"
		   "       [--seed S] [--timing]\n", cmd, mpi ? "ranks" : "workers",
		mpi ? "" : " [--threads]");
	if (mpi)
		fprintf(f, "  --ranks N    MPI ranks, rank 0 coordinates (default 4, at least 2)\n");
	else
		fprintf(f, "  --workers N  worker processes (or threads) (default 4)\n"
			   "  --threads    use a thread pool sharing one bundle instead of processes\n");
	fprintf(f, "  --tasks T    tasks, each %d parameter sets over 20 assets (default 100)\n"
		   "  --assets A   assets in the bundle every worker loads (default 100)\n"
		   "  --bars B     business days of history per asset (default 500)\n"
		   "  --seed S     random seed (default 1)\n"
		   "  --timing     print the wall time to stderr\n", TASK_PARAMS);
}

/* Returns 0 to run, 1 after --help, <0 on a usage error (already reported). */
int par_parse(const char *cmd, int mpi, int argc, char **argv, struct par_opts *o)
{
	static const struct option lo[] = {
		{ "workers", required_argument, NULL, 'w' },
		{ "ranks", required_argument, NULL, 'r' },
		{ "tasks", required_argument, NULL, 'n' },
		{ "assets", required_argument, NULL, 'a' },
		{ "bars", required_argument, NULL, 'T' },
		{ "threads", no_argument, NULL, 'p' },
		{ "seed", required_argument, NULL, 's' },
		{ "timing", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, err = 0;

	*o = (struct par_opts){ .c.seed = 1, .workers = 4, .tasks = 100, .assets = 100,
				.bars = 500 };
	optind = 1;
	while (!err && (c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'w': err = mpi ? -1 : opt_int(cmd, "workers", optarg, 1, 256, &o->workers); break;
		case 'r': err = mpi ? opt_int(cmd, "ranks", optarg, 2, 256, &o->workers) : -1; break;
		case 'n': err = opt_int(cmd, "tasks", optarg, 1, 1000000, &o->tasks); break;
		case 'a': err = opt_int(cmd, "assets", optarg, 1, 100000, &o->assets); break;
		case 'T': err = opt_int(cmd, "bars", optarg, 50, 100000, &o->bars); break;
		case 'p': err = mpi ? -1 : 0; o->threads = 1; break;
		case 's': err = opt_u64(cmd, "seed", optarg, &o->c.seed); break;
		case 't': o->c.timing = 1; break;
		case 'h': par_usage(stdout, cmd, mpi); return 1;
		default: err = -1;
		}
	}
	if (!err && optind < argc) {
		fprintf(stderr, "backtest-sim %s: unexpected argument '%s'\n", cmd, argv[optind]);
		err = -1;
	}
	if (err)
		par_usage(stderr, cmd, mpi);
	return err;
}

/* Prints the summary and checksum of rs[0..n) and frees the results. */
void par_report(struct task_result *rs, int n)
{
	struct csum cs;

	csum_init(&cs);
	results_summary(rs, n, &cs);
	csum_print(&cs);
	for (int i = 0; i < n; i++)
		result_fini(&rs[i]);
}

int cmd_parallel(int argc, char **argv)
{
	struct par_opts o;
	struct task_result *rs;
	struct pool_cfg cfg;
	double t0 = now_sec();
	char dir[4096];
	int err = par_parse("parallel", 0, argc, argv, &o);

	if (err)
		return err > 0 ? 0 : SIM_EXIT_USAGE;
	rs = calloc(o.tasks, sizeof(*rs));
	err = rs ? data_tmpdir(dir, sizeof(dir)) : -ENOMEM;
	if (err)
		goto out;
	err = data_write_bundle(dir, o.assets, o.bars, o.c.seed);
	cfg = (struct pool_cfg){ .workers = o.workers, .ntasks = o.tasks, .nassets = o.assets,
				 .nbars = o.bars, .seed = o.c.seed, .dir = dir };
	if (!err)
		err = o.threads ? tpool_run(&cfg, rs) : pool_run(&cfg, rs);
	data_rmdir(dir, o.assets);
	if (!err) {
		printf("workers: %d (%s)\n", o.workers, o.threads ? "threads" : "processes");
		par_report(rs, o.tasks);
	}
out:
	for (int i = 0; rs && err && i < o.tasks; i++)
		result_fini(&rs[i]);
	free(rs);
	if (err) {
		fprintf(stderr, "backtest-sim parallel: %s\n", strerror(-err));
		return SIM_EXIT_FAIL;
	}
	opt_timing_report(&o.c, "parallel", t0);
	return 0;
}
