#!/bin/bash
# SPDX-License-Identifier: MIT
# fork while 4 threads are sampled at 5 kHz, 100 times: every fork returns, every child has
# its own image, no thread of a child shows up in the parent's image, and a child's
# handler-time histogram counts its own samples only (it starts from zero, not from the
# forking thread's counts).
. "$(dirname "$0")/common.bash"
need "$PROGS/forkstorm"

XPROF_HZ=5000 prof fs 60 "$PROGS/forkstorm" 100
expect_rc fs 0
check fs 'len(H) == 101' 'all(h["header_ok"] for h in H)' 'rc == 0' 'len(P) == 101' \
	'len([p for p in P if p["comm"] == "forkstorm" and p["ppid"] == root["pid"]]) == 100' \
	'all(file_tids(p["pid"]) <= {p["pid"]} for p in P if p is not root)' \
	'file_tids(root["pid"]) == set(t["tid"] for t in threads(pid=root["pid"]))' \
	'len(threads(pid=root["pid"])) == 5' \
	'sum(p["samples"] for p in P[1:]) > 0' 'root["handled"] > 100' \
	'all(p["handled"] <= p["samples"] + p["dropped"] for p in P if p is not root)'
pass
