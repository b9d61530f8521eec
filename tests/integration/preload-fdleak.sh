#!/bin/bash
# SPDX-License-Identifier: MIT
# No xprof descriptor leaks across exec: a profiled program execs `ls -l /proc/self/fd`. The
# listing must show no descriptor beyond those of `ls` started directly under xprof (stdio,
# ls's own directory fd and the new image's own xprof descriptors), and none open on the
# profile of the image before the exec.
. "$(dirname "$0")/common.bash"
need "$PROGS/fdlist"
cd "$WORK" || fail "cd $WORK"

prof direct 20 ls -l /proc/self/fd
expect_rc direct 0
prof viaexec 20 "$PROGS/fdlist"
expect_rc viaexec 0
why=$(python3 - "$WORK/direct.out" "$WORK/viaexec.out" <<'PY'
import re, sys

def fds(path):
    return {int(m.group(1)): m.group(2) for m in
            re.finditer(r" (\d+) -> (.*)$", open(path).read(), re.M)}

direct, viaexec = fds(sys.argv[1]), fds(sys.argv[2])
extra = {fd: t for fd, t in viaexec.items() if fd not in direct}
old = {fd: t for fd, t in viaexec.items() if re.search(r"\.0\.xpf", t)}
if extra or old:
    print("leaked: %s" % ", ".join("%d -> %s" % kv for kv in sorted({**extra, **old}.items())))
elif not {0, 1, 2} <= set(viaexec):
    print("no listing: %s" % viaexec)
PY
)
[ -z "$why" ] || fail "$why"
pass
