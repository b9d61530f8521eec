#!/bin/bash
# SPDX-License-Identifier: MIT
# A cgo Go program (progs/real/cgospin.go, built here with the system's go): 4 goroutines
# locked to OS threads alternate pure Go (main.goBurn) and C called through cgo (c_burn),
# while 64 goroutines grow their stacks and allocate. Go requires SA_ONSTACK from every
# non-Go signal handler: without it our handler runs on a goroutine's small stack. Checked
# against an unprofiled run: same exit status and stdout; one process, as many threads as
# the program had (it prints the count); every worker thread sampled, main.goBurn and c_burn
# each sampled on at least 2 of them; no sample dropped for lack of stack (Go's signal stacks
# are 32 KiB); sampled CPU >= 90 % of the tree's kernel CPU; and, run from a shell that reaps
# it, the profile's CPU within 2 % of the kernel's.
. "$(dirname "$0")/common.bash"
. "$HERE/real.bash"
toolchain go cc

# Nothing of the build may land outside the scratch directory.
mkdir -p "$WORK/go/cache" "$WORK/go/path" "$WORK/go/home"
HOME=$WORK/go/home GOCACHE=$WORK/go/cache GOPATH=$WORK/go/path GOFLAGS= \
	GO111MODULE=off CGO_ENABLED=1 go build -o "$WORK/cgospin" "$HERE/progs/real/cgospin.go" \
	>"$WORK/build.log" 2>&1 || fail "go build: $(tail -3 "$WORK/build.log" | tr '\n' '|')"
# A Go binary without cgo is static and ignores LD_PRELOAD: the test would prove nothing.
readelf -l "$WORK/cgospin" | grep -q 'Requesting program interpreter' ||
	fail "cgospin is statically linked (cgo off?)"

both go 60 "$WORK/cgospin" 4
same_rc go
[ "$RC" = 0 ] || fail "go: $(status_name "$RC"): $(grep -m2 -E 'fatal|unexpected|SIG' "$WORK/go.err" | tr '\n' '|')"
same_stdout go
grep -qx 'workers 4' "$WORK/go.out" || fail "go: no 'workers 4' line"
tids=$(sed -n 's/^tid \([0-9]*\)$/\1/p' "$WORK/go.err" | tr '\n' ',')
nthreads=$(sed -n 's/^threads \([0-9]*\)$/\1/p' "$WORK/go.err")
[ -n "$nthreads" ] && [ "$(echo "$tids" | tr -cd , | wc -c)" = 4 ] ||
	fail "go: the program did not report its 4 worker tids and its thread count"
check go 'len(P) == 1' "len(T) == $nthreads" \
	"all(any(t['tid'] == w and t['samples'] > 0 for t in T) for w in ($tids))" \
	"len([w for w in ($tids) if by_tid('main.goBurn').get(w, 0) > 20e6]) >= 2" \
	"len([w for w in ($tids) if by_tid('c_burn').get(w, 0) > 20e6]) >= 2" \
	'sum(d["count"] for d in D if d["reason"] == "stack") == 0'
echo "  $NAME: $nthreads threads; main.goBurn sampled on $(tsv go "len([w for w in ($tids) if by_tid('main.goBurn').get(w, 0) > 0])") of 4 workers"
# Go ends a process with a raw exit_group: no exit handler of ours runs, so the image's CPU
# is known to each thread's last sample, and only a profiled parent's wait4 gives the rest.
sampled_share go 90 nocpu
check go "run['cpu_ns'] >= 0.9 * $(tree_cpu go)"
both shell 60 bash -c "\"$WORK/cgospin\" 4; echo done"
[ "$RC" = 0 ] || fail "shell: $(status_name "$RC")"
cpu_matches shell
pass
