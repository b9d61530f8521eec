#!/bin/bash
# SPDX-License-Identifier: MIT
# Native frames only, when asked or when the version is unknown: Debian's python3.11 with
# XPROF_PYTHON=0 must give a profile with no Python frame, its interpreter row "native-only"
# and its CPU in the evaluation frames; a CPython older than 3.9 (pyenv 3.8, 3.7 or 3.6 when
# installed) must get one note naming its version, the same row, and no Python frame.
. "$(dirname "$0")/common.bash"
. "$HERE/python.bash"

XPROF_PYTHON=0 prof off 30 /usr/bin/python3.11 -B "$HERE/progs/py/pysplit.py" 4
expect_rc off 0
check off "PY and PY[0]['walked'] == 'native-only'" \
	"not any(f.startswith('py:') for s, w in stacks() for f in s)" \
	"on_stack('_PyEval_EvalFrameDefault') > 50"
echo "  $NAME: XPROF_PYTHON=0: CPython $(py_row off version), no Python frame"

old=$(ls -d "$PYENV_VERSIONS"/3.[876].*/bin/python3.[876] 2>/dev/null | tail -1)
if [ -z "$old" ]; then
	echo "  $NAME: SKIP an unknown version: no CPython 3.6-3.8 under $PYENV_VERSIONS"
	pass
fi
prof old 30 "$old" -B "$HERE/progs/py/pysplit.py" 4
expect_rc old 0
check old "PY and PY[0]['walked'] == 'native-only'" \
	"not any(f.startswith('py:') for s, w in stacks() for f in s)"
v=$(py_row old version)
notes=$("$XPROF_ANALYZE" report "$OUT/old" 2>/dev/null |
	grep -c "CPython ${v%.*}: xprof does not know")
[ "$notes" -ge 1 ] || fail "old: no note that CPython $v is unknown"
echo "  $NAME: CPython $v: native frames only, said in the report's notes"
pass
