#!/bin/bash
# SPDX-License-Identifier: MIT
# What the analyzer says to bad input: an unwritable -o, a directory with no profile, and two
# runs mixed in one directory each give exactly one line on stderr naming what and where,
# and status 2 (xprof-analyze(1), EXIT STATUS); --run then picks one of the mixed runs.
. "$(dirname "$0")/common.bash"
need "$PROGS/hello"
A=$B/xprof-analyze

prof one 30 "$PROGS/hello"
expect_rc one 3
prof two 30 "$PROGS/hello"
expect_rc two 3

# expect_line WANT CMD...: CMD must exit 2 with one stderr line containing WANT.
expect_line()
{
	local want=$1 rc

	shift
	"$@" >/dev/null 2>"$WORK/err"
	rc=$?
	[ "$rc" = 2 ] || fail "$*: status $rc, not 2"
	[ "$(wc -l <"$WORK/err")" = 1 ] || fail "$*: not one line: $(tr '\n' '|' <"$WORK/err")"
	grep -qF -- "$want" "$WORK/err" || fail "$*: '$(cat "$WORK/err")' does not say '$want'"
}

for cmd in report folded flamegraph pprof speedscope; do
	expect_line "cannot write $WORK/none/out:" $A $cmd "$OUT" -o "$WORK/none/out"
done
mkdir -p "$WORK/empty/sub"
expect_line "$WORK/empty: no profiles (.xpf)" $A report "$WORK/empty"
mkdir -p "$WORK/mixed"
# One file per run and machine, the same name in both runs: renamed apart.
for r in one two; do
	for f in "$OUT"/$r/*.xpf; do
		cp "$f" "$WORK/mixed/$r-$(basename "$f")"
	done
done
expect_line "$WORK/mixed: files of two runs (one and two) in one directory" \
	$A report "$WORK/mixed"
$A report --tsv --run two "$WORK/mixed" >"$WORK/two.tsv" 2>"$WORK/err" ||
	fail "--run two on the mixed directory: $(cat "$WORK/err")"
awk -F'\t' '$1 == "run" && $2 == "two" { ok = 1 } END { exit !ok }' "$WORK/two.tsv" ||
	fail "--run two did not read run two"
pass
