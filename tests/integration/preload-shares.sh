#!/bin/bash
# SPDX-License-Identifier: MIT
# Function shares: one thread burns CPU in f60, f30 and f10 for 60/30/10 % of 1 s by
# construction; the report must give the same shares within 3 points, in the folded stacks
# weighted by CPU time and in the #function table. Inclusive shares: the clock reads each
# function makes while it burns are its own time (with the tick-bound timer a sample often
# lands on the return from that syscall, in the vDSO).
. "$(dirname "$0")/common.bash"
need "$PROGS/shares"

prof s 30 "$PROGS/shares" 1
expect_rc s 0
check s 'abs(share("f60", anywhere=True) - 60) <= 3' \
	'abs(share("f30", anywhere=True) - 30) <= 3' \
	'abs(share("f10", anywhere=True) - 10) <= 3' \
	'abs(total_pct("f60") - 60) <= 3' 'abs(total_pct("f30") - 30) <= 3' \
	'abs(total_pct("f10") - 10) <= 3'
pass
