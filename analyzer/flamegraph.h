/* SPDX-License-Identifier: MIT */
/*
 * flamegraph.h - self-contained interactive SVG flame graphs from aggregated stacks.
 * Analyzer only (not async-signal-safe, allocates).
 */
#ifndef XPROF_FLAMEGRAPH_H
#define XPROF_FLAMEGRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One aggregated stack, root frame first. The caller owns every string. */
struct fg_stack {
	const char *const *frames;
	uint32_t nframes;
	uint64_t value;		/* what widths are proportional to (samples or ns) */
	uint64_t samples;	/* sample count, shown on hover */
};

struct fg_options {
	const char *title;	/* NULL: "Flame Graph" */
	const char *subtitle;	/* NULL: none */
	const char *unit;	/* "samples" or "ns": how `value` is shown on hover */
	uint32_t width_px;	/* 0: 1200 */
	double min_width_px;	/* frames narrower than this are merged; 0: 0.1 */
	const uint64_t *base;	/* differential graphs: per stack, its value in the baseline
				 * profile scaled to the same total; NULL: not differential */
};

/*
 * Writes one SVG to `out`: frames sorted alphabetically among siblings like flamegraph.pl,
 * hover shows name, samples, time and %, click zooms, search highlights and shows the matched
 * %, deterministic for the same input (whatever the order of the stacks). Stacks may repeat
 * (they are merged); stacks of value 0 are ignored; a NULL frame name reads "[unknown]".
 * Frames narrower than min_width_px are not drawn (their value stays in the parent's width).
 * `out` is flushed. Returns 0, -ENOMEM (-EOVERFLOW past 2^30 tree nodes), or -EIO if writing
 * failed.
 */
int flamegraph_write(FILE *out, const struct fg_stack *stacks, size_t n,
		     const struct fg_options *opt);

/*
 * Differential graphs (opt->base set): widths are `value` (the second profile), each frame's
 * colour is its inclusive value minus its inclusive base, red where the second profile
 * spends more, blue where less, white where the same, deepest at the largest difference;
 * hover adds both shares. Stacks of value 0 but base > 0 add to their parents' base and are
 * not drawn.
 *
 * Reads folded stacks ("root;caller;callee COUNT" per line, as made by stackcollapse tools and
 * `xprof-analyze folded`) from `in` and writes their flame graph to `out`; COUNT is both value
 * and samples. Malformed lines are skipped and counted in one stderr line. Returns 0 or -errno
 * (-EIO if reading or writing failed).
 */
int flamegraph_from_folded(FILE *in, FILE *out, const struct fg_options *opt);

#endif /* XPROF_FLAMEGRAPH_H */
