#!/bin/bash
# SPDX-License-Identifier: MIT
# C++ exceptions thrown and caught through sampled frames (two threads, 1 s) and
# longjmp/siglongjmp through sampled frames, at 5 kHz: no crash, exit 0, samples present.
. "$(dirname "$0")/common.bash"
need "$PROGS/cxxexc" "$PROGS/longjmp"

XPROF_HZ=5000 prof cxx 30 "$PROGS/cxxexc" 1
expect_rc cxx 0
check cxx 'sum(t["samples"] for t in T) > 0' 'on_stack("thrower") > 50'
XPROF_HZ=5000 prof jmp 30 "$PROGS/longjmp" 1
expect_rc jmp 0
check jmp 'sum(t["samples"] for t in T) > 0' 'on_stack("jumper") > 50'
pass
