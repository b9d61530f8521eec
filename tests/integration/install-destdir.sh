#!/bin/bash
# SPDX-License-Identifier: MIT
# `make install` into a DESTDIR with PREFIX=/usr: every file lands where the man pages say,
# pkg-config reads xprof.pc (cflags that compile a program using <xprof.h>, the library to
# preload), the installed xprof finds the installed library and profiles that program
# (its regions show in the installed analyzer), the man pages are clean under
# `mandoc -T lint`, and `make uninstall` removes every file it installed.
. "$(dirname "$0")/common.bash"
ROOT=$(cd "$HERE/../.." && pwd)
D=$WORK/dest
need "$B/xprof"

make -s -C "$ROOT" O="$B" DESTDIR="$D" PREFIX=/usr install >"$WORK/install.log" 2>&1 ||
	fail "make install: $(tail -3 "$WORK/install.log")"
for f in bin/xprof bin/xprof-analyze lib/libxprof.so include/xprof.h lib/pkgconfig/xprof.pc \
	share/man/man1/xprof.1 share/man/man1/xprof-analyze.1 share/man/man5/xprof-format.5 \
	share/man/man7/libxprof.7; do
	[ -f "$D/usr/$f" ] || fail "make install left no /usr/$f"
done
[ -x "$D/usr/bin/xprof" ] && [ -x "$D/usr/bin/xprof-analyze" ] || fail "commands not executable"

export PKG_CONFIG_PATH=$D/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D
pkg-config --exists xprof || fail "pkg-config does not find xprof.pc"
cflags=$(pkg-config --cflags xprof | sed "s/ *$//")
[ "$cflags" = "-I$D/usr/include" ] || fail "pkg-config --cflags xprof gave '$cflags'"
# The sysroot is put in front of paths, as for a cross build.
[ "$(pkg-config --variable=preload xprof)" = "$D/usr/lib/libxprof.so" ] ||
	fail "preload variable: $(pkg-config --variable=preload xprof)"
[ -n "$(pkg-config --modversion xprof)" ] || fail "xprof.pc has no version"

cat >"$WORK/marked.c" <<'C'
#include <xprof.h>
static volatile unsigned long sink;
int main(void)
{
	for (int r = 0; r < 3; r++) {
		XPROF_REGION_BEGIN("work");
		for (unsigned long i = 0; i < 20000000; i++)
			sink += i;
		XPROF_REGION_END("work");
	}
	return 0;
}
C
# shellcheck disable=SC2086
cc $cflags -o "$WORK/marked" "$WORK/marked.c" $(pkg-config --libs xprof) ||
	fail "cannot build against the installed <xprof.h>"
timeout 60 "$D/usr/bin/xprof" record -o "$OUT" -- "$WORK/marked" 2>"$WORK/rec.err" ||
	fail "installed xprof record: $(cat "$WORK/rec.err")"
grep -q '^xprof: processes 1' "$WORK/rec.err" || fail "no summary: $(cat "$WORK/rec.err")"
"$D/usr/bin/xprof-analyze" report --tsv "$OUT" >"$WORK/r.tsv" 2>"$WORK/r.err" ||
	fail "installed xprof-analyze: $(cat "$WORK/r.err")"
awk -F'\t' '$1 == "region" && $2 == "work" && $3 == 3 { ok = 1 } END { exit !ok }' \
	"$WORK/r.tsv" || fail "the region 'work' x3 is not in the report of the installed tools"

for m in "$D"/usr/share/man/man*/*; do
	out=$(mandoc -T lint -W warning "$m" 2>&1) || fail "mandoc -T lint $(basename "$m"): $out"
	[ -z "$out" ] || fail "mandoc -T lint $(basename "$m"): $out"
done

make -s -C "$ROOT" O="$B" DESTDIR="$D" PREFIX=/usr uninstall >>"$WORK/install.log" 2>&1 ||
	fail "make uninstall: $(tail -3 "$WORK/install.log")"
left=$(find "$D" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
pass
