#!/bin/bash
# SPDX-License-Identifier: MIT
# run.sh BUILD_DIR [PATTERN...]: runs every tests/integration/*.sh (or those whose name
# contains one of the PATTERNs) with BUILD_DIR as $1, one after the other (timing checks need
# the CPUs), each under a 180 s limit. Prints each test's output, then the summary line
# "N passed, M failed" that CI reads. Exits 1 if any test failed. A test that exits 0 after
# printing "SKIP NAME: why" (a real-program test whose toolchain is missing) counts as
# skipped, not passed; the skipped ones are named on the line before the summary.
B=${1:?usage: run.sh BUILD_DIR [PATTERN...]}
shift
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0
failed=0
failures=()
skips=()

for t in "$HERE"/*.sh; do
	name=$(basename "$t" .sh)
	[ "$name" = run ] && continue
	if [ $# -gt 0 ]; then
		hit=
		for p in "$@"; do
			case $name in *"$p"*) hit=1 ;; esac
		done
		[ -n "$hit" ] || continue
	fi
	start=$SECONDS
	out=$(timeout -k 5 180 bash "$t" "$B" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out"
	if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q "^SKIP $name"; then
		skips+=("$name")
	elif [ $rc -eq 0 ]; then
		pass=$((pass + 1))
	else
		[ $rc -eq 124 ] && echo "FAIL $name: the test script timed out"
		failed=$((failed + 1))
		failures+=("$name")
	fi
	[ $((SECONDS - start)) -gt 30 ] && echo "  ($name took $((SECONDS - start)) s)"
done
[ ${#skips[@]} -gt 0 ] && echo "${#skips[@]} skipped: ${skips[*]}"
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
