/* SPDX-License-Identifier: MIT */
/*
 * speedscope.h - the profile in speedscope's file format
 * (https://www.speedscope.app/file-format-schema.json). Analyzer only.
 */
#ifndef XPROF_ANALYZER_SPEEDSCOPE_H
#define XPROF_ANALYZER_SPEEDSCOPE_H

#include <stdio.h>

#include "profile.h"
#include "symbols.h"

/*
 * Writes one sampled profile per thread that has time of `kind` (prof_kind_has()), weights
 * in nanoseconds (or sample counts unless `ns`), to `out` and flushes it. Returns 0 or -EIO.
 */
int speedscope_write(FILE *out, const struct profile *p, const struct symbols *s,
		     enum prof_kind kind, bool ns);

#endif /* XPROF_ANALYZER_SPEEDSCOPE_H */
