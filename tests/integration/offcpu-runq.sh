#!/bin/bash
# SPDX-License-Identifier: MIT
# Run queue: progs/offcpu runq has 4 threads spin for 1 s of wall time each (and main spin
# until they are done). Every one of them is runnable all the time, so its CPU plus its run-queue wait (SCHED: schedstat's
# on-CPU and run-delay times at the thread's end) must be its wall time, within 10 %. On a
# machine with fewer than 4 CPUs the run delay must be real (at least 10 % of the wall
# time), or the test proves nothing.
. "$(dirname "$0")/common.bash"
. "$HERE/offcpu.bash"
need "$PROGS/offcpu"

prof rq 30 "$PROGS/offcpu" runq
expect_rc rq 0
off_stat rq
# the four spinning threads and main, which spins too until they are done: all that lived
# about a second
awk -F'\t' '$1 == "sched" && $9 > 800000000' "$WORK/rq.off" >"$WORK/rq.threads"
[ "$(wc -l <"$WORK/rq.threads")" = 5 ] || fail "$(wc -l <"$WORK/rq.threads") spinning threads found, expected 5"
while IFS=$'\t' read -r _ _ tid cpu delay _ _ _ wall _; do
	near $((cpu + delay)) "$wall" 0.1 ||
		fail "thread $tid: CPU $cpu + run queue $delay ns is not its wall time $wall ns +-10 %"
	if [ "$(nproc)" -lt 4 ] && [ $((delay * 10)) -lt "$wall" ]; then
		fail "thread $tid: run delay $delay ns of $wall ns on $(nproc) CPUs"
	fi
	echo "  thread $tid: CPU $((cpu / 1000000)) ms + run queue $((delay / 1000000)) ms, wall $((wall / 1000000)) ms"
done <"$WORK/rq.threads"
pass
