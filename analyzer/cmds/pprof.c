// SPDX-License-Identifier: MIT
/*
 * cmds/pprof.c - the `pprof` command: the profile as gzip-compressed profile.proto for
 * `go tool pprof`, pprof's web UI, Pyroscope and Parca (writer: pprof.c). Analyzer only.
 */
#include "analyze.h"
#include "pprof.h"

int cmd_pprof(struct an_ctx *c)
{
	return pprof_write(c->out, c->p, c->s);
}
