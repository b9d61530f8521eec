#!/bin/bash
# SPDX-License-Identifier: MIT
# The perf-cost probe (XPROF_MECH=auto) is paid once per boot, not once per run or process:
# the first run's root image measures it (image flag PROBED, 8) and leaves the answer in
# $XDG_CACHE_HOME/xprof/perf-cost keyed by boot id and kernel release; a second run takes it
# from there and measures nothing; no forked or exec'd image of either run ever measures.
. "$(dirname "$0")/common.bash"
need "$PROGS/fork"

unset XPROF_MECH
export XDG_CACHE_HOME=$WORK/cache
prof one 30 "$PROGS/fork" exit2
expect_rc one 0
if [ "$(python3 "$XPQ" eval "$OUT/one" 'len([h for h in H if h["flags"] & 8])')" = 0 ]; then
	# No probe: perf_event_open is not allowed here, so auto takes the timer unmeasured.
	[ -e "$XDG_CACHE_HOME/xprof/perf-cost" ] && fail "a cache was written without a probe"
	echo "SKIP $NAME: perf_event_open is not allowed here: auto never probes"
	exit 0
fi
boot=$(cat /proc/sys/kernel/random/boot_id)
grep -q "^$boot $(uname -r) [0-9][0-9]*\$" "$XDG_CACHE_HOME/xprof/perf-cost" ||
	fail "cache: $(cat "$XDG_CACHE_HOME/xprof/perf-cost" 2>&1)"
check one 'len(H) == 3' 'len([h for h in H if h["flags"] & 8]) == 1' \
	'all(not h["flags"] & 8 for h in H if h["flags"] & 1)'
prof two 30 "$PROGS/fork" exit2
expect_rc two 0
check two 'len(H) == 3' 'not any(h["flags"] & 8 for h in H)' \
	'run["mechanism"] in ("perf-task-clock", "timer-thread-cpu")'
pass
