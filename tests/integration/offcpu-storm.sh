#!/bin/bash
# SPDX-License-Identifier: MIT
# Many short blocks: progs/offcpu storm runs 5 threads for 3 s that block very often (a pipe
# ping-pong, nanosleep(1 us), two threads fighting over a mutex): well over 100,000 blocking
# calls a second. Off-CPU records are sampled by time, so the file must stay small:
#   - OFFCPU records per thread and second <= 1e6 / XPROF_OFFCPU_US (one per 1 ms of blocked
#     time at the default) + 250 (one per tick of the coarse clock, 4 ms at HZ=250: calls
#     timed by it can produce no more): 5 threads x 1,250 x 3 s = 18,750 at most;
#   - off-CPU bytes <= 64 per record (a record shares its stack with the previous one: a
#     few bytes of header and the frames that differ; 64 covers a full 6-frame stack);
#   - the whole file <= 1 MiB per second (CPU samples included), against the 100+ MB a
#     record per blocking call would take.
# The exact totals must still count every blocked call.
. "$(dirname "$0")/common.bash"
. "$HERE/offcpu.bash"
need "$PROGS/offcpu"

SECS=3
prof st 60 "$PROGS/offcpu" storm $SECS
expect_rc st 0
off_stat st
calls=$(awk '{ print $3 }' "$WORK/st.out")
[ "$calls" -ge $((100000 * SECS)) ] || fail "only $calls blocking calls in $SECS s"
blocked=$(awk -F'\t' '$1 == "call" { s += $7 } END { print s + 0 }' "$WORK/st.off")
recs=$(off_total st records)
bytes=$(off_total st bytes)
size=$(stat -c %s "$OUT"/st/*.xpf)
used=$(awk -F'\t' '{ print $2 }' <("$XPSTAT" "$OUT"/st/*.xpf))
[ "$blocked" -ge 10000 ] || fail "only $blocked calls seen blocked"
[ "$recs" -gt 0 ] || fail "no OFFCPU record"
[ "$recs" -le $((5 * 1250 * SECS)) ] || fail "$recs OFFCPU records in $SECS s"
[ "$bytes" -le $((64 * recs)) ] || fail "$bytes bytes for $recs OFFCPU records"
[ "$used" -le $((1048576 * SECS)) ] || fail "file uses $used bytes in $SECS s"
echo "  $((calls / SECS)) blocking calls/s ($((blocked / SECS)) seen blocked): $((recs / SECS)) OFFCPU records/s, $((bytes / SECS)) off-CPU bytes/s, $((used / SECS)) file bytes/s (file $size bytes)"
pass
