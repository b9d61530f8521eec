#!/bin/bash
# SPDX-License-Identifier: MIT
# Every thread blocks all signals (pthread_sigmask SIG_BLOCK, full set) and spins: no hang,
# exit 0, and the files still parse.
. "$(dirname "$0")/common.bash"
need "$PROGS/sigblock"

XPROF_HZ=5000 prof sb 20 "$PROGS/sigblock"
expect_rc sb 0
check sb 'rc == 0' 'len(P) == 1' 'P[0]["end"] == "exit"'
pass
