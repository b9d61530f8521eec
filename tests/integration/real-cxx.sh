#!/bin/bash
# SPDX-License-Identifier: MIT
# C++ exceptions thrown across 60 frames that burn CPU, in 3 threads, each thread 200 times
# (progs/cxx/cxxexc.cc -n), and the same code as a library that a C program dlopen's
# (progs/dlcxx.c + libcxxexc.so), where the C++ runtime comes in at run time. Checked against
# an unprofiled run, for both: same exit status and stdout (every exception caught where it
# should be, and thrown by the same unwinder: the program names the object whose
# _Unwind_RaiseException its throws use); main + the 3 threads it reports, each sampled in
# thrower with stacks over 50 frames deep; no sample in libunwind, which the program never
# uses (a sample there means its exceptions went through the profiler's unwinder); sampled
# CPU >= 90 % of the kernel's.
. "$(dirname "$0")/common.bash"
. "$HERE/real.bash"
need "$PROGS/cxxexc" "$PROGS/dlcxx" "$PROGS/libcxxexc.so"

for run in exe dl; do
	if [ $run = exe ]; then
		both $run 60 "$PROGS/cxxexc" -n 200
	else
		both $run 60 "$PROGS/dlcxx" "$PROGS/libcxxexc.so" -n 200
	fi
	same_rc $run
	[ "$RC" = 0 ] || fail "$run: $(status_name "$RC")"
	same_stdout $run
	grep -qx 'caught 600 wrong 0' "$WORK/$run.out" || fail "$run: not every exception caught"
	tids=$(sed -n 's/^tid \([0-9]*\)$/\1/p' "$WORK/$run.err" | tr '\n' ',')
	[ "$(echo "$tids" | tr -cd , | wc -c)" = 3 ] || fail "$run: the program did not report 3 tids"
	check $run 'len(P) == 1' 'len(T) == 4' \
		"all(by_tid('thrower').get(w, 0) > 0.1e9 for w in ($tids))" \
		'max(sum(frame_is(f, "thrower") for f in s) for s, w in stacks()) >= 50' \
		'not [f["name"] for f in F if str(f["module"]).startswith("libunwind")]' \
		'sum(d["count"] for d in D if d["reason"] == "unwinder") == 0'
	sampled_share $run 90
done
pass
