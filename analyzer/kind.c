// SPDX-License-Identifier: MIT
/*
 * kind.c - what --kind and --weight mean to the outputs that take them (report, folded,
 * flamegraph, speedscope, diff). Analyzer only.
 *
 * cpu is sampled CPU time, counted in samples or their nanoseconds. offcpu is the blocked
 * time of the interposed blocking calls; wall is both with each thread's run-queue time
 * added: both are in nanoseconds only (main.c refuses --weight=samples with them), since
 * an off-CPU record stands for one call or for many short ones sampled by time.
 */
#include "analyze.h"

#include <stdio.h>

const char *an_kind_name(enum prof_kind k)
{
	return k == PROF_KIND_OFFCPU ? "offcpu" : k == PROF_KIND_WALL ? "wall" : "cpu";
}

const char *an_unit(const struct an_opts *o)
{
	return o->weight_ns ? "ns" : "samples";
}

const char *an_title(const struct an_opts *o, const char *what, char *buf, size_t n)
{
	static const char *const kinds[] = { "CPU time", "Off-CPU time (blocked)",
					     "Wall time (CPU, run queue, blocked)" };

	snprintf(buf, n, "%s: %s, %s", what, kinds[o->kind],
		 o->weight_ns ? "nanoseconds" : "samples");
	return buf;
}

uint64_t an_weight(const struct an_opts *o, uint64_t samples, uint64_t ns)
{
	return o->weight_ns ? ns : samples;
}
