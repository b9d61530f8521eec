#!/bin/bash
# SPDX-License-Identifier: MIT
# Function shares in the report: analyzer_shares burns 75 % of its CPU in burn_big and 25 % in
# burn_small; `report --tsv` must give each within 3 points (inclusive CPU), and `folded
# --weight=cpu-ns` must agree.
. "$(dirname "$0")/common.bash"
need "$PROGS/analyzer_shares"

prof s 30 "$PROGS/analyzer_shares" 1
expect_rc s 0
"$B/xprof-analyze" report --tsv "$OUT" >"$WORK/r.tsv" 2>"$WORK/r.err" ||
	fail "report exited $?: $(head -3 "$WORK/r.err")"
pct()
{
	awk -F'\t' -v f="$1" '$1 == "function" && $2 == f { print $7; exit }' "$WORK/r.tsv"
}
big=$(pct burn_big)
small=$(pct burn_small)
[ -n "$big" ] && [ -n "$small" ] || fail "burn_big/burn_small missing from the #function rows"
awk -v b="$big" -v s="$small" 'BEGIN { exit !((b - 75) ^ 2 <= 9 && (s - 25) ^ 2 <= 9) }' ||
	fail "shares burn_big $big %, burn_small $small % (want 75 and 25 +-3)"
"$B/xprof-analyze" folded --weight=cpu-ns "$OUT" >"$WORK/f.txt" 2>/dev/null ||
	fail "folded exited $?"
awk '{ n = $NF; t += n } /burn_big/ { b += n } END { exit !(t > 0 && ((100 * b / t) - 75) ^ 2 <= 9) }' \
	"$WORK/f.txt" || fail "folded stacks do not give burn_big 75 +-3 %"
pass
