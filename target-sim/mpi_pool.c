// SPDX-License-Identifier: MIT
/*
 * mpi_pool.c - task distribution over MPI ranks, the counterpart of pool.c: the coordinator
 * (rank 0) keeps one task in flight per worker rank and collects results from any rank;
 * each worker rank loads the bundle, then serves TAG_TASK messages until TAG_STOP. Messages
 * are the same text encoding as the fork pool's. Waiting is MPI_Iprobe plus a short sleep:
 * blocking receives busy-poll in Open MPI, which on an oversubscribed host would steal the
 * cores the workers need.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <mpi.h>
#include <xprof.h>

#include "mpi_sim.h"

/* Returns a malloc'd, NUL-terminated message from src (caller frees) and its status. */
static char *mpi_recv_msg(int src, MPI_Status *st, int *len)
{
	struct timespec nap = { 0, 200000 };
	int flag = 0;
	char *buf;

	for (;;) {
		MPI_Iprobe(src, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, st);
		if (flag)
			break;
		nanosleep(&nap, NULL);
	}
	MPI_Get_count(st, MPI_CHAR, len);
	buf = malloc(*len + 1);
	if (!buf)
		return NULL;
	MPI_Recv(buf, *len, MPI_CHAR, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD, st);
	buf[*len] = 0;
	return buf;
}

static int send_next(const struct pool_cfg *cfg, int rank, int *next)
{
	struct task t;
	size_t len;
	char *msg;

	if (*next >= cfg->ntasks)
		return MPI_Send("", 0, MPI_CHAR, rank, TAG_STOP, MPI_COMM_WORLD) ? -EIO : 0;
	task_make((*next)++, cfg->nassets, &t);
	msg = task_encode(&t, &len);
	if (!msg)
		return -ENOMEM;
	if (MPI_Send(msg, (int)len, MPI_CHAR, rank, TAG_TASK, MPI_COMM_WORLD)) {
		free(msg);
		return -EIO;
	}
	free(msg);
	return 0;
}

static int store(const char *msg, int len, struct task_result *rs, int ntasks)
{
	return result_store(msg, (size_t)len, rs, ntasks);
}

int mpi_coordinate(const struct pool_cfg *cfg, int nranks, struct task_result *rs)
{
	int next = 0, done = 0, err = 0;

	for (int r = 1; r < nranks && !err; r++)
		err = send_next(cfg, r, &next);
	while (!err && done < cfg->ntasks) {
		MPI_Status st;
		int len;
		char *msg = mpi_recv_msg(MPI_ANY_SOURCE, &st, &len);

		if (!msg)
			return -ENOMEM;
		err = st.MPI_TAG == TAG_RESULT ? store(msg, len, rs, cfg->ntasks) : -EBADMSG;
		free(msg);
		if (!err) {
			done++;
			err = send_next(cfg, st.MPI_SOURCE, &next);
		}
	}
	return err;
}

static int serve_task(const struct bundle *b, const struct pool_cfg *cfg, const char *msg,
		      int len)
{
	size_t out_len;
	char *out;
	int err = task_serve(b, cfg->seed, msg, (size_t)len, &out, &out_len);

	if (err)
		return err;
	err = MPI_Send(out, (int)out_len, MPI_CHAR, 0, TAG_RESULT, MPI_COMM_WORLD) ? -EIO : 0;
	free(out);
	return err;
}

int mpi_serve(const struct pool_cfg *cfg)
{
	struct bundle b;
	int err = data_load_bundle(cfg->dir, cfg->nassets, cfg->nbars, &b);

	while (!err) {
		MPI_Status st;
		int len;
		char *msg = mpi_recv_msg(0, &st, &len);

		if (!msg) {
			err = -ENOMEM;
			break;
		}
		if (st.MPI_TAG == TAG_STOP) {
			free(msg);
			break;
		}
		err = st.MPI_TAG == TAG_TASK ? serve_task(&b, cfg, msg, len) : -EBADMSG;
		free(msg);
	}
	if (b.s)
		bundle_fini(&b);
	return err;
}
