#!/bin/bash
# SPDX-License-Identifier: MIT
# Inlined functions: hot_inlined() is always_inline inside outer_fn() (-O2 -g). The folded
# stacks must show it as a frame under outer_fn, with --lines a file:line, and with
# --no-inline the time must go to outer_fn itself.
. "$(dirname "$0")/common.bash"
need "$PROGS/analyzer_inline"

prof i 30 "$PROGS/analyzer_inline" 0.5
expect_rc i 0
"$B/xprof-analyze" folded "$OUT" >"$WORK/f.txt" 2>"$WORK/f.err" || fail "folded exited $?"
grep -q ';outer_fn;hot_inlined' "$WORK/f.txt" ||
	fail "no outer_fn;hot_inlined frames: $(sort -k2 -n -r "$WORK/f.txt" | head -2 | tr '\n' '|')"
"$B/xprof-analyze" folded --lines "$OUT" >"$WORK/l.txt" 2>/dev/null || fail "folded --lines"
grep -q 'hot_inlined (analyzer_inline.c:[0-9]*)' "$WORK/l.txt" ||
	fail "--lines gives no file:line for hot_inlined: $(head -c 300 "$WORK/l.txt")"
"$B/xprof-analyze" folded --no-inline "$OUT" >"$WORK/n.txt" 2>/dev/null || fail "--no-inline"
grep -q 'hot_inlined' "$WORK/n.txt" && fail "--no-inline still shows hot_inlined"
grep -q ';outer_fn ' "$WORK/n.txt" || fail "--no-inline: no stack ending in outer_fn"
pass
