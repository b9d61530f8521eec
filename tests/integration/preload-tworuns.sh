#!/bin/bash
# SPDX-License-Identifier: MIT
# Two runs into the same XPROF_OUT without XPROF_RUN: two run directories, nothing mixed,
# and the analyzer given the output directory reports the latest run only.
. "$(dirname "$0")/common.bash"
need "$PROGS/shares" "$PROGS/spin"

run_auto()
{
	XPROF_OUT=$OUT XPROF_QUIET=1 with_preload 20 "$@" >/dev/null 2>"$WORK/auto.err"
	RC=$?
	expect_rc auto 0
}

run_auto "$PROGS/shares" 0.3
run_auto "$PROGS/spin" 0.3
dirs=$(find "$OUT" -mindepth 1 -maxdepth 1 -type d | wc -l)
[ "$dirs" = 2 ] || fail "$dirs run directories in $OUT, expected 2"
for d in "$OUT"/*/; do
	n=$(find "$d" -name '*.xpf' | wc -l)
	[ "$n" = 1 ] || fail "$d holds $n files, expected 1"
done
msg=$(python3 "$XPQ" check "$OUT" 'len(P) == 1' 'P[0]["comm"] == "spin"' \
	'share("spin_fn") > 80' 'on_stack("f60") == 0' 2>"$WORK/xpq.err") ||
	fail "analyzer on $OUT: $msg"
pass
