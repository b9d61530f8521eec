#!/bin/bash
# SPDX-License-Identifier: MIT
# A profile cut short (as when the process is killed while the file grows, or the disk
# fills): the analyzer must still report what is there, exit 1 (partial), and name the file
# and the fault on stderr.
. "$(dirname "$0")/common.bash"
need "$PROGS/analyzer_shares"

# perf mode: the asked 4 kHz (the CPU-clock timer would give the tick rate, too few blocks)
XPROF_MECH=perf XPROF_HZ=4000 prof t 30 "$PROGS/analyzer_shares" 1
expect_rc t 0
f=$(ls "$OUT"/t/*.xpf | head -1)
size=$(stat -c %s "$f")
[ "$size" -ge 16384 ] || fail "profile too small to cut ($size bytes)"
truncate -s $((size / 2 + 100)) "$f"
"$B/xprof-analyze" report --tsv "$OUT" >"$WORK/r.tsv" 2>"$WORK/r.err"
rc=$?
[ $rc = 1 ] || fail "exit status $rc, expected 1 (partial); stderr: $(head -c 300 "$WORK/r.err")"
grep -q "^$f: .*shorter" "$WORK/r.err" || fail "no message naming $f: $(head -c 300 "$WORK/r.err")"
samples=$(awk -F'\t' '$1 == "run" { print $5 }' "$WORK/r.tsv")
[ "${samples:-0}" -gt 0 ] || fail "no samples read from the cut file"
grep -q $'^function\tburn_big' "$WORK/r.tsv" || fail "burn_big missing from the cut profile"
pass
