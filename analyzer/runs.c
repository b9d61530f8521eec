// SPDX-License-Identifier: MIT
/*
 * runs.c - finds the .xpf files of a run from command-line PATHs (see runs.h).
 * Analyzer only. Directory entries are sorted by name so the order of files, and so of
 * processes in every output, is the same on every machine.
 */
#include "runs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reader.h"
#include "util.h"

static bool is_xpf(const char *name)
{
	size_t n = strlen(name), s = strlen(XPF_FILE_SUFFIX);

	return n > s && !strcmp(name + n - s, XPF_FILE_SUFFIX);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join_path(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *s;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (asprintf(&s, "%.*s/%s", (int)n, dir, name) < 0)
		return xstrdup(name);
	return s;
}

/* Sorted names in dir that are .xpf files (want_xpf) or subdirectories (!want_xpf). */
static size_t list_dir(const char *dir, bool want_xpf, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		struct stat st;
		char *path;

		if (e->d_name[0] == '.' || (want_xpf && !is_xpf(e->d_name)))
			continue;
		path = join_path(dir, e->d_name);
		if (stat(path, &st) == 0 &&
		    (want_xpf ? S_ISREG(st.st_mode) : S_ISDIR(st.st_mode)))
			*VEC_PUSH(v, n, cap) = xstrdup(e->d_name);
		free(path);
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	return n;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Adds `path` unless the same file is there already. */
static void add_file(struct runs *r, const char *path)
{
	char real[PATH_MAX];

	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->files[i], real))
			return;
	*VEC_PUSH(r->files, r->n, r->cap) = xstrdup(real);
}

/* A file or run directory's file must be of run `run` when one is asked for. */
static bool of_run(const char *path, const char *run)
{
	struct xpf_file_header h;
	const char *why;

	if (!run)
		return true;
	if (reader_peek(path, &h, &why))
		return true;	/* the reader will say what is wrong with it */
	return !strcmp(h.run_id, run);
}

/*
 * Without --run, a run directory must hold one run: files of two runs in one directory
 * (copied together, or XPROF_OUT/XPROF_RUN reused by hand) would merge into a profile of
 * neither. Says so in one line naming both and returns false.
 */
static bool one_run(const char *dir, char **v, size_t n)
{
	char first[sizeof(((struct xpf_file_header *)0)->run_id)] = "";

	for (size_t i = 0; i < n; i++) {
		struct xpf_file_header h;
		const char *why;
		char *p = join_path(dir, v[i]);
		int bad = reader_peek(p, &h, &why);

		free(p);
		if (bad)
			continue;	/* the reader will say what is wrong with it */
		if (!first[0]) {
			snprintf(first, sizeof(first), "%s", h.run_id);
		} else if (strcmp(first, h.run_id)) {
			fprintf(stderr, "%s: files of two runs (%s and %s) in one directory; "
					"choose one with --run ID\n", dir, first, h.run_id);
			return false;
		}
	}
	return true;
}

static size_t add_run_dir(struct runs *r, const char *dir, const char *run)
{
	char **v;
	size_t n = list_dir(dir, true, &v), added = 0;

	if (!run && !one_run(dir, v, n)) {
		free_list(v, n);
		return 0;
	}

	for (size_t i = 0; i < n; i++) {
		char *p = join_path(dir, v[i]);

		if (of_run(p, run)) {
			add_file(r, p);
			added++;
		}
		free(p);
	}
	free_list(v, n);
	return added;
}

/* OUT/ holding runs: --run's, else the latest by name that holds .xpf files. */
static size_t add_out_dir(struct runs *r, const char *dir, const char *run)
{
	char **v, **x;
	size_t n = list_dir(dir, false, &v), added = 0;
	bool found = false;

	for (size_t i = n; i-- > 0 && !found;) {
		char *p = join_path(dir, v[i]);
		size_t nx = list_dir(p, true, &x);

		free_list(x, nx);
		found = nx && (!run || !strcmp(v[i], run));
		if (found)	/* the latest (or named) run only, even if it cannot be read */
			added = add_run_dir(r, p, NULL);
		free(p);
	}
	free_list(v, n);
	if (!found)
		fprintf(stderr, "%s: %s%s%s\n", dir, run ? "no run named " : "no profiles (.xpf) ",
			run ? run : "in it or in its subdirectories", run ? " in it" : "");
	return added;
}

static void add_path(struct runs *r, const char *path, const char *run)
{
	struct stat st;
	char **v;
	size_t nx;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		r->faults++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (of_run(path, run))
			add_file(r, path);
		return;
	}
	nx = list_dir(path, true, &v);
	free_list(v, nx);
	if (nx ? !add_run_dir(r, path, run) : !add_out_dir(r, path, run)) {
		if (nx && run)	/* without --run, one_run() has said why */
			fprintf(stderr, "%s: no profiles of run %s\n", path, run);
		r->faults++;
	}
}

int runs_collect(struct runs *r, char **paths, int n, const char *run)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < n; i++)
		add_path(r, paths[i], run);
	return r->n ? 0 : -ENOENT;
}

void runs_fini(struct runs *r)
{
	free_list(r->files, r->n);
	memset(r, 0, sizeof(*r));
}
