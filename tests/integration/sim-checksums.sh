#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sim-checksums.sh BUILD_DIR - backtest-sim is deterministic: every scenario run small twice
# with the same seed prints the same checksum; the parallel tasks give the same checksum with
# 2 and 4 workers, with threads and over MPI; a different seed changes it; bad arguments
# exit 64.
set -u
build=${1:?usage: $0 BUILD_DIR}
sim=$build/backtest-sim
fails=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

sum_of() {
	local out
	out=$("$sim" "$@" </dev/null 2>/dev/null) || { echo "exit $?"; return; }
	sed -n 's/^checksum: //p' <<<"$out"
}

# twice NAME ARGS...: same checksum on two runs.
twice() {
	local name=$1 a b; shift
	a=$(sum_of "$@")
	b=$(sum_of "$@")
	if [[ ! $a =~ ^[0-9a-f]{16}$ ]]; then
		fail "$name" "no checksum ($a) from: backtest-sim $*"
	elif [ "$a" != "$b" ]; then
		fail "$name" "checksums differ: $a then $b"
	else
		pass "$name"
	fi
}

[ -x "$sim" ] || { echo "FAIL setup: $sim missing"; exit 1; }

twice batch-init batch-init --assets 8 --backtests 5 --seed 7
twice parallel parallel --workers 2 --tasks 8 --assets 20 --seed 7
twice parallel-threads parallel --workers 2 --tasks 8 --assets 20 --threads --seed 7
twice grid-search grid-search --assets 3 --bars 200 --seed 7
twice bohb bohb --assets 3 --bars 300 --iterations 1 --seed 7

p2=$(sum_of parallel --workers 2 --tasks 8 --assets 20 --seed 7)
p4=$(sum_of parallel --workers 4 --tasks 8 --assets 20 --seed 7)
pt=$(sum_of parallel --workers 3 --tasks 8 --assets 20 --seed 7 --threads)
[ "$p2" = "$p4" ] && pass parallel-2-vs-4-workers || fail parallel-2-vs-4-workers "$p2 vs $p4"
[ "$p2" = "$pt" ] && pass parallel-processes-vs-threads ||
	fail parallel-processes-vs-threads "$p2 vs $pt"

if [ -x "$build/backtest-sim-mpi" ] && command -v mpirun >/dev/null; then
	d1=$(sum_of distributed --ranks 3 --tasks 8 --assets 20 --seed 7)
	d2=$(sum_of distributed --ranks 3 --tasks 8 --assets 20 --seed 7)
	if [ "$d1" = "$d2" ] && [ "$d1" = "$p2" ]; then
		pass distributed
	else
		fail distributed "$d1, $d2 vs fork pool $p2"
	fi
else
	echo "SKIP distributed: backtest-sim-mpi or mpirun missing"
fi

s8=$(sum_of parallel --workers 2 --tasks 8 --assets 20 --seed 8)
[ "$s8" != "$p2" ] && pass seed-changes-results || fail seed-changes-results "same checksum $s8"

for bad in "parallel --workers 0" "batch-init --assets x" "bohb --eta 1" "nope" \
	   "grid-search extra" "parallel --bogus"; do
	# shellcheck disable=SC2086 # word list on purpose
	"$sim" $bad >/dev/null 2>&1
	rc=$?
	[ $rc -eq 64 ] && pass "usage: $bad" || fail "usage: $bad" "exit $rc, want 64"
done
"$sim" parallel --help | grep -q -- --workers && pass help || fail help "--help lacks --workers"

exit $((fails > 0))
