#!/bin/bash
# SPDX-License-Identifier: MIT
# A profiled program's stdout, stderr and exit status are exactly those of the plain run
# (XPROF_QUIET=1: xprof says nothing), and its profile is there (parent and fork child).
. "$(dirname "$0")/common.bash"
need "$PROGS/hello"
cd "$WORK" || fail "cd $WORK"

"$PROGS/hello" >base.out 2>base.err
base_rc=$?
prof h 20 "$PROGS/hello"
[ "$RC" = "$base_rc" ] || fail "$(status_name $RC), expected $base_rc"
cmp -s "$WORK/h.out" base.out || fail "stdout differs: $(diff base.out "$WORK/h.out" | head -3 | tr '\n' '|')"
cmp -s "$WORK/h.err" base.err || fail "stderr differs: $(diff base.err "$WORK/h.err" | head -3 | tr '\n' '|')"
# Through a pipe too (stdio buffering differs from a file).
out=$(XPROF_OUT=$OUT XPROF_RUN=p XPROF_QUIET=1 with_preload 20 "$PROGS/hello" 2>&1 | md5sum)
[ "$out" = "$("$PROGS/hello" 2>&1 | md5sum)" ] || fail "output through a pipe differs"
check h 'len(P) == 2' 'share("hello_work") > 80'
pass
