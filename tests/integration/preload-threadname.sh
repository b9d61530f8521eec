#!/bin/bash
# SPDX-License-Identifier: MIT
# Thread names set with pthread_setname_np after the thread started are the names reported.
. "$(dirname "$0")/common.bash"
need "$PROGS/threads4"

prof tn 30 "$PROGS/threads4" 0.3
expect_rc tn 0
check tn 'sorted(t["name"] for t in T if t["cpu_ns"] >= 0.25e9) == ["worker_a", "worker_b", "worker_c", "worker_d"]' \
	'threads(tid=P[0]["pid"])[0]["name"] == "threads4"'
pass
