#!/bin/bash
# SPDX-License-Identifier: MIT
# diff: one program run twice with different splits (split 80: 80 % in burn_first; split 20:
# 20 %). The difffolded text must carry every stack of both runs with counts that add up to
# each run's folded total and show burn_first falling and burn_second rising; the
# differential SVG must colour burn_second red (more in B) and burn_first blue (less).
. "$(dirname "$0")/common.bash"
need "$PROGS/split"
A=$B/xprof-analyze

prof a 30 "$PROGS/split" 80
expect_rc a 0
prof b 30 "$PROGS/split" 20
expect_rc b 0
for w in samples cpu-ns; do
	$A diff --weight=$w "$OUT/a" "$OUT/b" >"$WORK/d.txt" 2>"$WORK/d.err" ||
		fail "diff --weight=$w: $(cat "$WORK/d.err")"
	[ ! -s "$WORK/d.err" ] || fail "diff said: $(cat "$WORK/d.err")"
	ta=$($A folded --weight=$w "$OUT/a" | awk '{ t += $NF } END { print t }')
	tb=$($A folded --weight=$w "$OUT/b" | awk '{ t += $NF } END { print t }')
	awk -v ta="$ta" -v tb="$tb" '
		NF < 3 || $(NF - 1) !~ /^[0-9]+$/ || $NF !~ /^[0-9]+$/ { bad = NR }
		{ a += $(NF - 1); b += $NF }
		/;burn_first [0-9]+ [0-9]+$/ { fa = $(NF - 1); fb = $NF }
		/;burn_second [0-9]+ [0-9]+$/ { sa = $(NF - 1); sb = $NF }
		END {
			if (bad) { print "line " bad " is not `stack A B`"; exit 1 }
			if (a != ta || b != tb) { print "columns add up to " a ", " b "; folded " ta ", " tb; exit 1 }
			if (!(fa > 2 * fb && sb > 2 * sa)) {
				print "burn_first " fa " -> " fb ", burn_second " sa " -> " sb; exit 1
			}
		}' "$WORK/d.txt" >"$WORK/d.why" || fail "diff --weight=$w: $(cat "$WORK/d.why")"
done

$A diff "$OUT/a" "$OUT/b" -o "$WORK/d.svg" 2>"$WORK/s.err" || fail "diff -o d.svg: $(cat "$WORK/s.err")"
python3 - "$WORK/d.svg" <<'PY' || fail "differential flame graph colours are wrong"
import re, sys
svg = open(sys.argv[1]).read()
def fill(name):
    m = re.search(r"<title>%s \([^<]*baseline[^<]*</title><rect [^>]*fill=\"rgb\((\d+),(\d+),(\d+)\)\"" % name, svg)
    if not m:
        sys.exit("no %s frame with a baseline share in %s" % (name, sys.argv[1]))
    return tuple(map(int, m.groups()))
r, g, b = fill("burn_second")
if not (r == 255 and g < 150 and b < 150):
    sys.exit("burn_second (more in B) is rgb(%d,%d,%d), not red" % (r, g, b))
r, g, b = fill("burn_first")
if not (b == 255 and r < 150 and g < 150):
    sys.exit("burn_first (less in B) is rgb(%d,%d,%d), not blue" % (r, g, b))
PY
pass
