#!/bin/bash
# SPDX-License-Identifier: MIT
# XPROF_MECH=timer (timer_create on the thread CPU clock) also samples: the mechanism is
# recorded, hz_achieved is at least 20 and at most the requested rate (the tick caps it, e.g.
# 250), weights still add up to each thread's CPU time within 5 %.
. "$(dirname "$0")/common.bash"
need "$PROGS/threads4"

XPROF_MECH=timer prof tm 30 "$PROGS/threads4" 0.5
expect_rc tm 0
check tm '"timer" in str(run["mechanism"])' 'all(h["mechanism"] == 2 for h in H)' \
	'len(T) == 5' \
	'all(20 <= t["hz_achieved"] <= 1.05 * run["hz"] for t in T if t["cpu_ns"] >= 0.45e9)' \
	'all(within(t["sampled_ns"], t["cpu_ns"], 0.05) for t in T if t["cpu_ns"] >= 0.45e9)' \
	'all(within(t["samples"], t["cpu_ns"] / 1e9 * t["hz_achieved"], 0.05) for t in T if t["cpu_ns"] >= 0.45e9)' \
	'all(within(share(f), 25, 0.2) for f in ("worker_a", "worker_b", "worker_c", "worker_d"))'
pass
