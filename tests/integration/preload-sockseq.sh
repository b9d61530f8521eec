#!/bin/bash
# SPDX-License-Identifier: MIT
# After closefrom(3) the program's own socketpair takes the lowest numbers, the ones any
# descriptor of the profiler or its unwinder had: a byte stream between two threads, sampled
# at 5 kHz, must arrive whole and in order (nobody else reads or writes those numbers), and no
# SIGPIPE (exit 141).
. "$(dirname "$0")/common.bash"
need "$PROGS/sockseq"

XPROF_HZ=5000 prof ss 15 "$PROGS/sockseq" 1.5
expect_rc ss 0
check ss 'len(P) == 1' 'sum(t["samples"] for t in T) > 0'
pass
