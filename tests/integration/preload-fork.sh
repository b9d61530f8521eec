#!/bin/bash
# SPDX-License-Identifier: MIT
# fork: the child of a fork has its own profile with its own CPU (child_fn dominates); two
# children that call exit() give 3 distinct files that all parse, each with its own pid.
. "$(dirname "$0")/common.bash"
need "$PROGS/fork"

prof work 30 "$PROGS/fork" work
expect_rc work 0
child=$(awk '/^child/ {print $2}' "$WORK/work.out")
check work 'len(P) == 2' "len(procs(pid=$child)) == 1" \
	"within(procs(pid=$child)[0]['cpu_ns'], 0.5e9, 0.1)" \
	"within(procs(pid=$child)[0]['sampled_ns'], procs(pid=$child)[0]['cpu_ns'], 0.05)" \
	"share('child_fn', pid=$child) > 90" \
	"on_stack('child_fn', pid=[p['pid'] for p in P if p['pid'] != $child][0]) == 0"

prof exit2 30 "$PROGS/fork" exit2
expect_rc exit2 0
kids=$(awk '/^child/ {printf "%s,", $2}' "$WORK/exit2.out")
check exit2 'len(H) == 3' 'all(h["header_ok"] for h in H)' \
	'len(set(h["pid"] for h in H)) == 3' \
	'all(file_tids(h["pid"]) <= {h["pid"]} for h in H)' \
	"set([$kids]) <= set(h['pid'] for h in H)" \
	'rc == 0' 'len(P) == 3' \
	"all(p['samples'] > 0 and p['end'] == 'exit' for p in P if p['pid'] in [$kids])"
pass
