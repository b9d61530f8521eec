#!/bin/bash
# SPDX-License-Identifier: MIT
# exec from a non-main thread while main spins: the image before the exec has a complete file
# (end=exec, samples of main_spin's caller), the new image (same pid, GEN 1) its own profile.
. "$(dirname "$0")/common.bash"
need "$PROGS/threadexec" "$PROGS/spin"

prof te 30 "$PROGS/threadexec" "$PROGS/spin"
expect_rc te 0
pid=$(awk '/^threadexec/ {print $2}' "$WORK/te.out")
check te 'rc == 0' 'len(P) == 2' "procs(pid=$pid, gen=0)[0]['end'] == 'exec'" \
	"procs(pid=$pid, gen=0)[0]['samples'] > 0" \
	"procs(pid=$pid, gen=1)[0]['samples'] > 0" \
	"procs(pid=$pid, gen=1)[0]['comm'] == 'spin'"
pass
