#!/bin/bash
# SPDX-License-Identifier: MIT
# Node with worker_threads and two JavaScript functions at a known split
# (progs/real/jitsplit.js: alphaWork 2/3, betaWork 1/3 of the workers' CPU). Run four ways
# under the preload: plain (V8's JIT code has no names: [jit]), with --perf-basic-prof on the
# command line, with XPROF_JIT=1 alone (which puts it in NODE_OPTIONS), and with --perf-prof
# (a jitdump instead of a map: the same split from it). With a perf map,
# both functions are named in every output, their split is 2:1 within 3 points, and the CPU
# that stays unnamed falls to a few percent; the output is the same in all three runs. Each
# run has a directory of its own: with --perf-basic-prof V8 writes its log there.
. "$(dirname "$0")/common.bash"
. "$HERE/real.bash"
. "$HERE/jit.bash"
toolchain node go
JS=$HERE/progs/real/jitsplit.js

# run_node RUN ARGS...: node ARGS under the preload, in a directory of its own ($WORK/RUN.cwd).
run_node()
{
	local run=$1

	shift
	mkdir -p "$WORK/$run.cwd"
	(cd "$WORK/$run.cwd" && prof "$run" 90 "$@"; exit $RC)
	RC=$?
	run_pids "$run"
	tmp_maps_rm "$WORK/$run.pids"
	expect_rc "$run" 0
	grep -qx 'workers 2 checksum [0-9a-f]*' "$WORK/$run.out" ||
		fail "$run: no checksum line: $(head -c 200 "$WORK/$run.out")"
}

run_node plain node "$JS"
run_node flag node --perf-basic-prof "$JS"
XPROF_JIT=1 run_node env node "$JS"
run_node dump node --perf-prof "$JS"
cmp -s "$WORK/plain.out" "$WORK/flag.out" && cmp -s "$WORK/plain.out" "$WORK/env.out" ||
	fail "stdout differs between the runs"
ls "$OUT"/flag/*.perf-*.map >/dev/null 2>&1 || fail "flag: no perf map kept in $OUT/flag"
ls "$OUT"/env/*.perf-*.map >/dev/null 2>&1 || fail "env: XPROF_JIT=1 kept no perf map"
ls "$OUT"/plain/*.map >/dev/null 2>&1 && fail "plain: a perf map kept though none was asked for"
for r in flag env; do
	named_everywhere "$r" alphaWork betaWork
	split_ok "$r" 66.7 'alphaWork' 'betaWork' "" 70
done
# --perf-prof: V8's jitdump (./jit-PID.dump, mapped so that a profiler finds it), no map.
ls "$OUT"/dump/*.jit-*.dump >/dev/null 2>&1 || fail "dump: V8's jitdump was not kept"
split_ok dump 66.7 'alphaWork' 'betaWork' "" 70
before=$(unnamed_pct plain)
after=$(unnamed_pct flag)
after_env=$(unnamed_pct env)
echo "  $NAME: CPU that stays unnamed: $before % plain, $after % with --perf-basic-prof," \
	"$after_env % with XPROF_JIT=1"
awk "BEGIN{exit !($before >= 50)}" || fail "plain: only $before % unnamed: the JIT code was named without a map?"
awk "BEGIN{exit !($after <= 5 && $after_env <= 5)}" || fail "with a perf map $after % / $after_env % stayed unnamed"
pass
