// SPDX-License-Identifier: MIT
/*
 * cmds/timeline.c - the `timeline` command: Chrome trace-event JSON for Perfetto's UI, a
 * track per process and thread (writer: timeline.c). main.c sets profile.keep_events for it
 * before reading. Analyzer only.
 */
#include "analyze.h"
#include "timeline.h"

int cmd_timeline(struct an_ctx *c)
{
	return timeline_write(c->out, c->p, c->s);
}
