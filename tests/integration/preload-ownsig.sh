#!/bin/bash
# SPDX-License-Identifier: MIT
# The program's own handler for xprof's signal: it installs a SIGSTKFLT handler, raise()s
# SIGSTKFLT 3 times and sees exactly 3 calls (none from xprof's sampling), and
# sigaction(SIGSTKFLT, NULL, &old) returns its handler; it is still sampled. A program with its
# own SIGPROF + setitimer(ITIMER_PROF) gets its handler called, also when xprof samples with
# SIGPROF itself (XPROF_SIGNAL=PROF). All finish within 5 s.
. "$(dirname "$0")/common.bash"
need "$PROGS/ownsig"

for mode in stkflt prof profsig; do
	start=$(date +%s%N)
	if [ $mode = profsig ]; then
		XPROF_SIGNAL=PROF prof "$mode" 20 "$PROGS/ownsig" prof
	else
		prof "$mode" 20 "$PROGS/ownsig" $mode
	fi
	ms=$((($(date +%s%N) - start) / 1000000))
	expect_rc "$mode" 0
	[ $ms -lt 5000 ] || fail "$mode: took $ms ms"
done
check stkflt 'len(P) == 1' 'P[0]["samples"] >= 0.25 * min_rate' 'share("ownsig_work") > 80'
check profsig 'len(P) == 1' 'all(h["signo"] == 27 for h in H)' 'P[0]["samples"] > 0'
pass
