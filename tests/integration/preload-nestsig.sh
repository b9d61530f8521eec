#!/bin/bash
# SPDX-License-Identifier: MIT
# Samples inside nested signal handlers: usr1_handler runs inside alrm_handler, which runs
# inside main_loop. Unwinding crosses both signal frames: the stacks of usr1_handler samples
# hold alrm_handler and main_loop, and each handler gets about half of the CPU (+-15 points:
# with the tick-bound timer a 20 ms handler is only 5 samples).
. "$(dirname "$0")/common.bash"
need "$PROGS/nestsig"

XPROF_HZ=5000 prof ns 30 "$PROGS/nestsig"
expect_rc ns 0
check ns 'abs(on_stack("usr1_handler") - 50) <= 15' \
	'abs(on_stack("alrm_handler") - on_stack("usr1_handler") - 50) <= 15' \
	'[s for s, w in stacks() if frame_is(s[-1], "usr1_handler")]' \
	'all(any(frame_is(f, "alrm_handler") for f in s) and
	     any(frame_is(f, "main_loop") for f in s)
	     for s, w in stacks() if frame_is(s[-1], "usr1_handler"))' \
	'all(any(frame_is(f, "main_loop") for f in s)
	     for s, w in stacks() if frame_is(s[-1], "alrm_handler"))'
pass
