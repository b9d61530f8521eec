// SPDX-License-Identifier: MIT
/*
 * main.c - backtest-sim entry point: dispatches the subcommand through one table. Each
 * subcommand parses its own options, prints its results and a `checksum:` line to stdout
 * and returns an exit status (0 ok, 1 failure, 64 usage).
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct cmd cmds[] = {
	{ "batch-init", cmd_batch_init, "load a bundle of N assets, init and run B backtests" },
	{ "parallel", cmd_parallel, "tasks over a pool of forked workers (or threads)" },
	{ "grid-search", cmd_grid_search, "exhaustive search over the parameter grid" },
	{ "bohb", cmd_bohb, "Hyperband with a TPE model (BOHB) over the same space" },
	{ "distributed", cmd_distributed, "the parallel tasks over MPI ranks (via mpirun)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: backtest-sim COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-12s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\n'backtest-sim COMMAND --help' describes the options of a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return SIM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "backtest-sim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return SIM_EXIT_USAGE;
}
