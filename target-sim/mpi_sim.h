/* SPDX-License-Identifier: MIT */
/*
 * mpi_sim.h - the MPI variant of the parallel scenario (backtest-sim-mpi): rank 0
 * coordinates, ranks 1..R-1 are workers. Shared by mpi_main.c and mpi_pool.c only.
 */
#ifndef MPI_SIM_H
#define MPI_SIM_H

#include "sim.h"

enum mpi_tag { TAG_TASK = 1, TAG_RESULT = 2, TAG_STOP = 3 };

int mpi_coordinate(const struct pool_cfg *cfg, int nranks, struct task_result *rs);
int mpi_serve(const struct pool_cfg *cfg);

#endif /* MPI_SIM_H */
