#!/bin/bash
# SPDX-License-Identifier: MIT
# CPU per exec image is its own: progs/execchain burns 0.3 s, then execs itself, 4 times (5
# images of one pid). The kernel's process clock goes on across exec; each image's CPU in
# the report must be the 0.3 s it burnt (within 10 %), not the sum of the images before it,
# and the run's CPU must match the kernel's figure for the tree within 2 % (tools/treecpu).
# Every image records the CPU it spent before its first sample and xprof's own set-up.
. "$(dirname "$0")/common.bash"
need "$PROGS/execchain" "$PROGS/treecpu"

XPROF_OUT=$OUT XPROF_RUN=ec XPROF_QUIET=1 timeout -k 2 60 "$PROGS/treecpu" -o "$WORK/ec.cpu" \
	-p "$LIB" "$PROGS/execchain" 4 0.3 >"$WORK/ec.out" 2>"$WORK/ec.err"
RC=$?
expect_rc ec 0
cpu=$(sed -n 's/.*\tcpu_ns=\([0-9]*\).*/\1/p' "$WORK/ec.cpu")
check ec 'rc == 0' 'len(P) == 5' 'sorted(p["gen"] for p in P) == [0, 1, 2, 3, 4]' \
	'len(set(p["pid"] for p in P)) == 1' \
	'all(within(p["cpu_ns"], 0.3e9, 0.1) for p in P)' \
	'all(p["end"] == ("exit" if p["gen"] == 4 else "exec") for p in P)' \
	"within(run['cpu_ns'], $cpu, 0.02)" \
	'all(p["presample_ns"] > 0 and 0 < p["setup_ns"] <= p["presample_ns"] for p in P)' \
	'run["presample_ns"] == sum(p["presample_ns"] for p in P)'
pass
