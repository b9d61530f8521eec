#!/bin/bash
# SPDX-License-Identifier: MIT
# Threads from pthread_create are each sampled: 4 threads burning 0.5 s in worker_a..d, main
# idle. Each thread's sample weights add up to its CPU time (5 %), its sample count matches
# CPU x hz_achieved (which is the requested rate with the perf mechanism, tick-bound with the
# timer one), and each worker function gets a quarter of the CPU.
. "$(dirname "$0")/common.bash"
need "$PROGS/threads4"

prof t 30 "$PROGS/threads4" 0.5
expect_rc t 0
check t 'len(P) == 1' 'len(T) == 5' \
	'len([t for t in T if t["cpu_ns"] >= 0.45e9]) == 4' \
	'all(within(t["sampled_ns"], t["cpu_ns"], 0.05) for t in T if t["cpu_ns"] >= 0.45e9)' \
	'all(within(t["samples"], t["cpu_ns"] / 1e9 * t["hz_achieved"], 0.05) for t in T if t["cpu_ns"] >= 0.45e9)' \
	'all(within(t["hz_achieved"], run["hz"], 0.2) if perf else 20 <= t["hz_achieved"] <= run["hz"] for t in T if t["cpu_ns"] >= 0.45e9)' \
	'all(within(share(f), 25, 0.2) for f in ("worker_a", "worker_b", "worker_c", "worker_d"))' \
	'all(within(sum(h["samples"] for h in HT if h["tid"] == t["tid"]), t["samples"], 0.01) for t in T)'
pass
