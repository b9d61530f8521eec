// SPDX-License-Identifier: MIT
/*
 * fuzz_jitmap.c - libFuzzer entry: parses the input both as a perf map and as a jitdump with
 * analyzer/jitmap.c, flattens what was found and looks up every entry's ends, as the
 * symboliser does for a runtime's file kept with a profile. Built only by scripts/fuzz.sh
 * (clang -fsanitize=fuzzer,address,undefined), never by the normal build. Analyzer only.
 */
#include <stddef.h>
#include <stdint.h>

#include "jitmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strtab strs;
	struct jit_build b = { 0 };
	struct jit_table t;
	struct jit_src map = { "fuzz.map", 1, &strs, NULL, NULL, 0 };
	struct jit_src dump = { "fuzz.dump", 2, &strs, NULL, NULL, 0 };

	strtab_init(&strs);
	jit_parse_perfmap(&b, &map, (const char *)data, size);
	jit_parse_jitdump(&b, &dump, data, size);
	jit_src_done(&map);
	jit_src_done(&dump);
	jit_table_build(&t, &b);
	for (size_t i = 0; i < b.n; i++) {
		jit_table_find(&t, b.v[i].lo);
		jit_table_find(&t, b.v[i].hi - 1);
	}
	for (size_t i = 1; i < t.n; i++)
		if (t.v[i - 1].hi > t.v[i].lo || t.v[i].lo >= t.v[i].hi)
			__builtin_trap();	/* segments must stay disjoint and sorted */
	jit_table_fini(&t);
	jit_build_fini(&b);
	strtab_fini(&strs);
	return 0;
}
