#!/bin/bash
# SPDX-License-Identifier: MIT
# A process with 1 GiB touched forks 10 times while sampled at 10 kHz: each fork (a long
# page-table copy) must complete, not be restarted forever by the sampling signal.
. "$(dirname "$0")/common.bash"
need "$PROGS/bigfork"

XPROF_HZ=10000 prof bf 60 "$PROGS/bigfork" 1024 10
expect_rc bf 0
check bf 'len(P) == 11' 'P[0]["end"] == "exit"'
pass
