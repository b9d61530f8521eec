/* SPDX-License-Identifier: MIT */
/*
 * analyze.h - what main.c hands to each command of xprof-analyze: the parsed options and the
 * profile, already read, filtered and symbolised. Analyzer only.
 */
#ifndef XPROF_ANALYZER_ANALYZE_H
#define XPROF_ANALYZER_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "profile.h"
#include "symbols.h"
#include "table.h"

struct an_opts {
	const char *run;		/* --run ID */
	int32_t *pids, *tids;		/* --pid N, --tid N filters */
	size_t npids, ntids;
	const char *comm;		/* --comm NAME */
	bool has_from, has_to;
	double from, to;		/* --from/--to seconds */
	bool no_inline, lines;
	long top;			/* --top N; 0: default */
	enum table_fmt fmt;		/* report: --markdown, --tsv */
	bool pid_frame, tid_frame;	/* folded/flamegraph: bare --pid, --tid */
	enum prof_kind kind;		/* --kind cpu|offcpu|wall */
	bool weight_ns;			/* --weight=ns (alias cpu-ns); always in offcpu, wall */
	bool weight_set;		/* --weight given */
	const char *output;		/* -o FILE */
	const char *title;		/* --title TEXT */
	char *debug_dirs;		/* --debug-dir DIR..., ':'-joined; owned, NULL if none */
	char **paths;
	int npaths;
};

struct an_ctx {
	const struct an_opts *o;
	struct profile *p;
	struct symbols *s;
	struct profile *p2;		/* commands of two PATHs (diff): B; else NULL */
	struct symbols *s2;
	FILE *out;
};

/* kind.c: what --kind and --weight mean to an output. "cpu", "offcpu", "wall"; the unit of
 * the weights shown ("samples" or "ns"); a title naming the kind and unit, "CPU time (ns)"
 * (into buf); an aggregate's weight as the options count it. */
const char *an_kind_name(enum prof_kind k);
const char *an_unit(const struct an_opts *o);
const char *an_title(const struct an_opts *o, const char *what, char *buf, size_t n);
uint64_t an_weight(const struct an_opts *o, uint64_t samples, uint64_t ns);

/* Commands, one per file in cmds/ (cmds/NAME.c): write to c->out; return 0 or -errno. */
int cmd_report(struct an_ctx *c);
int cmd_folded(struct an_ctx *c);
int cmd_flamegraph(struct an_ctx *c);
int cmd_pprof(struct an_ctx *c);
int cmd_speedscope(struct an_ctx *c);
int cmd_diff(struct an_ctx *c);
int cmd_timeline(struct an_ctx *c);

#endif /* XPROF_ANALYZER_ANALYZE_H */
