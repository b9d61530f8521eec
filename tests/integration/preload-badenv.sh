#!/bin/bash
# SPDX-License-Identifier: MIT
# A bad XPROF_* value: exactly one stderr line naming the variable (and the accepted values),
# the program's output and exit status unchanged, no profile written.
. "$(dirname "$0")/common.bash"
need "$PROGS/hello"
cd "$WORK" || fail "cd $WORK"

"$PROGS/hello" >base.out 2>base.err
base_rc=$?

# bad VAR=VALUE WORD...: WORDs must appear in the stderr line.
bad()
{
	local kv=$1 var=${1%%=*} extra w

	shift
	rm -rf "$OUT"
	(
		export "${kv?}"
		XPROF_OUT=$OUT XPROF_RUN=b with_preload 20 "$PROGS/hello"
	) >bad.out 2>bad.err
	RC=$?
	[ "$RC" = "$base_rc" ] || fail "$kv: $(status_name $RC), expected $base_rc"
	cmp -s bad.out base.out || fail "$kv: stdout changed"
	extra=$(grep -vxF -f base.err bad.err)
	[ "$(printf '%s' "$extra" | grep -c .)" = 1 ] ||
		fail "$kv: $(printf '%s' "$extra" | grep -c .) stderr lines instead of 1: $(tr '\n' '|' <bad.err)"
	for w in "$var" "$@"; do
		case $extra in *"$w"*) ;; *) fail "$kv: the line does not say '$w': $extra" ;; esac
	done
	[ -z "$(find "$OUT" -name '*.xpf' 2>/dev/null)" ] || fail "$kv: profile files written"
}

bad XPROF_HZ=abc 10000
bad XPROF_HZ=0 10000
bad XPROF_DEPTH=99999 1024
bad XPROF_SIGNAL=KILL
bad XPROF_FOLLOW=bogus none
bad XPROF_MECH=fast timer
bad XPROF_JIT=2 "0 or 1"
bad XPROF_JIT=yes "0 or 1"
pass
