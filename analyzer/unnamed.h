/* SPDX-License-Identifier: MIT */
/*
 * unnamed.h - how much sampled CPU stayed without a function name, and in which modules: a
 * section of the `report` command. Analyzer only.
 */
#ifndef XPROF_ANALYZER_UNNAMED_H
#define XPROF_ANALYZER_UNNAMED_H

#include <stdint.h>

#include "analyze.h"

/* Writes the unnamed-CPU line and table of c->p to c->out; `whole` is the sampled CPU the
 * percentages are of. */
void report_unnamed(struct an_ctx *c, uint64_t whole);

#endif /* XPROF_ANALYZER_UNNAMED_H */
