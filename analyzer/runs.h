/* SPDX-License-Identifier: MIT */
/*
 * runs.h - from the PATHs given on the command line to the list of .xpf files to read.
 * Analyzer only.
 *
 * A PATH is a .xpf file, a run directory (OUT/RUN/ holding .xpf files), or an output
 * directory (OUT/ holding run directories: the latest run by name, or the one named by
 * --run). Several PATHs merge (one per host of an MPI job); a file named twice is read once.
 */
#ifndef XPROF_ANALYZER_RUNS_H
#define XPROF_ANALYZER_RUNS_H

#include <stddef.h>

struct runs {
	char **files;		/* owned */
	size_t n, cap;
	unsigned faults;	/* PATHs that gave nothing (reported) */
};

/* Collects the files of paths[0..n). `run` (may be NULL) picks a run. Returns 0 or -errno. */
int runs_collect(struct runs *r, char **paths, int n, const char *run);
void runs_fini(struct runs *r);

#endif /* XPROF_ANALYZER_RUNS_H */
