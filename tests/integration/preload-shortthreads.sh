#!/bin/bash
# SPDX-License-Identifier: MIT
# 1000 short threads (1 ms of CPU each, 4 at a time) then one of 0.3 s: no crash, POSIX
# timers do not pile up (the count after equals the count before plus none left behind), and
# the last thread is still sampled.
. "$(dirname "$0")/common.bash"
need "$PROGS/shortthreads"

for mech in auto timer; do
	XPROF_MECH=$mech prof "$mech" 60 "$PROGS/shortthreads" 1000
	expect_rc "$mech" 0
	read -r before after <<<"$(awk '{print $6, $8}' "$WORK/$mech.out")"
	[ "$after" -le $((before + 1)) ] ||
		fail "$mech: POSIX timers leak: $before before, $after after 1000 threads"
	check "$mech" 'rc == 0' 'len(T) == 1002' \
		'max(T, key=lambda t: t["cpu_ns"])["samples"] >= 0.3 * 0.5 * min_rate' \
		'share("last_worker") > 15'
done
pass
