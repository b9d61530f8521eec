// SPDX-License-Identifier: MIT
/*
 * json.c - JSON string escaping for the speedscope and timeline writers (see json.h).
 * Analyzer only. Symbol names and command lines come from the profiled programs and may hold
 * any bytes: invalid UTF-8 becomes U+FFFD (util.h's utf8_next), so the file always parses.
 */
#include "json.h"

#include "util.h"

void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	putc('"', f);
	while (*p) {
		p += utf8_next(p, &cp);
		if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", (int)cp);
		else if (cp < 0x20)
			fprintf(f, "\\u%04x", (unsigned)cp);
		else
			utf8_put(f, cp);
	}
	putc('"', f);
}
