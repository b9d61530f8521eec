// SPDX-License-Identifier: MIT
/*
 * table.c - renders tables as aligned text, Markdown or TSV (see table.h). Analyzer only.
 */
#include "table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void table_init(struct table *t, const char *kind, const struct table_col *cols, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->cols = cols;
	t->ncols = ncols;
}

void table_fini(struct table *t)
{
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

void table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = xstrdup("?");
	va_end(ap);
	/* A cell is one field of one line in every rendering. */
	for (char *c = s; *c; c++)
		if (*c == '\t' || *c == '\n' || *c == '\r')
			*c = ' ';
	*VEC_PUSH(t->cells, t->ncells, t->capcells) = s;
}

static void print_tsv(FILE *f, const struct table *t)
{
	fprintf(f, "#%s", t->kind);
	for (size_t c = 0; c < t->ncols; c++)
		fprintf(f, "\t%s", t->cols[c].key);
	fputc('\n', f);
	for (size_t i = 0; i + t->ncols <= t->ncells; i += t->ncols) {
		fputs(t->kind, f);
		for (size_t c = 0; c < t->ncols; c++)
			fprintf(f, "\t%s", t->cells[i + c]);
		fputc('\n', f);
	}
}

/* Markdown cells: a '|' would end the cell. */
static void md_cell(FILE *f, const char *s)
{
	fputs("| ", f);
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc(' ', f);
}

static void print_md(FILE *f, const struct table *t, const char *title)
{
	if (title)
		fprintf(f, "### %s\n\n", title);
	for (size_t c = 0; c < t->ncols; c++)
		md_cell(f, t->cols[c].title);
	fputs("|\n", f);
	for (size_t c = 0; c < t->ncols; c++)
		fputs(t->cols[c].right ? "|---:" : "|:---", f);
	fputs("|\n", f);
	for (size_t i = 0; i + t->ncols <= t->ncells; i += t->ncols) {
		for (size_t c = 0; c < t->ncols; c++)
			md_cell(f, t->cells[i + c]);
		fputs("|\n", f);
	}
	fputc('\n', f);
}

static void print_row(FILE *f, const struct table *t, const size_t *w, char *const *cells)
{
	for (size_t c = 0; c < t->ncols; c++) {
		int pad = (int)w[c];
		bool last = c + 1 == t->ncols;

		if (c)
			fputs("  ", f);
		if (t->cols[c].right)
			fprintf(f, "%*s", pad, cells[c]);
		else
			fprintf(f, "%-*s", last ? 0 : pad, cells[c]);
	}
	fputc('\n', f);
}

static void print_text(FILE *f, const struct table *t, const char *title)
{
	size_t *w = xcalloc(t->ncols, sizeof(*w));
	char **hdr = xmalloc(t->ncols * sizeof(*hdr));

	for (size_t c = 0; c < t->ncols; c++) {
		hdr[c] = (char *)t->cols[c].title;
		w[c] = strlen(hdr[c]);
	}
	for (size_t i = 0; i < t->ncells; i++)
		if (strlen(t->cells[i]) > w[i % t->ncols])
			w[i % t->ncols] = strlen(t->cells[i]);
	if (title)
		fprintf(f, "%s\n", title);
	print_row(f, t, w, hdr);
	for (size_t i = 0; i + t->ncols <= t->ncells; i += t->ncols)
		print_row(f, t, w, t->cells + i);
	fputc('\n', f);
	free(hdr);
	free(w);
}

void table_print(FILE *f, const struct table *t, enum table_fmt fmt, const char *title)
{
	if (fmt == TABLE_TSV)
		print_tsv(f, t);
	else if (fmt == TABLE_MARKDOWN)
		print_md(f, t, title);
	else
		print_text(f, t, title);
}
