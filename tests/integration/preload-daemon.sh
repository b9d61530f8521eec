#!/bin/bash
# SPDX-License-Identifier: MIT
# A daemon (fork, setsid, fork, chdir("/"), work) started with a relative XPROF_OUT: the
# surviving grandchild is profiled into the output directory chosen at start, not under /.
. "$(dirname "$0")/common.bash"
need "$PROGS/daemon"
cd "$WORK" || fail "cd $WORK"
rel=xprof-it-daemon-$$
[ ! -e "/$rel" ] || fail "/$rel exists already"

XPROF_OUT=$rel XPROF_RUN=d XPROF_QUIET=1 with_preload 10 "$PROGS/daemon" "$WORK/pidfile" \
	>"$WORK/d.out" 2>"$WORK/d.err"
RC=$?
expect_rc d 0
for _ in $(seq 100); do
	[ -s "$WORK/pidfile" ] && break
	sleep 0.1
done
pid=$(cat "$WORK/pidfile" 2>/dev/null)
[ -n "$pid" ] || fail "the daemon did not finish its work in 10 s"
for _ in $(seq 50); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ -e "/$rel" ]; then
	rm -rf "/${rel:?}"
	fail "profiles landed in /$rel (relative XPROF_OUT resolved after chdir)"
fi
[ -d "$WORK/$rel/d" ] || fail "no run directory $WORK/$rel/d"
OUT=$WORK/$rel
check d 'len(P) == 3' "len(procs(pid=$pid)) == 1" "procs(pid=$pid)[0]['samples'] > 0" \
	"share('daemon_work', pid=$pid) > 80"
pass
