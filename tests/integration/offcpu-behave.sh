#!/bin/bash
# SPDX-License-Identifier: MIT
# Unchanged behaviour: progs/offcpu behave prints what its blocking calls did - a read
# interrupted without SA_RESTART (EINTR), the same with SA_RESTART (restarted, returns the
# byte), errno left alone by calls that succeed after waiting, pthread_cancel at a
# pthread_cond_wait (cancelled, the cleanup handler runs with the mutex re-acquired). Its
# output must be byte-identical with and without xprof, and the profiled run must show
# those calls were really interposed (counted, the waits timed).
. "$(dirname "$0")/common.bash"
. "$HERE/offcpu.bash"
need "$PROGS/offcpu"

timeout 30 "$PROGS/offcpu" behave >"$WORK/plain.out" 2>"$WORK/plain.err" ||
	fail "unprofiled run failed: $(cat "$WORK/plain.err")"
grep -q "without SA_RESTART: returned -1, errno EINTR" "$WORK/plain.out" ||
	fail "the program itself misbehaves: $(cat "$WORK/plain.out")"
prof be 30 "$PROGS/offcpu" behave
expect_rc be 0
cmp -s "$WORK/plain.out" "$WORK/be.out" ||
	fail "output differs under xprof: $(diff "$WORK/plain.out" "$WORK/be.out" | tr '\n' '|')"
grep -q "with SA_RESTART: returned 1, errno 0" "$WORK/be.out" || fail "no restart: $(cat "$WORK/be.out")"
grep -q "cancelled, cleanup unlock ok" "$WORK/be.out" || fail "cancel: $(cat "$WORK/be.out")"
off_stat be
# 2 interrupted reads + 1 read of a full pipe + read(-1): 4 reads, the two waits blocked
[ "$(off_call be $XPF_CALL_READ calls)" -ge 4 ] || fail "reads counted: $(off_call be $XPF_CALL_READ calls)"
[ "$(off_call be $XPF_CALL_READ blocked)" -ge 2 ] || fail "reads blocked: $(off_call be $XPF_CALL_READ blocked)"
[ "$(off_call be $XPF_CALL_COND_WAIT calls)" -ge 1 ] || fail "pthread_cond_wait not interposed"
[ "$(off_call be $XPF_CALL_SEM_WAIT blocked)" = 1 ] || fail "sem_wait blocked: $(off_call be $XPF_CALL_SEM_WAIT blocked)"
pass
