# SPDX-License-Identifier: MIT
# python.bash - sourced by python-*.sh after common.bash: the CPython interpreters a test runs
# its program under. Not a test itself (run.sh runs *.sh only).
#
#	py_each FN	FN TAG PYTHON for Debian's /usr/bin/python3.11 (TAG deb3.11; FAIL if it
#			is missing: CI has it) and for each pyenv 3.9-3.13 installed (TAG the
#			version); a version not installed gets a "SKIP" line with the reason
#			(indented: the test itself still passes or fails on what ran)
#	py_offsets PYTHON FIELD...	the values of py_layout fields for PYTHON's version, from
#			preload/pyversions.h (what the walker itself uses)
#	py_row RUN COL	the #python row's column COL of run RUN (the first interpreter)
#	py_eval RUN EXPR	the value of one xpq.py expression (for printing figures)

PYENV_VERSIONS=${PYENV_ROOT:-/root/.pyenv}/versions

py_each()
{
	local fn=$1 v p

	[ -x /usr/bin/python3.11 ] ||
		fail "Debian's /usr/bin/python3.11 is missing (scripts/install-deps installs it)"
	"$fn" deb3.11 /usr/bin/python3.11
	for v in 3.9 3.10 3.11 3.12 3.13; do
		p=$(ls -d "$PYENV_VERSIONS/$v".*/bin/"python$v" 2>/dev/null | head -1)
		if [ -z "$p" ]; then
			echo "  $NAME: SKIP CPython $v: not installed ($PYENV_VERSIONS/$v.*; Debian" \
				"12, and so CI, packages 3.11 only)"
			continue
		fi
		"$fn" "$v" "$p"
	done
}

py_offsets()
{
	local py=$1

	shift
	"$py" -c 'import re, sys
minor = sys.version_info[1]
text = open(sys.argv[1]).read()
row = next(r for r in text.split("\t{")[1:] if re.search(r"\.minor = %d," % minor, r))
print(" ".join(re.search(r"\.%s = (-?\d+)" % f, row).group(1) for f in sys.argv[2:]))' \
		"$HERE/../../preload/pyversions.h" "$@"
}

py_row()
{
	python3 "$XPQ" eval "$OUT/$1" "PY[0]['$2']" 2>>"$WORK/$1.xpq"
}

py_eval()
{
	python3 "$XPQ" eval "$OUT/$1" "$2" 2>>"$WORK/$1.xpq"
}
