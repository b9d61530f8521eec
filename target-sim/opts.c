// SPDX-License-Identifier: MIT
/*
 * opts.c - option parsing helpers shared by the subcommands: strict integer parsing with a
 * range (a bad value is a usage error naming the option and the accepted range) and the
 * optional --timing line on stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"

int opt_int(const char *cmd, const char *name, const char *arg, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < lo || v > hi) {
		fprintf(stderr, "backtest-sim %s: --%s: '%s' is not an integer in [%ld, %ld]\n",
			cmd, name, arg, lo, hi);
		return -EINVAL;
	}
	*out = (int)v;
	return 0;
}

int opt_u64(const char *cmd, const char *name, const char *arg, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || *arg == '-') {
		fprintf(stderr, "backtest-sim %s: --%s: '%s' is not an unsigned integer\n", cmd,
			name, arg);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

void opt_timing_report(const struct common_opts *o, const char *cmd, double t0)
{
	if (o->timing)
		fprintf(stderr, "%s: wall %.3f s\n", cmd, now_sec() - t0);
}
