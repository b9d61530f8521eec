// SPDX-License-Identifier: MIT
/*
 * cmds/speedscope.c - the `speedscope` command: one sampled profile per thread in
 * speedscope's file format (writer: speedscope.c). Analyzer only.
 */
#include "analyze.h"
#include "speedscope.h"

int cmd_speedscope(struct an_ctx *c)
{
	return speedscope_write(c->out, c->p, c->s, c->o->kind, c->o->weight_ns);
}
