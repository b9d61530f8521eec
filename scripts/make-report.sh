#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make-report.sh - profile every backtest-sim scenario under libxprof.so and write the report.
#
#   scripts/make-report.sh [--quick] BUILD_DIR
#
# Each scenario runs as pairs, one run unprofiled and one under LD_PRELOAD=BUILD_DIR/libxprof.so,
# the order alternating from pair to pair so that neither side always runs first (a warm page
# cache, a CPU boost, another job's burst). Pairs repeat until the scenario has REPORT_PAIRS
# pairs (default 7) and its profiled runs REPORT_SAMPLES samples together (default 200), at
# most REPORT_MAX_PAIRS (default 40). Every profiled run has its own run directory
# (BUILD_DIR/report-runs/prof/NAME-pN), every checksum must agree. Each profiled run is read
# with `xprof-analyze report --tsv`; the CPU and off-CPU flame graphs and the function tables
# take all the profiled runs of a scenario together, the scenario tables the profiled run of
# median wall time. scripts/report.py then writes results/REPORT.md and
# results/flame_graphs/NAME.{svg,folded} (CPU) and NAME.offcpu.{svg,folded} (off-CPU).
# --quick (or REPORT_QUICK=1) runs small sizes, 2 pairs, and writes into a temporary
# directory instead, printed at the end. Any failure stops the script with a message and a
# non-zero status: no number in the report is made up.
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

# The default mechanism (XPROF_MECH=auto) unless REPORT_MECH names another: on this VM a
# perf-event sample costs 30-120 us, so auto takes the CPU-clock timer; the overhead table
# and docs/DESIGN.md ("The report's overhead") show what each costs here.
mech=${REPORT_MECH:-auto}
if [ "$quick" = 1 ]; then
	min_pairs=${REPORT_PAIRS:-2} max_pairs=${REPORT_MAX_PAIRS:-2} want=${REPORT_SAMPLES:-0}
else
	min_pairs=${REPORT_PAIRS:-7} max_pairs=${REPORT_MAX_PAIRS:-40} want=${REPORT_SAMPLES:-200}
fi
[ "$max_pairs" -ge "$min_pairs" ] || die "REPORT_MAX_PAIRS=$max_pairs < REPORT_PAIRS=$min_pairs"

# plain NAME PAIR PROG...: one unprofiled run; prints its wall ns.
plain() {
	local name=$1 i=$2 t0 t1; shift 2
	t0=$(now_ns)
	"$@" </dev/null >"$runs/$name-u$i.out" 2>"$runs/$name-u$i.err" ||
		die "$name: '$*' failed (unprofiled), see $runs/$name-u$i.err"
	t1=$(now_ns)
	echo $((t1 - t0))
}

# profiled NAME PAIR PROG...: one run under libxprof.so into $runs/prof/NAME-pPAIR, read
# back with report --tsv; prints its wall ns.
profiled() {
	local name=$1 i=$2 t0 t1; shift 2
	t0=$(now_ns)
	LD_PRELOAD=$lib XPROF_OUT=$runs/prof XPROF_RUN=$name-p$i XPROF_QUIET=1 XPROF_MECH=$mech \
		"$@" </dev/null >"$runs/$name-p$i.out" 2>"$runs/$name-p$i.err" ||
		die "$name: '$*' failed under libxprof.so, see $runs/$name-p$i.err"
	t1=$(now_ns)
	"$ana" report --tsv "$runs/prof/$name-p$i" >"$runs/$name-p$i.tsv" \
		2>"$runs/$name-p$i.analyze.err" ||
		die "$name: xprof-analyze report failed, see $runs/$name-p$i.analyze.err"
	echo $((t1 - t0))
}

# run_one NAME KIND X ARGS...: pairs of runs (unprofiled, profiled; the order alternating)
# until the scenario has min_pairs pairs and want samples, at most max_pairs. Appends one
# line per pair to pairs.tsv and one per scenario to manifest.tsv. Kind python runs the
# Python backtest, every other kind backtest-sim.
run_one() {
	local name=$1 kind=$2 x=$3; shift 3
	local i=0 samples=0 n tp tu c0 c1 first="" prog=("$sim")

	[ "$kind" = python ] && prog=("$python" -B "$top/target-sim/py/backtest.py")
	while [ $i -lt "$min_pairs" ] || { [ "$samples" -lt "$want" ] && [ $i -lt "$max_pairs" ]; }
	do
		i=$((i + 1))
		if [ $((i % 2)) = 1 ]; then
			tu=$(plain "$name" $i "${prog[@]}" "$@")
			tp=$(profiled "$name" $i "${prog[@]}" "$@")
		else
			tp=$(profiled "$name" $i "${prog[@]}" "$@")
			tu=$(plain "$name" $i "${prog[@]}" "$@")
		fi
		c0=$(checksum_of "$runs/$name-u$i.out")
		c1=$(checksum_of "$runs/$name-p$i.out")
		[ "$c0" = "$c1" ] || die "$name: checksum $c1 profiled, $c0 unprofiled (pair $i)"
		[ -z "$first" ] || [ "$c1" = "$first" ] || die "$name: checksum $c1 in pair $i, $first in 1"
		first=$c1
		n=$(awk -F'\t' '$1 == "#run" { for (k = 1; k <= NF; k++) if ($k == "samples") c = k }
			$1 == "run" { print $c }' "$runs/$name-p$i.tsv")
		[ -n "$n" ] || die "$name: no samples column in $runs/$name-p$i.tsv"
		samples=$((samples + n))
		printf '%s\t%d\t%s\t%s\t%s\t%s\n' "$name" $i $((i % 2 ? 0 : 1)) "$tu" "$tp" "$n" \
			>>"$runs/pairs.tsv"
	done
	printf '%s\t%s\t%s\t%s\t%d\t%s\n' "$name" "$kind" "$x" "$first" $i "$*" \
		>>"$runs/manifest.tsv"
	echo "  RUN    $name: $i pairs, $samples samples"
}

# analyse_one NAME KIND TITLE: CPU and off-CPU folded stacks and flame graphs of all the
# scenario's profiled runs together, and their report --tsv (function shares). For MPI, each
# run's CPU stacks by process and off-CPU stacks by thread (which process is which rank,
# where its main thread waits).
analyse_one() {
	local name=$1 kind=$2 title=$3 err=$runs/$1.analyze.err dirs d
	dirs=("$runs/prof/$name"-p*)

	if [ "$kind" = mpi ]; then
		for d in "${dirs[@]}"; do
			"$ana" folded --pid "$d" >"$runs/${d##*/}.cpu-pid.folded" 2>>"$err" &&
			"$ana" folded --kind offcpu --pid --tid "$d" \
				>"$runs/${d##*/}.offcpu-pid.folded" 2>>"$err" ||
				die "$name: xprof-analyze folded --pid failed, see $err"
		done
	fi
	"$ana" report --tsv "${dirs[@]}" >"$runs/$name.all.tsv" 2>"$err" ||
		die "$name: xprof-analyze report failed, see $err"
	"$ana" folded "${dirs[@]}" >"$flames/$name.folded" 2>>"$err" ||
		die "$name: xprof-analyze folded failed, see $err"
	"$ana" flamegraph -o "$flames/$name.svg" --title "$title" "${dirs[@]}" 2>>"$err" ||
		die "$name: xprof-analyze flamegraph failed, see $err"
	"$ana" folded --kind offcpu "${dirs[@]}" >"$flames/$name.offcpu.folded" 2>>"$err" ||
		die "$name: xprof-analyze folded --kind offcpu failed, see $err"
	"$ana" flamegraph --kind offcpu -o "$flames/$name.offcpu.svg" \
		--title "$title (off-CPU: blocked time)" "${dirs[@]}" 2>>"$err" ||
		die "$name: xprof-analyze flamegraph --kind offcpu failed, see $err"
	[ -s "$flames/$name.svg" ] && [ -s "$flames/$name.folded" ] ||
		die "$name: empty flame graph or folded stacks"
	[ -s "$flames/$name.offcpu.svg" ] || die "$name: empty off-CPU flame graph"
}

: >"$runs/manifest.tsv"
: >"$runs/pairs.tsv"
cp /proc/loadavg "$runs/loadavg"	# other load on the machine colours every wall time
start=$(now_ns)
while IFS='|' read -r name kind x args; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086 # args are a word list by construction
	run_one "$name" "$kind" "$x" $args
	if [ "$kind" = python ]; then
		analyse_one "$name" "$kind" "target-sim/py/backtest.py $args"
	else
		analyse_one "$name" "$kind" "backtest-sim $args"
	fi
done <<<"$scenarios"
cp /proc/loadavg "$runs/loadavg.end"

python3 "$top/scripts/report.py" --runs "$runs" --results "$results" \
	--elapsed-ns $(( $(now_ns) - start )) --min-samples "$want" \
	$([ "$quick" = 1 ] && echo --quick) ||
	die "report.py failed"
secs=$(( ($(now_ns) - start) / 1000000000 ))
echo "make-report: wrote $results/REPORT.md and $flames/ ($secs s)"
[ "$quick" = 1 ] && echo "$out"
exit 0
