#!/bin/bash
# SPDX-License-Identifier: MIT
# XPROF_MAX_MB=1 on a program that would write more (deep stacks, 4 threads at 10 kHz): the
# program runs on with its exit status unchanged, the file stays within 1 MiB and parses,
# and the samples that did not fit are counted as dropped, not silently lost.
. "$(dirname "$0")/common.bash"
need "$PROGS/threads4" "$PROGS/deep"

XPROF_MAX_MB=1 XPROF_HZ=10000 XPROF_DEPTH=1024 prof mb 30 "$PROGS/deep" 3000
expect_rc mb 0
size=$(stat -c %s "$OUT"/mb/*.xpf)
[ "$size" -le $((1024 * 1024)) ] || fail "the file is $size bytes, over XPROF_MAX_MB=1"
check mb 'rc in (0, 1)' 'len(P) == 1' 'P[0]["samples"] > 0' \
	'P[0]["dropped"] > 0 or P[0]["end"] == "stopped"' \
	'run["dropped"] == sum(d["count"] for d in D)'
pass
