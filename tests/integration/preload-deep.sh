#!/bin/bash
# SPDX-License-Identifier: MIT
# 10,000-deep recursion spinning at the bottom: no crash, samples present and flagged
# truncated (the stack is deeper than XPROF_DEPTH).
. "$(dirname "$0")/common.bash"
need "$PROGS/deep"

prof deep 30 "$PROGS/deep" 10000
expect_rc deep 0
check deep 'len(P) == 1' 'P[0]["samples"] >= 0.25 * min_rate' 'P[0]["truncated"] > 0' \
	'P[0]["truncated"] >= 0.9 * P[0]["samples"] - 10' 'share("deep_bottom") > 80'
pass
