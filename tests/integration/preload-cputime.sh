#!/bin/bash
# SPDX-License-Identifier: MIT
# CPU time, not wall time: a thread busy 0.6 s and asleep 0.6 s is weighted 0.6 s; the sleep
# gets no samples.
. "$(dirname "$0")/common.bash"
need "$PROGS/sleepy"

prof sl 30 "$PROGS/sleepy"
expect_rc sl 0
check sl 'len(T) == 1' 'within(T[0]["sampled_ns"], 0.6e9, 0.08)' \
	'within(T[0]["samples"], 0.6 * T[0]["hz_achieved"], 0.1)' \
	'P[0]["wall_ns"] >= 1.2e9' 'on_stack("sleep_part") < 2'
pass
