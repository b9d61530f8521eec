#!/bin/bash
# SPDX-License-Identifier: MIT
# The disk fills up under the profile (a 20 KiB tmpfs): one stderr line naming the file and
# the fault, the program runs on with its output and exit status unchanged, the file says
# profiling stopped, and the samples that could not be written are counted as dropped.
. "$(dirname "$0")/common.bash"
need "$PROGS/threads4"
[ "$(id -u)" = 0 ] || fail "needs root to mount a small tmpfs (CI runs as root)"
mkdir -p "$WORK/small"
mount -t tmpfs -o size=20k tmpfs "$WORK/small" || fail "cannot mount a tmpfs on $WORK/small"

"$PROGS/threads4" >"$WORK/base.out"
XPROF_OUT=$WORK/small/out XPROF_RUN=d XPROF_MECH=perf XPROF_HZ=1000 \
	with_preload 30 "$PROGS/threads4" >"$WORK/d.out" 2>"$WORK/d.err"
RC=$?
cp -r "$WORK/small/out" "$WORK/out"	# out of the tmpfs before any check can fail
umount "$WORK/small"
[ "$RC" = 0 ] || fail "exit status $(status_name $RC), expected 0"
cmp -s "$WORK/base.out" "$WORK/d.out" || fail "stdout changed"
n=$(grep -c . "$WORK/d.err")
[ "$n" = 1 ] || fail "$n stderr lines instead of 1: $(tr '\n' '|' <"$WORK/d.err")"
grep -q "errno 28" "$WORK/d.err" || fail "the line does not give the fault: $(cat "$WORK/d.err")"
"$B/xprof-analyze" report --tsv "$WORK/out" >"$WORK/r.tsv" 2>"$WORK/r.err"
rc=$?
[ $rc -le 1 ] || fail "analyzer exit $rc: $(head -c 300 "$WORK/r.err")"
awk -F'\t' '$1 == "process" && $13 == "stopped" { s = 1 } END { exit !s }' "$WORK/r.tsv" ||
	fail "process end is not 'stopped'"
awk -F'\t' '$1 == "drop" && $2 == "nospace" && $3 > 100 { s = 1 } END { exit !s }' "$WORK/r.tsv" ||
	fail "no nospace drops counted: $(grep '^drop' "$WORK/r.tsv" | tr '\n' '|')"
pass
