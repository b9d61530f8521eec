/* SPDX-License-Identifier: MIT */
/*
 * pprof.h - the profile as pprof's profile.proto, gzip-compressed: what `go tool pprof`,
 * pprof's web UI, Pyroscope and Parca read. Analyzer only.
 */
#ifndef XPROF_ANALYZER_PPROF_H
#define XPROF_ANALYZER_PPROF_H

#include <stdio.h>

#include "profile.h"
#include "symbols.h"

/*
 * Writes the whole (already filtered and symbolised) profile to `out` and flushes it.
 * Returns 0, or -EIO if writing failed. Locations carry source lines only if the symbols
 * were resolved with sym_opts.src set.
 */
int pprof_write(FILE *out, const struct profile *p, const struct symbols *s);

#endif /* XPROF_ANALYZER_PPROF_H */
