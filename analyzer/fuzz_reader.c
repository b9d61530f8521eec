// SPDX-License-Identifier: MIT
/*
 * fuzz_reader.c - libFuzzer entry: parses the input as one .xpf file with the analyzer's
 * reader and builds the profile model from it, as xprof-analyze does for a file on disk.
 * Built only by scripts/fuzz.sh (clang -fsanitize=fuzzer,address,undefined), never by the
 * normal build. Analyzer only.
 */
#include <stddef.h>
#include <stdint.h>

#include "reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct reader_opts o = { .quiet = true };
	struct profile p;

	profile_init(&p);
	p.run_start_real = 0;
	reader_parse(&p, "fuzz.xpf", data, size, &o);
	profile_link_images(&p);
	profile_add_runq(&p, false);
	/* Walk what was kept, as the outputs would: stacks, the off-CPU and run-queue
	 * aggregates' calls, and every thread's wall-time split. */
	for (size_t i = 0; i < p.naggs; i++) {
		char num[24];

		if (p.aggs[i].kind == PROF_AGG_OFFCPU)
			prof_call_name(p.aggs[i].call, num, sizeof(num));
	}
	for (size_t i = 0; i < p.nthreads; i++)
		prof_thread_unseen(&p, &p.threads[i]);
	for (size_t i = 0; i < p.nprocs; i++)
		for (size_t k = 0; k < p.nstacks; k++)
			if (p.stacks[k].proc == i && p.stacks[k].depth)
				profile_module_at(&p.procs[i], p.addrs[p.stacks[k].off],
						  p.stacks[k].epoch);
	profile_fini(&p);
	return 0;
}
