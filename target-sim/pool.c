// SPDX-License-Identifier: MIT
/*
 * pool.c - a process pool in the manner of Python's multiprocessing.Pool: the coordinator
 * forks W workers, each with a task pipe and a result pipe; every worker loads the bundle
 * itself at startup, then serves length-prefixed text messages (task in, result out) until
 * it gets an empty message. The coordinator keeps one task in flight per worker, polls the
 * result pipes, decodes each result and hands the worker the next task.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xprof.h>

#include "sim.h"

struct worker {
	pid_t pid;
	int task_fd;	/* coordinator writes tasks here */
	int res_fd;	/* coordinator reads results here */
	int busy;
};

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

static int msg_send(int fd, const char *buf, uint32_t len)
{
	int err = write_full(fd, &len, sizeof(len));

	return err ? err : write_full(fd, buf, len);
}

/* Returns a malloc'd, NUL-terminated message (caller frees); *len 0 means "stop". */
static int msg_recv(int fd, char **buf, uint32_t *len)
{
	int err = read_full(fd, len, sizeof(*len));

	if (err)
		return err;
	*buf = malloc(*len + 1);
	if (!*buf)
		return -ENOMEM;
	(*buf)[*len] = 0;
	err = read_full(fd, *buf, *len);
	if (err)
		free(*buf);
	return err;
}

static int serve_one(const struct bundle *b, const struct pool_cfg *cfg, const char *msg,
		     uint32_t len, int rfd)
{
	size_t out_len;
	char *out;
	int err = task_serve(b, cfg->seed, msg, (size_t)len, &out, &out_len);

	if (err)
		return err;
	err = msg_send(rfd, out, out_len);
	free(out);
	return err;
}

static int worker_main(const struct pool_cfg *cfg, int tfd, int rfd)
{
	struct bundle b;
	uint32_t len;
	char *msg;
	int err = data_load_bundle(cfg->dir, cfg->nassets, cfg->nbars, &b);

	while (!err) {
		err = msg_recv(tfd, &msg, &len);
		if (err || len == 0) {
			if (!err)
				free(msg);
			break;
		}
		err = serve_one(&b, cfg, msg, len, rfd);
		free(msg);
	}
	if (b.s)
		bundle_fini(&b);
	if (err)
		fprintf(stderr, "backtest-sim: worker %d: %s\n", getpid(), strerror(-err));
	return err ? SIM_EXIT_FAIL : 0;
}

static int spawn(const struct pool_cfg *cfg, struct worker *ws, int i)
{
	int tp[2], rp[2];

	if (pipe(tp))
		return -errno;
	if (pipe(rp)) {
		close(tp[0]);
		close(tp[1]);
		return -errno;
	}
	fflush(NULL);	/* the child exits through exit(): no stdio buffer is flushed twice */
	ws[i].pid = fork();
	if (ws[i].pid < 0)
		return -errno;
	if (ws[i].pid == 0) {
		for (int j = 0; j < i; j++) {
			close(ws[j].task_fd);
			close(ws[j].res_fd);
		}
		close(tp[1]);
		close(rp[0]);
		exit(worker_main(cfg, tp[0], rp[1]));
	}
	close(tp[0]);
	close(rp[1]);
	ws[i].task_fd = tp[1];
	ws[i].res_fd = rp[0];
	ws[i].busy = 0;
	return 0;
}

/* Sends task `*next` to worker w, or the stop message when none is left. */
static int dispatch(const struct pool_cfg *cfg, struct worker *w, int *next)
{
	struct task t;
	size_t len;
	char *msg;
	int err;

	if (*next >= cfg->ntasks) {
		w->busy = 0;
		return msg_send(w->task_fd, "", 0);
	}
	task_make((*next)++, cfg->nassets, &t);
	msg = task_encode(&t, &len);
	if (!msg)
		return -ENOMEM;
	err = msg_send(w->task_fd, msg, len);
	free(msg);
	w->busy = 1;
	return err;
}

static int collect(struct worker *w, struct task_result *rs, int ntasks)
{
	uint32_t len;
	char *msg;
	int err = msg_recv(w->res_fd, &msg, &len);

	if (err)
		return err;
	err = result_store(msg, len, rs, ntasks);
	free(msg);
	return err;
}

static int coordinate(const struct pool_cfg *cfg, struct worker *ws, struct task_result *rs)
{
	struct pollfd *pf = calloc((unsigned)cfg->workers & 0xfff, sizeof(*pf));
	int next = 0, done = 0, err = 0;

	if (!pf)
		return -ENOMEM;
	for (int i = 0; i < cfg->workers && !err; i++)
		err = dispatch(cfg, &ws[i], &next);
	while (!err && done < cfg->ntasks) {
		for (int i = 0; i < cfg->workers; i++) {
			pf[i].fd = ws[i].busy ? ws[i].res_fd : -1;
			pf[i].events = POLLIN;
		}
		if (poll(pf, cfg->workers, -1) < 0) {
			err = errno == EINTR ? 0 : -errno;
			continue;
		}
		for (int i = 0; i < cfg->workers && !err; i++) {
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			err = collect(&ws[i], rs, cfg->ntasks);
			if (!err) {
				done++;
				err = dispatch(cfg, &ws[i], &next);
			}
		}
	}
	free(pf);
	return err;
}

static int reap(struct worker *ws, int n)
{
	int err = 0;

	for (int i = 0; i < n; i++) {
		int st;

		close(ws[i].task_fd);
		close(ws[i].res_fd);
		if (waitpid(ws[i].pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			err = -ECHILD;
	}
	return err;
}

/* Fills rs[0..ntasks) (caller frees each with result_fini). */
int pool_run(const struct pool_cfg *cfg, struct task_result *rs)
{
	struct worker *ws;
	int n = 0, err = 0, rerr;

	if (cfg->workers < 1 || cfg->workers > 4096)
		return -EINVAL;
	ws = calloc(cfg->workers, sizeof(*ws));
	if (!ws)
		return -ENOMEM;
	signal(SIGPIPE, SIG_IGN);	/* a dead worker shows as EPIPE, not as our death */
	for (; n < cfg->workers && !err; n++)
		err = spawn(cfg, ws, n);
	if (err)
		n--;
	if (!err)
		err = coordinate(cfg, ws, rs);
	rerr = reap(ws, n);
	free(ws);
	return err ? err : rerr;
}
