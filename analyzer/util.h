/* SPDX-License-Identifier: MIT */
/*
 * util.h - small helpers shared by the analyzer: allocation that never returns NULL, growable
 * arrays, the one hash index behind every interning table (strings, the profile model's
 * threads, stacks and aggregates, named stacks), and the hashes they use.
 * Analyzer only: single-threaded, not async-signal-safe.
 *
 * Allocation failure is not recoverable for a post-run tool: xmalloc() and friends print one
 * line and exit with status 2 (fatal). Memory that depends on input size is bounded by the
 * reader (see reader.c), so this is reached only when the machine is truly out of memory.
 */
#ifndef XPROF_ANALYZER_UTIL_H
#define XPROF_ANALYZER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grows *v (elements of `size` bytes, capacity *cap) so that index `need - 1` exists. */
void vec_reserve(void **v, size_t *cap, size_t need, size_t size);
#define VEC_PUSH(arr, n, cap)                                                              \
	(vec_reserve((void **)&(arr), &(cap), (n) + 1, sizeof(*(arr))), &(arr)[(n)++])

/* 64-bit hashing: a strong mixer for integer keys and a byte hash for strings. */
static inline uint64_t hash_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}
uint64_t hash_bytes(const void *p, size_t n);

/*
 * Hash index over entries the caller keeps in its own array, by id: open addressing with
 * linear probing, slots hold id + 1 (0 = empty), at most half full. The index stores no keys,
 * so the caller gives the hash of an entry by id (to rebuild on growth) and an equality test
 * against the key being looked up. htab_slot() is inline so that a constant `eq` is inlined
 * into the probe loop: stack interning is the hottest path of reading.
 *
 *	htab_reserve(&t, n, hash_of_id, ctx);	// n entries exist; room for one more
 *	slot = htab_slot(&t, hash(key), eq, ctx, key);
 *	if (*slot) return *slot - 1;		// found
 *	id = push the entry; *slot = id + 1;	// added
 */
typedef uint64_t (*htab_hash_fn)(const void *ctx, uint32_t id);
typedef bool (*htab_eq_fn)(const void *ctx, uint32_t id, const void *key);

struct htab {
	uint32_t *slots;	/* id + 1; 0 = empty; owned */
	size_t nslots;		/* a power of two, or 0 before the first reserve */
};

void htab_fini(struct htab *t);
/* Before adding the (n+1)th entry: grows (rehashing ids 0..n-1) if that would pass half. */
void htab_reserve(struct htab *t, size_t n, htab_hash_fn hash, const void *ctx);

/* The slot holding the entry equal to `key` (hash h), or the empty slot where it goes. */
static inline uint32_t *htab_slot(const struct htab *t, uint64_t h, htab_eq_fn eq,
				  const void *ctx, const void *key)
{
	size_t mask = t->nslots - 1, i = h & mask;

	while (t->slots[i] && !eq(ctx, t->slots[i] - 1, key))
		i = (i + 1) & mask;
	return &t->slots[i];
}

/*
 * Interned strings: each distinct string gets a small id, stable for the table's life.
 * Id 0 is always the empty string. The table owns the copies; strtab_fini() frees them.
 */
struct strtab {
	char **str;		/* id -> string */
	uint32_t *len;		/* id -> length */
	size_t n, cap;
	struct htab idx;
};

void strtab_init(struct strtab *t);
void strtab_fini(struct strtab *t);
uint32_t strtab_intern(struct strtab *t, const char *s, size_t len);
static inline const char *strtab_get(const struct strtab *t, uint32_t id)
{
	return t->str[id];
}

/*
 * Decodes one UTF-8 sequence of the NUL-terminated s into *cp; returns the bytes used.
 * Anything invalid (overlong, surrogate, truncated, > U+10FFFF) becomes U+FFFD and uses one
 * byte, so symbol names of any bytes still give valid XML and JSON.
 */
size_t utf8_next(const unsigned char *s, uint32_t *cp);
/* Writes code point cp (at most U+10FFFF) to f as UTF-8. */
void utf8_put(FILE *f, uint32_t cp);

/* The last path component of `path` (a pointer into it). */
const char *path_base(const char *path);


/*
 * Map from a 128-bit key (two u64) to a u32 value, open addressing. Used for caches keyed by
 * several fields (module + address, name + module). The map owns its arrays.
 */
struct kvmap {
	uint64_t *k1, *k2;
	uint32_t *v;		/* value + 1; 0 = empty slot */
	size_t n, cap;
};

void kvmap_init(struct kvmap *m);
void kvmap_fini(struct kvmap *m);
/* Returns the value stored for the key, or stores `val` and returns it if absent. */
uint32_t kvmap_get_or_put(struct kvmap *m, uint64_t k1, uint64_t k2, uint32_t val, bool *added);
/* Whether the key is present; its value in *val if so. */
bool kvmap_find(const struct kvmap *m, uint64_t k1, uint64_t k2, uint32_t *val);
/* Stores (or replaces) the value of the key. */
void kvmap_put(struct kvmap *m, uint64_t k1, uint64_t k2, uint32_t val);

#endif /* XPROF_ANALYZER_UTIL_H */
