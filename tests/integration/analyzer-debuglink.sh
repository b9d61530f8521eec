#!/bin/bash
# SPDX-License-Identifier: MIT
# Separate debug info: analyzer_stripped has neither symbols nor DWARF, only a .gnu_debuglink
# to analyzer_stripped.debug beside it. Its functions must still be named.
. "$(dirname "$0")/common.bash"
need "$PROGS/analyzer_stripped" "$PROGS/analyzer_stripped.debug"

readelf -S "$PROGS/analyzer_stripped" | grep -q "\.symtab" && fail "analyzer_stripped still has symbols"
prof d 30 "$PROGS/analyzer_stripped" 0.5
expect_rc d 0
"$B/xprof-analyze" folded "$OUT" >"$WORK/f.txt" 2>"$WORK/f.err" || fail "folded exited $?"
grep -q ';main;burn_big' "$WORK/f.txt" ||
	fail "burn_big not named from the debug file: $(head -c 300 "$WORK/f.txt")"
grep -q 'analyzer_stripped+0x' "$WORK/f.txt" && fail "unnamed frames of analyzer_stripped"
pass
