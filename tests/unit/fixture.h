// SPDX-License-Identifier: MIT
/*
 * fixture.h - what the preload's unit tests share: a fresh XPROF_OUT under /tmp with run
 * "run1" on host "host" and the configuration the writer needs, the image begun in it, its
 * removal, and a thread state laid out as the library lays out its own. Included by the
 * tests that link the preload's archive (test_record, test_pywalk, test_jitpre,
 * test_offcpu_rec); header-only, each test has its own copy of `dir`.
 */
#ifndef XPROF_TEST_FIXTURE_H
#define XPROF_TEST_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xprof-int.h"

static char dir[64];

/* Makes /tmp/xprof-test-NAME-XXXXXX and points the writer's configuration at it. Returns 0,
 * or -1 if the directory could not be made. */
static int outdir_make(const char *name, unsigned depth)
{
	snprintf(dir, sizeof(dir), "/tmp/xprof-test-%s-XXXXXX", name);
	if (!mkdtemp(dir))
		return -1;
	memset(&xp.cfg, 0, sizeof(xp.cfg));
	snprintf(xp.cfg.out_dir, sizeof(xp.cfg.out_dir), "%s", dir);
	snprintf(xp.cfg.run_id, sizeof(xp.cfg.run_id), "run1");
	snprintf(xp.host, sizeof(xp.host), "host");
	snprintf(xp.boot_id, sizeof(xp.boot_id), "0123abcd-boot");
	xp.cfg.hz = 999;
	xp.cfg.depth = depth;
	xp.cfg.max_bytes = 64 * XPF_BLOCK_SIZE;
	xp.cfg.quiet = 1;
	xp.pid = getpid();
	atomic_store(&xp.stopped, 0);
	atomic_store(&xp.stop_said, 0);
	return 0;
}

/* Forgets the output file and removes dir/run1/<files>, dir/run1 and dir (not through
 * system(): the library's own interposer of it would pull its constructor into the test). */
static int outdir_remove(void)
{
	char run[128], path[600];
	struct dirent *e;
	DIR *d;

	out_forget();
	snprintf(run, sizeof(run), "%s/run1", dir);
	d = opendir(run);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", run, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(run);
	return rmdir(dir);
}

/* The writer's file opened in dir and this image begun in it: 0, or -1. */
static int outdir_begin(void)
{
	if (out_open() != 0)
		return -1;
	return out_image_begin(XPF_IF_ROOT, 1, 0, 0, 0);
}

/* cmocka teardown: outdir_remove. */
static int outdir_teardown(void **state)
{
	(void)state;
	return outdir_remove();
}

/* A thread state of tid for frames of depth, with its arrays, as thread.c lays them out. */
static struct xp_thread *fixture_thread(uint32_t depth, pid_t tid)
{
	struct xp_thread *t = calloc(1, sizeof(*t) + thread_arrays_size(depth));

	thread_arrays_lay(t, depth);
	t->tid = tid;
	t->timer_fd = -1;
	return t;
}

#endif
