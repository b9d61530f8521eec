#!/bin/bash
# SPDX-License-Identifier: MIT
# Freed code objects whose addresses are reused: progs/py/pyreuse.py makes 40 functions one
# after the other, each run for 40 ms of CPU and dropped, and most of them (and their names)
# land where the previous one was. Under each CPython present the program must report that
# reuse happened, and the profile must still name each function for its own time: at least
# 32 of the 40 seen, none with more than 3 times the median CPU of the others (a stale name
# would take its successors' time), and no Python frame without a name.
. "$(dirname "$0")/common.bash"
. "$HERE/python.bash"

one()
{
	local tag=$1 py=$2 code name

	prof "$tag" 60 "$py" -B "$HERE/progs/py/pyreuse.py" 40 0.04
	expect_rc "$tag" 0
	code=$(sed -n 's/^code reused //p' "$WORK/$tag.out")
	name=$(sed -n 's/^name reused //p' "$WORK/$tag.out")
	[ "${code:-0}" -ge 20 ] && [ "${name:-0}" -ge 20 ] ||
		fail "$tag: the addresses were not reused (code $code, name $name of 39)"
	# w: the CPU of each generated function, sorted
	w="sorted(fw(stacks()).values())"
	check "$tag" "len($w) >= 32" "$w[-1] <= 3 * $w[len($w) // 2]" \
		"not any(f == 'py:[unknown code]' for s, w in stacks() for f in s)"
	echo "  $NAME: CPython $(py_row "$tag" version): $code code objects and $name names at" \
		"reused addresses; $(py_eval "$tag" "len($w)") of 40 functions named, CPU ms" \
		"min/median/max $(py_eval "$tag" "'/'.join('%d' % (v / 1e6) for v in
			($w[0], $w[len($w) // 2], $w[-1]))")"
}

py_each one
pass
