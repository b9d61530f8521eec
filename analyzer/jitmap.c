// SPDX-License-Identifier: MIT
/*
 * jitmap.c - parses perf maps and jitdumps into JIT symbol tables (see jitmap.h).
 * Analyzer only.
 *
 * Perf map lines are read as perf reads them (tools/perf/util/symbol.c, perf's jit-interface
 * documentation): a hex start and a hex size, each with or without 0x, then the name, which is
 * the rest of the line and may hold blanks ("long Split.alpha(long)" from a JVM, "JS:*f
 * /path/app.js:3:19" from V8). Jitdump records follow tools/perf/Documentation/jitdump-
 * specification.txt: a 40-byte file header, then records of a 16-byte header (id, total
 * size, timestamp) and a body; code loads name [code_addr, code_addr + code_size), code moves
 * give an earlier load a new address, the other kinds are skipped by their size. Only the
 * byte order of the machine reading is read (the magic tells the other one, which is
 * refused with a message).
 */
#include "jitmap.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_BYTES	1024		/* longer names are cut */
#define JD_MAGIC	0x4A695444u	/* "JiTD" */
#define JD_MAGIC_SWAP	0x4454694Au
#define JD_HEADER_MIN	16		/* magic, version, total_size, elf_mach */
#define JD_REC_HEADER	16		/* id, total_size, timestamp */

enum { JD_LOAD = 0, JD_MOVE = 1, JD_DEBUG = 2, JD_CLOSE = 3, JD_UNWIND = 4 };

void jit_build_fini(struct jit_build *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}

void jit_table_fini(struct jit_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

void jit_fault(struct jit_src *src, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	if (++src->bad > JIT_SHOW_MAX || !src->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	src->warn(src->ctx, msg);
}

void jit_src_done(struct jit_src *src)
{
	char msg[600];

	if (src->bad <= JIT_SHOW_MAX || !src->warn)
		return;
	snprintf(msg, sizeof(msg), "%s: %u more bad lines or records skipped", src->name,
		 src->bad - JIT_SHOW_MAX);
	src->warn(src->ctx, msg);
}

/* A name made safe for every output: ';' separates folded frames, control bytes break
 * lines and XML. */
static uint32_t intern_jit_name(struct strtab *strs, const char *s, size_t n)
{
	char buf[NAME_MAX_BYTES];

	if (n > sizeof(buf))
		n = sizeof(buf);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		buf[i] = ch == ';' ? ':' : (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	return strtab_intern(strs, buf, n);
}

static void add_entry(struct jit_build *b, const struct jit_src *src, uint64_t lo, uint64_t hi,
		      uint32_t name, uint32_t line)
{
	struct jit_entry *e = VEC_PUSH(b->v, b->n, b->cap);

	e->lo = lo;
	e->hi = hi;
	e->name = name;
	e->line = line;
	e->src = src->id;
	e->dropped = 0;
}

/* ---- perf maps ------------------------------------------------------------------------ */

/* A hex number at s[*i], with or without 0x; false if there is none or it overflows. */
static bool hex_field(const char *s, size_t n, size_t *i, uint64_t *v)
{
	size_t start;

	if (*i + 1 < n && s[*i] == '0' && (s[*i + 1] == 'x' || s[*i + 1] == 'X'))
		*i += 2;
	start = *i;
	*v = 0;
	for (; *i < n; (*i)++) {
		char c = s[*i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
			     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;

		if (d == 16)
			break;
		if (*v >> 60)
			return false;
		*v = *v << 4 | d;
	}
	return *i > start;
}

static bool blanks(const char *s, size_t n, size_t *i)
{
	size_t start = *i;

	while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
	return *i > start;
}

/* One line (no newline); returns whether it added an entry. */
static bool perfmap_line(struct jit_build *b, struct jit_src *src, const char *s, size_t n,
			 uint32_t line)
{
	uint64_t start, size;
	size_t i = 0;

	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n)
		return false;
	if (memchr(s, '\0', n)) {
		jit_fault(src, "%s:%" PRIu32 ": NUL bytes in the line (a torn write?); line "
			       "skipped", src->name, line);
		return false;
	}
	if (!hex_field(s, n, &i, &start) || !blanks(s, n, &i) || !hex_field(s, n, &i, &size) ||
	    !blanks(s, n, &i) || i >= n) {
		char shown[48];
		size_t k;

		for (k = 0; k < n && k < 40; k++)
			shown[k] = s[k] >= 0x20 && s[k] < 0x7f ? s[k] : '?';
		shown[k] = '\0';
		jit_fault(src, "%s:%" PRIu32 ": not \"START SIZE NAME\" in hex: \"%s%s\"; line "
			       "skipped", src->name, line, shown, n > 40 ? "..." : "");
		return false;
	}
	if (!size)
		return false;	/* names nothing */
	if (start + size < start) {
		jit_fault(src, "%s:%" PRIu32 ": 0x%" PRIx64 " + 0x%" PRIx64 " runs past the end "
			       "of the address space; line skipped", src->name, line, start, size);
		return false;
	}
	add_entry(b, src, start, start + size, intern_jit_name(src->strs, s + i, n - i), line);
	return true;
}

size_t jit_parse_perfmap(struct jit_build *b, struct jit_src *src, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	uint32_t line = 1;
	size_t added = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		added += perfmap_line(b, src, p, (size_t)(le - p), line);
		p = nl ? nl + 1 : end;
		if (line < UINT32_MAX)
			line++;
	}
	return added;
}

/* ---- jitdumps ------------------------------------------------------------------------- */

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A code load: pid, tid, vma, code_addr, code_size, code_index, name, code. */
static bool jd_load(struct jit_build *b, struct jit_src *src, struct kvmap *at,
		    const uint8_t *body, size_t n, uint32_t rec, size_t off)
{
	uint64_t vma, addr, size;
	const uint8_t *name, *nul;

	if (n < 40) {
		jit_fault(src, "%s: record %" PRIu32 " at 0x%zx: code load of %zu bytes, 40 "
			       "wanted; record skipped", src->name, rec, off, n);
		return false;
	}
	vma = get64(body + 8);
	addr = get64(body + 16);
	size = get64(body + 24);
	name = body + 40;
	nul = memchr(name, '\0', n - 40);
	if (!nul) {
		jit_fault(src, "%s: record %" PRIu32 " at 0x%zx: the code's name is not "
			       "terminated; record skipped", src->name, rec, off);
		return false;
	}
	if (!addr)
		addr = vma;
	if (!size || addr + size < addr)
		return false;
	kvmap_put(at, addr, 0, (uint32_t)b->n);
	add_entry(b, src, addr, addr + size,
		  intern_jit_name(src->strs, (const char *)name, (size_t)(nul - name)), rec);
	return true;
}

/* A code move: pid, tid, vma, old_code_addr, new_code_addr, code_size, code_index. */
static bool jd_move(struct jit_build *b, struct jit_src *src, struct kvmap *at,
		    const uint8_t *body, size_t n, uint32_t rec, size_t off)
{
	uint64_t old, to, size;
	uint32_t e;

	if (n < 48) {
		jit_fault(src, "%s: record %" PRIu32 " at 0x%zx: code move of %zu bytes, 48 "
			       "wanted; record skipped", src->name, rec, off, n);
		return false;
	}
	old = get64(body + 16);
	to = get64(body + 24);
	size = get64(body + 32);
	if (!kvmap_find(at, old, 0, &e)) {
		jit_fault(src, "%s: record %" PRIu32 " at 0x%zx: moves code at 0x%" PRIx64
			       " that no load named; record skipped", src->name, rec, off, old);
		return false;
	}
	if (!size || to + size < to)
		return false;
	kvmap_put(at, to, 0, (uint32_t)b->n);
	add_entry(b, src, to, to + size, b->v[e].name, rec);
	return true;
}

/* The file header; returns the offset of the first record, or 0 if the file is refused. */
static size_t jd_header(struct jit_src *src, const uint8_t *buf, size_t len)
{
	uint32_t magic, size;

	if (len < JD_HEADER_MIN) {
		jit_fault(src, "%s: %zu bytes, too short for a jitdump header; file skipped",
			  src->name, len);
		return 0;
	}
	magic = get32(buf);
	size = get32(buf + 8);
	if (magic == JD_MAGIC_SWAP) {
		jit_fault(src, "%s: a jitdump of the other byte order; file skipped", src->name);
		return 0;
	}
	if (magic != JD_MAGIC) {
		jit_fault(src, "%s: not a jitdump (magic 0x%08" PRIx32 "); file skipped", src->name,
			  magic);
		return 0;
	}
	if (size < JD_HEADER_MIN || size > len) {
		jit_fault(src, "%s: header size %" PRIu32 " of a %zu-byte file; file skipped",
			  src->name, size, len);
		return 0;
	}
	return size;
}

size_t jit_parse_jitdump(struct jit_build *b, struct jit_src *src, const uint8_t *buf,
			 size_t len)
{
	size_t off = jd_header(src, buf, len), added = 0;
	struct kvmap at;	/* code address -> the entry that put code there last */
	uint32_t rec = 0;

	if (!off)
		return 0;
	kvmap_init(&at);
	while (off < len) {
		const uint8_t *body;
		uint32_t id, size;

		rec++;
		if (len - off < JD_REC_HEADER) {
			jit_fault(src, "%s: record %" PRIu32 " at 0x%zx: truncated (%d-byte header "
				       "wanted, %zu left); rest of file skipped",
				  src->name, rec, off, JD_REC_HEADER, len - off);
			break;
		}
		id = get32(buf + off);
		size = get32(buf + off + 4);
		if (size < JD_REC_HEADER || size > len - off) {
			const char *why = size < JD_REC_HEADER ? "bad size" : "truncated";

			jit_fault(src, "%s: record %" PRIu32 " at 0x%zx: %s (%" PRIu32 " bytes "
				       "wanted, %zu left); rest of file skipped",
				  src->name, rec, off, why, size, len - off);
			break;
		}
		body = buf + off + JD_REC_HEADER;
		if (id == JD_LOAD)
			added += jd_load(b, src, &at, body, size - JD_REC_HEADER, rec, off);
		else if (id == JD_MOVE)
			added += jd_move(b, src, &at, body, size - JD_REC_HEADER, rec, off);
		else if (id == JD_CLOSE)
			break;
		off += size;	/* debug and unwinding info, and kinds added later: skipped */
	}
	kvmap_fini(&at);
	return added;
}

/* ---- flattening ----------------------------------------------------------------------- */

struct sweep_ev {
	uint64_t at;
	uint32_t idx;
	uint32_t start;		/* 1: the entry begins here, 0: it ends here */
};

static int cmp_ev(const void *a, const void *b)
{
	const struct sweep_ev *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* Max-heap of entry indexes: the latest entry on top. */
static void heap_push(uint32_t *h, size_t *n, uint32_t v)
{
	size_t i = (*n)++;

	while (i && h[(i - 1) / 2] < v) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

static void heap_pop(uint32_t *h, size_t *n)
{
	uint32_t v = h[--*n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] > h[c])
			c++;
		if (h[c] <= v)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = v;
}

/* Sweeps the entries' ends in address order; between two ends the latest live entry names
 * the segment. O(n log n). */
void jit_table_build(struct jit_table *t, const struct jit_build *b)
{
	struct sweep_ev *ev = xcalloc(2 * b->n + 1, sizeof(*ev));
	uint32_t *heap = xcalloc(b->n + 1, sizeof(*heap)), last = UINT32_MAX;
	bool *ended = xcalloc(b->n + 1, sizeof(*ended));
	size_t nev = 0, nheap = 0, cap = 0;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < b->n; i++) {
		if (b->v[i].dropped)
			continue;
		ev[nev++] = (struct sweep_ev){ b->v[i].lo, (uint32_t)i, 1 };
		ev[nev++] = (struct sweep_ev){ b->v[i].hi, (uint32_t)i, 0 };
	}
	qsort(ev, nev, sizeof(*ev), cmp_ev);
	for (size_t k = 0; k < nev;) {
		uint64_t at = ev[k].at;

		for (; k < nev && ev[k].at == at; k++) {
			if (ev[k].start)
				heap_push(heap, &nheap, ev[k].idx);
			else
				ended[ev[k].idx] = true;
		}
		while (nheap && ended[heap[0]])
			heap_pop(heap, &nheap);
		if (!nheap || k == nev) {
			last = UINT32_MAX;
			continue;
		}
		if (last == heap[0] && t->n && t->v[t->n - 1].hi == at) {
			t->v[t->n - 1].hi = ev[k].at;	/* the same entry goes on */
			continue;
		}
		last = heap[0];
		*VEC_PUSH(t->v, t->n, cap) =
			(struct jit_seg){ at, ev[k].at, b->v[heap[0]].name };
	}
	free(ev);
	free(heap);
	free(ended);
}

const struct jit_seg *jit_table_find(const struct jit_table *t, uint64_t addr)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].hi <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->v[lo].lo <= addr ? &t->v[lo] : NULL;
}
