#!/bin/bash
# SPDX-License-Identifier: MIT
# A thread made with raw clone(CLONE_VM|...|CLONE_THREAD), no pthread_create and no TLS of its
# own, spins while main spins: no crash, exit 0, the profile parses and main is sampled.
. "$(dirname "$0")/common.bash"
need "$PROGS/rawclone"

XPROF_HZ=5000 prof rc 30 "$PROGS/rawclone"
expect_rc rc 0
check rc 'rc in (0, 1)' 'len(P) == 1' 'P[0]["end"] == "exit"' 'P[0]["samples"] > 0'
pass
