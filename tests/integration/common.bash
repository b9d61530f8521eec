# SPDX-License-Identifier: MIT
# common.bash - sourced by every preload-NAME.sh: paths, a scratch directory, and helpers to
# run a program under libxprof.so and to check the result. Not a test itself (run.sh runs
# *.sh only).
#
#	with_preload T CMD...	run CMD under timeout T with libxprof.so preloaded
#	prof RUN TIMEOUT CMD...	run CMD under the preload into $OUT/RUN; stdout, stderr in
#				$WORK/RUN.out, $WORK/RUN.err; exit status in $RC. XPROF_*
#				variables set in front of the call are passed on.
#	check RUN EXPR...	xpq.py check on $OUT/RUN; FAIL with the first false EXPR
#	expect_rc RUN WANT	FAIL unless $RC is WANT (names timeouts and signals)
#	pass / fail WHY		print the verdict and exit
# XPROF_KEEP=1 keeps the scratch directory; it is kept anyway when the test fails.

B=${1:?usage: $0 BUILD_DIR}
B=$(cd "$B" && pwd) || exit 2
NAME=$(basename "$0" .sh)
NAME=${NAME#preload-}
HERE=$(cd "$(dirname "$0")" && pwd)
LIB=$B/libxprof.so
PROGS=$B/tests/progs
XPQ=$HERE/xpq.py
export XPROF_ANALYZE=$B/xprof-analyze XPF_DUMP=$PROGS/xpf-dump
WORK=$(mktemp -d "${TMPDIR:-/tmp}/xprof-it-$NAME.XXXXXX") || exit 2
OUT=$WORK/out
RC=0
trap '[ -n "$XPROF_KEEP" ] || rm -rf "$WORK"' EXIT

pass()
{
	echo "PASS $NAME"
	exit 0
}

fail()
{
	echo "FAIL $NAME: $*"
	echo "  (files kept in $WORK)" >&2
	trap - EXIT
	exit 1
}

# need FILE...: the build products a test uses.
need()
{
	local f

	for f in "$@"; do
		[ -e "$f" ] || fail "missing $f (make all progs)"
	done
}

# with_preload TIMEOUT CMD...: CMD under `timeout`, libxprof.so preloaded into CMD only (not
# into timeout or a shell, which would be profiled too).
with_preload()
{
	local t=$1

	shift
	timeout -k 2 "$t" /bin/sh -c 'LD_PRELOAD=$0; export LD_PRELOAD; exec "$@"' "$LIB" "$@"
}

prof()
{
	local run=$1 t=$2

	shift 2
	XPROF_OUT=$OUT XPROF_RUN=$run XPROF_QUIET=${XPROF_QUIET-1} with_preload "$t" "$@" \
		>"$WORK/$run.out" 2>"$WORK/$run.err"
	RC=$?
}

# status_name N: how a shell would describe exit status N.
status_name()
{
	case $1 in
	124) echo "timed out (hang)" ;;
	137) echo "killed (SIGKILL, after timeout)" ;;
	1[2-9][0-9]) echo "status $1 (signal $(($1 - 128)): $(kill -l $(($1 - 128)) 2>/dev/null))" ;;
	*) echo "status $1" ;;
	esac
}

expect_rc()
{
	local run=$1 want=$2

	[ "$RC" = "$want" ] && return 0
	fail "$run: $(status_name "$RC"), expected $want; stderr: $(head -c 300 "$WORK/$run.err" | tr '\n' '|')"
}

check()
{
	local run=$1 msg

	shift
	msg=$(python3 "$XPQ" check "$OUT/$run" "$@" 2>"$WORK/$run.xpq") ||
		fail "$run: ${msg:-xpq.py failed: $(tail -1 "$WORK/$run.xpq")}"
}

need "$LIB" "$B/xprof-analyze" "$PROGS/xpf-dump"
