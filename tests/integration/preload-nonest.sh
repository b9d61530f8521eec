#!/bin/bash
# SPDX-License-Identifier: MIT
# A program's own handlers never run inside ours, and what they do works as without us:
# progs/nonest's SIGPROF handler (every 2 ms of CPU, beside xprof's ticks at 5 kHz) renames
# its thread, forks and reaps a child, or calls _exit while the main thread is inside
# dlopen/dlclose; a second thread sends SIGSEGV 2000 times while the main thread burns CPU
# 200 frames deep. Each run ends as the program says (no hang: forking inside the unwind
# once spun forever on the unwind gate), every SIGSEGV reaches the program's handler with
# its si_code, every record reads back (analyzer exit 0), and the fork children and the
# _exit are in the profile.
. "$(dirname "$0")/common.bash"
need "$PROGS/nonest" "$PROGS/libdltiny.so"

run() { XPROF_HZ=5000 prof "$1" 60 "$PROGS/nonest" "$1" 2 "$PROGS/libdltiny.so"; }

run names
expect_rc names 0
grep -qx 'renames ok' "$WORK/names.out" || fail "names: $(cat "$WORK/names.out")"
check names 'rc == 0' 'len(P) == 1' 'P[0]["samples"] > 0' \
	'T[0]["name"] == "main" or T[0]["name"].startswith("h")'
run fork
expect_rc fork 0
grep -qx 'forks ok' "$WORK/fork.out" || fail "fork: $(cat "$WORK/fork.out")"
check fork 'rc == 0' 'len(P) >= 20' 'root["samples"] > 0' \
	'all(p["end"] == "_exit" and p["exit_status"] == 0 for p in P if p is not root)'
run segv
expect_rc segv 0
grep -qx 'segv 2000 tkill 2000' "$WORK/segv.out" || fail "segv: $(cat "$WORK/segv.out")"
check segv 'rc == 0' 'P[0]["samples"] > 0' 'on_stack("deep") > 50'
run exit
expect_rc exit 7
check exit 'rc == 0' 'len(P) == 1' 'P[0]["end"] == "_exit"' 'P[0]["exit_status"] == 7'
pass
