#!/bin/bash
# SPDX-License-Identifier: MIT
# Each thread its own Python stack: three threads of one CPython process (progs/py/
# pythreads.py) each run a function of their own, one of them hashing with the GIL released
# while the others take turns with it. Under each CPython present, every function must be
# seen on exactly one thread, a different one each, with no thread's samples ever showing
# another thread's function; the hashing thread's stacks keep the native frames of the
# hash below py:t_beta.
. "$(dirname "$0")/common.bash"
. "$HERE/python.bash"

one()
{
	local tag=$1 py=$2

	prof "$tag" 60 "$py" -B "$HERE/progs/py/pythreads.py" 0.6
	expect_rc "$tag" 0
	local fs="('t_alpha', 't_beta', 't_gamma')" beta
	# the frames of a stack below its py:t_beta frame, as one string
	beta="';'.join(s[[frame_is(f, 'py:t_beta') for f in s].index(True) + 1:])"
	check "$tag" "all(len(by_tid('py:' + f)) == 1 for f in $fs)" \
		"len(set(t for f in $fs for t in by_tid('py:' + f))) == 3" \
		"all(not (set(by_tid('py:' + f)) & set(by_tid('py:' + g)))
		     for f in $fs for g in $fs if f != g)" \
		"any(re.search('(?i)sha|hash|crypto', $beta)
		     for s, w in stacks() if any(frame_is(f, 'py:t_beta') for f in s))"
	echo "  $NAME: CPython $(py_row "$tag" version): CPU ms per thread function:" \
		"$(py_eval "$tag" "', '.join('%s %d' % (f, sum(by_tid('py:' + f).values()) // 1000000)
			for f in $fs)")"
}

py_each one
pass
