// SPDX-License-Identifier: MIT
/*
 * tpool.c - the thread-pool variant of the parallel scenario: the bundle is loaded once and
 * shared read-only; W threads take task ids from a counter under a mutex and write their
 * results in place, so there is no per-worker load and no serialisation.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <xprof.h>

#include "sim.h"

struct tpool {
	const struct pool_cfg *cfg;
	const struct bundle *b;
	struct task_result *rs;
	pthread_mutex_t lock;	/* guards next and err */
	int next;
	int err;
};

static int take(struct tpool *tp)
{
	int id;

	pthread_mutex_lock(&tp->lock);
	id = tp->err || tp->next >= tp->cfg->ntasks ? -1 : tp->next++;
	pthread_mutex_unlock(&tp->lock);
	return id;
}

static void *tpool_worker(void *arg)
{
	struct tpool *tp = arg;
	int id;

	while ((id = take(tp)) >= 0) {
		struct task t;
		int err;

		task_make(id, tp->cfg->nassets, &t);
		XPROF_REGION_BEGIN("task");
		err = task_run(tp->b, &t, tp->cfg->seed, &tp->rs[id]);
		XPROF_REGION_END("task");
		if (err) {
			pthread_mutex_lock(&tp->lock);
			tp->err = err;
			pthread_mutex_unlock(&tp->lock);
		}
	}
	return NULL;
}

int tpool_run(const struct pool_cfg *cfg, struct task_result *rs)
{
	struct tpool tp = { .cfg = cfg, .rs = rs, .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t *th = calloc((unsigned)cfg->workers & 0xfff, sizeof(*th));
	struct bundle b;
	int n = 0, err;

	if (!th)
		return -ENOMEM;
	err = data_load_bundle(cfg->dir, cfg->nassets, cfg->nbars, &b);
	tp.b = &b;
	for (; !err && n < cfg->workers; n++) {
		char name[16];

		err = -pthread_create(&th[n], NULL, tpool_worker, &tp);
		if (err)
			break;
		snprintf(name, sizeof(name), "worker-%d", n & 0xffff);
		pthread_setname_np(th[n], name);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	if (!err)
		err = tp.err;
	if (b.s)
		bundle_fini(&b);
	free(th);
	return err;
}
