#!/bin/bash
# SPDX-License-Identifier: MIT
# A JVM (progs/real/JThreads.java, compiled here with javac): 3 Java threads burn CPU in
# JIT-compiled code that also takes implicit null checks (SIGSEGV handled by the JVM itself,
# as are its safepoint polls). Checked against an unprofiled run: same exit status and stdout;
# one process; the 3 burner threads the program reports each sampled for most of their CPU,
# and the JVM's own threads (VM Thread, GC, compiler) seen; sampled CPU >= 90 % of the
# kernel's CPU for the tree.
. "$(dirname "$0")/common.bash"
. "$HERE/real.bash"
toolchain javac java

mkdir -p "$WORK/classes"
javac -d "$WORK/classes" "$HERE/progs/real/JThreads.java" >"$WORK/build.log" 2>&1 ||
	fail "javac: $(tail -3 "$WORK/build.log" | tr '\n' '|')"

both jvm 90 java -Xmx256m -cp "$WORK/classes" JThreads 3
same_rc jvm
[ "$RC" = 0 ] || fail "jvm: $(status_name "$RC")"
same_stdout jvm
tids=$(sed -n 's/^tid \([0-9]*\)$/\1/p' "$WORK/jvm.err" | tr '\n' ',')
[ "$(echo "$tids" | tr -cd , | wc -c)" = 3 ] || fail "jvm: the program did not report 3 tids"
check jvm 'len(P) == 1' \
	"sorted(t['name'] for t in T if t['tid'] in ($tids)) == ['burner-0', 'burner-1', 'burner-2']" \
	"all(t['sampled_ns'] > 0.8 * t['cpu_ns'] > 0.1e9 for t in T if t['tid'] in ($tids))" \
	"len([w for w, ns in by_tid().items() if w in ($tids) and ns > 0.1e9]) == 3" \
	"all(any(str(t['name']).startswith(n) for t in T) for n in ('VM Thread', 'GC Thread', 'C2 CompilerThre', 'C1 CompilerThre'))"
echo "  $NAME: $(tsv jvm 'len(T)') threads seen, $(tsv jvm 'len([t for t in T if t["samples"] > 0])') of them sampled"
sampled_share jvm 90
pass
