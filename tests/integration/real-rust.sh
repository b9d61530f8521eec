#!/bin/bash
# SPDX-License-Identifier: MIT
# A Rust program (progs/real/panics.rs, built here with the system's rustc): 4 named threads
# each run 60 rounds that burn CPU through 17 recursive frames of `descend` into
# `burn_and_panic`, which panics; `catch_unwind` in catch_rounds catches every panic. Rust
# gives each thread a small alternate signal stack (about SIGSTKSZ). Checked against an
# unprofiled run: same exit status and stdout (240 panics caught); one process, main + the 4
# threads it reports, each burner sampled in burn_and_panic; stacks of the full depth under
# catch_rounds; no sample dropped for lack of stack; sampled CPU >= 90 % of the kernel's.
. "$(dirname "$0")/common.bash"
. "$HERE/real.bash"
toolchain rustc cc

rustc -O -g -C panic=unwind -o "$WORK/panics" "$HERE/progs/real/panics.rs" \
	>"$WORK/build.log" 2>&1 || fail "rustc: $(tail -3 "$WORK/build.log" | tr '\n' '|')"

both rust 60 "$WORK/panics" 4
same_rc rust
[ "$RC" = 0 ] || fail "rust: $(status_name "$RC")"
same_stdout rust
grep -qx 'panics caught 240' "$WORK/rust.out" || fail "rust: not every panic was caught"
tids=$(sed -n 's/^tid \([0-9]*\)$/\1/p' "$WORK/rust.err" | tr '\n' ',')
[ "$(echo "$tids" | tr -cd , | wc -c)" = 4 ] || fail "rust: the program did not report 4 tids"
check rust 'len(P) == 1' 'len(T) == 5' \
	"sorted(t['name'] for t in T if t['tid'] in ($tids)) == ['burner-%d' % i for i in range(4)]" \
	"all(by_tid('burn_and_panic').get(w, 0) > 50e6 for w in ($tids))" \
	'on_stack("catch_rounds") > 90' \
	'max(sum(frame_is(f, "descend") for f in s) for s, w in stacks()) == 17' \
	'sum(d["count"] for d in D if d["reason"] == "stack") == 0'
sampled_share rust 90
pass
