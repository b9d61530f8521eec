// SPDX-License-Identifier: MIT
/*
 * flamegraph_tree.c - merges aggregated stacks into the call tree drawn by flamegraph.c.
 * Analyzer only: allocates, not async-signal-safe, no globals.
 *
 * Invariants: node 0 is the root "all"; a child is always created after its parent, so its
 * index is larger; siblings have distinct names. While stacks are added, value and samples
 * are self counts (the stack's leaf only); fg_tree_link() makes them inclusive in one backward
 * pass, so children never sum above their parent, and sorts siblings by strcmp().
 *
 * Cost is O(total frames): a run of frames shared with the previous stack costs a pointer
 * compare each, the rest one hash lookup on (parent, name) each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph_tree.h"

uint32_t fg_hash_str(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

static uint32_t fg_hash_key(uint32_t parent, const char *name)
{
	uint32_t h = fg_hash_str(name) ^ (parent * 0x9e3779b1u);

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

int fg_tree_init(struct fg_tree *t)
{
	memset(t, 0, sizeof(*t));
	t->cap = 1024;
	t->mask = 2047;
	t->nodes = malloc(t->cap * sizeof(*t->nodes));
	t->slots = calloc(t->mask + 1, sizeof(*t->slots));
	if (!t->nodes || !t->slots)
		return -ENOMEM;
	t->nodes[0] = (struct fg_node){ .name = "all", .parent = UINT32_MAX };
	t->n = 1;	/* the root is never looked up, so it is not in slots */
	return 0;
}

void fg_tree_fini(struct fg_tree *t)
{
	free(t->path.names);
	free(t->path.nodes);
	free(t->kids);
	free(t->slots);
	free(t->nodes);
}

static int tree_rehash(struct fg_tree *t)
{
	uint32_t size = (t->mask + 1) * 2, i, j;
	struct fg_slot *slots;

	if (size == 0)
		return -EOVERFLOW;
	slots = calloc(size, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0; i <= t->mask; i++) {
		if (!t->slots[i].node)
			continue;
		for (j = t->slots[i].hash & (size - 1); slots[j].node; j = (j + 1) & (size - 1))
			;
		slots[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->mask = size - 1;
	return 0;
}

static int tree_grow(struct fg_tree *t)
{
	struct fg_node *nodes;

	if (t->cap > UINT32_MAX / 4)
		return -EOVERFLOW;
	nodes = realloc(t->nodes, (size_t)t->cap * 2 * sizeof(*nodes));
	if (!nodes)
		return -ENOMEM;
	t->nodes = nodes;
	t->cap *= 2;
	return 0;
}

/* Probes for (parent, name): the slot holding it, or the empty slot where it belongs. */
static uint32_t slot_find(const struct fg_tree *t, uint32_t h, uint32_t parent, const char *name)
{
	uint32_t i, k;

	for (i = h & t->mask; (k = t->slots[i].node) != 0; i = (i + 1) & t->mask) {
		const struct fg_node *nd = &t->nodes[k];

		if (t->slots[i].hash == h && nd->parent == parent &&
		    (nd->name == name || strcmp(nd->name, name) == 0))
			break;
	}
	return i;
}

/* Gives the hash and the slot of (parent, name), after making room for one more entry. */
static int slot_reserve(struct fg_tree *t, uint32_t parent, const char *name, uint32_t *h,
			uint32_t *slot)
{
	int err;

	if (t->hashed + 1 > (t->mask + 1) / 2 && (err = tree_rehash(t)))
		return err;
	*h = fg_hash_key(parent, name);
	*slot = slot_find(t, *h, parent, name);
	return 0;
}

static int node_new(struct fg_tree *t, uint32_t parent, const char *name, uint32_t *out)
{
	int err;

	if (t->n == t->cap && (err = tree_grow(t)))
		return err;
	t->nodes[t->n] = (struct fg_node){ .name = name, .parent = parent };
	*out = t->n++;
	return 0;
}

/* Puts the parent's only child, so far kept out of the table, into it. */
static int slot_add_only_child(struct fg_tree *t, uint32_t parent)
{
	uint32_t k = t->nodes[parent].kids, h, i;
	int err;

	t->nodes[parent].nkids = 0;
	if ((err = slot_reserve(t, parent, t->nodes[k].name, &h, &i)))
		return err;
	t->slots[i] = (struct fg_slot){ h, k };
	t->hashed++;
	return 0;
}

/*
 * Finds or creates the child `name` of `parent`; its index goes to *out. Deep call chains
 * mostly have one child per node, so the last child found is tried first: that costs no
 * cache miss beyond reading the child, which the next level reads anyway. For the same
 * reason a first child stays out of the table (nkids = 1 says so) until a second appears.
 */
static int tree_child(struct fg_tree *t, uint32_t parent, const char *name, uint32_t *out)
{
	uint32_t h, i, k = t->nodes[parent].kids;
	int err;

	if (k && (t->nodes[k].name == name || strcmp(t->nodes[k].name, name) == 0)) {
		*out = k;
		return 0;
	}
	if (!k) {
		if ((err = node_new(t, parent, name, out)))
			return err;
		t->nodes[parent].kids = *out;
		t->nodes[parent].nkids = 1;
		return 0;
	}
	if (t->nodes[parent].nkids && (err = slot_add_only_child(t, parent)))
		return err;
	if ((err = slot_reserve(t, parent, name, &h, &i)))
		return err;
	k = t->slots[i].node;
	if (!k) {
		if ((err = node_new(t, parent, name, &k)))
			return err;
		t->slots[i] = (struct fg_slot){ h, k };
		t->hashed++;
	}
	t->nodes[parent].kids = k;
	*out = k;
	return 0;
}

static int path_reserve(struct fg_path *p, uint32_t depth)
{
	const char **names;
	uint32_t *nodes;
	uint32_t cap = p->cap ? p->cap : 64;

	if (depth <= p->cap)
		return 0;
	while (cap < depth)
		cap = cap > UINT32_MAX / 2 ? depth : cap * 2;
	names = realloc(p->names, cap * sizeof(*names));
	if (!names)
		return -ENOMEM;
	p->names = names;
	nodes = realloc(p->nodes, cap * sizeof(*nodes));
	if (!nodes)
		return -ENOMEM;
	p->nodes = nodes;
	p->cap = cap;
	return 0;
}

static const char *frame_name(const struct fg_stack *s, uint32_t j)
{
	return s->frames[j] ? s->frames[j] : "[unknown]";
}

int fg_tree_add(struct fg_tree *t, const struct fg_stack *s, uint64_t base)
{
	struct fg_path *p = &t->path;
	uint32_t depth = s->frames ? s->nframes : 0, j, cur = 0;
	int err;

	if (s->value == 0 && base == 0)
		return 0;	/* nothing to draw; would only create zero-width nodes */
	if ((err = path_reserve(p, depth)))
		return err;
	for (j = 0; j < depth && j < p->len; j++) {
		const char *name = frame_name(s, j);

		if (name != p->names[j] && strcmp(name, p->names[j]) != 0)
			break;
		cur = p->nodes[j];
	}
	for (; j < depth; j++) {
		if ((err = tree_child(t, cur, frame_name(s, j), &cur)))
			return err;
		p->names[j] = frame_name(s, j);
		p->nodes[j] = cur;
	}
	p->len = depth;
	t->nodes[cur].value += s->value;
	t->nodes[cur].samples += s->samples;
	t->nodes[cur].base += base;
	return 0;
}

static int kid_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fg_kid *)a)->name, ((const struct fg_kid *)b)->name);
}

/* Makes counts inclusive (children have larger indices than their parent, so one backward
 * pass sees every child before its parent), then groups every node's children contiguously
 * in t->kids, sorted by name. */
int fg_tree_link(struct fg_tree *t)
{
	uint32_t i, sum = 0;

	t->kids = malloc(t->n * sizeof(*t->kids));
	if (!t->kids)
		return -ENOMEM;
	for (i = 0; i < t->n; i++)
		t->nodes[i].nkids = 0;
	for (i = t->n - 1; i > 0; i--) {
		struct fg_node *p = &t->nodes[t->nodes[i].parent];

		p->value += t->nodes[i].value;
		p->samples += t->nodes[i].samples;
		p->base += t->nodes[i].base;
		p->nkids++;
	}
	for (i = 0; i < t->n; i++) {
		t->nodes[i].kids = sum;
		sum += t->nodes[i].nkids;
		t->nodes[i].nkids = 0;	/* refilled below */
	}
	for (i = 1; i < t->n; i++) {
		struct fg_node *p = &t->nodes[t->nodes[i].parent];

		t->kids[p->kids + p->nkids++] = (struct fg_kid){ t->nodes[i].name, i };
	}
	for (i = 0; i < t->n; i++)
		if (t->nodes[i].nkids > 1)
			qsort(t->kids + t->nodes[i].kids, t->nodes[i].nkids, sizeof(*t->kids),
			      kid_cmp);
	return 0;
}
