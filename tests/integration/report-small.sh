#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# report-small.sh BUILD_DIR - every backtest-sim scenario run small under libxprof.so shows
# all its processes to xprof-analyze (fork pool: coordinator + workers; MPI: every rank), and
# `make-report.sh --quick` fills every cell of the report: no empty cell, TBD or nan, the
# parallel tables have their run-queue and blocked columns with the workers' time blocked in
# read, and every scenario has its off-CPU flame graph beside the CPU one.
set -u
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
sim=$build/backtest-sim
ana=$build/xprof-analyze
tmp=$(mktemp -d "${TMPDIR:-/tmp}/report-small.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

for f in "$sim" "$build/libxprof.so" "$ana"; do
	[ -e "$f" ] || { echo "FAIL setup: $f missing"; exit 1; }
done

# profiled RUN ARGS...: runs backtest-sim under libxprof.so into $tmp/runs/RUN.
profiled() {
	local run=$1; shift
	LD_PRELOAD=$build/libxprof.so XPROF_OUT=$tmp/runs XPROF_RUN=$run XPROF_QUIET=1 \
		"$sim" "$@" </dev/null >"$tmp/$run.out" 2>"$tmp/$run.err"
}

# region_count RUN NAME: how many times region NAME was entered in the run.
region_count() {
	"$ana" report --tsv "$tmp/runs/$1" |
		awk -F'\t' -v r="$2" '$1 == "region" && $2 == r { print $3 }'
}

# count RUN COMM: process images named COMM (prefix) in the run, by pid.
count() {
	"$ana" report --tsv "$tmp/runs/$1" 2>>"$tmp/$1.err" |
		awk -F'\t' -v c="$2" '$1 == "process" && index($5, c) == 1 { p[$2] = 1 }
			END { n = 0; for (k in p) n++; print n }'
}

if profiled par4 parallel --workers 4 --tasks 8 --assets 20; then
	n=$(count par4 backtest-sim)
	[ "$n" = 5 ] && pass "parallel W=4: 5 processes" ||
		fail "parallel W=4" "$n processes, want 1 coordinator + 4 workers"
	tasks=$(region_count par4 task)
	[ "$tasks" = 8 ] && pass "parallel: 8 task regions" || fail "parallel regions" "got '$tasks'"
else
	fail "parallel W=4" "run failed: $(tail -1 "$tmp/par4.err")"
fi

if profiled thr4 parallel --workers 4 --tasks 8 --assets 20 --threads; then
	n=$("$ana" report --tsv "$tmp/runs/thr4" | awk -F'\t' '$1 == "thread"' | wc -l)
	[ "$n" = 5 ] && pass "threads W=4: 5 threads" || fail "threads W=4" "$n threads, want 5"
else
	fail "threads W=4" "run failed"
fi

if profiled batch batch-init --assets 5 --backtests 4; then
	init=$(region_count batch init)
	[ "$init" = 4 ] && pass "batch-init: 4 init regions" || fail "batch-init" "init count '$init'"
else
	fail batch-init "run failed"
fi

if [ -x "$build/backtest-sim-mpi" ] && command -v mpirun >/dev/null; then
	if profiled mpi distributed --ranks 3 --tasks 6 --assets 20; then
		n=$(count mpi backtest-sim-mp)
		[ "$n" = 3 ] && pass "distributed: 3 ranks seen" || fail distributed "$n ranks, want 3"
	else
		fail distributed "run failed: $(tail -1 "$tmp/mpi.err")"
	fi
else
	echo "SKIP distributed: backtest-sim-mpi or mpirun missing"
fi

if out=$(REPORT_QUICK=1 TMPDIR=$tmp "$top/scripts/make-report.sh" "$build" 2>&1); then
	md=$(tail -1 <<<"$out")/results/REPORT.md
	if [ ! -s "$md" ]; then
		fail report "no $md"
	elif grep -n -i -E '\|[[:space:]]*\||TBD|\bnan\b|\binf\b' "$md" >"$tmp/bad"; then
		fail report "empty cell, TBD or nan: $(head -3 "$tmp/bad")"
	else
		pass "report: every cell filled"
	fi
	for s in batch_init_10_assets parallel_coord_4_workers grid_search_optimization \
		 bohb_optimization distributed_mpi_3_ranks python_pool_2_workers; do
		[ -s "$(dirname "$md")/flame_graphs/$s.svg" ] && pass "flame graph $s" ||
			fail "flame graph $s" "missing"
		[ -s "$(dirname "$md")/flame_graphs/$s.offcpu.svg" ] &&
			grep -q "flame_graphs/$s.offcpu.svg" "$md" && pass "off-CPU flame graph $s" ||
			fail "off-CPU flame graph $s" "missing or not linked from the report"
	done
	# The fork pool's workers wait for tasks in read(): blocked time > 0 in that column.
	head='| Workers | Total Time (s) | CPU Time (s) exact | CPU Time (s) sampled | Run queue (s) |'
	if grep -qF "$head Blocked (s) |" "$md" &&
		awk -F'|' '/Workers in read \(s\)/ {
				for (i = 2; i < NF; i++) if ($i ~ /Workers in read/) c = i; next }
			c && $2 + 0 > 0 && $(c) + 0 > 0 { ok = 1 } END { exit !ok }' "$md"; then
		pass "report: run-queue and blocked columns, workers blocked in read"
	else
		fail report "no Run queue/Blocked columns or no workers' read time"
	fi
else
	fail report "make-report.sh --quick failed: $(tail -3 <<<"$out")"
fi

exit $((fails > 0))
