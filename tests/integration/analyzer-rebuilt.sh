#!/bin/bash
# SPDX-License-Identifier: MIT
# A binary replaced after the run: the profile names prog with one build-id, the file on disk
# now has another. The analyzer must warn once naming the file and show prog+0xOFFSET frames,
# never names taken from the new file.
. "$(dirname "$0")/common.bash"
need "$PROGS/analyzer_shares" "$PROGS/analyzer_inline"

cp "$PROGS/analyzer_shares" "$WORK/prog"
prof r 30 "$WORK/prog" 0.5
expect_rc r 0
cp "$PROGS/analyzer_inline" "$WORK/prog"	# "rebuilt": other code, other build-id
"$B/xprof-analyze" folded "$OUT" >"$WORK/f.txt" 2>"$WORK/f.err" || fail "folded exited $?"
n=$(grep -c "^$WORK/prog: build-id differs" "$WORK/f.err")
[ "$n" = 1 ] || fail "expected one build-id warning naming $WORK/prog, got $n: $(head -c 300 "$WORK/f.err")"
grep -q ';prog+0x[0-9a-f]*' "$WORK/f.txt" || fail "no prog+0xOFFSET frames"
grep -Eq 'burn_big|burn_small|outer_fn|hot_inlined|;main;' "$WORK/f.txt" &&
	fail "names taken from the replaced file: $(head -c 300 "$WORK/f.txt")"
pass
