#!/bin/bash
# SPDX-License-Identifier: MIT
# dlopen: two threads dlopen/dlsym/dlclose a tiny library for 2 s at 5 kHz while a third
# spins: no hang, exit 0. Address reuse: libdlA.so (a_fn) then, after dlclose, libdlB.so
# (b_fn) at the same address, 0.5 s each: a_fn and b_fn get 50 % each (+-10), each in its
# own module.
. "$(dirname "$0")/common.bash"
need "$PROGS/dlstress" "$PROGS/dlreuse" "$PROGS/libdltiny.so" "$PROGS/libdlA.so" \
	"$PROGS/libdlB.so"

XPROF_HZ=5000 prof stress 30 "$PROGS/dlstress" "$PROGS/libdltiny.so" 2
expect_rc stress 0
check stress 'rc == 0' 'len(T) == 4'

prof reuse 30 "$PROGS/dlreuse" "$PROGS/libdlA.so" "$PROGS/libdlB.so" 0.5
expect_rc reuse 0
grep -q 'same address' "$WORK/reuse.out" ||
	echo "  note: libdlB.so was not mapped where libdlA.so was: $(cat "$WORK/reuse.out")" >&2
check reuse 'abs(share("a_fn") - 50) <= 10' 'abs(share("b_fn") - 50) <= 10' \
	'"libdlA" in funcs(name="a_fn")[0]["module"]' '"libdlB" in funcs(name="b_fn")[0]["module"]'
pass
