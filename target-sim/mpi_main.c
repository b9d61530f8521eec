// SPDX-License-Identifier: MIT
/*
 * mpi_main.c - entry point of backtest-sim-mpi, run as
 *	mpirun -np R backtest-sim-mpi distributed [OPTIONS]
 * Rank 0 writes the bundle, broadcasts its directory, coordinates the tasks of the parallel
 * scenario over ranks 1..R-1 (mpi_pool.c) and prints the same summary and checksum as
 * `backtest-sim parallel` with the same options. The number of ranks is the communicator's
 * size; --ranks is accepted (backtest-sim distributed passes it) and otherwise ignored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "mpi_sim.h"

static int run_rank0(const struct par_opts *o, int nranks, char *dir, size_t dirlen)
{
	struct task_result *rs = calloc(o->tasks, sizeof(*rs));
	struct pool_cfg cfg = { .workers = nranks - 1, .ntasks = o->tasks, .nassets = o->assets,
				.nbars = o->bars, .seed = o->c.seed, .dir = dir };
	int err = rs ? data_tmpdir(dir, dirlen) : -ENOMEM;

	if (!err)
		err = data_write_bundle(dir, o->assets, o->bars, o->c.seed);
	if (err)
		dir[0] = 0;	/* tells the workers to stop */
	MPI_Bcast(dir, (int)dirlen, MPI_CHAR, 0, MPI_COMM_WORLD);
	if (!err)
		err = mpi_coordinate(&cfg, nranks, rs);
	if (!err) {
		printf("ranks: %d (1 coordinator, %d workers)\n", nranks, nranks - 1);
		par_report(rs, o->tasks);
	}
	for (int i = 0; rs && err && i < o->tasks; i++)
		result_fini(&rs[i]);
	free(rs);
	return err;
}

static int run_worker(const struct par_opts *o, char *dir, size_t dirlen)
{
	struct pool_cfg cfg = { .ntasks = o->tasks, .nassets = o->assets, .nbars = o->bars,
				.seed = o->c.seed, .dir = dir };

	MPI_Bcast(dir, (int)dirlen, MPI_CHAR, 0, MPI_COMM_WORLD);
	return dir[0] ? mpi_serve(&cfg) : 0;
}

static int parse(int argc, char **argv, int rank, int nranks, struct par_opts *o)
{
	int err;

	if (argc < 2 || strcmp(argv[1], "distributed")) {
		if (rank == 0)
			fprintf(stderr, "usage: mpirun -np R backtest-sim-mpi distributed [OPTIONS]\n");
		return -1;
	}
	err = par_parse("distributed", 1, argc - 1, argv + 1, o);
	if (!err && nranks < 2) {
		if (rank == 0)
			fprintf(stderr, "backtest-sim-mpi: needs at least 2 ranks (got %d)\n", nranks);
		err = -1;
	}
	return err;
}

int main(int argc, char **argv)
{
	struct par_opts o;
	double t0 = now_sec();
	char dir[4096] = "";
	int rank, nranks, err;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &nranks);
	if (rank != 0)
		fclose(stdin);
	err = parse(argc, argv, rank, nranks, &o);
	if (err) {
		MPI_Finalize();
		return err > 0 ? 0 : SIM_EXIT_USAGE;
	}
	err = rank == 0 ? run_rank0(&o, nranks, dir, sizeof(dir))
			: run_worker(&o, dir, sizeof(dir));
	if (err) {
		fprintf(stderr, "backtest-sim-mpi: rank %d: %s\n", rank, strerror(-err));
		MPI_Abort(MPI_COMM_WORLD, SIM_EXIT_FAIL);
	}
	MPI_Barrier(MPI_COMM_WORLD);	/* workers are done with the bundle files */
	if (rank == 0 && dir[0])
		data_rmdir(dir, o.assets);
	if (rank == 0)
		opt_timing_report(&o.c, "distributed", t0);
	fflush(stdout);
	MPI_Finalize();
	return 0;
}
