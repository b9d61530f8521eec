// SPDX-License-Identifier: MIT
/*
 * util.c - allocation, growable arrays, the hash index, string interning and hashing for the
 * analyzer.
 * Analyzer only: single-threaded. Allocation failure exits with status 2 (see util.h).
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "xprof-analyze: out of memory (allocating %zu bytes)\n", n);
	exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t nmemb, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(nmemb, size, &n))
		oom(SIZE_MAX);
	p = realloc(p, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void vec_reserve(void **v, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 8;

	if (need <= *cap)
		return;
	while (c < need)
		c *= 2;
	*v = xrealloc(*v, c, size);
	*cap = c;
}

uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull ^ n;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		h = hash_mix(h ^ w);
	}
	for (; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return hash_mix(h);
}

void htab_fini(struct htab *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

void htab_reserve(struct htab *t, size_t n, htab_hash_fn hash, const void *ctx)
{
	size_t ns, mask;
	uint32_t *s;

	if ((n + 1) * 2 <= t->nslots)
		return;
	ns = t->nslots ? t->nslots * 2 : 1024;
	while ((n + 1) * 2 > ns)
		ns *= 2;
	mask = ns - 1;
	s = xcalloc(ns, sizeof(*s));
	for (size_t id = 0; id < n; id++) {
		size_t i = hash(ctx, (uint32_t)id) & mask;

		while (s[i])
			i = (i + 1) & mask;
		s[i] = (uint32_t)id + 1;
	}
	free(t->slots);
	t->slots = s;
	t->nslots = ns;
}

void strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
	strtab_intern(t, "", 0);
}

void strtab_fini(struct strtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->str[i]);
	free(t->str);
	free(t->len);
	htab_fini(&t->idx);
	memset(t, 0, sizeof(*t));
}

struct strkey {
	const char *s;
	size_t len;
};

static uint64_t str_hash(const void *ctx, uint32_t id)
{
	const struct strtab *t = ctx;

	return hash_bytes(t->str[id], t->len[id]);
}

static bool str_eq(const void *ctx, uint32_t id, const void *key)
{
	const struct strtab *t = ctx;
	const struct strkey *k = key;

	return t->len[id] == k->len && !memcmp(t->str[id], k->s, k->len);
}

uint32_t strtab_intern(struct strtab *t, const char *s, size_t len)
{
	struct strkey k = { s, len };
	uint32_t *slot, id;
	size_t cap2;

	htab_reserve(&t->idx, t->n, str_hash, t);
	slot = htab_slot(&t->idx, hash_bytes(s, len), str_eq, t, &k);
	if (*slot)
		return *slot - 1;
	cap2 = t->cap;
	vec_reserve((void **)&t->str, &t->cap, t->n + 1, sizeof(*t->str));
	vec_reserve((void **)&t->len, &cap2, t->n + 1, sizeof(*t->len));
	id = (uint32_t)t->n++;
	t->str[id] = xstrndup(s, len);
	t->len[id] = (uint32_t)len;
	*slot = id + 1;
	return id;
}

size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	v = len ? s[0] & (0x7f >> len) : 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			break;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (!len || i < len || s[0] > 0xf4 || v < min[len] || v > 0x10ffff ||
	    (v >= 0xd800 && v <= 0xdfff)) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = v;
	return len;
}

void utf8_put(FILE *f, uint32_t cp)
{
	if (cp < 0x80) {
		putc((int)cp, f);
	} else if (cp < 0x800) {
		putc(0xc0 | cp >> 6, f);
		putc(0x80 | (cp & 0x3f), f);
	} else if (cp < 0x10000) {
		putc(0xe0 | cp >> 12, f);
		putc(0x80 | (cp >> 6 & 0x3f), f);
		putc(0x80 | (cp & 0x3f), f);
	} else {
		putc(0xf0 | cp >> 18, f);
		putc(0x80 | (cp >> 12 & 0x3f), f);
		putc(0x80 | (cp >> 6 & 0x3f), f);
		putc(0x80 | (cp & 0x3f), f);
	}
}

const char *path_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

void kvmap_init(struct kvmap *m)
{
	m->n = 0;
	m->cap = 1024;
	m->k1 = xmalloc(m->cap * sizeof(*m->k1));
	m->k2 = xmalloc(m->cap * sizeof(*m->k2));
	m->v = xcalloc(m->cap, sizeof(*m->v));
}

void kvmap_fini(struct kvmap *m)
{
	free(m->k1);
	free(m->k2);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static size_t kv_slot(const struct kvmap *m, uint64_t k1, uint64_t k2)
{
	size_t i = hash_mix(hash_mix(k1) ^ k2) & (m->cap - 1);

	while (m->v[i] && (m->k1[i] != k1 || m->k2[i] != k2))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void kv_grow(struct kvmap *m)
{
	struct kvmap o = *m;

	m->cap *= 2;
	m->k1 = xmalloc(m->cap * sizeof(*m->k1));
	m->k2 = xmalloc(m->cap * sizeof(*m->k2));
	m->v = xcalloc(m->cap, sizeof(*m->v));
	for (size_t i = 0; i < o.cap; i++) {
		size_t j;

		if (!o.v[i])
			continue;
		j = kv_slot(m, o.k1[i], o.k2[i]);
		m->k1[j] = o.k1[i];
		m->k2[j] = o.k2[i];
		m->v[j] = o.v[i];
	}
	free(o.k1);
	free(o.k2);
	free(o.v);
}

uint32_t kvmap_get_or_put(struct kvmap *m, uint64_t k1, uint64_t k2, uint32_t val, bool *added)
{
	size_t i;

	if (m->n * 2 >= m->cap)
		kv_grow(m);
	i = kv_slot(m, k1, k2);
	if (m->v[i]) {
		*added = false;
		return m->v[i] - 1;
	}
	m->k1[i] = k1;
	m->k2[i] = k2;
	m->v[i] = val + 1;
	m->n++;
	*added = true;
	return val;
}

bool kvmap_find(const struct kvmap *m, uint64_t k1, uint64_t k2, uint32_t *val)
{
	size_t i = kv_slot(m, k1, k2);

	if (!m->v[i])
		return false;
	*val = m->v[i] - 1;
	return true;
}

void kvmap_put(struct kvmap *m, uint64_t k1, uint64_t k2, uint32_t val)
{
	bool added;

	kvmap_get_or_put(m, k1, k2, val, &added);
	if (!added)
		m->v[kv_slot(m, k1, k2)] = val + 1;
}
