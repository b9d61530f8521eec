#!/bin/bash
# SPDX-License-Identifier: MIT
# Region markers (<xprof.h>): 10 "step" regions of 20 ms CPU, one "idle" of 100 ms asleep and
# one "outer" around all: counts, durations and CPU times as the program made them.
. "$(dirname "$0")/common.bash"
need "$PROGS/regions"

prof rg 30 "$PROGS/regions"
expect_rc rg 0
check rg 'len(R) == 3' \
	'[(r["name"], r["count"]) for r in sorted(R, key=lambda r: r["name"])] == [("idle", 1), ("outer", 1), ("step", 10)]' \
	'within([r for r in R if r["name"] == "step"][0]["cpu_ns"], 0.2e9, 0.05)' \
	'within([r for r in R if r["name"] == "step"][0]["mean_ns"], 20e6, 0.5)' \
	'[r for r in R if r["name"] == "idle"][0]["total_ns"] >= 100e6' \
	'[r for r in R if r["name"] == "idle"][0]["cpu_ns"] < 10e6' \
	'[r for r in R if r["name"] == "outer"][0]["total_ns"] >= 0.3e9'
pass
