#!/bin/bash
# SPDX-License-Identifier: MIT
# Data survives _exit(7), abort() and SIGSEGV, and the exit status a shell sees is unchanged
# (7, 134, 139). A program whose own SIGSEGV handler spins 0.3 s and _exit(42)s keeps its
# handler and its status, and the handler is sampled.
. "$(dirname "$0")/common.bash"
need "$PROGS/crash"

for mode in _exit abort segv; do
	want=$( ("$PROGS/crash" $mode >/dev/null 2>&1) 2>/dev/null; echo $?)
	prof "$mode" 30 "$PROGS/crash" $mode
	expect_rc "$mode" "$want"
	check "$mode" 'len(H) == 1' 'H[0]["header_ok"] == 1' 'rc in (0, 1)' 'len(P) == 1' \
		'P[0]["samples"] >= 0.25 * min_rate' 'share("doomed_fn") > 80'
done
check _exit 'P[0]["end"] == "_exit"' 'P[0]["exit_status"] == 7'
check abort 'P[0]["end"] == "running"'
check segv 'P[0]["end"] == "running"'

prof handler 30 "$PROGS/crash" handler
expect_rc handler 42
check handler 'len(P) == 1' 'P[0]["end"] == "_exit"' 'P[0]["exit_status"] == 42' \
	'within(share("segv_handler"), 50, 0.2)' 'within(share("doomed_fn"), 50, 0.2)'
pass
