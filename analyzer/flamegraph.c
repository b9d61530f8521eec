// SPDX-License-Identifier: MIT
/*
 * flamegraph.c - lays out the call tree of aggregated stacks and writes it as one
 * self-contained interactive SVG (inline style and script, nothing fetched from the network).
 * Analyzer only: allocates, not async-signal-safe; no globals, so calls on distinct streams
 * may run on distinct threads.
 *
 * The call tree (flamegraph_tree.c) gives inclusive values and siblings in strcmp() order.
 *
 * Geometry is integer-exact: every x edge is XPAD + round(offset * scale) in hundredths of a
 * pixel, a monotonic function of the offset in value units, so a child's rect always lies
 * inside its parent's. Frames narrower than min_width_px are not drawn (nor their subtrees):
 * their value stays in the parent's width, which keeps a 100,000-frame graph small.
 *
 * Output format, relied on by the unit tests and by the inline script: frames come in
 * pre-order (parent before children), one per line inside <g id="frames">:
 *   <g data-o="OFFSET" data-v="VALUE"><title>NAME (N samples[, X ms], P%[, baseline Q%, +D%])
 *   </title>
 *   <rect x= y= width= .../><text x= y=>LABEL</text></g>
 * OFFSET and VALUE are in the caller's value units; the first frame is the root.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "flamegraph_script.h"
#include "flamegraph_tree.h"
#include "util.h"

#define FG_XPAD 10		/* left and right margin, px */
#define FG_FRAME_H 16		/* one stack level, px (rect is one less: a gap between levels) */
#define FG_FONT 12		/* px */
#define FG_FONT_W 0.59		/* average glyph width / font size, for label truncation */
#define FG_YPAD_TOP (3 * FG_FONT)
#define FG_YPAD_SUB (2 * FG_FONT)
#define FG_YPAD_BOTTOM (2 * FG_FONT + 10)
#define FG_MIN_WIDTH 200	/* narrower images would leave no room for frames */

struct fg_rect {
	uint64_t off;		/* in value units from the left edge of the root */
	uint32_t node;
	uint32_t depth;		/* root is 0 */
};

struct fg_ctx {
	FILE *out;
	const char *title, *subtitle;
	int ns;			/* unit is "ns": hover shows milliseconds too */
	int diff;		/* differential colours (fg_options.diff) */
	double max_delta;	/* differential: largest |value - base| of a drawn frame */
	uint32_t width;
	double min_width;
	struct fg_tree tree;
	struct fg_rect *rects;	/* drawn frames, pre-order */
	uint32_t nrects, maxdepth;
	double scale100;	/* hundredths of a pixel per value unit */
	int height;
};

/* ---- layout --------------------------------------------------------------------------- */

static int frame_drawn(const struct fg_ctx *c, uint64_t value)
{
	return (double)value * c->scale100 / 100.0 >= c->min_width;
}

/* Pushes the drawn children of r with the alphabetically first on top, so that it is emitted
 * first. Each node is pushed at most once: a stack of tree.n entries cannot overflow. */
static uint32_t layout_push(struct fg_ctx *c, struct fg_rect *stack, uint32_t sp,
			    const struct fg_rect *r)
{
	const struct fg_node *nd = &c->tree.nodes[r->node];
	const struct fg_kid *kids = c->tree.kids + nd->kids;
	uint64_t off = r->off;
	uint32_t k, m = 0, top = sp;

	for (k = 0; k < nd->nkids; k++)
		m += frame_drawn(c, c->tree.nodes[kids[k].node].value);
	sp += m;
	for (k = 0; k < nd->nkids; k++) {
		uint64_t v = c->tree.nodes[kids[k].node].value;

		if (frame_drawn(c, v))
			stack[top + --m] = (struct fg_rect){ off, kids[k].node, r->depth + 1 };
		off += v;
	}
	return sp;
}

/* Fills c->rects with the frames wide enough to draw, in pre-order. */
static int layout(struct fg_ctx *c)
{
	struct fg_rect *stack;
	uint32_t sp = 0;

	c->rects = malloc(c->tree.n * sizeof(*c->rects));
	stack = malloc(c->tree.n * sizeof(*stack));
	if (!c->rects || !stack) {
		free(stack);
		return -ENOMEM;
	}
	stack[sp++] = (struct fg_rect){ 0, 0, 0 };
	while (sp) {
		struct fg_rect r = stack[--sp];

		c->rects[c->nrects++] = r;
		if (r.depth > c->maxdepth)
			c->maxdepth = r.depth;
		sp = layout_push(c, stack, sp, &r);
	}
	free(stack);
	return 0;
}

/* ---- text ----------------------------------------------------------------------------- */

/* Writes one code point, XML-escaped; characters XML 1.0 forbids become U+FFFD. */
static void put_cp(FILE *out, uint32_t cp)
{
	switch (cp) {
	case '<': fputs("&lt;", out); return;
	case '>': fputs("&gt;", out); return;
	case '&': fputs("&amp;", out); return;
	case '"': fputs("&quot;", out); return;
	case '\'': fputs("&apos;", out); return;
	}
	if ((cp < 0x20 && cp != '\t') || cp == 0xfffe || cp == 0xffff)
		cp = 0xfffd;
	utf8_put(out, cp);
}

/* Writes at most max code points of s, escaped. */
static void put_xml(FILE *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	while (*p && max--) {
		p += utf8_next(p, &cp);
		put_cp(out, cp);
	}
}

static size_t utf8_count(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	uint32_t cp;

	for (; *p; n++)
		p += utf8_next(p, &cp);
	return n;
}

/* The label that fits a frame w100 hundredths of a pixel wide; same rule as label() in the
 * script, which redoes it on zoom: nothing under 3 characters, else cut with "..". */
static void put_label(FILE *out, const char *name, long w100)
{
	long fit = (long)floor((w100 / 100.0 - 3) / (FG_FONT * FG_FONT_W));
	size_t len;

	if (fit < 3)
		return;
	len = utf8_count(name);
	if (len <= (size_t)fit) {
		put_xml(out, name, len);
		return;
	}
	put_xml(out, name, (size_t)fit - 2);
	fputs("..", out);
}

/* Decimal with thousands separators, like "1,234,567". */
static void put_count(FILE *out, uint64_t v)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%" PRIu64, v), i;

	for (i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			putc(',', out);
		putc(buf[i], out);
	}
}

/* " (N samples, X ms, P%)": the hover text after the name. */
static void put_info(const struct fg_ctx *c, const struct fg_node *nd)
{
	double pct = 100.0 * (double)nd->value / (double)c->tree.nodes[0].value;

	fputs(" (", c->out);
	put_count(c->out, nd->samples);
	fputs(" samples, ", c->out);
	if (c->ns) {
		double ms = (double)nd->value / 1e6;

		fprintf(c->out, ms >= 100 ? "%.0f ms, " : ms >= 1 ? "%.2f ms, " : "%.3f ms, ", ms);
	}
	fprintf(c->out, "%.2f%%", pct);
	if (c->diff) {
		double was = 100.0 * (double)nd->base / (double)c->tree.nodes[0].value;

		fprintf(c->out, ", baseline %.2f%%, %+.2f%%", was, pct - was);
	}
	fputc(')', c->out);
}

/* ---- colours -------------------------------------------------------------------------- */

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* Deterministic colour from the name: warm ("hot") for ordinary functions, aqua for the
 * kernel, grey for [unknown]/[truncated], yellow for unsymbolised module+0x addresses. */
static void frame_color(const char *name, int rgb[3])
{
	uint32_t h = fg_hash_str(name);
	double v1 = (h & 0xff) / 255.0, v2 = (h >> 8 & 0xff) / 255.0, v3 = (h >> 16 & 0xff) / 255.0;

	if (strcmp(name, "[unknown]") == 0 || strncmp(name, "[truncated", 10) == 0) {
		rgb[0] = rgb[1] = rgb[2] = 170 + (int)(40 * v1);
	} else if (has_suffix(name, "_[k]") || strstr(name, "[kernel")) {
		rgb[0] = 50 + (int)(60 * v1);
		rgb[1] = 170 + (int)(55 * v2);
		rgb[2] = 170 + (int)(55 * v2);
	} else if (strstr(name, "+0x")) {
		rgb[0] = 200 + (int)(40 * v1);
		rgb[1] = 200 + (int)(40 * v1);
		rgb[2] = 60 + (int)(50 * v2);
	} else {
		rgb[0] = 205 + (int)(50 * v3);
		rgb[1] = (int)(230 * v1);
		rgb[2] = (int)(55 * v2);
	}
}

/* Differential colour: white at no change, to full red (more) or blue (less) at max_delta. */
static void diff_color(const struct fg_ctx *c, const struct fg_node *nd, int rgb[3])
{
	double d = (double)nd->value - (double)nd->base;
	double x = c->max_delta > 0 ? fabs(d) / c->max_delta : 0;
	int fade = 255 - (int)lround(x * 215);

	rgb[0] = d > 0 ? 255 : fade;
	rgb[1] = fade;
	rgb[2] = d < 0 ? 255 : fade;
}

/* ---- svg ------------------------------------------------------------------------------ */

/* x edge of `off` in hundredths of a pixel: monotonic in off, hence exact nesting. */
static long px100(const struct fg_ctx *c, uint64_t off)
{
	return FG_XPAD * 100 + lround((double)off * c->scale100);
}

static int ypad_top(const struct fg_ctx *c)
{
	return FG_YPAD_TOP + (c->subtitle ? FG_YPAD_SUB : 0);
}

static void emit_header(const struct fg_ctx *c)
{
	FILE *out = c->out;

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%u\" height=\"%d\" viewBox=\"0 0 %u %d\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n",
		c->width, c->height, c->width, c->height);
	fprintf(out, "<defs><linearGradient id=\"background\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
		"<stop stop-color=\"#eeeeee\" offset=\"5%%\"/>"
		"<stop stop-color=\"#eeeeb0\" offset=\"95%%\"/></linearGradient></defs>\n"
		"<style type=\"text/css\">\n%s</style>\n"
		"<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%d\" fill=\"url(#background)\"/>\n",
		fg_style, c->width, c->height);
	fprintf(out, "<text id=\"title\" x=\"%u\" y=\"%d\">", c->width / 2, 2 * FG_FONT);
	put_xml(out, c->title, SIZE_MAX);
	fputs("</text>\n", out);
	if (c->subtitle) {
		fprintf(out, "<text id=\"subtitle\" x=\"%u\" y=\"%d\">", c->width / 2,
			4 * FG_FONT - 4);
		put_xml(out, c->subtitle, SIZE_MAX);
		fputs("</text>\n", out);
	}
}

static void emit_controls(const struct fg_ctx *c)
{
	int ybot = c->height - FG_YPAD_BOTTOM / 2 + 2;

	fprintf(c->out, "<text id=\"unzoom\" class=\"hide\" x=\"%d\" y=\"%d\">Reset Zoom</text>\n"
		"<text id=\"search\" x=\"%u\" y=\"%d\">Search</text>\n"
		"<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n"
		"<text id=\"matched\" x=\"%u\" y=\"%d\"> </text>\n",
		FG_XPAD, 2 * FG_FONT, c->width - FG_XPAD, 2 * FG_FONT,
		FG_XPAD, ybot, c->width - FG_XPAD, ybot);
}

static void emit_frame(const struct fg_ctx *c, const struct fg_rect *r)
{
	const struct fg_node *nd = &c->tree.nodes[r->node];
	long x = px100(c, r->off), w = px100(c, r->off + nd->value) - x;
	int y = c->height - FG_YPAD_BOTTOM - (int)(r->depth + 1) * FG_FRAME_H, rgb[3];

	if (c->diff)
		diff_color(c, nd, rgb);
	else
		frame_color(nd->name, rgb);
	fprintf(c->out, "<g data-o=\"%" PRIu64 "\" data-v=\"%" PRIu64 "\"><title>", r->off,
		nd->value);
	put_xml(c->out, nd->name, SIZE_MAX);
	put_info(c, nd);
	fprintf(c->out, "</title><rect x=\"%ld.%02ld\" y=\"%d\" width=\"%ld.%02ld\" height=\"%d\" "
		"fill=\"rgb(%d,%d,%d)\" rx=\"2\"/><text x=\"%ld.%02ld\" y=\"%d\">",
		x / 100, x % 100, y, w / 100, w % 100, FG_FRAME_H - 1, rgb[0], rgb[1], rgb[2],
		(x + 300) / 100, (x + 300) % 100, y + FG_FRAME_H - 5);
	put_label(c->out, nd->name, w);
	fputs("</text></g>\n", c->out);
}

static void emit_graph(struct fg_ctx *c)
{
	uint32_t i;

	c->height = ypad_top(c) + (int)(c->maxdepth + 1) * FG_FRAME_H + FG_YPAD_BOTTOM;
	emit_header(c);
	emit_controls(c);
	fputs("<g id=\"frames\">\n", c->out);
	for (i = 0; i < c->nrects; i++)
		emit_frame(c, &c->rects[i]);
	fprintf(c->out, "</g>\n<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n"
		"</svg>\n", fg_script);
}

/* A valid, readable file even when there is nothing to draw. */
static void emit_empty(struct fg_ctx *c)
{
	c->height = ypad_top(c) + 2 * FG_FRAME_H + FG_YPAD_BOTTOM;
	emit_header(c);
	fprintf(c->out, "<text x=\"%u\" y=\"%d\" text-anchor=\"middle\">no samples</text>\n"
		"</svg>\n", c->width / 2, ypad_top(c) + FG_FRAME_H);
}

/* ---- entry ---------------------------------------------------------------------------- */

static void ctx_init(struct fg_ctx *c, FILE *out, const struct fg_options *opt)
{
	static const struct fg_options defaults;

	if (!opt)
		opt = &defaults;
	memset(c, 0, sizeof(*c));
	c->out = out;
	c->title = opt->title ? opt->title : "Flame Graph";
	c->subtitle = opt->subtitle;
	c->ns = opt->unit && strcmp(opt->unit, "ns") == 0;
	c->diff = opt->base != NULL;
	c->width = opt->width_px ? opt->width_px : 1200;
	if (c->width < FG_MIN_WIDTH)
		c->width = FG_MIN_WIDTH;
	/* Written so that NaN and negative values also fall back to the default. */
	c->min_width = opt->min_width_px > 0 ? opt->min_width_px : 0.1;
}

static int build(struct fg_ctx *c, const struct fg_stack *stacks, size_t n,
		 const uint64_t *base)
{
	size_t i;
	int err;

	err = fg_tree_init(&c->tree);
	for (i = 0; i < n && !err; i++)
		err = fg_tree_add(&c->tree, &stacks[i], base ? base[i] : 0);
	if (err || (err = fg_tree_link(&c->tree)) || c->tree.nodes[0].value == 0)
		return err;
	c->scale100 = (c->width - 2.0 * FG_XPAD) * 100.0 / (double)c->tree.nodes[0].value;
	err = layout(c);
	for (i = 0; !err && c->diff && i < c->nrects; i++) {
		const struct fg_node *nd = &c->tree.nodes[c->rects[i].node];
		double d = fabs((double)nd->value - (double)nd->base);

		c->max_delta = d > c->max_delta ? d : c->max_delta;
	}
	return err;
}

int flamegraph_write(FILE *out, const struct fg_stack *stacks, size_t n,
		     const struct fg_options *opt)
{
	struct fg_ctx c;
	int err;

	ctx_init(&c, out, opt);
	err = build(&c, stacks, n, opt ? opt->base : NULL);
	if (!err) {
		if (c.tree.nodes[0].value)
			emit_graph(&c);
		else
			emit_empty(&c);
		/* Flushed here: with a buffered stream, a full disk shows only on flush. */
		if (fflush(out) != 0 || ferror(out))
			err = -EIO;
	}
	free(c.rects);
	fg_tree_fini(&c.tree);
	return err;
}
