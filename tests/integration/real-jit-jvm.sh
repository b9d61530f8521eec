#!/bin/bash
# SPDX-License-Identifier: MIT
# A JVM with two methods at a known split (progs/real/JitSplit.java, compiled here: alpha 2/3,
# beta 1/3 of two threads' CPU). Run three ways under the preload: plain (HotSpot's compiled
# code has no names: [jit]), with -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit on
# the command line, and with XPROF_JIT=1 alone, which puts them in JAVA_TOOL_OPTIONS (the JVM
# then says so on stderr: "Picked up JAVA_TOOL_OPTIONS: ..."). With the perf map both methods
# are named in every output, their split is 2:1 within 3 points, and the CPU that stays
# unnamed falls to a few percent; stdout is the same in all three runs.
. "$(dirname "$0")/common.bash"
. "$HERE/real.bash"
. "$HERE/jit.bash"
toolchain javac java go

mkdir -p "$WORK/classes"
javac -d "$WORK/classes" "$HERE/progs/real/JitSplit.java" >"$WORK/build.log" 2>&1 ||
	fail "javac: $(tail -3 "$WORK/build.log" | tr '\n' '|')"

run_jvm()
{
	local run=$1

	shift
	prof "$run" 90 java -Xmx256m "$@" -cp "$WORK/classes" JitSplit
	run_pids "$run"
	tmp_maps_rm "$WORK/$run.pids"
	expect_rc "$run" 0
	grep -qx 'threads 2 checksum [0-9a-f]*' "$WORK/$run.out" ||
		fail "$run: no checksum line: $(head -c 200 "$WORK/$run.out")"
}

run_jvm plain
run_jvm flag -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit
XPROF_JIT=1 run_jvm env
cmp -s "$WORK/plain.out" "$WORK/flag.out" && cmp -s "$WORK/plain.out" "$WORK/env.out" ||
	fail "stdout differs between the runs"
grep -qx 'Picked up JAVA_TOOL_OPTIONS: -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit' \
	"$WORK/env.err" || fail "env: the JVM did not pick up the options: $(head -c 300 "$WORK/env.err")"
grep -q 'Picked up' "$WORK/plain.err" && fail "plain: JAVA_TOOL_OPTIONS set without XPROF_JIT"
ls "$OUT"/plain/*.map >/dev/null 2>&1 && fail "plain: a perf map kept though none was asked for"
for r in flag env; do
	ls "$OUT"/$r/*.perf-*.map >/dev/null 2>&1 || fail "$r: no perf map kept in $OUT/$r"
	named_everywhere "$r" 'Split.alpha' 'Split.beta'
	split_ok "$r" 66.7 'Split\.alpha' 'Split\.beta'
done
before=$(unnamed_pct plain)
after=$(unnamed_pct flag)
after_env=$(unnamed_pct env)
echo "  $NAME: CPU that stays unnamed: $before % plain, $after % with DumpPerfMapAtExit," \
	"$after_env % with XPROF_JIT=1"
awk "BEGIN{exit !($before >= 50)}" || fail "plain: only $before % unnamed: compiled code named without a map?"
awk "BEGIN{exit !($after <= 5 && $after_env <= 5)}" || fail "with a perf map $after % / $after_env % stayed unnamed"
pass
