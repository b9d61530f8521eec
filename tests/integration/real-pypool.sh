#!/bin/bash
# SPDX-License-Identifier: MIT
# A Python multiprocessing pool (progs/real/pool.py) of 4 workers, started with each of the
# fork, spawn and forkserver methods; every worker burns CPU in its initializer, then 16
# tasks are mapped. Checked against an unprofiled run, per method: same exit status and
# stdout; the processes seen are exactly the main, worker and helper processes the program
# reports; each of the 4 workers sampled; sampled CPU >= 90 % of the kernel's CPU for the
# tree.
. "$(dirname "$0")/common.bash"
. "$HERE/real.bash"
toolchain python3
# The system interpreter, not a version manager's shim (a shell script that would be
# profiled too).
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

for m in fork spawn forkserver; do
	both "$m" 60 "$py" "$HERE/progs/real/pool.py" "$m" 4
	same_rc "$m"
	[ "$RC" = 0 ] || fail "$m: $(status_name "$RC")"
	same_stdout "$m"
	workers=$(sed -n 's/^worker \([0-9]*\)$/\1/p' "$WORK/$m.err" | tr '\n' ',')
	all=$(sed -n 's/^\(main\|worker\|helper\) \([0-9]*\)$/\2/p' "$WORK/$m.err" | tr '\n' ',')
	[ "$(echo "$workers" | tr -cd , | wc -c)" = 4 ] ||
		fail "$m: the program did not report 4 workers"
	check "$m" "set(p['pid'] for p in P) == {$all}" \
		"all(sum(p['sampled_ns'] for p in procs(pid=w)) > 0.05e9 for w in ($workers))"
	ws=$(tsv "$m" "', '.join('%.2f' % (sum(p['sampled_ns'] for p in procs(pid=w)) / 1e9)
		for w in ($workers))")
	echo "  $NAME: $m: $(tsv "$m" 'len(set(p["pid"] for p in P))') processes," \
		"the 4 workers sampled $ws s"
	sampled_share "$m" 90
done
pass
