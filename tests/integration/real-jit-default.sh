#!/bin/bash
# SPDX-License-Identifier: MIT
# Without XPROF_JIT the JIT runtimes run unchanged: Node, a JVM and CPython each print their
# environment from inside (progs/real/jitsplit.js env, JitSplit env, os.environ), unprofiled
# and under the preload, with NODE_OPTIONS and JAVA_TOOL_OPTIONS of the user's already set;
# once xprof's own variables and LD_PRELOAD are set aside the two listings are identical,
# and no perf map is kept. With XPROF_JIT=1 the only differences are the user's options
# extended (never replaced) and PYTHONPERFSUPPORT=1.
. "$(dirname "$0")/common.bash"
. "$HERE/real.bash"
. "$HERE/jit.bash"
toolchain node javac java python3
cd "$WORK" || fail "cd $WORK"
mkdir -p classes
javac -d classes "$HERE/progs/real/JitSplit.java" >build.log 2>&1 ||
	fail "javac: $(tail -3 build.log | tr '\n' '|')"
export NODE_OPTIONS=--max-old-space-size=200 JAVA_TOOL_OPTIONS=-Xss2m

# listing NAME FILE: the environment the program printed, without xprof's own variables
# (and _, which the shell sets to the program it started: timeout, here).
listing()
{
	grep -v -e '^XPROF_' -e '^LD_PRELOAD=' -e '^_=' "$2" | sort >"$WORK/$1.env"
}

for rt in node java python; do
	case $rt in
	node) cmd=(node "$HERE/progs/real/jitsplit.js" env) ;;
	java) cmd=(java -cp classes JitSplit env) ;;
	python) cmd=(python3 -c 'import os; print("\n".join("%s=%s" % kv for kv in sorted(os.environ.items())))') ;;
	esac
	"${cmd[@]}" >"$rt.base.out" 2>"$rt.base.err" || fail "$rt: unprofiled run failed"
	prof "$rt" 60 "${cmd[@]}"
	expect_rc "$rt" 0
	prof "$rt-jit" 60 env XPROF_JIT=1 "${cmd[@]}"
	run_pids "$rt-jit"
	tmp_maps_rm "$WORK/$rt-jit.pids"
	expect_rc "$rt-jit" 0
	listing "$rt.base" "$rt.base.out"
	listing "$rt" "$WORK/$rt.out"
	listing "$rt-jit" "$WORK/$rt-jit.out"
	[ -s "$rt.base.env" ] || fail "$rt: printed no environment"
	cmp -s "$rt.base.env" "$rt.env" ||
		fail "$rt: the environment differs without XPROF_JIT: $(diff "$rt.base.env" "$rt.env" | head -4 | tr '\n' '|')"
	cmp -s "$rt.base.err" "$WORK/$rt.err" || fail "$rt: stderr differs without XPROF_JIT"
	ls "$OUT/$rt"/*.map >/dev/null 2>&1 && fail "$rt: a perf map was kept without XPROF_JIT"
	diff "$rt.base.env" "$rt-jit.env" | sed -n 's/^> //p' | sort >"$rt.added"
	want="JAVA_TOOL_OPTIONS=-Xss2m -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit
NODE_OPTIONS=--max-old-space-size=200 --perf-basic-prof
PYTHONPERFSUPPORT=1"
	[ "$(cat "$rt.added")" = "$want" ] ||
		fail "$rt: XPROF_JIT=1 changed: $(tr '\n' '|' <"$rt.added"), wanted: $(echo "$want" | tr '\n' '|')"
	echo "  $NAME: $rt: environment unchanged without XPROF_JIT; with it: $(tr '\n' ';' <"$rt.added")"
done
pass
