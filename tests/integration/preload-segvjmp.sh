#!/bin/bash
# SPDX-License-Identifier: MIT
# The program's own SIGSEGV handler siglongjmps out of 1000 deliberate faults while sampled at
# 5 kHz: all 1000 are recovered and the blocked signal mask is unchanged afterwards.
. "$(dirname "$0")/common.bash"
need "$PROGS/segvjmp"

XPROF_HZ=5000 prof sj 30 "$PROGS/segvjmp"
expect_rc sj 0
check sj 'len(P) == 1' 'P[0]["samples"] > 0' 'P[0]["end"] == "exit"'
pass
