#!/bin/bash
# SPDX-License-Identifier: MIT
# A bash loop of 300 short children (progs/real/loop.bash: /bin/true 300 times after one
# $(seq) subshell). Each child lives about a millisecond, less than one sampling interval, so
# the tree's sampled CPU cannot reach the kernel's; checked instead, against an unprofiled
# run: same exit status and stdout; every process image seen (the shell, the subshell and seq,
# and 300 children, each a fork image of bash and an exec image of true that exited 0); the
# shell's own sampled CPU against its own CPU as `times` reports it: >= 90 % with the perf
# event (999 Hz exactly), >= 70 % with the default mechanism, which on this VM is the
# CPU-clock timer: it fires only at scheduler ticks (4 ms here) that find the shell running,
# so a shell of 70 ms that runs in 0.2 ms bursts leaves two or three ticks' worth unsampled
# after its last sample (78-93 % seen, lower on a loaded machine). The
# tree's sampled share is printed; sampled + presample CPU (what each image spent before its
# first sample, which the report shows) must be >= 80 % of the tree's. The rest is each
# true's few microseconds after arming and its exit: measured 204 us per true image (of
# 1.36 ms; the kernel tearing down an address space that holds libunwind and liblzma too),
# 83.7-84.5 % explained on this VM (2 vCPUs), 84.8-88 % before the off-CPU interposers; the
# per-image rest is printed. And the profile's CPU of the run, the kernel's exit work
# included through the shell's wait4, within 2 % of the tree's rusage.
. "$(dirname "$0")/common.bash"
. "$HERE/real.bash"
toolchain bash seq

both loop 120 bash "$HERE/progs/real/loop.bash" 300
same_rc loop
[ "$RC" = 0 ] || fail "loop: $(status_name "$RC")"
same_stdout loop
grep -qx 'children 300' "$WORK/loop.out" || fail "loop: no 'children 300' line"
# shell_cpu RUN: the shell's own CPU in ns, from the first line of `times` on its stderr,
# user and system, e.g. "0m0.030s 0m0.096s".
shell_cpu()
{
	grep -m1 -E '^[0-9]+m[0-9.]+s [0-9]+m[0-9.]+s$' "$WORK/$1.err" |
		awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/);
			printf "%.0f", ((u[1] * 60 + u[2]) + (s[1] * 60 + s[2])) * 1e9 }'
}
shell_ns=$(shell_cpu loop)
[ -n "$shell_ns" ] && [ "$shell_ns" -gt 0 ] || fail "loop: no shell CPU time from times"
check loop 'root["comm"] == "bash"' \
	'len(set(p["pid"] for p in P)) == 302' \
	'len(procs(comm="true")) == 300' \
	'all(p["gen"] == 1 and p["exit_status"] == 0 for p in procs(comm="true"))' \
	'all(len(procs(pid=p["pid"], gen=0, comm="bash")) == 1 for p in procs(comm="true"))' \
	'len(procs(comm="seq")) == 1'
cpu=$(tree_cpu loop)
secs() { awk "BEGIN{printf \"%.3f\", $1/1e9}"; }
echo "  $NAME: bash itself: sampled $(tsv loop "round(100.0 * root['sampled_ns'] / $shell_ns, 1)")" \
	"% of its own $(secs "$shell_ns") s CPU (times)"
echo "  $NAME: the tree: sampled $(tsv loop "round(100.0 * run['sampled_ns'] / $cpu, 1)") %" \
	"of its $(secs "$cpu") s CPU (rusage), unprofiled $(secs "$(tree_cpu loop base)") s;" \
	"$(tsv loop 'len(P)') images"
cpu_matches loop
mech=$(tsv loop 'run["mechanism"]')
[ "$mech" = perf-task-clock ] && want=0.9 || want=0.7
check loop "root['sampled_ns'] >= $want * $shell_ns"
# presample: the CPU each image spent before its first sample. Asserted only once the analyzer
# reports it (in the #run row or per process).
if [ "$(tsv loop "'presample_ns' in run or any('presample_ns' in p for p in P)")" = True ]; then
	pre="(run['presample_ns'] if 'presample_ns' in run else sum(p['presample_ns'] for p in P))"
	pct=$(tsv loop "round(100.0 * (run['sampled_ns'] + $pre) / $cpu, 1)")
	rest=$(tsv loop "round(sum(p['cpu_ns'] - p['presample_ns'] - p['sampled_ns']
		for p in procs(comm='true')) / 300e3)")
	echo "  $NAME: the tree: sampled + presample $pct % of its CPU;" \
		"CPU after arming per true image: $rest us"
	check loop "run['sampled_ns'] + $pre >= 0.80 * $cpu"
else
	echo "  $NAME: presample check skipped: the analyzer has no presample_ns column yet"
fi
# The shell's own share with the perf event, wherever perf_event_open is allowed.
if [ "$mech" != perf-task-clock ] && "$B/xprof-analyze" --help >/dev/null 2>&1 &&
	[ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 3)" -le 2 ]; then
	XPROF_MECH=perf both perf 120 bash "$HERE/progs/real/loop.bash" 300
	[ "$RC" = 0 ] || fail "perf: $(status_name "$RC")"
	shell_ns=$(shell_cpu perf)
	echo "  $NAME: with the perf event, bash itself: sampled" \
		"$(tsv perf "round(100.0 * root['sampled_ns'] / $shell_ns, 1)") % of its own CPU"
	check perf 'run["mechanism"] == "perf-task-clock"' "root['sampled_ns'] >= 0.9 * $shell_ns"
fi
pass
