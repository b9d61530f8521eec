#!/bin/sh
# SPDX-License-Identifier: MIT
# Fuzzes the .xpf reader of xprof-analyze with libFuzzer under ASan and UBSan.
#   scripts/fuzz.sh [BUILD_DIR]      (make fuzz; FUZZ_SECONDS, default 120)
# Builds BUILD_DIR/fuzz/fuzz_reader from the reader sources and analyzer/fuzz_reader.c, copies
# the checked-in seeds of tests/fuzz-corpus/ into BUILD_DIR/fuzz/corpus/ (new inputs go there,
# not into the tree) and runs. Crashing inputs are left in BUILD_DIR/fuzz/ as crash-*.
set -eu
O=${1:-build}
SECONDS_=${FUZZ_SECONDS:-120}
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "fuzz.sh: $CC not found (scripts/install-deps --fuzz)" >&2; exit 2; }
mkdir -p "$O/fuzz/corpus"
"$CC" -std=gnu11 -g -O1 -D_GNU_SOURCE -Iinclude -Ianalyzer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	analyzer/fuzz_reader.c analyzer/reader.c analyzer/samples.c analyzer/profile.c \
	analyzer/util.c -o "$O/fuzz/fuzz_reader"
cp tests/fuzz-corpus/* "$O/fuzz/corpus/" 2>/dev/null || true
cd "$O/fuzz"
exec ./fuzz_reader -max_total_time="$SECONDS_" -max_len=65536 -rss_limit_mb=1024 \
	-print_final_stats=1 corpus
