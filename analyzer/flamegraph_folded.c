// SPDX-License-Identifier: MIT
/*
 * flamegraph_folded.c - renders folded stack text ("main;parse;read 123" per line, root frame
 * first, the count after the last blank) through flamegraph_write(), so flame graphs can be
 * drawn from other tools' output too. Analyzer only; allocates, not async-signal-safe.
 *
 * All lines are read first: the frame strings live in one text buffer that must stay put
 * until flamegraph_write() has run, hence offsets while reading and pointers afterwards.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"

struct folded {
	char *text;		/* every frame name, NUL-terminated, back to back */
	size_t text_len, text_cap;
	size_t *offs;		/* start of each frame in text */
	size_t noffs, offs_cap;
	struct fg_stack *stacks;	/* .frames: index of the first offset until fixup() */
	size_t nstacks, stacks_cap;
	size_t bad, first_bad;	/* malformed lines: count and first line number */
};

/* Grows *buf (of *cap elements of `size` bytes) to hold at least `need` elements. */
static int grow(void *buf, size_t *cap, size_t need, size_t size)
{
	void *p;
	size_t n = *cap ? *cap : 256;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*(void **)buf, n * size);
	if (!p)
		return -ENOMEM;
	*(void **)buf = p;
	*cap = n;
	return 0;
}

/* Splits off the trailing count: "a;b 12" gives 12 and leaves "a;b". -EINVAL if malformed. */
static int split_count(char *line, uint64_t *count)
{
	size_t len = strcspn(line, "\r\n");
	char *sp, *end;

	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	line[len] = '\0';
	sp = strrchr(line, ' ');
	end = strrchr(line, '\t');
	if (!sp || (end && end > sp))
		sp = end;
	if (!sp || sp[1] < '0' || sp[1] > '9')
		return -EINVAL;
	errno = 0;
	*count = strtoull(sp + 1, &end, 10);
	if (errno || *end)
		return -EINVAL;
	while (sp > line && (sp[-1] == ' ' || sp[-1] == '\t'))
		sp--;
	*sp = '\0';
	return 0;
}

/* Appends the frames of "a;b;c" (empty names dropped) and records the stack. */
static int add_stack(struct folded *f, const char *stack, uint64_t count)
{
	size_t first = f->noffs, len;
	const char *p;

	for (p = stack; *p; p += len + (p[len] == ';')) {
		len = strcspn(p, ";");
		if (!len)
			continue;
		if (grow(&f->text, &f->text_cap, f->text_len + len + 1, 1) ||
		    grow(&f->offs, &f->offs_cap, f->noffs + 1, sizeof(*f->offs)))
			return -ENOMEM;
		memcpy(f->text + f->text_len, p, len);
		f->text[f->text_len + len] = '\0';
		f->offs[f->noffs++] = f->text_len;
		f->text_len += len + 1;
	}
	if (f->noffs == first || f->noffs - first > UINT32_MAX)
		return -EINVAL;
	if (grow(&f->stacks, &f->stacks_cap, f->nstacks + 1, sizeof(*f->stacks)))
		return -ENOMEM;
	f->stacks[f->nstacks++] = (struct fg_stack){
		.frames = (const char *const *)(uintptr_t)first,
		.nframes = (uint32_t)(f->noffs - first),
		.value = count,
		.samples = count,
	};
	return 0;
}

static int read_lines(struct folded *f, FILE *in)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	uint64_t count;
	int err = 0;

	while (!err && getline(&line, &cap, in) >= 0) {
		lineno++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;	/* blank lines are not errors */
		err = split_count(line, &count);
		if (!err)
			err = add_stack(f, line, count);
		if (err == -EINVAL) {
			f->first_bad = f->bad++ ? f->first_bad : lineno;
			err = 0;
		}
	}
	free(line);
	if (!err && ferror(in))
		err = -EIO;
	return err;
}

/* Turns the offsets into pointers once the text buffer no longer moves. */
static int fixup(struct folded *f, const char ***ptrs)
{
	size_t i;

	*ptrs = malloc((f->noffs ? f->noffs : 1) * sizeof(**ptrs));
	if (!*ptrs)
		return -ENOMEM;
	for (i = 0; i < f->noffs; i++)
		(*ptrs)[i] = f->text + f->offs[i];
	for (i = 0; i < f->nstacks; i++)
		f->stacks[i].frames = *ptrs + (uintptr_t)f->stacks[i].frames;
	return 0;
}

int flamegraph_from_folded(FILE *in, FILE *out, const struct fg_options *opt)
{
	struct folded f = { 0 };
	const char **ptrs = NULL;
	int err;

	err = read_lines(&f, in);
	if (!err && f.bad)
		fprintf(stderr, "folded input: %zu malformed line%s skipped (first: line %zu)\n",
			f.bad, f.bad == 1 ? "" : "s", f.first_bad);
	if (!err)
		err = fixup(&f, &ptrs);
	if (!err)
		err = flamegraph_write(out, f.stacks, f.nstacks, opt);
	free(ptrs);
	free(f.stacks);
	free(f.offs);
	free(f.text);
	return err;
}
