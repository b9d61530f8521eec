#!/bin/bash
# SPDX-License-Identifier: MIT
# A corrupt Python frame chain: progs/py/pycorrupt.py points its caller's frame link at an
# address that is never mapped for 0.5 s of CPU, then puts it back and runs 0.3 s more.
# Under each CPython present the program must finish as without xprof; the samples of the
# corrupt phase must be counted as partial (the walk faulted: the fault guard caught it),
# and keep their native frames (the interpreter's evaluation frames stay, unnamed); those of
# the healthy phase name py:healthy.
. "$(dirname "$0")/common.bash"
. "$HERE/python.bash"

one()
{
	local tag=$1 py=$2 off

	off=$(py_offsets "$py" ts_frame cf_frame fr_back) || fail "$tag: no layout for $py"
	prof "$tag" 60 "$py" -B "$HERE/progs/py/pycorrupt.py" $off
	expect_rc "$tag" 0
	grep -qx restored "$WORK/$tag.out" || fail "$tag: the program did not restore its chain"
	check "$tag" "PY[0]['partial'] >= 0.5 * min_rate * 0.5" \
		"PY[0]['eval_unnamed_pct'] >= 30" \
		"on_stack('py:healthy') >= 15" \
		"on_stack('py:corrupted') < 5"
	echo "  $NAME: CPython $(py_row "$tag" version): $(py_row "$tag" partial) partial" \
		"samples, py:healthy $(py_eval "$tag" "round(on_stack('py:healthy'), 1)") % of the CPU"
}

py_each one
pass
