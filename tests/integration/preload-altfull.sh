#!/bin/bash
# SPDX-License-Identifier: MIT
# The `stack` drop: progs/altfull's SIGUSR1 handler runs on its 64 KiB altstack with only one
# signal frame and 400 bytes left below it, burning CPU there for 2 s. A tick arriving then
# finds too little room even to switch to our private stack: it must be dropped and counted
# as `stack` with its CPU weight, the canary block below the altstack must stay intact (it
# was overwritten when the unwind ran on the program's altstack), and the program ends
# normally.
. "$(dirname "$0")/common.bash"
need "$PROGS/altfull"

XPROF_HZ=2000 prof af 60 "$PROGS/altfull" 2
expect_rc af 0
grep -qx 'altfull rounds ok canary ok' "$WORK/af.out" || fail "af: $(cat "$WORK/af.out")"
check af 'rc == 0' 'len(P) == 1' \
	'sum(d["count"] for d in D if d["reason"] == "stack") >= 100' \
	'sum(d["ns"] for d in D if d["reason"] == "stack") >= 0.9 * P[0]["cpu_ns"] - 0.3e9'
pass
