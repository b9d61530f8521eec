#!/bin/bash
# SPDX-License-Identifier: MIT
# Threads with a SIGSTKSZ sigaltstack and an SA_ONSTACK SIGUSR1 handler that spins 20 ms per
# signal, 100 signals, sampled at 5 kHz: no crash, every signal handled on the alternate
# stack.
. "$(dirname "$0")/common.bash"
need "$PROGS/altstack"

XPROF_HZ=5000 prof alt 30 "$PROGS/altstack"
expect_rc alt 0
check alt 'rc in (0, 1)' 'sum(t["samples"] for t in T) > 0'
pass
