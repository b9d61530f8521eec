/* SPDX-License-Identifier: MIT */
/*
 * json.h - the little JSON writing the speedscope and timeline outputs need. Analyzer only.
 *
 * Written by hand: those outputs only ever write JSON, in a fixed shape, as a stream; a JSON
 * library would add a dependency for one function, the escaping of strings.
 */
#ifndef XPROF_ANALYZER_JSON_H
#define XPROF_ANALYZER_JSON_H

#include <stdio.h>

/* Writes s as a JSON string: quoted, escaped, and valid UTF-8 whatever the bytes of s. */
void json_str(FILE *f, const char *s);

#endif /* XPROF_ANALYZER_JSON_H */
