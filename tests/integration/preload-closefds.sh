#!/bin/bash
# SPDX-License-Identifier: MIT
# The program closes every descriptor above stdio (close_range(3, ~0U, 0), then a close()
# loop up to _SC_OPEN_MAX), opens app.dat, writes 4 KiB, spins and forks: app.dat holds
# exactly what the program wrote, and both processes have profiles with samples.
. "$(dirname "$0")/common.bash"
need "$PROGS/closefds"
cd "$WORK" || fail "cd $WORK"
python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + 3) & 0xff for i in range(4096)))' \
	>expected.dat

for mode in range loop; do
	rm -f app.dat
	prof "$mode" 30 "$PROGS/closefds" $mode "$WORK/app.dat"
	expect_rc "$mode" 0
	cmp -s app.dat expected.dat ||
		fail "$mode: app.dat changed ($(stat -c %s app.dat) bytes, $(cmp app.dat expected.dat 2>&1 | head -1))"
	child=$(awk '{print $NF}' "$WORK/$mode.out")
	check "$mode" 'len(P) == 2' 'all(p["samples"] > 0 for p in P)' \
		"share('closefds_child', pid=$child) > 80"
done
pass
