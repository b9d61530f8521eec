#!/bin/bash
# SPDX-License-Identifier: MIT
# Deliveries that are not xprof's go to the program's own action exactly as the kernel would
# run it: progs/sigfwd prints, for the sampling signal (SIGSTKFLT) and for SIGSEGV faults,
# the mask inside the handler (sa_mask, SA_NODEFER), SA_RESETHAND, siginfo against a plain
# handler, the stack (SA_ONSTACK or not, with an altstack present), SIG_IGN, SIG_DFL, EINTR
# without SA_RESTART, SIG_IGN on a real fault, and a SIGSEGV sent by tgkill. Under xprof,
# with either mechanism and sampling all along, the output must be the same as without it;
# the profile proves xprof held both signals (its note) and sampled meanwhile.
. "$(dirname "$0")/common.bash"
need "$PROGS/sigfwd"

timeout 60 "$PROGS/sigfwd" >"$WORK/plain.out" 2>"$WORK/plain.err" || fail "unprofiled run: status $?"
for mech in timer perf; do
	XPROF_MECH=$mech XPROF_HZ=2000 prof "$mech" 60 "$PROGS/sigfwd"
	expect_rc "$mech" 0
	diff "$WORK/plain.out" "$WORK/$mech.out" >"$WORK/$mech.diff" ||
		fail "$mech: output differs from the unprofiled run: $(head -c 400 "$WORK/$mech.diff" | tr '\n' '|')"
	check "$mech" 'P[0]["samples"] > 20' 'rc == 0' \
		'len([p for p in P if p["end"] == "exit"]) >= 1' \
		'"mask+self" in open("'"$WORK/$mech.out"'").read()'
	"$B/xprof-analyze" report "$OUT/$mech" 2>/dev/null | grep -q "own handler for SIGSTKFLT" ||
		fail "$mech: no note that the program took the sampling signal"
done
pass
