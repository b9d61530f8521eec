#!/bin/bash
# SPDX-License-Identifier: MIT
# timer_create and queued signals failing for want of RLIMIT_SIGPENDING (ulimit -i 2): the
# program still runs to its normal end with its output unchanged, and the profile parses
# with every thread listed.
. "$(dirname "$0")/common.bash"
need "$PROGS/threads4"

for mech in auto timer; do
	(
		ulimit -i 2 || exit 99
		XPROF_MECH=$mech XPROF_HZ=5000 prof "$mech" 30 "$PROGS/threads4" 0.3
		exit $RC
	)
	RC=$?
	[ $RC = 99 ] && fail "ulimit -i 2 refused"
	expect_rc "$mech" 0
	[ "$(cat "$WORK/$mech.out")" = "threads4 done" ] || fail "$mech: output changed"
	check "$mech" 'rc in (0, 1)' 'len(P) == 1' 'len(T) == 5' 'P[0]["end"] == "exit"'
done
pass
