#!/bin/bash
# SPDX-License-Identifier: MIT
# `make -j2` of a small C project (tools/gen-cproject.sh: 8 generated units + main.c, each
# a few hundred ms of cc1, linked into prog, which make then runs): gcc's driver, cc1, as,
# collect2 and ld, all spawned. Checked against an unprofiled build (make -B): same exit
# status and stdout (prog's checksum); one image per process the build ran: a cc1, an as and
# a driver per source file (one more driver for the link), one collect2, ld, make and prog;
# every cc1 sampled; sampled CPU >= 90 % of the tree's kernel CPU.
. "$(dirname "$0")/common.bash"
. "$HERE/real.bash"
toolchain make cc

"$HERE/tools/gen-cproject.sh" "$WORK/proj" 8 || fail "gen-cproject.sh failed"
nsrc=$(ls "$WORK/proj"/*.c | wc -l)
# -B: each of the two runs builds everything from scratch.
both make 120 make -s -B -j2 --no-print-directory -C "$WORK/proj"
same_rc make
[ "$RC" = 0 ] || fail "make: $(status_name "$RC"): $(head -c 300 "$WORK/make.err" | tr '\n' '|')"
same_stdout make
tool='str(p["comm"]).split("-")[-1]'
check make "len(procs(comm='cc1')) == $nsrc" \
	"len([p for p in P if $tool == 'as']) == $nsrc" \
	"len([p for p in P if 'gcc' in str(p['comm'])]) == $nsrc + 1" \
	"len([p for p in P if $tool in ('ld', 'ld.bfd', 'ld.gold')]) == 1" \
	"len(procs(comm='collect2')) == 1" "len(procs(comm='make')) == 1" \
	"len(procs(comm='prog')) == 1" "len(P) == 3 * $nsrc + 5" \
	"all(p['samples'] > 0 for p in procs(comm='cc1'))"
cc1=$(tsv make "'%.3f s of %.3f s' % (sum(p['sampled_ns'] for p in procs(comm='cc1')) / 1e9,
	sum(p['cpu_ns'] for p in procs(comm='cc1')) / 1e9)")
echo "  $NAME: $(tsv make 'len(P)') images; cc1 sampled $cc1"
sampled_share make 90
pass
