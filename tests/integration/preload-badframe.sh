#!/bin/bash
# SPDX-License-Identifier: MIT
# Code without unwind information that sets %rbp to 1 (hand-written assembly): sampling it at
# 5 kHz must not crash the program; its samples keep at least the leaf frame
# (bad_frame_loop), and good_fn is sampled normally afterwards.
. "$(dirname "$0")/common.bash"
need "$PROGS/badframe"

XPROF_HZ=5000 prof bad 30 "$PROGS/badframe"
expect_rc bad 0
check bad 'len(P) == 1' 'P[0]["samples"] > 0' 'share("bad_frame_loop") > 50' \
	'share("good_fn") > 10'
pass
