#!/bin/bash
# SPDX-License-Identifier: MIT
# xprof keeps its descriptors at high numbers: a profiled program's first open() and pipe()
# return the same numbers as without xprof, and it sees no extra descriptor below 1000.
. "$(dirname "$0")/common.bash"
need "$PROGS/fdfirst"

"$PROGS/fdfirst" >"$WORK/base.out" </dev/null
prof ff 20 "$PROGS/fdfirst" </dev/null
expect_rc ff 0
cmp -s "$WORK/base.out" "$WORK/ff.out" ||
	fail "descriptor numbers changed: without xprof '$(tr '\n' ' ' <"$WORK/base.out")', with '$(tr '\n' ' ' <"$WORK/ff.out")'"
check ff 'P[0]["samples"] > 0'
pass
