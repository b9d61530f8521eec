/* SPDX-License-Identifier: MIT */
/*
 * flamegraph_tree.h - the call tree behind the SVG flame graph: stacks merged by (parent,
 * name), children sorted by name (private to flamegraph.c). Analyzer only; allocates.
 *
 * Use: fg_tree_init(), fg_tree_add() per stack, fg_tree_link() once, read, fg_tree_fini().
 * Node 0 is the root "all"; a child's index is always larger than its parent's.
 */
#ifndef XPROF_FLAMEGRAPH_TREE_H
#define XPROF_FLAMEGRAPH_TREE_H

#include <stdint.h>

#include "flamegraph.h"

struct fg_node {
	const char *name;	/* the caller's string or a literal; never freed here */
	uint64_t value;
	uint64_t samples;
	uint64_t base;		/* differential graphs: baseline value (see fg_options.base) */
	uint32_t parent;
	uint32_t kids;		/* first child in fg_tree.kids, set by fg_tree_link(); before, the
				 * child found last (0: none), tried before the hash table */
	uint32_t nkids;		/* set by fg_tree_link(); before, 1 if the only child is not in
				 * the hash table yet */
};

struct fg_kid {
	const char *name;	/* copy of the node's name: sorting needs no indirection */
	uint32_t node;
};

/* The hash sits beside the index so a probe that misses never touches the node. */
struct fg_slot {
	uint32_t hash;
	uint32_t node;		/* 0 = empty (the root is never looked up) */
};

/* The previous stack's path: consecutive stacks usually share a prefix, which then costs
 * a pointer compare per frame instead of a hash lookup. */
struct fg_path {
	const char **names;
	uint32_t *nodes;
	uint32_t len, cap;
};

struct fg_tree {
	struct fg_node *nodes;
	uint32_t n, cap;
	struct fg_slot *slots;	/* open addressing on (parent, name), linear probing */
	uint32_t mask, hashed;	/* hashed: nodes in slots */
	struct fg_kid *kids;	/* children of each node, contiguous, sorted by name */
	struct fg_path path;	/* of the stack added last */
};

/* FNV-1a of a string; also seeds the frame colours, so it must never change. */
uint32_t fg_hash_str(const char *s);

/* 0 or -ENOMEM; fg_tree_fini() is needed either way. */
int fg_tree_init(struct fg_tree *t);

/* Adds one stack (its value, and its baseline value `base`, only to its leaf until
 * fg_tree_link()). Names are not copied: they must outlive the tree. 0, -ENOMEM or
 * -EOVERFLOW (over 2^30 nodes). */
int fg_tree_add(struct fg_tree *t, const struct fg_stack *s, uint64_t base);

/* Makes values and samples inclusive and fills kids. Call once, after the last add. */
int fg_tree_link(struct fg_tree *t);

void fg_tree_fini(struct fg_tree *t);

#endif /* XPROF_FLAMEGRAPH_TREE_H */
