// SPDX-License-Identifier: MIT
/*
 * cmd_distributed.c - `backtest-sim distributed`: runs the parallel scenario's tasks over MPI
 * ranks by exec'ing `mpirun -np R backtest-sim-mpi distributed ...`, with backtest-sim-mpi
 * taken from the directory of this executable. Options are checked here first so that a
 * usage error never reaches mpirun. Environment variables a profiler or the user set
 * (LD_PRELOAD, XPROF_*) are forwarded to every rank with -x.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

static const char *const forward_env[] = {
	"LD_PRELOAD", "XPROF_OUT", "XPROF_RUN", "XPROF_HZ", "XPROF_QUIET", "TMPDIR",
};

#define NFWD (sizeof(forward_env) / sizeof(forward_env[0]))

static int mpi_binary(char *buf, size_t len)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return -errno;
	self[n] = 0;
	snprintf(buf, len, "%s/backtest-sim-mpi", dirname(self));
	return access(buf, X_OK) ? -errno : 0;
}

int cmd_distributed(int argc, char **argv)
{
	char mpi[4096], np[16];
	const char **av;
	struct par_opts o;
	int n = 0, err = par_parse("distributed", 1, argc, argv, &o);

	if (err)
		return err > 0 ? 0 : SIM_EXIT_USAGE;
	err = mpi_binary(mpi, sizeof(mpi));
	if (err) {
		fprintf(stderr, "backtest-sim distributed: %s: %s (built when mpicc is present)\n",
			mpi, strerror(-err));
		return SIM_EXIT_FAIL;
	}
	av = calloc(argc + 2 * NFWD + 10, sizeof(*av));
	if (!av)
		return SIM_EXIT_FAIL;
	snprintf(np, sizeof(np), "%d", o.workers);
	av[n++] = "mpirun";
	if (geteuid() == 0)
		av[n++] = "--allow-run-as-root";
	av[n++] = "--oversubscribe";
	av[n++] = "-np";
	av[n++] = np;
	for (size_t i = 0; i < NFWD; i++) {
		if (getenv(forward_env[i])) {
			av[n++] = "-x";
			av[n++] = forward_env[i];
		}
	}
	av[n++] = mpi;
	for (int i = 0; i < argc; i++)
		av[n++] = argv[i];
	fflush(NULL);
	execvp("mpirun", (char **)av);
	fprintf(stderr, "backtest-sim distributed: mpirun: %s\n", strerror(errno));
	free(av);
	return SIM_EXIT_FAIL;
}
