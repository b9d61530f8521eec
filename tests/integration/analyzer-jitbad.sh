#!/bin/bash
# SPDX-License-Identifier: MIT
# Bad JIT symbol files (progs/jitcode.c): a perf map with garbage lines (2-6: prose, a lone
# number, no name, NUL bytes, a range past the address space) and a jitdump whose last
# record is cut; a map that an earlier image of the same pid began (mode stale: its first two
# lines name memory the new image never had, the new image appends its own); a copy that
# vanished or holds noise. Every command warns naming the file and the line or record, uses
# the rest (both functions named, the 2:1 split within 3 points), and exits 0: a bad symbol
# file costs names, not samples.
. "$(dirname "$0")/common.bash"
. "$HERE/jit.bash"
need "$PROGS/jitcode"
cd "$WORK" || fail "cd $WORK"
A=$B/xprof-analyze

# every_command RUN: each output command runs to its end and exits 0; stderr in RUN.an.err.
every_command()
{
	local run=$1 cmd rc

	: >"$WORK/$run.an.err"
	for cmd in report folded flamegraph pprof speedscope timeline; do
		"$A" "$cmd" "$OUT/$run" -o "$WORK/$run.$cmd.out" 2>>"$WORK/$run.an.err"
		rc=$?
		[ $rc = 0 ] || fail "$run: $cmd exited $rc: $(tail -2 "$WORK/$run.an.err")"
	done
}

# said RUN TEXT...: each TEXT is in a warning line.
said()
{
	local run=$1 t

	shift
	for t in "$@"; do
		grep -qF -- "$t" "$WORK/$run.an.err" ||
			fail "$run: no warning saying '$t'; got: $(head -c 600 "$WORK/$run.an.err" | tr '\n' '|')"
	done
}

prof b 30 "$PROGS/jitcode" bad 1.2
expect_rc b 0
tmp_maps_rm "$WORK/b.out"
pid=$(sed -n 's/^pid \([0-9]*\) bad$/\1/p' "$WORK/b.out")
map=$(basename "$(ls "$OUT"/b/*.perf-"$pid".map)")
dump=$(basename "$(ls "$OUT"/b/*.jit-"$pid".dump)")
every_command b
said b "$map:2: not \"START SIZE NAME\" in hex: \"this is not a map line\"; line skipped" \
	"$map:3: not \"START SIZE NAME\"" "$map:4: not \"START SIZE NAME\"" \
	"$map:5: NUL bytes in the line" "$map:6: 0xffffffffffffff00 + 0x200 runs past the end" \
	"$dump: record 2 at 0xa9: truncated (1000 bytes wanted, 21 left); rest of file skipped"
split_ok b 66.7 '^jit_alpha$' '^jit_beta$' "$pid"

prof s 30 "$PROGS/jitcode" stale 1.2
expect_rc s 0
tmp_maps_rm "$WORK/s.out"
pid=$(sed -n 's/^pid \([0-9]*\) append$/\1/p' "$WORK/s.out")
every_command s
said s ".perf-$pid.map:1: 0x100000-0x100040 (stale_one) lies in no executable memory of process $pid" \
	".perf-$pid.map:2: 0x200000-0x200040 (stale_two) lies in no executable memory"
grep -q "perf-$pid.map:3:" "$WORK/s.an.err" && fail "s: line 3 (this image's own) was doubted"
split_ok s 66.7 '^jit_alpha$' '^jit_beta$' "$pid"
[ "$(leaf_share s 'stale_')" = 0.00 ] || fail "s: a stale name was used"

# The copies spoiled after the run: noise for a jitdump, a vanished map.
head -c 200 /dev/urandom >"$OUT/b/$dump"
rm "$OUT/b/$map"
every_command b
said b "$dump: not a jitdump (magic 0x" "$map: cannot open (No such file or directory)"
pass
