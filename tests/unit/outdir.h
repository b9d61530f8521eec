// SPDX-License-Identifier: MIT
/*
 * outdir.h - the output directory of the preload's unit tests: a fresh XPROF_OUT under /tmp
 * with run "run1" on host "host", the configuration the writer needs, and its removal.
 * Included by the tests that link the preload's archive (test_record, test_pywalk,
 * test_jitpre, test_offcpu_rec); header-only, each test has its own copy of `dir`.
 */
#ifndef XPROF_TEST_OUTDIR_H
#define XPROF_TEST_OUTDIR_H

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

#endif
