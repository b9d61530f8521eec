#!/bin/bash
# SPDX-License-Identifier: MIT
# vfork + exec 50 times at 4 kHz: the parent's own data stays intact and it exits 0, and
# every exec'd child has a profile with samples.
. "$(dirname "$0")/common.bash"
need "$PROGS/vforkexec" "$PROGS/spin"

XPROF_HZ=4000 prof vf 60 "$PROGS/vforkexec" 50 "$PROGS/spin"
expect_rc vf 0
check vf 'len(procs(comm="vforkexec", gen=0)) == 1' \
	'procs(comm="vforkexec", gen=0)[0]["samples"] > 0' \
	'procs(comm="vforkexec", gen=0)[0]["end"] == "exit"' \
	'len(procs(comm="spin")) == 50' \
	'sum(p["samples"] for p in procs(comm="spin")) >= 50 * 0.01 * min_rate * 0.5'
pass
