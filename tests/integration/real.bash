# SPDX-License-Identifier: MIT
# real.bash - sourced by every real-NAME.sh after common.bash: helpers for real programs (Go,
# Rust, a JVM, Node, Python, bash, make, C++) run once unprofiled and once under libxprof.so,
# each under tools/treecpu, which gives the kernel's CPU time of the whole process tree. Not a
# test itself (run.sh runs *.sh only).
#
#	toolchain CMD...	SKIP the test (exit 0) unless every CMD is on PATH; with $CI
#				set a missing toolchain is a FAIL (CI installs them all)
#	skip WHY		print "SKIP NAME: WHY" and exit 0 (FAIL when $CI is set)
#	both RUN TIMEOUT CMD...	CMD unprofiled ($WORK/RUN.base.{out,err,cpu}, status in
#				$BASE_RC), then under the preload into $OUT/RUN
#				($WORK/RUN.{out,err,cpu}, status in $RC). XPROF_* variables set
#				in front of the call reach the profiled run.
#	tree_cpu RUN [base]	the kernel's CPU of the tree in ns (the profiled run's, or
#				the unprofiled one's with "base")
#	same_rc RUN		FAIL unless both runs exited alike
#	same_stdout RUN [SED]	FAIL unless both stdouts are equal once SED (a sed script for
#				what really varies between runs) has been applied to each
#	sampled_share RUN MIN	FAIL unless the #run row's sampled_ns is >= MIN % of the
#				profiled tree's CPU; prints the share either way; then
#				cpu_matches RUN (unless a third argument is given)
#	cpu_matches RUN		FAIL unless the #run row's cpu_ns is within 2 % of the
#				profiled tree's CPU (rusage)
#	tsv RUN EXPR		the value of one xpq.py expression (for printing figures)

TREECPU=$PROGS/treecpu
BASE_RC=0
need "$TREECPU"

skip()
{
	[ -n "${CI:-}" ] && fail "$* (CI installs every toolchain: scripts/install-deps)"
	echo "SKIP $NAME: $*"
	exit 0
}

toolchain()
{
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not installed (scripts/install-deps)"
	done
}

both()
{
	local run=$1 t=$2

	shift 2
	timeout -k 2 "$t" "$TREECPU" -o "$WORK/$run.base.cpu" "$@" \
		>"$WORK/$run.base.out" 2>"$WORK/$run.base.err"
	BASE_RC=$?
	XPROF_OUT=$OUT XPROF_RUN=$run XPROF_QUIET=${XPROF_QUIET-1} \
		timeout -k 2 "$t" "$TREECPU" -o "$WORK/$run.cpu" -p "$LIB" "$@" \
		>"$WORK/$run.out" 2>"$WORK/$run.err"
	RC=$?
	[ "$BASE_RC" = 124 ] && fail "$run: the unprofiled run timed out after $t s"
	[ -s "$WORK/$run.base.cpu" ] || fail "$run: treecpu wrote no figure for the unprofiled run"
	[ -s "$WORK/$run.cpu" ] ||
		fail "$run: profiled run: $(status_name "$RC"); stderr: $(head -c 300 "$WORK/$run.err" | tr '\n' '|')"
}

tree_cpu()
{
	local f=$WORK/$1.cpu

	[ "${2:-}" = base ] && f=$WORK/$1.base.cpu
	sed -n 's/.*\tcpu_ns=\([0-9]*\).*/\1/p' "$f"
}

same_rc()
{
	local run=$1

	[ "$RC" = "$BASE_RC" ] && return 0
	fail "$run: $(status_name "$RC") under xprof, $(status_name "$BASE_RC") without; stderr: $(head -c 400 "$WORK/$run.err" | tr '\n' '|')"
}

same_stdout()
{
	local run=$1 script=${2:-}

	sed -e "$script" "$WORK/$run.base.out" >"$WORK/$run.base.norm"
	sed -e "$script" "$WORK/$run.out" >"$WORK/$run.norm"
	[ -s "$WORK/$run.base.norm" ] || fail "$run: the unprofiled run printed nothing"
	cmp -s "$WORK/$run.base.norm" "$WORK/$run.norm" && return 0
	fail "$run: stdout differs under xprof: $(diff "$WORK/$run.base.norm" "$WORK/$run.norm" | head -6 | tr '\n' '|')"
}

tsv()
{
	python3 "$XPQ" eval "$OUT/$1" "$2" 2>>"$WORK/$1.xpq"
}

sampled_share()
{
	local run=$1 min=$2 cpu pct base

	cpu=$(tree_cpu "$run")
	[ -n "$cpu" ] && [ "$cpu" -gt 0 ] || fail "$run: no tree CPU figure"
	pct=$(tsv "$run" "round(100.0 * run['sampled_ns'] / $cpu, 1)")
	base=$(tree_cpu "$run" base)
	echo "  $NAME: $run sampled $pct % of the tree's $(awk "BEGIN{printf \"%.3f\", $cpu/1e9}")" \
		"s CPU (kernel, rusage; unprofiled $(awk "BEGIN{printf \"%.3f\", $base/1e9}") s)"
	check "$run" "100.0 * run['sampled_ns'] / $cpu >= $min"
	[ -n "${3:-}" ] || cpu_matches "$run"
}

# cpu_matches RUN: the profile's CPU of the run (every image's own, exits included from the
# parents' wait4) within 2 % of the kernel's figure for the tree.
cpu_matches()
{
	local run=$1 cpu

	cpu=$(tree_cpu "$run")
	echo "  $NAME: $run: the profile counts $(tsv "$run" "round(100.0 * run['cpu_ns'] / $cpu, 1)")" \
		"% of the tree's CPU"
	check "$run" "within(run['cpu_ns'], $cpu, 0.02)"
}
