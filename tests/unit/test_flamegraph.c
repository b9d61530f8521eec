// SPDX-License-Identifier: MIT
/*
 * test_flamegraph.c - unit tests of the SVG flame graph writer (analyzer/flamegraph.c) and
 * the folded-text front end (analyzer/flamegraph_folded.c). The emitted SVG is parsed back
 * (one frame per line, pre-order) and its geometry checked: nesting, proportional widths,
 * sibling order; plus determinism, escaping, UTF-8, empty input, the min-width merge and
 * write errors.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flamegraph.h"

#define ROOT_W100 118000	/* default 1200 px minus 2 x 10 px margins, in hundredths */

struct frame {
	uint64_t o, v, samples;
	long x, w;		/* hundredths of a pixel */
	int y;
	int parent;		/* index in the parsed array, -1 for the root */
	char name[512];		/* as escaped in the SVG */
	char label[512];
};

struct svg {
	char *buf;
	size_t len;
	struct frame *f;
	int n;
};

/* "12.34" -> 1234: the writer prints exact hundredths. */
static long hundredths(const char *s)
{
	long a = 0, b = 0;

	assert_int_equal(sscanf(s, "%ld.%2ld", &a, &b), 2);
	return a * 100 + b;
}

static void copy_until(char *dst, size_t size, const char *s, const char *end)
{
	size_t n = (size_t)(end - s);

	assert_true(n < size);
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void parse_frame(struct frame *f, const char *line)
{
	const char *t = strstr(line, "<title>"), *te = strstr(line, "</title>"), *p, *info;
	unsigned long long o, v, samples;

	assert_int_equal(sscanf(line, "<g data-o=\"%llu\" data-v=\"%llu\">", &o, &v), 2);
	assert_non_null(t);
	assert_non_null(te);
	for (info = NULL, p = t; (p = strstr(p + 1, " (")) && p < te;)
		info = p;
	assert_non_null(info);
	copy_until(f->name, sizeof(f->name), t + 7, info);
	/* "1,234 samples" */
	for (samples = 0, p = info + 2; (*p >= '0' && *p <= '9') || *p == ','; p++)
		samples = *p == ',' ? samples : samples * 10 + (unsigned)(*p - '0');
	assert_int_equal(strncmp(p, " samples", 8), 0);
	f->o = o;
	f->v = v;
	f->samples = samples;
	f->x = hundredths(strstr(te, "<rect x=\"") + 9);
	assert_int_equal(sscanf(strstr(te, " y=\"") + 4, "%d", &f->y), 1);
	f->w = hundredths(strstr(te, " width=\"") + 8);
	p = strchr(strstr(te, "<text "), '>') + 1;
	copy_until(f->label, sizeof(f->label), p, strstr(p, "</text>"));
}

/* Frames are emitted in pre-order: the parent of a frame at depth d is the last one seen at
 * depth d - 1. */
static void parse_frames(struct svg *s)
{
	int last[4096], cap = 1024, depth;
	const char *p;

	s->f = malloc(cap * sizeof(*s->f));
	s->n = 0;
	for (p = strstr(s->buf, "\n<g data-o="); p; p = strstr(p + 1, "\n<g data-o=")) {
		struct frame *f;

		if (s->n == cap)
			s->f = realloc(s->f, (cap *= 2) * sizeof(*s->f));
		assert_non_null(s->f);
		f = &s->f[s->n];
		parse_frame(f, p + 1);
		depth = s->n ? (s->f[0].y - f->y) / 16 : 0;
		assert_true(depth >= 0 && depth < 4096);
		assert_int_equal((s->n ? s->f[0].y - f->y : 0) % 16, 0);
		f->parent = depth ? last[depth - 1] : -1;
		assert_true(depth == 0 || s->n > 0);
		last[depth] = s->n++;
	}
}

static void render(struct svg *s, const struct fg_stack *st, size_t n, const struct fg_options *o)
{
	FILE *out = open_memstream(&s->buf, &s->len);

	assert_non_null(out);
	assert_int_equal(flamegraph_write(out, st, n, o), 0);
	assert_int_equal(fclose(out), 0);
	parse_frames(s);
}

static void svg_free(struct svg *s)
{
	free(s->buf);
	free(s->f);
}

/* ---- random input ------------------------------------------------------------------------ */

static const char *names[] = { "main", "parse", "read", "write", "compute", "malloc", "free",
			       "hash", "sort", "strcmp", "memcpy", "io_submit", "zz_last" };
#define NNAMES (sizeof(names) / sizeof(names[0]))

struct input {
	struct fg_stack *st;
	const char **frames;
	size_t n;
};

static uint32_t rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void make_input(struct input *in, size_t n, uint32_t seed)
{
	size_t i, j, used = 0;

	in->n = n;
	in->st = calloc(n, sizeof(*in->st));
	in->frames = calloc(n * 12, sizeof(*in->frames));
	assert_true(in->st && in->frames);
	for (i = 0; i < n; i++) {
		uint32_t d = 1 + rnd(&seed) % 12;

		for (j = 0; j < d; j++)
			in->frames[used + j] = names[rnd(&seed) % (j < 3 ? 3 : NNAMES)];
		in->st[i] = (struct fg_stack){ in->frames + used, d, 1 + rnd(&seed) % 100, 0 };
		in->st[i].samples = in->st[i].value % 7 + 1;
		used += d;
	}
}

static void input_free(struct input *in)
{
	free(in->st);
	free(in->frames);
}

/* ---- tests ------------------------------------------------------------------------------- */

static uint64_t total_value(const struct input *in)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < in->n; i++)
		sum += in->st[i].value;
	return sum;
}

static void test_geometry(void **state)
{
	struct input in;
	struct svg s = { 0 };
	uint64_t total;

	make_input(&in, 3000, 42);
	total = total_value(&in);
	render(&s, in.st, in.n, NULL);
	assert_true(s.n > 100);
	assert_string_equal(s.f[0].name, "all");
	assert_int_equal(s.f[0].x, 1000);
	assert_int_equal(s.f[0].w, ROOT_W100);
	assert_int_equal(s.f[0].v, total);
	for (int i = 1; i < s.n; i++) {
		const struct frame *f = &s.f[i], *p = &s.f[f->parent];
		double want = (double)f->v * ROOT_W100 / (double)total;

		/* never wider than the parent, never outside it, in pixels and in values */
		assert_true(f->x >= p->x);
		assert_true(f->x + f->w <= p->x + p->w);
		assert_true(f->o >= p->o && f->o + f->v <= p->o + p->v);
		/* proportional: each edge is rounded once, so within 1/100 px either side */
		assert_true(f->w >= want - 1.001 && f->w <= want + 1.001);
		assert_true(f->w >= 9);	/* min_width_px 0.1, edges rounded to 1/100 */
	}
	/* siblings: alphabetical, left to right, not overlapping */
	for (int i = 1; i < s.n; i++)
		for (int j = i - 1; j > 0; j--) {
			if (s.f[j].parent != s.f[i].parent)
				continue;
			assert_true(strcmp(s.f[j].name, s.f[i].name) < 0);
			assert_true(s.f[j].o + s.f[j].v <= s.f[i].o);
			assert_true(s.f[j].x + s.f[j].w <= s.f[i].x);
			break;
		}
	svg_free(&s);
	input_free(&in);
}

/* Value of the path ending at frame i, summed straight from the input. */
static void check_value(const struct svg *s, int i, const struct input *in)
{
	const char *path[64];
	int d = 0;
	uint64_t v = 0, samples = 0;

	for (int k = i; s->f[k].parent >= 0; k = s->f[k].parent)
		path[d++] = s->f[k].name;
	for (size_t j = 0; j < in->n; j++) {
		int ok = in->st[j].nframes >= (uint32_t)d;

		for (int k = 0; ok && k < d; k++)
			ok = strcmp(in->st[j].frames[k], path[d - 1 - k]) == 0;
		v += ok ? in->st[j].value : 0;
		samples += ok ? in->st[j].samples : 0;
	}
	assert_int_equal(s->f[i].v, v);
	assert_int_equal(s->f[i].samples, samples);
}

static void test_values(void **state)
{
	struct input in;
	struct svg s = { 0 };

	make_input(&in, 200, 7);
	render(&s, in.st, in.n, NULL);
	for (int i = 0; i < s.n; i++)
		check_value(&s, i, &in);
	svg_free(&s);
	input_free(&in);
}

/* Same names through distinct pointers, repeated stacks, any order: one node each. */
static void test_merge_repeats(void **state)
{
	char a1[] = "alpha", a2[] = "alpha", b1[] = "beta", b2[] = "beta";
	const char *s1[] = { a1, b1 }, *s2[] = { a2, b2 }, *s3[] = { a1 };
	struct fg_stack st[] = { { s1, 2, 10, 1 }, { s3, 1, 5, 2 }, { s2, 2, 20, 3 } };
	struct svg s = { 0 };

	render(&s, st, 3, NULL);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.f[1].name, "alpha");
	assert_int_equal(s.f[1].v, 35);
	assert_int_equal(s.f[1].samples, 6);
	assert_string_equal(s.f[2].name, "beta");
	assert_int_equal(s.f[2].v, 30);
	assert_int_equal(s.f[2].samples, 4);
	svg_free(&s);
}

static void test_deterministic(void **state)
{
	struct input in;
	struct svg a = { 0 }, b = { 0 }, c = { 0 };
	struct fg_options o = { .title = "t", .subtitle = "s", .unit = "ns" };
	uint32_t seed = 9;

	make_input(&in, 2000, 3);
	render(&a, in.st, in.n, &o);
	render(&b, in.st, in.n, &o);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	/* the input order does not matter either */
	for (size_t i = in.n - 1; i > 0; i--) {
		size_t j = rnd(&seed) % (i + 1);
		struct fg_stack t = in.st[i];

		in.st[i] = in.st[j];
		in.st[j] = t;
	}
	render(&c, in.st, in.n, &o);
	assert_int_equal(a.len, c.len);
	assert_memory_equal(a.buf, c.buf, a.len);
	svg_free(&a);
	svg_free(&b);
	svg_free(&c);
	input_free(&in);
}

static void test_escaping(void **state)
{
	const char *f1[] = { "<a&b>", "say \"it's\"" };
	struct fg_stack st[] = { { f1, 2, 100, 100 } };
	struct fg_options o = { .title = "T<1>", .subtitle = "x & y" };
	struct svg s = { 0 };

	render(&s, st, 1, &o);
	assert_non_null(strstr(s.buf, "&lt;a&amp;b&gt; (100 samples"));
	assert_non_null(strstr(s.buf, "say &quot;it&apos;s&quot;"));
	assert_non_null(strstr(s.buf, ">T&lt;1&gt;</text>"));
	assert_non_null(strstr(s.buf, ">x &amp; y</text>"));
	assert_null(strstr(s.buf, "<a&b>"));
	assert_null(strstr(s.buf, "T<1>"));
	svg_free(&s);
}

/* Strict UTF-8 check of the whole file. */
static int utf8_valid(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i];
		size_t len = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 :
			     c >= 0xf0 && c < 0xf5 ? 4 : 0;

		if (!len || i + len > n)
			return 0;
		for (size_t k = 1; k < len; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

static void test_utf8(void **state)
{
	char longname[401] = "";
	const char *f1[] = { "caf\xc3\xa9_\xe5\x90\x8d", "bad\xff\xfe", "overlong\xc0\xaf" };
	const char *f2[] = { longname };
	struct fg_stack st[] = { { f1, 3, 1000, 1 }, { f2, 1, 10, 1 } };
	struct svg s = { 0 };

	for (int i = 0; i < 200; i++)
		strcat(longname, "\xc3\xa9");
	render(&s, st, 2, NULL);
	assert_true(utf8_valid((unsigned char *)s.buf, s.len));
	assert_non_null(strstr(s.buf, "caf\xc3\xa9_\xe5\x90\x8d (1 samples"));
	assert_non_null(strstr(s.buf, "bad\xef\xbf\xbd\xef\xbf\xbd ("));
	/* the long name's frame is 11.7 px: its label is empty or cut on a character */
	for (int i = 0; i < s.n; i++) {
		size_t len = strlen(s.f[i].label);

		if (strncmp(s.f[i].name, "\xc3\xa9", 2) == 0)
			assert_true(len == 0 || strcmp(s.f[i].label + len - 2, "..") == 0);
	}
	svg_free(&s);
}

static void test_label_truncation(void **state)
{
	const char *f1[] = { "a_rather_long_function_name_that_cannot_fit" };
	const char *f2[] = { "b" };
	struct fg_stack st[] = { { f1, 1, 2, 1 }, { f2, 1, 98, 1 } };
	struct svg s = { 0 };

	/* 2% of 1180 px = 23.6 px: (23.6 - 3) / (12 * 0.59) = 2.9 characters: no label */
	render(&s, st, 2, NULL);
	assert_string_equal(s.f[1].label, "");
	svg_free(&s);
	/* 40% = 472 px fits it all */
	st[0].value = 40;
	st[1].value = 60;
	render(&s, st, 2, NULL);
	assert_string_equal(s.f[1].label, f1[0]);
	svg_free(&s);
	/* 10% = 118 px: 16 characters, so 14 and ".." */
	st[0].value = 10;
	st[1].value = 90;
	render(&s, st, 2, NULL);
	assert_string_equal(s.f[1].label, "a_rather_long_..");
	svg_free(&s);
}

static void assert_no_samples(const struct svg *s)
{
	assert_int_equal(s->n, 0);
	assert_non_null(strstr(s->buf, ">no samples</text>"));
	assert_int_equal(strncmp(s->buf, "<?xml", 5), 0);
	assert_int_equal(strcmp(s->buf + s->len - 7, "</svg>\n"), 0);
}

static void test_empty(void **state)
{
	const char *f1[] = { "x" };
	struct fg_stack zero[] = { { f1, 1, 0, 3 } };
	struct svg s = { 0 };

	render(&s, NULL, 0, NULL);
	assert_no_samples(&s);
	svg_free(&s);
	memset(&s, 0, sizeof(s));
	render(&s, zero, 1, NULL);
	assert_no_samples(&s);
	svg_free(&s);
}

/* Stacks with no frames count in "all" only; NULL names read as [unknown]. */
static void test_degenerate_stacks(void **state)
{
	const char *f1[] = { NULL, "x" };
	struct fg_stack st[] = { { NULL, 5, 10, 1 }, { f1, 0, 10, 1 }, { f1, 2, 20, 1 } };
	struct svg s = { 0 };

	render(&s, st, 3, NULL);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.f[0].v, 40);
	assert_string_equal(s.f[1].name, "[unknown]");
	assert_string_equal(s.f[2].name, "x");
	assert_int_equal(s.f[1].w, ROOT_W100 / 2);
	svg_free(&s);
}

static int svg_height(const struct svg *s)
{
	int h = 0;

	assert_int_equal(sscanf(strstr(s->buf, "<svg ") + 5, "version=\"1.1\" width=\"%*u\" "
				"height=\"%d\"", &h), 1);
	return h;
}

static void test_height(void **state)
{
	const char *deep[60];
	struct fg_stack st = { deep, 0, 1, 1 };
	struct fg_options sub = { .subtitle = "s" };
	struct svg s = { 0 };

	for (int i = 0; i < 60; i++)
		deep[i] = names[i % NNAMES];
	for (uint32_t d = 1; d <= 60; d += 59) {
		st.nframes = d;
		render(&s, &st, 1, NULL);
		assert_int_equal(s.n, (int)d + 1);
		assert_int_equal(svg_height(&s), 36 + (int)(d + 1) * 16 + 34);
		svg_free(&s);
		render(&s, &st, 1, &sub);
		assert_int_equal(svg_height(&s), 36 + 24 + (int)(d + 1) * 16 + 34);
		svg_free(&s);
	}
}

static void test_units(void **state)
{
	const char *f1[] = { "work" };
	struct fg_stack st[] = { { f1, 1, 2500000, 3 } };
	struct fg_options ns = { .unit = "ns" }, samples = { .unit = "samples" };
	struct svg s = { 0 };

	render(&s, st, 1, &ns);
	assert_non_null(strstr(s.buf, "<title>work (3 samples, 2.50 ms, 100.00%)</title>"));
	svg_free(&s);
	render(&s, st, 1, &samples);
	assert_non_null(strstr(s.buf, "<title>work (3 samples, 100.00%)</title>"));
	assert_null(strstr(s.buf, " ms,"));
	svg_free(&s);
}

/* Self-contained: style and script inline, nothing to fetch, controls present. */
static void test_self_contained(void **state)
{
	struct input in;
	struct svg s = { 0 };
	const char *p;

	make_input(&in, 50, 1);
	render(&s, in.st, in.n, NULL);
	assert_non_null(strstr(s.buf, "<style"));
	assert_non_null(strstr(s.buf, "<script type=\"text/ecmascript\"><![CDATA["));
	assert_non_null(strstr(s.buf, "id=\"unzoom\""));
	assert_non_null(strstr(s.buf, "id=\"search\""));
	assert_non_null(strstr(s.buf, "id=\"matched\""));
	assert_null(strstr(s.buf, "xlink:href"));
	assert_null(strstr(s.buf, "src="));
	for (p = strstr(s.buf, "http"); p; p = strstr(p + 1, "http"))
		assert_int_equal(strncmp(p, "http://www.w3.org/2000/svg\"", 27), 0);
	p = strstr(s.buf, "<![CDATA[");
	assert_ptr_equal(strstr(p, "]]>"), strstr(s.buf, "]]></script>"));
	svg_free(&s);
	input_free(&in);
}

/* 100,000 distinct frames: sub-pixel ones are not drawn, the file stays small. */
static void test_min_width_merge(void **state)
{
	enum { N = 100000 };
	char (*name)[24] = malloc(N * sizeof(*name));
	const char **fr = malloc(N * 3 * sizeof(*fr));
	struct fg_stack *st = malloc(N * sizeof(*st));
	struct svg s = { 0 };

	assert_true(name && fr && st);
	for (int i = 0; i < N; i++) {
		snprintf(name[i], sizeof(name[i]), "distinct_%06d", i);
		fr[3 * i] = "main";
		fr[3 * i + 1] = names[i % NNAMES];
		fr[3 * i + 2] = name[i];
		/* a few heavy frames wide enough to draw among many light ones */
		st[i] = (struct fg_stack){ fr + 3 * i, 3, i % 97 == 0 ? 500 : 1 + i % 3, 1 };
	}
	render(&s, st, N, NULL);
	assert_true(s.len < 5 * 1024 * 1024);
	assert_true(s.n > 1000 && s.n < 3000);
	for (int i = 0; i < s.n; i++)
		assert_true(s.f[i].w >= 9);
	assert_int_equal(s.f[0].samples, N);
	svg_free(&s);
	/* a larger min_width_px draws fewer frames */
	{
		struct fg_options o = { .min_width_px = 1.0 };
		struct svg s2 = { 0 };

		render(&s2, st, N, &o);
		assert_true(s2.n < 1100);
		for (int i = 0; i < s2.n; i++)
			assert_true(s2.f[i].w >= 99);
		svg_free(&s2);
	}
	free(st);
	free(fr);
	free(name);
}

static void test_eio(void **state)
{
	struct input in;
	FILE *out = fopen("/dev/full", "w");

	if (!out)
		skip();
	make_input(&in, 100, 5);
	assert_int_equal(flamegraph_write(out, in.st, in.n, NULL), -EIO);
	fclose(out);
	out = fopen("/dev/full", "w");
	assert_int_equal(flamegraph_write(out, NULL, 0, NULL), -EIO);
	fclose(out);
	input_free(&in);
}

static void render_folded(struct svg *s, const char *text)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r"), *out;

	out = open_memstream(&s->buf, &s->len);
	assert_true(in && out);
	assert_int_equal(flamegraph_from_folded(in, out, NULL), 0);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	parse_frames(s);
}

static void test_folded(void **state)
{
	struct svg s = { 0 };

	render_folded(&s, "main;a;b 10\n"
			  "main;a 5\r\n"
			  "no count here\n"
			  "main;c 12x\n"
			  "\n"
			  "main;a;b 2\n"
			  "main;name with spaces\t3  \n"
			  ";;;  7\n"
			  "main;;c; 1\n");
	assert_int_equal(s.n, 6);
	assert_int_equal(s.f[0].v, 21);
	assert_string_equal(s.f[1].name, "main");
	assert_int_equal(s.f[1].v, 21);
	assert_string_equal(s.f[2].name, "a");
	assert_int_equal(s.f[2].v, 17);
	assert_string_equal(s.f[3].name, "b");
	assert_int_equal(s.f[3].v, 12);
	assert_string_equal(s.f[4].name, "c");
	assert_int_equal(s.f[4].v, 1);
	assert_string_equal(s.f[5].name, "name with spaces");
	assert_int_equal(s.f[5].v, 3);
	svg_free(&s);
	memset(&s, 0, sizeof(s));
	render_folded(&s, "");
	assert_no_samples(&s);
	svg_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_merge_repeats),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_label_truncation),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_degenerate_stacks),
		cmocka_unit_test(test_height),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_self_contained),
		cmocka_unit_test(test_min_width_merge),
		cmocka_unit_test(test_eio),
		cmocka_unit_test(test_folded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
