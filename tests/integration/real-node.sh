#!/bin/bash
# SPDX-License-Identifier: MIT
# Node with worker_threads (progs/real/workers.js): 3 workers burn CPU in JIT-compiled
# JavaScript while the main thread waits. Checked against an unprofiled run: same exit status
# and stdout; one process; the 3 worker threads the program reports are each sampled for most
# of their CPU; sampled CPU >= 90 % of the kernel's CPU for the tree.
. "$(dirname "$0")/common.bash"
. "$HERE/real.bash"
toolchain node

both node 60 node "$HERE/progs/real/workers.js" 3
same_rc node
[ "$RC" = 0 ] || fail "node: $(status_name "$RC")"
same_stdout node
grep -qx 'workers 3' "$WORK/node.out" || fail "node: no 'workers 3' line"
tids=$(sed -n 's/^tid \([0-9]*\)$/\1/p' "$WORK/node.err" | tr '\n' ',')
[ "$(echo "$tids" | tr -cd , | wc -c)" = 3 ] || fail "node: the program did not report 3 tids"
check node 'len(P) == 1' \
	"len([t for t in T if t['tid'] in ($tids)]) == 3" \
	"all(t['sampled_ns'] > 0.8 * t['cpu_ns'] > 0.2e9 for t in T if t['tid'] in ($tids))" \
	"len([w for w, ns in by_tid().items() if w in ($tids) and ns > 0.2e9]) == 3"
echo "  $NAME: $(tsv node 'len(T)') threads seen, $(tsv node 'len([t for t in T if t["samples"] > 0])') of them sampled"
sampled_share node 90
pass
