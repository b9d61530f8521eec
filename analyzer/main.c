// SPDX-License-Identifier: MIT
/*
 * main.c - xprof-analyze: command dispatch and the options every command shares.
 * Analyzer only.
 *
 *	xprof-analyze CMD [OPTIONS] PATH...
 *
 * Each command (cmds/NAME.c) gets the profile read from PATH (runs.c, reader.c), filtered
 * while reading and symbolised (symbols.c), and writes one output over it; `diff` gets two,
 * A and B, read apart. Exit status: 0 ok, 1 partial (some files, blocks or records skipped,
 * each named on stderr), 2 fatal (nothing usable, or writing the output failed; one line
 * says what and where), 64 usage.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "reader.h"
#include "runs.h"

#define EXIT_PARTIAL	1
#define EXIT_FATAL	2
#define EXIT_USAGE	64

/* Options a command takes besides the filters every command takes. */
#define OPT_FORMAT	(1u << 0)	/* --markdown, --tsv */
#define OPT_FRAMES	(1u << 1)	/* bare --pid, --tid; --weight */
#define OPT_SVG		(1u << 2)	/* --title */
#define OPT_SRC		(1u << 3)	/* symbolise with source file and line of every frame */
#define OPT_BINARY	(1u << 4)	/* binary output: never to a terminal */
#define OPT_TWO		(1u << 5)	/* two PATHs, A and B, read apart */
#define OPT_EVENTS	(1u << 6)	/* keep time-stamped events (profile.keep_events) */
#define OPT_KIND	(1u << 7)	/* --kind, --weight */
#define OPT_NS		(1u << 8)	/* weights in ns unless --weight=samples */

struct cmd {
	const char *name;
	int (*fn)(struct an_ctx *c);
	const char *summary;
	unsigned opts;
	const char *help;
};

#define KIND_HELP \
	"  --kind cpu|offcpu|wall   on-CPU time (default); blocked time, leaf [blocked] CALL;\n" \
	"                     or both with run-queue time, leaf [run queue] (offcpu, wall: ns)\n"

static const struct cmd cmds[] = {
	{ "report", cmd_report, "tables of run, processes, threads, functions, regions, drops",
	  OPT_FORMAT | OPT_KIND | OPT_NS,
	  "  --markdown         Markdown tables\n"
	  "  --tsv              tab-separated lines for programs (#kind header, then rows)\n"
	  "  --top N            rows of the function and region tables (default 25; tsv: all)\n"
	  KIND_HELP
	  "  --weight=ns|samples   rank functions by time (default) or by sample count\n" },
	{ "folded", cmd_folded, "folded stacks for flamegraph.pl, inferno, speedscope",
	  OPT_FRAMES | OPT_KIND,
	  "  --pid              process frame as comm-PID (with a number: filter)\n"
	  "  --tid              add a thread frame name-TID (with a number: filter)\n"
	  KIND_HELP
	  "  --weight=samples|ns   count samples (default for cpu) or nanoseconds (cpu-ns: ns)\n" },
	{ "flamegraph", cmd_flamegraph, "interactive SVG flame graph",
	  OPT_FRAMES | OPT_SVG | OPT_KIND,
	  "  -o FILE            write the SVG to FILE (default: standard output)\n"
	  "  --title TEXT       title of the graph\n"
	  "  --pid, --tid       process/thread frames, as for folded\n"
	  KIND_HELP
	  "  --weight=samples|ns   widths by samples (default for cpu) or nanoseconds\n" },
	{ "pprof", cmd_pprof, "gzip-compressed profile.proto for go tool pprof, Pyroscope, Parca",
	  OPT_SRC | OPT_BINARY,
	  "  -o FILE            write to FILE (standard output only if it is not a terminal)\n" },
	{ "speedscope", cmd_speedscope, "speedscope JSON: one sampled profile per thread",
	  OPT_SRC | OPT_KIND | OPT_NS,
	  "  -o FILE            write the JSON to FILE (default: standard output)\n"
	  KIND_HELP
	  "  --weight=ns|samples   weights in nanoseconds (default) or sample counts\n" },
	{ "timeline", cmd_timeline, "Chrome trace-event JSON for Perfetto: a track per thread",
	  OPT_EVENTS,
	  "  -o FILE            write the JSON to FILE (default: standard output)\n" },
	{ "diff", cmd_diff, "A against B: difffolded stacks, or a differential flame graph",
	  OPT_FRAMES | OPT_SVG | OPT_TWO | OPT_KIND,
	  "  PATH...            exactly two: A (baseline) and B\n"
	  "  -o FILE            write to FILE; FILE.svg: a differential flame graph\n"
	  "  --title TEXT       title of the flame graph\n"
	  "  --pid, --tid       process/thread frames, as for folded\n"
	  KIND_HELP
	  "  --weight=samples|ns   count samples (default for cpu) or nanoseconds\n" },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static const char common_help[] =
	"  --run ID           the run ID of an output directory (default: the latest)\n"
	"  --pid N            only process N (repeatable)\n"
	"  --tid N            only thread N (repeatable)\n"
	"  --comm NAME        only processes whose command name is NAME\n"
	"  --from SEC, --to SEC   only samples in this time window, seconds since the start\n"
	"  --debug-dir DIR    also look for separate debug info in DIR (as in /usr/lib/debug:\n"
	"                     DIR/.build-id/xx/rest.debug, DIR/PATH.debug; repeatable)\n"
	"  --no-inline        fold inlined functions into their caller\n"
	"  --lines            append (file:line) to function names\n"
	"  -o FILE            write to FILE instead of standard output\n"
	"  -h, --help         this help\n";

static void usage(FILE *f)
{
	fprintf(f, "usage: xprof-analyze CMD [OPTIONS] PATH...\n\ncommands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  %-12s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nPATH: a run directory, an output directory (latest run), or .xpf files.\n"
		   "`xprof-analyze CMD --help` lists a command's options.\n");
}

static void cmd_help(const struct cmd *c)
{
	printf("usage: xprof-analyze %s [OPTIONS] PATH...\n%s\n\noptions:\n%s%s", c->name,
	       c->summary, c->help, common_help);
}

static __attribute__((format(printf, 2, 3))) int bad_usage(const char *cmd, const char *fmt,
							       ...)
{
	va_list ap;

	fprintf(stderr, "xprof-analyze %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see xprof-analyze %s --help)\n", cmd);
	return -EINVAL;
}

static bool parse_int(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return *s && !*end && !errno && *v >= min && *v <= max;
}

static bool parse_sec(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return *s && !*end && *v >= 0 && *v < 1e9;
}

static bool is_number(const char *s)
{
	long v;

	return s && parse_int(s, 1, INT32_MAX, &v);
}

/* --pid/--tid: a number (next or after '=') filters; bare, in folded/flamegraph, adds frames. */
static int opt_id(const struct cmd *c, char **argv, int *i, const char *eq, int32_t **v,
		  size_t *n, bool *frame)
{
	const char *arg = eq ? eq : is_number(argv[*i + 1]) ? argv[++*i] : NULL;
	long x;

	if (!arg) {
		if (!(c->opts & OPT_FRAMES))
			return bad_usage(c->name, "%s needs a number", argv[*i]);
		*frame = true;
		return 0;
	}
	if (!parse_int(arg, 1, INT32_MAX, &x))
		return bad_usage(c->name, "bad id '%s'", arg);
	*v = xrealloc(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = (int32_t)x;
	return 0;
}

/* The value of option argv[*i]: after '=' or the next argument. */
static const char *opt_val(const struct cmd *c, char **argv, int *i, const char *eq, int argc)
{
	if (eq)
		return eq;
	if (*i + 1 >= argc) {
		bad_usage(c->name, "%s needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

/* --debug-dir DIR: an absolute directory (libdwfl ignores relative ones), appended to the
 * ':'-separated list the symboliser passes on. */
static int add_debug_dir(const struct cmd *c, struct an_opts *o, const char *dir)
{
	char real[PATH_MAX];
	size_t n;

	if (!realpath(dir, real))
		return bad_usage(c->name, "--debug-dir %s: %s", dir, strerror(errno));
	if (strchr(real, ':'))
		return bad_usage(c->name, "--debug-dir %s: a ':' cannot be passed on", dir);
	n = o->debug_dirs ? strlen(o->debug_dirs) + 1 : 0;
	o->debug_dirs = xrealloc(o->debug_dirs, n + strlen(real) + 1, 1);
	if (n)
		o->debug_dirs[n - 1] = ':';
	strcpy(o->debug_dirs + n, real);
	return 0;
}

static int parse_one(const struct cmd *c, struct an_opts *o, int argc, char **argv, int *i)
{
	char name[64];
	const char *a = argv[*i], *eq = strchr(a, '='), *v;
	long n;

	snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
	eq = eq ? eq + 1 : NULL;
	if (!strcmp(name, "--pid"))
		return opt_id(c, argv, i, eq, &o->pids, &o->npids, &o->pid_frame);
	if (!strcmp(name, "--tid"))
		return opt_id(c, argv, i, eq, &o->tids, &o->ntids, &o->tid_frame);
	if (!strcmp(name, "--no-inline") && !eq)
		return o->no_inline = true, 0;
	if (!strcmp(name, "--lines") && !eq)
		return o->lines = true, 0;
	if ((c->opts & OPT_FORMAT) && !strcmp(name, "--markdown") && !eq)
		return o->fmt = TABLE_MARKDOWN, 0;
	if ((c->opts & OPT_FORMAT) && !strcmp(name, "--tsv") && !eq)
		return o->fmt = TABLE_TSV, 0;
	if (strcmp(name, "--run") && strcmp(name, "--comm") && strcmp(name, "--from") &&
	    strcmp(name, "--to") && strcmp(name, "--top") && strcmp(name, "-o") &&
	    strcmp(name, "--output") && strcmp(name, "--debug-dir") &&
	    !((c->opts & OPT_KIND) && !strcmp(name, "--weight")) &&
	    !((c->opts & OPT_KIND) && !strcmp(name, "--kind")) &&
	    !((c->opts & OPT_SVG) && !strcmp(name, "--title")))
		return bad_usage(c->name, "unknown option '%s'", a);
	if (!(v = opt_val(c, argv, i, eq, argc)))
		return -EINVAL;
	if (!strcmp(name, "--run"))
		o->run = v;
	else if (!strcmp(name, "--comm"))
		o->comm = v;
	else if (!strcmp(name, "--title"))
		o->title = v;
	else if (!strcmp(name, "-o") || !strcmp(name, "--output"))
		o->output = v;
	else if (!strcmp(name, "--debug-dir"))
		return add_debug_dir(c, o, v);
	else if (!strcmp(name, "--top")) {
		if (!parse_int(v, 1, INT32_MAX, &n))
			return bad_usage(c->name, "--top wants a positive number, not '%s'", v);
		o->top = n;
	} else if (!strcmp(name, "--weight")) {
		if (strcmp(v, "samples") && strcmp(v, "ns") && strcmp(v, "cpu-ns"))
			return bad_usage(c->name, "--weight is samples or ns (or cpu-ns), not '%s'",
					 v);
		o->weight_ns = strcmp(v, "samples") != 0;
		o->weight_set = true;
	} else if (!strcmp(name, "--kind")) {
		for (n = 0; n <= PROF_KIND_WALL && strcmp(v, an_kind_name((enum prof_kind)n)); n++)
			;
		if (n > PROF_KIND_WALL)
			return bad_usage(c->name, "--kind is cpu, offcpu or wall, not '%s'", v);
		o->kind = (enum prof_kind)n;
	} else {
		bool from = !strcmp(name, "--from");

		if (!parse_sec(v, from ? &o->from : &o->to))
			return bad_usage(c->name, "%s wants seconds >= 0, not '%s'", name, v);
		*(from ? &o->has_from : &o->has_to) = true;
	}
	return 0;
}

/* Returns 0, 1 if --help was given, or -EINVAL (reported). */
static int parse_opts(const struct cmd *c, struct an_opts *o, int argc, char **argv)
{
	bool only_paths = false;

	o->paths = xmalloc((size_t)argc * sizeof(*o->paths));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (only_paths || a[0] != '-' || !a[1]) {
			o->paths[o->npaths++] = argv[i];
		} else if (!strcmp(a, "--")) {
			only_paths = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			return 1;
		} else if (parse_one(c, o, argc, argv, &i)) {
			return -EINVAL;
		}
	}
	if (!o->npaths)
		return bad_usage(c->name, "%s", "no PATH given");
	if ((c->opts & OPT_TWO) && o->npaths != 2)
		return bad_usage(c->name, "wants two PATHs, A and B, not %d", o->npaths);
	if (o->has_from && o->has_to && o->to <= o->from)
		return bad_usage(c->name, "%s", "--to must be after --from");
	/* Off-CPU records stand for very different times each (one long call, or many short
	 * ones sampled by time): counting them would not compare. */
	if (o->kind != PROF_KIND_CPU && o->weight_set && !o->weight_ns)
		return bad_usage(c->name, "--kind %s weighs in nanoseconds only; drop "
				 "--weight=samples", an_kind_name(o->kind));
	if (!o->weight_set)
		o->weight_ns = o->kind != PROF_KIND_CPU || (c->opts & OPT_NS);
	return 0;
}


/* The earliest start of all files, so --from/--to mean the same for every process. */
static void run_start(struct profile *p, const struct runs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct xpf_file_header h;
		const char *why;

		if (!reader_peek(r->files[i], &h, &why) &&
		    (p->run_start_real == PROF_NO_TIME || h.create_real_ns < p->run_start_real))
			p->run_start_real = h.create_real_ns;
	}
}

/* Reads paths[0..n) into p. Every failure is said in one line (runs.c or here). */
static int load(struct profile *p, const struct an_opts *o, char **paths, int n)
{
	struct reader_opts ro = {
		.pids = o->pids, .npids = o->npids, .comm = o->comm,
		.tids = o->tids, .ntids = o->ntids,
		.has_time = o->has_from || o->has_to,
		.from_ns = o->has_from ? (uint64_t)(o->from * 1e9) : 0,
		.to_ns = o->has_to ? (uint64_t)(o->to * 1e9) : UINT64_MAX,
	};
	struct runs r;

	if (runs_collect(&r, paths, n, o->run)) {
		if (!r.faults)	/* else runs.c said why for each PATH */
			fprintf(stderr, "xprof-analyze: no profile files found in %s%s\n", paths[0],
				n > 1 ? " and the other PATHs" : "");
		runs_fini(&r);
		return -ENOENT;
	}
	p->faults += r.faults;
	run_start(p, &r);
	for (size_t i = 0; i < r.n; i++)
		reader_read_file(p, r.files[i], &ro);
	runs_fini(&r);
	profile_link_images(p);
	profile_add_runq(p, ro.has_time);
	if (!p->files_ok) {
		fprintf(stderr, "xprof-analyze: no usable profile among the files given\n");
		return -ENODATA;
	}
	return 0;
}

/* Flushes and closes the output; a full disk must not pass for success. */
static int close_out(FILE *f, const char *name)
{
	int bad = fflush(f) != 0 || ferror(f);

	if (fclose(f) != 0)
		bad = 1;
	if (bad)
		fprintf(stderr, "xprof-analyze: writing %s: %s\n", name, strerror(errno));
	return bad ? -EIO : 0;
}

/* One profile, read and symbolised: the only one, or A or B of a diff. */
struct side {
	struct profile p;
	struct symbols s;
};

static void side_init(struct side *d, const struct sym_opts *so, bool events)
{
	profile_init(&d->p);
	d->p.keep_events = events;
	symbols_init(&d->s, &d->p, so);
}

static void side_fini(struct side *d)
{
	symbols_fini(&d->s);
	profile_fini(&d->p);
}

static int side_load(struct side *d, const struct an_opts *o, char **paths, int n)
{
	int err = load(&d->p, o, paths, n);

	if (!err)
		symbols_resolve(&d->s);
	return err;
}

static int run_cmd(const struct cmd *cmd, const struct an_opts *o)
{
	struct side a, b;
	struct sym_opts so = { .no_inline = o->no_inline, .lines = o->lines,
			       .src = cmd->opts & OPT_SRC, .progress = isatty(2),
			       .debug_dirs = o->debug_dirs };
	struct an_ctx c = { .o = o, .p = &a.p, .s = &a.s, .out = stdout };
	const char *outname = o->output ? o->output : "standard output";
	bool two = cmd->opts & OPT_TWO;
	int err, status = EXIT_FATAL;

	if ((cmd->opts & OPT_BINARY) && !o->output && isatty(1)) {
		fprintf(stderr, "xprof-analyze %s: the output is binary; give -o FILE or redirect "
				"standard output\n", cmd->name);
		return EXIT_USAGE;
	}
	side_init(&a, &so, cmd->opts & OPT_EVENTS);
	side_init(&b, &so, false);
	if (side_load(&a, o, o->paths, two ? 1 : o->npaths) ||
	    (two && side_load(&b, o, o->paths + 1, 1)))
		goto out;
	if (two) {
		c.p2 = &b.p;
		c.s2 = &b.s;
	}
	if (o->output && !(c.out = fopen(o->output, "w"))) {
		fprintf(stderr, "xprof-analyze %s: cannot write %s: %s\n", cmd->name, o->output,
			strerror(errno));
		goto out;
	}
	err = cmd->fn(&c);
	if (close_out(c.out, outname) || err) {
		if (err && err != -EIO)
			fprintf(stderr, "xprof-analyze %s: %s\n", cmd->name, strerror(-err));
		goto out;
	}
	if (c.out == stdout)
		c.out = NULL;
	status = a.p.faults || b.p.faults ? EXIT_PARTIAL : 0;
out:
	side_fini(&b);
	side_fini(&a);
	return status;
}

int main(int argc, char **argv)
{
	struct an_opts o = { .fmt = TABLE_TEXT };
	const struct cmd *cmd = NULL;
	int r, status;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return close_out(stdout, "standard output") ? EXIT_FATAL : 0;
	}
	for (size_t i = 0; i < NCMDS && !cmd; i++)
		if (!strcmp(argv[1], cmds[i].name))
			cmd = &cmds[i];
	if (!cmd) {
		fprintf(stderr, "xprof-analyze: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	r = parse_opts(cmd, &o, argc - 2, argv + 2);
	if (r == 1) {
		cmd_help(cmd);
		status = close_out(stdout, "standard output") ? EXIT_FATAL : 0;
	} else {
		status = r ? EXIT_USAGE : run_cmd(cmd, &o);
	}
	free(o.paths);
	free(o.pids);
	free(o.tids);
	free(o.debug_dirs);
	return status;
}
