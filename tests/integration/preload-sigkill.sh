#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGKILL mid-run: a program spinning is killed after 0.5 s; its file still parses, says the
# image never ended (end=running) and holds the samples of its CPU time up to the kill (about
# 0.5 s on an idle machine; the CPU time is what counts).
. "$(dirname "$0")/common.bash"
need "$PROGS/spin"

# timeout sends SIGKILL to the program itself (exec'd by sh), so timeout sees status 137.
{ XPROF_OUT=$OUT XPROF_RUN=k XPROF_QUIET=1 timeout -s KILL 0.5 \
	/bin/sh -c 'LD_PRELOAD=$0; export LD_PRELOAD; exec "$@"' "$LIB" "$PROGS/spin" 5 \
	>"$WORK/k.out" 2>"$WORK/k.err"; } 2>/dev/null
RC=$?
expect_rc k 137
check k 'len(H) == 1' 'H[0]["header_ok"] == 1' 'H[0]["end_state"] == 0' 'rc in (0, 1)' \
	'len(P) == 1' 'P[0]["end"] == "running"' \
	'0.3e9 <= P[0]["wall_ns"] <= 0.8e9' 'P[0]["cpu_ns"] <= 0.55e9' \
	'within(P[0]["sampled_ns"], P[0]["cpu_ns"], 0.05)' \
	'P[0]["samples"] >= 0.1 * min_rate' \
	'not perf or within(P[0]["samples"], P[0]["cpu_ns"] / 1e9 * run["hz"], 0.15)' \
	'share("spin_fn") > 90'
pass
