#!/bin/bash
# SPDX-License-Identifier: MIT
# exec with an explicit environment: execve(child, argv, {NULL}) and
# execle(child, ..., {"PATH=/bin", NULL}) still profile the new image (same pid, GEN 1); the
# child sees its own variables unchanged and no key twice; a child's own XPROF_HZ wins.
. "$(dirname "$0")/common.bash"
need "$PROGS/exec_env" "$PROGS/envdump"
cd "$PROGS" || fail "cd $PROGS"

# env_check RUN: pid unchanged across exec, no duplicate key in the child's environment.
env_check()
{
	local run=$1 parent child dup

	parent=$(awk '/^parent/ {print $2}' "$WORK/$run.out")
	child=$(awk '/^pid/ {print $2}' "$WORK/$run.out")
	[ -n "$child" ] || fail "$run: the child did not run: $(head -c 200 "$WORK/$run.err")"
	[ "$parent" = "$child" ] || fail "$run: pid changed across exec ($parent -> $child)"
	dup=$(sed -n 's/^env \([^=]*\)=.*/\1/p' "$WORK/$run.out" | sort | uniq -d | tr '\n' ' ')
	[ -z "$dup" ] || fail "$run: duplicate keys in the child's environment: $dup"
	check "$run" "len(procs(pid=$child, gen=1)) == 1" \
		"procs(pid=$child, gen=1)[0]['samples'] > 0" \
		"procs(pid=$child, gen=0)[0]['end'] == 'exec'" \
		"share('envdump_spin', pid=$child) > 50"
}

prof execve 30 ./exec_env execve ./envdump
expect_rc execve 0
env_check execve

prof execle 30 ./exec_env execle ./envdump
expect_rc execle 0
env_check execle
[ "$(grep -c '^env PATH=' "$WORK/execle.out")" = 1 ] &&
	grep -qx 'env PATH=/bin' "$WORK/execle.out" ||
	fail "execle: the child's PATH=/bin changed: $(grep '^env PATH' "$WORK/execle.out")"

XPROF_HZ=500 prof ownhz 30 ./exec_env ownhz ./envdump
expect_rc ownhz 0
env_check ownhz
[ "$(grep -c '^env XPROF_HZ=' "$WORK/ownhz.out")" = 1 ] &&
	grep -qx 'env XPROF_HZ=250' "$WORK/ownhz.out" ||
	fail "ownhz: the child's XPROF_HZ=250 did not win: $(grep '^env XPROF_HZ' "$WORK/ownhz.out")"
check ownhz 'sorted(h["hz"] for h in H) == [250, 500]'
pass
