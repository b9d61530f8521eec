#!/bin/bash
# SPDX-License-Identifier: MIT
# XPROF_MAX_MB=1 on a program that would write more (2 threads, stacks 300-900 deep that
# differ near the root, 1024 frames kept, 10 kHz asked): the
# program runs on with its exit status unchanged, the image stays within 1 MiB (the file holds
# it and the run's 4 KiB file header) and parses
# cleanly (analyzer exit 0: a stopped profile is not a damaged one), and the CPU time that
# could not be sampled any more is counted as dropped (sampled + dropped ns = CPU), not
# silently lost.
. "$(dirname "$0")/common.bash"
need "$PROGS/bigstacks"

XPROF_MAX_MB=1 XPROF_HZ=10000 XPROF_DEPTH=1024 prof mb 30 "$PROGS/bigstacks" 1
expect_rc mb 0
size=$(stat -c %s "$OUT"/mb/*.xpf)
[ "$size" -le $((1024 * 1024 + 4096)) ] || fail "the file is $size bytes, over XPROF_MAX_MB=1"
check mb 'len(P) == 1' 'len(H) == 1' 'H[0]["blocks_used"] * 4096 <= 1024 * 1024' \
	'H[0]["blocks_used"] * 4096 > 1000 * 1024' 'P[0]["samples"] > 0' \
	'P[0]["dropped"] > 0 or P[0]["end"] == "stopped"' \
	'run["dropped"] == sum(d["count"] for d in D)' 'rc == 0' \
	'within(P[0]["sampled_ns"] + sum(d["ns"] for d in D), P[0]["cpu_ns"], 0.05)'
pass
