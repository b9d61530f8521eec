/* SPDX-License-Identifier: MIT */
/*
 * jitmap.h - names of JIT code from a runtime's perf map (perf's jit-interface: text lines
 * "START SIZE NAME", hex, optional 0x) or jitdump (perf's jitdump specification: binary code
 * load and move records). Analyzer only: allocates, single-threaded.
 *
 * Both files grow while their runtime runs and code is freed and reused, so entries may
 * overlap: as perf does for a perf map, the later entry wins where they do (a jitdump's
 * records count in file order too; their timestamps are not used). Parsing appends entries
 * in file order to a jit_build; jit_table_build() flattens them into disjoint segments.
 *
 * The files are untrusted: a bad line or record is reported through the caller's warn
 * callback, naming the file and the line (perf map) or the record and its offset (jitdump),
 * and skipped; the rest is used. Nothing is read past `len`.
 */
#ifndef XPROF_ANALYZER_JITMAP_H
#define XPROF_ANALYZER_JITMAP_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define JIT_SHOW_MAX	5	/* bad lines or records shown per file; the rest are counted */

struct jit_entry {
	uint64_t lo, hi;	/* [lo, hi) */
	uint32_t name;		/* strtab id, already made safe for folded stacks */
	uint32_t line;		/* perf map line, or jitdump record number, from 1 */
	uint32_t src;		/* which jit_src added it (jit_src.id) */
	int dropped;		/* taken out by the caller (jit_build_drop) */
};

struct jit_build {
	struct jit_entry *v;	/* in file order; owned */
	size_t n, cap;
};

/* One file being parsed: its name for messages, where names go, who hears about faults. */
struct jit_src {
	const char *name;
	uint32_t id;
	struct strtab *strs;
	void (*warn)(void *ctx, const char *msg);	/* one line, no newline */
	void *ctx;
	unsigned bad;		/* lines or records skipped */
};

/* A flattened table: disjoint segments sorted by address, each named by its latest entry. */
struct jit_seg {
	uint64_t lo, hi;
	uint32_t name;
};

struct jit_table {
	struct jit_seg *v;	/* owned */
	size_t n;
};

void jit_build_fini(struct jit_build *b);
void jit_table_fini(struct jit_table *t);

/* Reports one fault of src (shown for the first JIT_SHOW_MAX, counted after). */
__attribute__((format(printf, 2, 3))) void jit_fault(struct jit_src *src, const char *fmt, ...);
/* After parsing: one line for the faults that were counted but not shown. */
void jit_src_done(struct jit_src *src);

/* Parses a perf map of len bytes; returns the entries added. */
size_t jit_parse_perfmap(struct jit_build *b, struct jit_src *src, const char *buf, size_t len);
/* Parses a jitdump of len bytes; returns the entries added. */
size_t jit_parse_jitdump(struct jit_build *b, struct jit_src *src, const uint8_t *buf,
			 size_t len);

/* Flattens b's entries (but the dropped ones) into t: later entries win where they overlap. */
void jit_table_build(struct jit_table *t, const struct jit_build *b);
/* The segment holding addr, or NULL. */
const struct jit_seg *jit_table_find(const struct jit_table *t, uint64_t addr);

#endif /* XPROF_ANALYZER_JITMAP_H */
