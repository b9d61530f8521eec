#!/bin/bash
# SPDX-License-Identifier: MIT
# JIT code named from the runtime's own files (progs/jitcode.c: a tiny JIT whose two threads
# burn 2:1 in two anonymous executable regions, one made executable by mprotect, one mapped
# so). Mode map: /tmp/perf-PID.map names both; its copy is in the run directory under the
# name xprof-format(5) gives, equal to the original; the later of two lines for one address
# wins; both functions are named in every output (report, folded, flame graph, speedscope,
# pprof) with the 2:1 split within 3 points, and no CPU stays [jit]. Mode dump: the map
# names one region and a jitdump the other (copied too); a fork child that burns in code it
# inherited is named by its parent's map. Mode remap: a second mapping of the program's own
# code, made by the program as V8 makes one of Node's builtins, is named from the program's
# symbols (not [unknown]); once unmapped, the JIT code put at its address is named from the
# map, 2:1 within 3 points. Mode leave: an image that finds its pid's map already there and
# never writes it keeps no copy of it.
. "$(dirname "$0")/common.bash"
. "$HERE/jit.bash"
need "$PROGS/jitcode"
command -v go >/dev/null || fail "go not installed (scripts/install-deps installs golang-go)"
cd "$WORK" || fail "cd $WORK"

prof m 30 "$PROGS/jitcode" map 1.2
expect_rc m 0
pid=$(sed -n 's/^pid \([0-9]*\) map$/\1/p' "$WORK/m.out")
copy=$(ls "$OUT"/m/*.perf-"$pid".map 2>/dev/null)
[ -n "$copy" ] || fail "m: no copy of /tmp/perf-$pid.map in $OUT/m: $(ls "$OUT/m" | tr '\n' ' ')"
case $(basename "$copy") in
*.*.[0-9]*.perf-"$pid".map) ;;
*) fail "m: copy named $(basename "$copy"), not HOST.BOOT.IMAGE.perf-PID.map" ;;
esac
cmp -s "$copy" "/tmp/perf-$pid.map" || fail "m: the copy differs from /tmp/perf-$pid.map"
tmp_maps_rm "$WORK/m.out"
named_everywhere m jit_alpha jit_beta
split_ok m 66.7 '^jit_alpha$' '^jit_beta$'
jit_out m folded
grep -q old_alpha "$JIT_F" && fail "m: old_alpha named: the later line must win"
[ "$(leaf_share m '^\[jit\]$')" = 0.00 ] || fail "m: $(leaf_share m '^\[jit\]$') % stayed [jit]"
grep -q . "$WORK/m.an.err" && fail "m: the analyzer warned: $(head -2 "$WORK/m.an.err")"

prof d 30 "$PROGS/jitcode" dump 1.2
expect_rc d 0
tmp_maps_rm "$WORK/d.out"
pid=$(sed -n 's/^pid \([0-9]*\) dump$/\1/p' "$WORK/d.out")
child=$(sed -n 's/^pid \([0-9]*\) child$/\1/p' "$WORK/d.out")
ls "$OUT"/d/*.jit-"$pid".dump >/dev/null 2>&1 || fail "d: no copy of jit-$pid.dump in $OUT/d"
cmp -s "$OUT"/d/*.jit-"$pid".dump "$WORK/jit-$pid.dump" || fail "d: the jitdump copy differs"
split_ok d 66.7 '^jit_alpha$' '^jit_beta$' "$pid"
c=$(leaf_share d '^jit_alpha$' "$child")
echo "  $NAME: d: the fork child spent $c % of its CPU in jit_alpha (its parent's map)"
awk "BEGIN{exit !($c >= 90)}" || fail "d: fork child $child: jit_alpha only $c %"

prof r 30 "$PROGS/jitcode" remap 1.2
expect_rc r 0
tmp_maps_rm "$WORK/r.out"
split_ok r 66.7 '^remap_spin$' '^jit_after$'
check r "funcs(name='remap_spin')[0]['module'] == 'jitcode'"

prof l 30 "$PROGS/jitcode" leave 0.2
expect_rc l 0
tmp_maps_rm "$WORK/l.out"
n=$(ls "$OUT"/l/*.map 2>/dev/null | wc -l)
[ "$n" = 1 ] || fail "l: $n map copies; only the image that wrote the map keeps one"
pass
