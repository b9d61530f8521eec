#!/bin/sh
# SPDX-License-Identifier: MIT
# Fuzzes the analyzer's parsers of untrusted files with libFuzzer under ASan and UBSan: the
# .xpf reader (fuzz_reader) and the perf map and jitdump parsers (fuzz_jitmap).
#   scripts/fuzz.sh [BUILD_DIR [TARGET...]]   (make fuzz; FUZZ_SECONDS per target, default 120)
# Builds BUILD_DIR/fuzz/TARGET from analyzer/TARGET.c and the sources it needs, copies the
# checked-in seeds (tests/fuzz-corpus/ for the reader, tests/fuzz-corpus-jit/ for the maps)
# into BUILD_DIR/fuzz/TARGET.corpus/ (new inputs go there, not into the tree) and runs each
# target in turn. Crashing inputs are left in BUILD_DIR/fuzz/ as crash-*.
set -eu
O=${1:-build}
[ $# -gt 0 ] && shift
TARGETS=${*:-fuzz_reader fuzz_jitmap}
SECONDS_=${FUZZ_SECONDS:-120}
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "fuzz.sh: $CC not found (scripts/install-deps --fuzz)" >&2; exit 2; }
mkdir -p "$O/fuzz"
for t in $TARGETS; do
	case $t in
	fuzz_reader) srcs="analyzer/reader.c analyzer/reader_jit.c analyzer/reader_sched.c
		analyzer/samples.c analyzer/profile.c analyzer/util.c"; seeds=tests/fuzz-corpus ;;
	fuzz_jitmap) srcs="analyzer/jitmap.c analyzer/util.c"; seeds=tests/fuzz-corpus-jit ;;
	*) echo "fuzz.sh: unknown target $t (fuzz_reader, fuzz_jitmap)" >&2; exit 64 ;;
	esac
	# shellcheck disable=SC2086 # srcs is a list of words
	"$CC" -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude -Ianalyzer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		"analyzer/$t.c" $srcs -o "$O/fuzz/$t"
	mkdir -p "$O/fuzz/$t.corpus"
	cp "$seeds"/* "$O/fuzz/$t.corpus/" 2>/dev/null || true
	(cd "$O/fuzz" && "./$t" -max_total_time="$SECONDS_" -max_len=65536 -rss_limit_mb=1024 \
		-print_final_stats=1 "$t.corpus")
done
