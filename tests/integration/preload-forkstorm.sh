#!/bin/bash
# SPDX-License-Identifier: MIT
# fork while 4 threads are sampled at 5 kHz, 100 times: every fork returns, every child has
# its own valid file, and no thread of a child shows up in the parent's file.
. "$(dirname "$0")/common.bash"
need "$PROGS/forkstorm"

XPROF_HZ=5000 prof fs 60 "$PROGS/forkstorm" 100
expect_rc fs 0
check fs 'len(H) == 101' 'all(h["header_ok"] for h in H)' 'rc == 0' 'len(P) == 101' \
	'len([p for p in P if p["comm"] == "forkstorm" and p["ppid"] == P[0]["pid"]]) == 100' \
	'all(t["tid"] == int(h["file"].split(".")[-3]) for h in H if h["gen"] == 0 and h["pid"] != min(x["pid"] for x in H) for t in HT if t["file"] == h["file"])' \
	'set(t["tid"] for t in HT if t["file"] == min(H, key=lambda h: h["pid"])["file"]) <= set(t["tid"] for t in threads(pid=min(x["pid"] for x in H)))' \
	'len(threads(pid=min(x["pid"] for x in H))) == 5' \
	'sum(p["samples"] for p in P[1:]) > 0'
pass
