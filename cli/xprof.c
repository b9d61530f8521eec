// SPDX-License-Identifier: MIT
/*
 * xprof.c - the `xprof` command: `xprof record [-o DIR] [--hz N] [--no-follow] [--jit] --
 * CMD ARGS...`
 * runs CMD under libxprof.so, passes its exit status through and prints a one-line summary
 * with the command to run next. Runs as an ordinary program; it is never profiled itself
 * (LD_PRELOAD is set for the child only).
 *
 * libxprof.so and xprof-analyze are looked up beside this executable: DIR/libxprof.so (the
 * build tree) or DIR/../lib/libxprof.so (an install), DIR/xprof-analyze. The summary comes
 * from `xprof-analyze report --tsv` over the run, so it says what the analyzer will say.
 *
 * Exit status: CMD's own; 128+N if CMD was killed by signal N (as a shell reports it); 64
 * usage; 125 xprof itself failed (no libxprof.so, fork); 126 CMD cannot be run or profiled
 * (statically linked, setuid, not executable); 127 CMD not found.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "target.h"

#define EXIT_USAGE	64
#define EXIT_INTERNAL	125
#define EXIT_CANNOT	126
#define EXIT_NOTFOUND	127

struct rec_opts {
	const char *out;	/* -o DIR */
	const char *hz;		/* --hz N */
	bool no_follow;		/* --no-follow */
	bool jit;		/* --jit */
	char **argv;		/* CMD ARGS... */
};

static const char usage_text[] =
	"usage: xprof record [-o DIR] [--hz N] [--no-follow] [--jit] [--] CMD [ARGS...]\n"
	"  -o DIR        write the profile under DIR (default: $XPROF_OUT, else ./xprof-data)\n"
	"  --hz N        samples per CPU-second per thread, 1-10000 (default 999)\n"
	"  --no-follow   profile CMD's first process only: no threads, forks or execs\n"
	"  --jit         ask Node, JVMs and CPython 3.12+ for perf maps (XPROF_JIT=1)\n";

static int usage_error(const char *fmt, const char *arg)
{
	fputs("xprof record: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see xprof record --help)\n", stderr);
	return -EINVAL;
}

static bool valid_hz(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return *s && !*end && !errno && v >= 1 && v <= 10000;
}

/* Returns 0, 1 for --help, or -EINVAL (reported). */
static int parse(int argc, char **argv, struct rec_opts *o)
{
	int i;

	for (i = 0; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			return 1;
		} else if (!strcmp(a, "--no-follow")) {
			o->no_follow = true;
		} else if (!strcmp(a, "--jit")) {
			o->jit = true;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--hz")) {
			if (i + 1 >= argc)
				return usage_error("%s needs a value", a);
			*(a[1] == 'o' ? &o->out : &o->hz) = argv[++i];
		} else if (!strncmp(a, "--hz=", 5)) {
			o->hz = a + 5;
		} else {
			return usage_error("unknown option '%s'", a);
		}
	}
	if (o->hz && !valid_hz(o->hz))
		return usage_error("--hz wants 1 to 10000, not '%s'", o->hz);
	if (o->out && !*o->out)
		return usage_error("%s", "-o wants a directory");
	if (i >= argc)
		return usage_error("%s", "no command given");
	o->argv = argv + i;
	return 0;
}

/* The directory of this executable, from /proc/self/exe. */
static int self_dir(char *buf, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", buf, n - 1);
	char *slash;

	if (len <= 0)
		return -errno;
	buf[len] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	return 0;
}

/* libxprof.so beside us (build tree) or in ../lib (an install). */
static int find_lib(const char *dir, char *lib, size_t n)
{
	static const char *const where[] = { "%s/libxprof.so", "%s/../lib/libxprof.so" };

	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		snprintf(lib, n, where[i], dir);
		if (access(lib, R_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* DIR made absolute (it may not exist yet: the library creates it). */
static void abs_dir(const char *dir, char *buf, size_t n)
{
	char cwd[PATH_MAX];

	if (dir[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		snprintf(buf, n, "%s", dir);
	else
		snprintf(buf, n, "%s/%s", cwd, dir);
}

/* The run id the library would pick, picked here so that the summary knows the run. */
static void make_run_id(char *buf, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm))
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, n, "%04d%02d%02d-%02d%02d%02d-%d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)getpid());
}

/* LD_PRELOAD=lib, ahead of what the environment already preloads. */
static int set_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *v;
	int err;

	if (!old || !*old)
		return setenv("LD_PRELOAD", lib, 1);
	if (asprintf(&v, "%s:%s", lib, old) < 0)
		return -1;
	err = setenv("LD_PRELOAD", v, 1);
	free(v);
	return err;
}

/* The child's environment: the preload and the XPROF_* variables asked for. */
static int set_env(const struct rec_opts *o, const char *lib, const char *out, const char *run)
{
	if (set_preload(lib) || setenv("XPROF_OUT", out, 1) || setenv("XPROF_RUN", run, 1) ||
	    (o->hz && setenv("XPROF_HZ", o->hz, 1)) ||
	    (o->no_follow && setenv("XPROF_FOLLOW", "none", 1)) ||
	    (o->jit && setenv("XPROF_JIT", "1", 1)) ||
	    setenv("XPROF_QUIET", getenv("XPROF_QUIET") ? getenv("XPROF_QUIET") : "1", 1))
		return -errno;
	return 0;
}

/*
 * Runs the program with the preload set in its environment only (this process and the
 * analyzer it runs afterwards stay unprofiled); returns its status as a shell would give it,
 * or 125-127.
 */
static int run_target(const struct rec_opts *o, const char *path, const char *lib,
		      const char *out, const char *run)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, oldint, oldquit;
	int st;
	pid_t pid;

	/* Like a shell waiting for a job: ^C and ^\ go to the program, we stay to summarise. */
	sigaction(SIGINT, &ign, &oldint);
	sigaction(SIGQUIT, &ign, &oldquit);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &oldint, NULL);
		sigaction(SIGQUIT, &oldquit, NULL);
		if (set_env(o, lib, out, run)) {
			fprintf(stderr, "xprof record: setting the environment: %s\n",
				strerror(errno));
			_exit(EXIT_INTERNAL);
		}
		execv(path, o->argv);
		fprintf(stderr, "xprof record: %s: %s\n", path, strerror(errno));
		_exit(errno == ENOENT ? EXIT_NOTFOUND : EXIT_CANNOT);
	}
	if (pid < 0) {
		fprintf(stderr, "xprof record: fork: %s\n", strerror(errno));
		return EXIT_INTERNAL;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return EXIT_INTERNAL;
	sigaction(SIGINT, &oldint, NULL);
	sigaction(SIGQUIT, &oldquit, NULL);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

/* Column `key` of the TSV row following header line `hdr` (both split on tabs). */
static const char *tsv_field(char *hdr, char *row, const char *key)
{
	char *hs, *rs, *h = strtok_r(hdr, "\t\n", &hs), *r = strtok_r(row, "\t\n", &rs);

	while (h && r && strcmp(h, key)) {
		h = strtok_r(NULL, "\t\n", &hs);
		r = strtok_r(NULL, "\t\n", &rs);
	}
	return h && r ? r : NULL;
}

struct summary {
	char procs[32], threads[32], samples[32], dropped[32];
	double cpu_s, handler_p50_ns, handler_n;
	bool have_run, have_handler;
};

static void copy_field(char *dst, size_t n, char *hdr, char *row, const char *key)
{
	char h[4096], r[4096];
	const char *v;

	snprintf(h, sizeof(h), "%s", hdr);
	snprintf(r, sizeof(r), "%s", row);
	v = tsv_field(h, r, key);
	snprintf(dst, n, "%s", v ? v : "?");
}

static double num_field(char *hdr, char *row, const char *key)
{
	char h[4096], r[4096];
	const char *v;

	snprintf(h, sizeof(h), "%s", hdr);
	snprintf(r, sizeof(r), "%s", row);
	v = tsv_field(h, r, key);
	return v ? atof(v) : 0;
}

/* One line of `report --tsv`: keeps the header, reads the #run and #handler rows. */
static void take_line(struct summary *s, char *line, char *hdr, size_t hdrlen)
{
	if (line[0] == '#') {
		snprintf(hdr, hdrlen, "%s", line);
	} else if (!strncmp(line, "run\t", 4) && !strncmp(hdr, "#run\t", 5)) {
		copy_field(s->procs, sizeof(s->procs), hdr, line, "processes");
		copy_field(s->threads, sizeof(s->threads), hdr, line, "threads");
		copy_field(s->samples, sizeof(s->samples), hdr, line, "samples");
		copy_field(s->dropped, sizeof(s->dropped), hdr, line, "dropped");
		s->cpu_s = num_field(hdr, line, "cpu_ns") / 1e9;
		s->have_run = true;
	} else if (!strncmp(line, "handler\t", 8) && !strncmp(hdr, "#handler\t", 9)) {
		s->handler_p50_ns = num_field(hdr, line, "p50_ns");
		s->handler_n = num_field(hdr, line, "samples");
		s->have_handler = true;
	}
}

/* Runs `xprof-analyze report --tsv RUNDIR` (unprofiled) and reads its summary rows. */
static int read_summary(const char *analyze, const char *rundir, struct summary *s)
{
	char *cmd, line[4096], hdr[4096] = "";
	FILE *f;

	/* Paths are quoted for the shell; a quote inside them would end the quoting. */
	if (strchr(analyze, '\'') || strchr(rundir, '\''))
		return -EINVAL;
	if (asprintf(&cmd, "env -u LD_PRELOAD '%s' report --tsv '%s' 2>/dev/null", analyze,
		     rundir) < 0)
		return -ENOMEM;
	f = popen(cmd, "r");
	free(cmd);
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		take_line(s, line, hdr, sizeof(hdr));
	pclose(f);
	return s->have_run ? 0 : -ENODATA;
}

static void print_summary(const char *dir, const char *out, const char *run)
{
	char *analyze = NULL, *rundir = NULL;
	struct summary s = { 0 };

	if (asprintf(&analyze, "%s/xprof-analyze", dir) < 0 ||
	    asprintf(&rundir, "%s/%s", out, run) < 0)
		goto out;
	if (access(rundir, F_OK)) {
		fprintf(stderr, "xprof: no profile was written (%s does not exist)\n", rundir);
		goto out;
	}
	if (read_summary(analyze, rundir, &s)) {
		fprintf(stderr, "xprof: profile in %s; next: xprof-analyze report %s\n", rundir,
			rundir);
		goto out;
	}
	fprintf(stderr, "xprof: processes %s, threads %s, samples %s, dropped %s", s.procs,
		s.threads, s.samples, s.dropped);
	/* What the library measured of itself: samples x median time in its signal handler. */
	if (s.have_handler && s.cpu_s > 0)
		fprintf(stderr, ", cost ~%.1f ms in the sampling handler (%.2f%% of %.2f CPU s)",
			s.handler_n * s.handler_p50_ns / 1e6,
			100 * s.handler_n * s.handler_p50_ns / 1e9 / s.cpu_s, s.cpu_s);
	fprintf(stderr, "; next: xprof-analyze report %s\n", rundir);
out:
	free(rundir);
	free(analyze);
}

static int cmd_record(int argc, char **argv)
{
	struct rec_opts o = { 0 };
	char dir[PATH_MAX], lib[PATH_MAX + 32], path[PATH_MAX], out[2 * PATH_MAX], run[48];
	const char *why, *outdir;
	int r = parse(argc, argv, &o), status;

	if (r > 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (r)
		return EXIT_USAGE;
	if (self_dir(dir, sizeof(dir)) || find_lib(dir, lib, sizeof(lib))) {
		fprintf(stderr, "xprof record: libxprof.so not found beside %s or in %s/../lib\n",
			dir, dir);
		return EXIT_INTERNAL;
	}
	r = target_find(o.argv[0], path, sizeof(path));
	if (r) {
		fprintf(stderr, "xprof record: %s: %s\n", o.argv[0],
			r == -ENOENT ? "command not found" : "not executable");
		return r == -ENOENT ? EXIT_NOTFOUND : EXIT_CANNOT;
	}
	if ((why = target_refusal(path))) {
		fprintf(stderr, "xprof record: %s: %s; not run\n", path, why);
		return EXIT_CANNOT;
	}
	outdir = o.out ? o.out : getenv("XPROF_OUT") ? getenv("XPROF_OUT") : "xprof-data";
	abs_dir(outdir, out, sizeof(out));
	if (getenv("XPROF_RUN") && *getenv("XPROF_RUN"))
		snprintf(run, sizeof(run), "%s", getenv("XPROF_RUN"));
	else
		make_run_id(run, sizeof(run));
	status = run_target(&o, path, lib, out, run);
	print_summary(dir, out, run);
	return status;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "record"))
		return cmd_record(argc - 2, argv + 2);
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	fprintf(stderr, argc < 2 ? "xprof: no command given\n%s" :
				   "xprof: unknown command (the one command is record)\n%s",
		usage_text);
	return EXIT_USAGE;
}
