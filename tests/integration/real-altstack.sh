#!/bin/bash
# SPDX-License-Identifier: MIT
# Threads whose SA_ONSTACK SIGUSR1 handler burns 20 ms per signal on a small sigaltstack with
# a 64 KiB canary just below it (progs/altstack.c: 2 threads x 25 signals), once with
# sysconf(_SC_SIGSTKSZ) bytes and once with 8192 (the classic SIGSTKSZ, the size of a Rust
# thread's altstack). Our ticks land while that handler runs: whatever runs for them must
# stay inside the altstack. Checked against an unprofiled run: same exit status and stdout
# (every signal on the alternate stack, canaries intact after every round and at the end);
# 3 threads; the
# handlers' CPU time was seen, as samples with usr1_handler on the stack or as counted
# `stack` drops (at least 80 % of it); sampled + stack-dropped CPU >= 90 % of the kernel's.
. "$(dirname "$0")/common.bash"
. "$HERE/real.bash"
need "$PROGS/altstack"

for size in "" 8192; do
	alt=alt${size:+-$size}
	both "$alt" 60 "$PROGS/altstack" $size
	grep -q 'overwritten' "$WORK/$alt.out" && fail "$alt: $(grep overwritten "$WORK/$alt.out")"
	same_rc "$alt"
	[ "$RC" = 0 ] || fail "$alt: $(status_name "$RC"): $(tr '\n' '|' <"$WORK/$alt.out")"
	same_stdout "$alt"
	hns=$(sed -n 's/^handler_ns \([0-9]*\)$/\1/p' "$WORK/$alt.err")
	[ -n "$hns" ] && [ "$hns" -gt 900000000 ] || fail "$alt: the handlers burnt ${hns:-no} ns"
	stack_ns='sum(d["ns"] for d in D if d["reason"] == "stack")'
	check "$alt" 'len(P) == 1' 'len(T) == 3' \
		"sum(by_tid('usr1_handler').values()) + $stack_ns >= 0.8 * $hns"
	cpu=$(tree_cpu "$alt")
	seen=$(tsv "$alt" "'%.2f s sampled in usr1_handler, %d stack drops (%.2f s)' % (
		sum(by_tid('usr1_handler').values()) / 1e9,
		sum(d['count'] for d in D if d['reason'] == 'stack'), $stack_ns / 1e9)")
	echo "  $NAME: $alt: handlers burnt $(awk "BEGIN{printf \"%.2f\", $hns/1e9}") s: $seen"
	pct=$(tsv "$alt" "round(100.0 * (run['sampled_ns'] + $stack_ns) / $cpu, 1)")
	echo "  $NAME: $alt: sampled + stack-dropped $pct % of the tree's CPU"
	check "$alt" "run['sampled_ns'] + $stack_ns >= 0.9 * $cpu"
done
pass
