/* SPDX-License-Identifier: MIT */
/*
 * table.h - one table, three renderings: aligned text for a terminal, Markdown, and
 * tab-separated lines for programs (`#kind<TAB>key...` header, then `kind<TAB>value...`).
 * Analyzer only. The table owns its cells.
 */
#ifndef XPROF_ANALYZER_TABLE_H
#define XPROF_ANALYZER_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum table_fmt { TABLE_TEXT, TABLE_MARKDOWN, TABLE_TSV };

struct table_col {
	const char *key;	/* TSV header field */
	const char *title;	/* text and Markdown header */
	bool right;		/* right-aligned (numbers) */
};

struct table {
	const char *kind;
	const struct table_col *cols;
	size_t ncols;
	char **cells;		/* row-major */
	size_t ncells, capcells;
};

void table_init(struct table *t, const char *kind, const struct table_col *cols, size_t ncols);
void table_fini(struct table *t);
/* Appends one cell (printf format); rows fill left to right, top to bottom. */
__attribute__((format(printf, 2, 3))) void table_cell(struct table *t, const char *fmt, ...);
/* Writes the table; `title` heads text and Markdown renderings. */
void table_print(FILE *f, const struct table *t, enum table_fmt fmt, const char *title);

#endif /* XPROF_ANALYZER_TABLE_H */
