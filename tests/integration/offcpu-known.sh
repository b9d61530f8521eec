#!/bin/bash
# SPDX-License-Identifier: MIT
# Known waits: progs/offcpu known has one thread sleep 300 ms (nanosleep), one wait in read()
# on a pipe and one wait for a mutex while main burns 300 ms of CPU holding the mutex, then
# writes the pipe and unlocks (the program prints the wall time that took: 300 ms unless main
# waited for a CPU). Each wait's exact total (OFFCPU_CALLS) and the weights of its OFFCPU
# records must be within 10 % of its true length under the right call (nanosleep: 300 ms;
# read, mutex: main's burn), main's CPU within 10 % of 300 ms, each wait one blocked call;
# and in `folded --kind offcpu` each wait lies under the thread function that made it
# (sleeper;[blocked] nanosleep, reader;[blocked] read, locker;[blocked] pthread_mutex_lock),
# within 10 %, while the cpu kind has no [blocked] frame.
# Then the same with XPROF_OFFCPU=0: no off-CPU record of any kind.
. "$(dirname "$0")/common.bash"
. "$HERE/offcpu.bash"
need "$PROGS/offcpu"

prof kn 30 "$PROGS/offcpu" known
expect_rc kn 0
off_stat kn
burn=$(awk '/^burn wall/ { print $3 }' "$WORK/kn.out")
[ -n "$burn" ] || fail "the program printed no burn time: $(cat "$WORK/kn.out")"
for c in $XPF_CALL_READ $XPF_CALL_NANOSLEEP $XPF_CALL_MUTEX_LOCK; do
	want=$burn
	[ $c = $XPF_CALL_NANOSLEEP ] && want=300000000
	ns=$(off_call kn $c blocked_ns)
	w=$(off_call kn $c weight_ns)
	near "$ns" "$want" 0.1 || fail "call $c: blocked $ns ns, expected $want ns +-10 %"
	near "$w" "$want" 0.1 || fail "call $c: OFFCPU weights $w ns, expected $want ns +-10 %"
	[ "$(off_call kn $c blocked)" = 1 ] || fail "call $c: $(off_call kn $c blocked) blocked calls, expected 1"
done
# The analyzer's view: each wait under the function that made it, in the offcpu kind only.
A=$B/xprof-analyze
"$A" folded --kind offcpu "$OUT/kn" >"$WORK/kn.offf" 2>/dev/null || fail "folded --kind offcpu"
"$A" folded --weight=ns "$OUT/kn" >"$WORK/kn.cpuf" 2>/dev/null || fail "folded"
for fw in "sleeper nanosleep 300000000" "reader read $burn" "locker pthread_mutex_lock $burn"; do
	set -- $fw
	got=$(awk -v f=";$1;" -v leaf="[blocked] $2" 'index($0, f) {
		w = $NF; $NF = ""; sub(/ $/, ""); n = split($0, fr, ";");
		if (fr[n] == leaf) s += w } END { printf "%.0f", s }' "$WORK/kn.offf")
	near "$got" "$3" 0.1 || fail "folded --kind offcpu: $1;[blocked] $2 $got ns, expected $3 ns +-10 %"
done
! grep -q '\[blocked\]' "$WORK/kn.cpuf" || fail "a [blocked] frame in the cpu kind"
# main (the first sched line is the process's first thread) burned, it did not wait
main_cpu=$(awk -F'\t' '$1 == "sched" { print $10; exit }' "$WORK/kn.off")
near "$main_cpu" 300000000 0.1 || fail "main's CPU $main_cpu ns, expected 300 ms +-10 %"
[ "$(off_total kn partial)" = 0 ] || fail "$(off_total kn partial) OFFCPU records without a full stack"
[ "$(off_total kn calls_records)" -ge 4 ] || fail "OFFCPU_CALLS records: $(off_total kn calls_records), expected one per thread"

XPROF_OFFCPU=0 prof off 30 "$PROGS/offcpu" known
expect_rc off 0
off_stat off
for col in records sched_records calls_records; do
	[ "$(off_total off $col)" = 0 ] || fail "XPROF_OFFCPU=0: $col $(off_total off $col)"
done
check off 'sum(t["samples"] for t in T) > 0'
echo "  burn $burn ns: read $(off_call kn $XPF_CALL_READ blocked_ns) ns, nanosleep $(off_call kn $XPF_CALL_NANOSLEEP blocked_ns) ns, mutex $(off_call kn $XPF_CALL_MUTEX_LOCK blocked_ns) ns, main CPU $main_cpu ns"
pass
