#!/bin/bash
# SPDX-License-Identifier: MIT
# Python function shares: a fork pool of 2 workers (progs/py/pysplit.py) whose tasks burn
# their CPU 2:1 in py:heavy (recursive, 25 deep) and py:light, by construction. Under each
# CPython present (Debian's 3.11 always; pyenv 3.9-3.13 where installed) the folded stacks
# weighted by CPU must give both functions, with their shares of the two together within 3
# points of 66.7 and 33.3 %; the two must hold most of the workers' CPU (the Python frames
# were found in both workers); heavy's recursion is seen 26 deep; the function table names
# both; every Python frame has a name (the workers' frames that their parent described
# before the fork included); and the interpreter row says its frames were walked.
. "$(dirname "$0")/common.bash"
. "$HERE/python.bash"

one()
{
	local tag=$1 py=$2 h l both="(on_stack('py:heavy') + on_stack('py:light'))"

	prof "$tag" 60 "$py" -B "$HERE/progs/py/pysplit.py" 24
	expect_rc "$tag" 0
	grep -qx "tasks 24" "$WORK/$tag.out" || fail "$tag: the pool did not finish its tasks"
	h="100 * on_stack('py:heavy') / $both"
	l="100 * on_stack('py:light') / $both"
	check "$tag" "PY and PY[0]['walked'] == 'python'" \
		"abs($h - 66.7) <= 3" "abs($l - 33.3) <= 3" "$both >= 60" \
		"len([p for p in P if any(frame_is(f, 'py:heavy')
		      for s, w in stacks(p['pid']) for f in s)]) == 2" \
		"max(sum(1 for f in s if frame_is(f, 'py:heavy')) for s, w in stacks()) == 26" \
		"total_pct('py:heavy') > 0 and total_pct('py:light') > 0" \
		"not any(f == 'py:[unknown code]' for s, w in stacks() for f in s)"
	echo "  $NAME: CPython $(py_row "$tag" version): heavy $(py_eval "$tag" "round($h, 1)") %," \
		"light $(py_eval "$tag" "round($l, 1)") % (2:1 is 66.7/33.3);" \
		"unnamed $(py_row "$tag" unnamed_pct) % of the interpreters' CPU"
}

py_each one
pass
