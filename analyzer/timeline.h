/* SPDX-License-Identifier: MIT */
/*
 * timeline.h - the profile as a timeline in Chrome's trace-event format, for Perfetto's UI
 * and Chrome's trace viewers. Analyzer only.
 */
#ifndef XPROF_ANALYZER_TIMELINE_H
#define XPROF_ANALYZER_TIMELINE_H

#include <stdio.h>

#include "profile.h"
#include "symbols.h"

/*
 * Writes a track per process and thread with process lifetimes, exec generations and the
 * time-stamped events the profile kept (profile.keep_events) to `out`, and flushes it.
 * Returns 0 or -EIO.
 */
int timeline_write(FILE *out, const struct profile *p, const struct symbols *s);

#endif /* XPROF_ANALYZER_TIMELINE_H */
