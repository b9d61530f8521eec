#!/bin/bash
# SPDX-License-Identifier: MIT
# Blocking calls are not interrupted: main blocks in read() on a pipe filled after 1 s, then
# in write() on a full pipe drained after 0.3 s, while two threads spin at 5 kHz; then two
# threads burn CPU and block in read() 3000 times each (ping-pong), so that samples are
# pending as reads start. Any EINTR fails the program.
. "$(dirname "$0")/common.bash"
need "$PROGS/eintr"

XPROF_HZ=5000 prof ei 30 "$PROGS/eintr"
expect_rc ei 0
check ei 'len(P) == 1' 'sum(t["samples"] for t in T) > 0'
pass
