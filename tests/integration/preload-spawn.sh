#!/bin/bash
# SPDX-License-Identifier: MIT
# posix_spawn and posix_spawnp with envp {"PATH=.", NULL}, system() and popen(): every child
# (and the shells of system and popen) has a profile with samples of its own.
. "$(dirname "$0")/common.bash"
need "$PROGS/spawn" "$PROGS/spin"
cd "$PROGS" || fail "cd $PROGS"

prof sp 30 ./spawn
expect_rc sp 0
for how in posix_spawn posix_spawnp system popen; do
	pid=$(awk -v h=$how '$1 == "spin" && $2 == h {print $3}' "$WORK/sp.out")
	[ -n "$pid" ] || fail "the $how child did not run"
	check sp "[p for p in P if p['pid'] == $pid and p['comm'] == 'spin' and p['samples'] > 0]" \
		"share('spin_fn', pid=$pid) > 50"
done
# The shells of system() and popen() (comm sh, or dash as the exe behind /bin/sh).
check sp 'len(procs(comm="spin")) == 4' \
	'len([p for p in P if p["comm"] in ("sh", "dash") and p["ppid"] == root["pid"]]) >= 2'
pass
