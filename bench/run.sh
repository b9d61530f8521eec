#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/run.sh - xprof vs perf vs gperftools on bench/workload, xprof vs perf -g on two
# process-heavy workloads (a shell loop of short children, make -j2), and xprof on two JIT
# runtimes with and without XPROF_JIT, and off-CPU recording (per-call cost, the parallel
# scenario with XPROF_OFFCPU=0/1, file size of a thread that blocks very often): prints eight
# tables (cost, truth, per-sample floor, analysis speed, process-heavy, Python frames, JIT
# runtimes, off-CPU) and writes results/BENCH.md.
#	bench/run.sh [OBJDIR]		`make bench` calls it with $(O) after `make all`
# BENCH_QUICK=1: 3 runs per tool and small profiles (under a minute) instead of 7 runs and a
# ~1M-sample analysis profile (under 10 minutes on 2 cores). Scratch files go to
# OBJDIR/bench-run and are removed at the end unless BENCH_KEEP=1.
set -eu
O=${1:-build}
cd "$(dirname "$0")/.."

scripts/install-deps --bench
make --no-print-directory O="$O" bench-progs

scratch="$O/bench-run"
rm -rf "$scratch"
mkdir -p "$scratch" results
quick=""
[ "${BENCH_QUICK:-0}" != 0 ] && quick="--quick"

python3 bench/bench.py --objdir "$O" --scratch "$scratch" --json "$scratch/bench.json" $quick
python3 bench/tables.py "$scratch/bench.json" results/BENCH.md
[ "${BENCH_KEEP:-0}" != 0 ] || rm -rf "$scratch"
