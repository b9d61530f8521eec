#!/bin/bash
# SPDX-License-Identifier: MIT
# No false waits: progs/offcpu cpu has main and two threads compute 300 ms each and never make
# a blocking call. The profile must hold CPU samples and scheduler figures for all three
# threads, and not one OFFCPU record or blocking call.
. "$(dirname "$0")/common.bash"
. "$HERE/offcpu.bash"
need "$PROGS/offcpu"

prof cpu 30 "$PROGS/offcpu" cpu
expect_rc cpu 0
off_stat cpu
[ "$(off_total cpu records)" = 0 ] || fail "$(off_total cpu records) OFFCPU records in a program that never blocks"
[ "$(off_total cpu calls_records)" = 0 ] || fail "blocking calls counted: $(grep ^call "$WORK/cpu.off" | tr '\n' '|')"
[ "$(grep -c '^sched' "$WORK/cpu.off")" = 3 ] || fail "SCHED for $(grep -c '^sched' "$WORK/cpu.off") threads, expected 3"
check cpu 'sum(t["samples"] for t in T) > 100'
pass
