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
 * Writes one sampled profile per thread that has samples, weights in CPU nanoseconds, to
 * `out` and flushes it. Returns 0 or -EIO.
 */
int speedscope_write(FILE *out, const struct profile *p, const struct symbols *s);

#endif /* XPROF_ANALYZER_SPEEDSCOPE_H */
