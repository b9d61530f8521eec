#!/bin/bash
# SPDX-License-Identifier: MIT
# A stripped library gets its names from separate debug info, found the three standard ways
# (progs/lib/dbgspin.c: dbg_alpha and dbg_beta, both static, burn 2:1; stripped copies of the
# library are loaded by progs/dlcall):
#   build-id	the debug file under a scratch root as ROOT/.build-id/xx/rest.debug, given to
#		the analyzer with --debug-dir ROOT; without it the library's CPU stays unnamed
#		and the report's unnamed table names the library
#   minidebuginfo	a .gnu_debugdata section (xz-compressed symbol table, made with nm,
#		objcopy and xz as distributions make it), read with no option at all
#   debuginfod	a debuginfod server (a local HTTP server answering /buildid/ID/debuginfo),
#		reached through DEBUGINFOD_URLS; its log shows the request
# Each time both functions are named with their 2:1 split within 3 points.
. "$(dirname "$0")/common.bash"
. "$HERE/jit.bash"
need "$PROGS/dlcall" "$PROGS/libdbgspin.so"
for t in objcopy strip nm xz python3; do
	command -v $t >/dev/null || fail "$t not installed (scripts/install-deps)"
done
cd "$WORK" || fail "cd $WORK"
unset DEBUGINFOD_URLS	# only the server this test starts
A=$B/xprof-analyze
SRC=$PROGS/libdbgspin.so
id=$(readelf -n "$SRC" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p')
[ -n "$id" ] || fail "libdbgspin.so has no build-id"
objcopy --only-keep-debug "$SRC" full.debug || fail "objcopy --only-keep-debug"

# stripped DIR: a copy of the library without .symtab and DWARF in DIR.
stripped()
{
	mkdir -p "$1"
	strip --strip-all -R .comment -o "$1/libdbgspin.so" "$SRC" || fail "strip"
	readelf -S "$1/libdbgspin.so" | grep -q '\.symtab' && fail "$1: still has .symtab"
}

# names RUN [ANALYZER OPTION...]: dbg_alpha and dbg_beta named, 2:1 within 3 points.
names()
{
	local run=$1 a b

	shift
	"$A" folded --weight=cpu-ns "$@" "$OUT/$run" >"$run.folded" 2>"$run.an.err" ||
		fail "$run: folded exited $?: $(head -2 "$run.an.err")"
	a=$(awk '$1 ~ /;dbg_alpha$/ { s += $2 } END { print s + 0 }' "$run.folded")
	b=$(awk '$1 ~ /;dbg_beta$/ { s += $2 } END { print s + 0 }' "$run.folded")
	awk "BEGIN{exit !($a > 0 && $b > 0)}" ||
		fail "$run: dbg_alpha/dbg_beta not named: $(tail -c 300 "$run.folded")"
	echo "  $NAME: $run: dbg_alpha $a ns, dbg_beta $b ns ($(awk "BEGIN{printf \"%.1f\", 100 * $a / ($a + $b)}") %)"
	awk "BEGIN{d = 100 * $a / ($a + $b) - 66.7; exit !(d <= 3 && d >= -3)}" ||
		fail "$run: split $a : $b, not 2:1 within 3 points"
}

# build-id: under a scratch root.
stripped a
mkdir -p "root/.build-id/${id:0:2}"
cp full.debug "root/.build-id/${id:0:2}/${id:2}.debug"
prof a 30 "$PROGS/dlcall" "$WORK/a/libdbgspin.so" 1.2
expect_rc a 0
"$A" folded "$OUT/a" >a.bare 2>/dev/null
grep -q 'dbg_alpha' a.bare && fail "a: named without the debug file"
grep -q 'libdbgspin.so+0x' a.bare || fail "a: no libdbgspin.so+0xOFFSET frame without the debug file"
jit_out a tsv
pct=$(unnamed_pct a)
grep -q '^unnamed	libdbgspin.so	' "$JIT_F" ||
	fail "a: the unnamed table does not name libdbgspin.so: $(grep '^unnamed' "$JIT_F" | tr '\n' '|')"
echo "  $NAME: a: without the debug file $pct % of the CPU stays unnamed"
names a --debug-dir "$WORK/root"

# MiniDebugInfo: the symbols of the functions (not in .dynsym), xz-compressed, in the file.
stripped b
nm -D "$SRC" --format=posix --defined-only | awk '{ print $1 }' | sort >dynsyms
nm "$SRC" --format=posix --defined-only | awk '$2 ~ /^[TtDd]$/ { print $1 }' | sort >funcsyms
comm -13 dynsyms funcsyms >keep
grep -qx dbg_alpha keep || fail "b: dbg_alpha is not among the symbols to keep"
objcopy -S --remove-section .gdb_index --remove-section .comment --keep-symbols=keep \
	full.debug mini || fail "b: objcopy mini"
xz -f mini || fail "b: xz"
objcopy --add-section .gnu_debugdata=mini.xz b/libdbgspin.so || fail "b: objcopy --add-section"
prof b 30 "$PROGS/dlcall" "$WORK/b/libdbgspin.so" 1.2
expect_rc b 0
names b

# debuginfod: a server of our own on 127.0.0.1; the client caches in the scratch directory.
stripped c
mkdir -p "srv/buildid/$id"
cp full.debug "srv/buildid/$id/debuginfo"
# timeout: a failing check clears the EXIT trap (to keep $WORK), the server must end anyway.
timeout 120 python3 -u -m http.server 0 --bind 127.0.0.1 --directory srv >srv.log 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; [ -n "$XPROF_KEEP" ] || rm -rf "$WORK"' EXIT
port=
for _ in $(seq 50); do
	port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' srv.log | head -1)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || fail "c: the HTTP server did not start: $(cat srv.log)"
prof c 30 "$PROGS/dlcall" "$WORK/c/libdbgspin.so" 1.2
expect_rc c 0
DEBUGINFOD_URLS=http://127.0.0.1:$port DEBUGINFOD_CACHE_PATH=$WORK/cache names c
grep -q "GET /buildid/$id/debuginfo" srv.log ||
	fail "c: the debuginfod server was not asked: $(tail -3 srv.log | tr '\n' '|')"
pass
