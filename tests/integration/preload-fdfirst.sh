#!/bin/bash
# SPDX-License-Identifier: MIT
# xprof keeps its descriptors at high numbers: a profiled program's first open() and pipe()
# return the same numbers as without xprof, and it sees no extra descriptor below 1000. And
# it gets there without filling the descriptor table (once ~1,000 openat + close of
# /dev/null per process image, at a 20,000-descriptor limit): under strace, the profiled
# image opens at most 20 files more than the unprofiled one, whatever the limit.
. "$(dirname "$0")/common.bash"
need "$PROGS/fdfirst"

"$PROGS/fdfirst" >"$WORK/base.out" </dev/null
prof ff 20 "$PROGS/fdfirst" </dev/null
expect_rc ff 0
cmp -s "$WORK/base.out" "$WORK/ff.out" ||
	fail "descriptor numbers changed: without xprof '$(tr '\n' ' ' <"$WORK/base.out")', with '$(tr '\n' ' ' <"$WORK/ff.out")'"
check ff 'P[0]["samples"] > 0'
if command -v strace >/dev/null; then
	opens() { grep -c 'openat(' "$1"; }
	(ulimit -n 20000 2>/dev/null; strace -f -qq -e trace=openat -o "$WORK/base.st" \
		"$PROGS/fdfirst" >/dev/null </dev/null)
	(ulimit -n 20000 2>/dev/null; XPROF_OUT=$OUT XPROF_RUN=st XPROF_QUIET=1 \
		strace -f -qq -e trace=openat -E LD_PRELOAD="$LIB" -o "$WORK/ff.st" \
		"$PROGS/fdfirst" >/dev/null </dev/null)
	[ "$(opens "$WORK/ff.st")" -le $(($(opens "$WORK/base.st") + 20)) ] ||
		fail "the profiled image made $(opens "$WORK/ff.st") openat calls, unprofiled $(opens "$WORK/base.st")"
else
	echo "  $NAME: strace not installed: the openat count is not checked"
fi
pass
