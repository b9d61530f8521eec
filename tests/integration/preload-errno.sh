#!/bin/bash
# SPDX-License-Identifier: MIT
# errno survives sampling: two threads loop { errno = 0; open("/nonexistent"); check
# errno == ENOENT } for 1 s at 5 kHz; not one check may fail.
. "$(dirname "$0")/common.bash"
need "$PROGS/errnochk"

XPROF_HZ=5000 prof en 30 "$PROGS/errnochk" 1
expect_rc en 0
check en 'sum(t["samples"] for t in T) > 100' 'run["dropped"] == sum(d["count"] for d in D)' \
	'run["dropped"] == sum(p["dropped"] for p in P)'
pass
