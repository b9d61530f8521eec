#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make-report.sh - profile every backtest-sim scenario under libxprof.so and write the report.
#
#   scripts/make-report.sh [--quick] BUILD_DIR
#
# Each scenario runs once unprofiled and once under LD_PRELOAD=BUILD_DIR/libxprof.so into its
# own run directory (BUILD_DIR/report-runs/NAME); both wall times are measured here, both
# checksums must agree. Every run is analysed with xprof-analyze (report --tsv for numbers,
# folded + flamegraph for the graphs), then scripts/report.py writes results/REPORT.md and
# results/flame_graphs/NAME.{svg,folded}. --quick (or REPORT_QUICK=1) runs small sizes and
# writes into a temporary directory instead, printed at the end. Any failure stops the
# script with a message and a non-zero status: no number in the report is made up.
set -euo pipefail

die() { echo "make-report: $*" >&2; exit 1; }

quick=${REPORT_QUICK:-0}
[ "${1:-}" = "--quick" ] && { quick=1; shift; }
[ $# -eq 1 ] || { echo "usage: $0 [--quick] BUILD_DIR" >&2; exit 64; }
build=$(cd "$1" && pwd) || die "$1: no such build directory"
top=$(cd "$(dirname "$0")/.." && pwd)
sim=$build/backtest-sim
lib=$build/libxprof.so
ana=$build/xprof-analyze
for f in "$sim" "$lib" "$ana"; do
	[ -e "$f" ] || die "$f missing: run 'make all' first"
done

if [ "$quick" = 1 ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/xprof-report.XXXXXX")
	results=$out/results
	runs=$out/runs
else
	results=$top/results
	runs=$build/report-runs
fi
flames=$results/flame_graphs
rm -rf "$runs"
mkdir -p "$runs" "$flames"

# name | kind | x (assets, workers or ranks) | backtest-sim arguments
if [ "$quick" = 1 ]; then
	scenarios="
batch_init_10_assets|batch|10|batch-init --assets 10 --backtests 10
batch_init_50_assets|batch|50|batch-init --assets 50 --backtests 10
parallel_coord_2_workers|parallel|2|parallel --workers 2 --tasks 12 --assets 20
parallel_coord_4_workers|parallel|4|parallel --workers 4 --tasks 12 --assets 20
parallel_threads_2_workers|threads|2|parallel --workers 2 --tasks 12 --assets 20 --threads
parallel_threads_4_workers|threads|4|parallel --workers 4 --tasks 12 --assets 20 --threads
grid_search_optimization|grid|1|grid-search --assets 4 --bars 300
bohb_optimization|bohb|1|bohb --assets 4 --bars 300 --iterations 1"
	mpi_scenarios="distributed_mpi_3_ranks|mpi|3|distributed --ranks 3 --tasks 12 --assets 20"
	py_scenarios="python_pool_2_workers|python|2|--workers 2 --assets 4 --bars 800"
else
	scenarios="
batch_init_10_assets|batch|10|batch-init --assets 10
batch_init_50_assets|batch|50|batch-init --assets 50
batch_init_100_assets|batch|100|batch-init --assets 100
batch_init_500_assets|batch|500|batch-init --assets 500
parallel_coord_2_workers|parallel|2|parallel --workers 2
parallel_coord_4_workers|parallel|4|parallel --workers 4
parallel_coord_8_workers|parallel|8|parallel --workers 8
parallel_coord_16_workers|parallel|16|parallel --workers 16
parallel_threads_2_workers|threads|2|parallel --workers 2 --threads
parallel_threads_4_workers|threads|4|parallel --workers 4 --threads
parallel_threads_8_workers|threads|8|parallel --workers 8 --threads
parallel_threads_16_workers|threads|16|parallel --workers 16 --threads
grid_search_optimization|grid|1|grid-search
bohb_optimization|bohb|1|bohb"
	mpi_scenarios="distributed_mpi_3_ranks|mpi|3|distributed --ranks 3
distributed_mpi_5_ranks|mpi|5|distributed --ranks 5"
	py_scenarios="python_pool_2_workers|python|2|--workers 2
python_pool_4_workers|python|4|--workers 4"
fi
# The Python backtest (target-sim/py/backtest.py) runs under the distribution's interpreter.
python=/usr/bin/python3
[ -x "$python" ] || die "$python missing: the Python scenario cannot run"
scenarios="$scenarios
$py_scenarios"
if [ -x "$build/backtest-sim-mpi" ] && command -v mpirun >/dev/null; then
	scenarios="$scenarios
$mpi_scenarios"
else
	die "$build/backtest-sim-mpi or mpirun missing: the distributed scenario cannot run"
fi

now_ns() { date +%s%N; }

checksum_of() {
	local c
	c=$(sed -n 's/^checksum: //p' "$1")
	[ -n "$c" ] || die "$1: no checksum line"
	echo "$c"
}

# The scenarios are short (0.1 to 2 s): they are sampled with the perf task-clock event at
# 999 Hz, four times the samples of the tick-bound CPU-clock timer that XPROF_MECH=auto takes
# on machines where a perf sample is dear; the overhead table shows what that costs here.
mech=${REPORT_MECH:-perf}

# run_one NAME KIND X ARGS...: unprofiled, then profiled into $runs/NAME; appends to the
# manifest. Kind python runs the Python backtest, every other kind backtest-sim.
run_one() {
	local name=$1 kind=$2 x=$3; shift 3
	local t0 t1 t2 t3 c0 c1 prog=("$sim")

	[ "$kind" = python ] && prog=("$python" -B "$top/target-sim/py/backtest.py")
	t0=$(now_ns)
	"${prog[@]}" "$@" </dev/null >"$runs/$name.plain.out" 2>"$runs/$name.plain.err" ||
		die "$name: '${prog[*]} $*' failed (unprofiled), see $runs/$name.plain.err"
	t1=$(now_ns)
	t2=$(now_ns)
	LD_PRELOAD=$lib XPROF_OUT=$runs XPROF_RUN=$name XPROF_QUIET=1 XPROF_MECH=$mech \
		"${prog[@]}" "$@" </dev/null >"$runs/$name.out" 2>"$runs/$name.err" ||
		die "$name: '${prog[*]} $*' failed under libxprof.so, see $runs/$name.err"
	t3=$(now_ns)
	c0=$(checksum_of "$runs/$name.plain.out")
	c1=$(checksum_of "$runs/$name.out")
	[ "$c0" = "$c1" ] || die "$name: checksum $c1 profiled, $c0 unprofiled"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$kind" "$x" $((t3 - t2)) $((t1 - t0)) \
		"$c1" "$*" >>"$runs/manifest.tsv"
	echo "  RUN    $name: $(( (t3 - t2) / 1000000 )) ms profiled, $(( (t1 - t0) / 1000000 )) ms plain"
}

analyse_one() {
	local name=$1 title=$2

	"$ana" report --tsv "$runs/$name" >"$runs/$name.tsv" 2>"$runs/$name.analyze.err" ||
		die "$name: xprof-analyze report failed, see $runs/$name.analyze.err"
	"$ana" folded "$runs/$name" >"$flames/$name.folded" 2>>"$runs/$name.analyze.err" ||
		die "$name: xprof-analyze folded failed, see $runs/$name.analyze.err"
	"$ana" flamegraph -o "$flames/$name.svg" --title "$title" "$runs/$name" \
		2>>"$runs/$name.analyze.err" ||
		die "$name: xprof-analyze flamegraph failed, see $runs/$name.analyze.err"
	[ -s "$flames/$name.svg" ] && [ -s "$flames/$name.folded" ] ||
		die "$name: empty flame graph or folded stacks"
}

: >"$runs/manifest.tsv"
cp /proc/loadavg "$runs/loadavg"	# other load on the machine colours every wall time
start=$(now_ns)
while IFS='|' read -r name kind x args; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086 # args are a word list by construction
	run_one "$name" "$kind" "$x" $args
	if [ "$kind" = python ]; then
		analyse_one "$name" "target-sim/py/backtest.py $args"
	else
		analyse_one "$name" "backtest-sim $args"
	fi
done <<<"$scenarios"

python3 "$top/scripts/report.py" --runs "$runs" --results "$results" \
	--elapsed-ns $(( $(now_ns) - start )) $([ "$quick" = 1 ] && echo --quick) ||
	die "report.py failed"
secs=$(( ($(now_ns) - start) / 1000000000 ))
echo "make-report: wrote $results/REPORT.md and $flames/ ($secs s)"
[ "$quick" = 1 ] && echo "$out"
exit 0
