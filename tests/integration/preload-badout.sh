#!/bin/bash
# SPDX-License-Identifier: MIT
# An output directory that cannot be created (XPROF_OUT under a regular file: root ignores
# permissions): one stderr line, and the program runs on with its output and exit status
# unchanged.
. "$(dirname "$0")/common.bash"
need "$PROGS/crash" "$PROGS/hello"
cd "$WORK" || fail "cd $WORK"

for prog in "crash exit" hello; do
	$PROGS/$prog >base.out 2>base.err
	base_rc=$?
	XPROF_OUT=/etc/passwd/x XPROF_RUN=b with_preload 20 $PROGS/$prog >bad.out 2>bad.err
	RC=$?
	[ "$RC" = "$base_rc" ] || fail "$prog: $(status_name $RC), expected $base_rc"
	cmp -s bad.out base.out || fail "$prog: stdout changed"
	extra=$(grep -vxF -f base.err bad.err)
	n=$(printf '%s' "$extra" | grep -c .)
	# hello forks: its child may say it once more.
	[ "$n" = 1 ] || { [ "$prog" = hello ] && [ "$n" = 2 ]; } ||
		fail "$prog: $n stderr lines instead of 1: $(tr '\n' '|' <bad.err)"
	case $extra in *XPROF_OUT* | */etc/passwd*) ;; *) fail "$prog: the line does not name XPROF_OUT or the path: $extra" ;; esac
done
pass
