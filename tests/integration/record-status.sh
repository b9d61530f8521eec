#!/bin/bash
# SPDX-License-Identifier: MIT
# `xprof record`: the program's exit status passes through (exit 3 gives 3, death by SIGKILL
# gives 137 as a shell says it), the profile lands in -o DIR with the one-line summary naming
# it and agreeing with the analyzer, and what LD_PRELOAD cannot reach is refused unrun
# (126): a statically linked program and a setuid one. --jit sets XPROF_JIT=1.
. "$(dirname "$0")/common.bash"
X=$B/xprof
need "$X" "$PROGS/analyzer_shares"

# record CMD...: runs `xprof record -o $OUT CMD...`; status in $RC, stderr in $WORK/rec.err.
record()
{
	timeout -k 2 60 "$X" record -o "$OUT" --hz 499 -- "$@" >"$WORK/rec.out" 2>"$WORK/rec.err"
	RC=$?
}

record /bin/sh -c 'exit 3'
[ "$RC" = 3 ] || fail "exit 3 came back as $(status_name "$RC")"
record /bin/sh -c 'kill -KILL $$'
[ "$RC" = 137 ] || fail "SIGKILL came back as $(status_name "$RC"), not 137"

record "$PROGS/analyzer_shares" 0.4
[ "$RC" = 0 ] || fail "analyzer_shares: $(status_name "$RC"): $(head -c 300 "$WORK/rec.err")"
line=$(grep '^xprof: ' "$WORK/rec.err")
[ "$(grep -c '^xprof: ' "$WORK/rec.err")" = 1 ] || fail "want one summary line, got: $line"
run=$(printf '%s\n' "$line" | sed -n 's/.*next: xprof-analyze report //p')
[ -d "$run" ] && case $run in "$OUT"/*) true ;; *) false ;; esac ||
	fail "the summary names '$run', not a run directory under $OUT"
samples=$("$B/xprof-analyze" report --tsv "$run" | awk -F'\t' '$1 == "run" { print $5 }')
case $line in
*"processes 1, threads 1, samples $samples, dropped "*", cost ~"*" ms in the sampling handler"*) ;;
*) fail "summary '$line' disagrees with the report ($samples samples, 1 process)" ;;
esac
check "$(basename "$run")" 'run["hz"] == 499' "share('burn_big') > 60"

# --jit: XPROF_JIT=1 for the command, which then sees the runtimes' options asked for.
timeout -k 2 60 "$X" record -o "$OUT" --jit -- /bin/sh -c 'echo "$XPROF_JIT|$NODE_OPTIONS"' \
	>"$WORK/jit.out" 2>"$WORK/jit.err" || fail "record --jit: $(head -c 300 "$WORK/jit.err")"
[ "$(cat "$WORK/jit.out")" = "1|--perf-basic-prof" ] ||
	fail "record --jit: the command saw '$(cat "$WORK/jit.out")'"

# Refusals: one line naming the program and why, nothing run, status 126.
printf 'int main(void) { return 7; }\n' >"$WORK/st.c"
cc -static -o "$WORK/static" "$WORK/st.c" || fail "cannot build a static test program"
record "$WORK/static"
[ "$RC" = 126 ] && grep -q "static: statically linked" "$WORK/rec.err" ||
	fail "static program: $(status_name "$RC"): $(cat "$WORK/rec.err")"
if [ "$(id -u)" = 0 ]; then
	cp /bin/true "$WORK/suid" && chown nobody "$WORK/suid" && chmod 4755 "$WORK/suid"
	record "$WORK/suid"
	[ "$RC" = 126 ] && grep -q "suid: setuid" "$WORK/rec.err" ||
		fail "setuid program: $(status_name "$RC"): $(cat "$WORK/rec.err")"
fi
record no-such-command-xprof
[ "$RC" = 127 ] || fail "a missing command gave $(status_name "$RC"), not 127"
pass
