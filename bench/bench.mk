# SPDX-License-Identifier: MIT
# bench/bench.mk - build rules for the benchmark programs, included by the top-level Makefile.
# The workload is built twice: the normal -O2 build without frame pointers, and a build with
# frame pointers everywhere (leaf functions too, as distributions that ship them do) for
# `perf record -g`. -falign-loops=64 gives every leaf's copy of the spin loop the same
# alignment, so equal iteration counts cost equal time.

BENCH_BIN := $(O)/bench/workload $(O)/bench/workload-fp $(O)/bench/floor $(O)/bench/xpfstat \
	$(O)/bench/pywalk-bench \
	$(O)/bench/bigprofile $(O)/bench/offcpu-bench
BENCH_BIN += $(O)/bench/blockrate
BENCH_CFLAGS := -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE

$(O)/bench/workload: bench/workload.c
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -fomit-frame-pointer -falign-loops=64 -o $@ $< -lpthread

$(O)/bench/workload-fp: bench/workload.c
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
		-falign-loops=64 -o $@ $< -lpthread

$(O)/bench/floor: bench/floor.c
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) $(UNWIND_CFLAGS) -o $@ $< $(UNWIND_LIBS)

$(O)/bench/xpfstat: bench/xpfstat.c include/xprof-format.h
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -Iinclude -o $@ $<

# A thread that blocks in read() a given number of times a second (Table 8's file size).
$(O)/bench/blockrate: bench/blockrate.c
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -o $@ $< -lpthread

bench-progs: $(BENCH_BIN)
bench: bench-progs

.PHONY: bench-progs

$(O)/bench/bigprofile: bench/bigprofile.c tests/unit/synth.h include/xprof-format.h
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -Iinclude -Itests/unit -o $@ $<

# The Python walk's cost inside a real interpreter (Debian's python3; bench.py builds the
# same program for the other interpreters it finds). Links the preload objects.
PYEMBED_CFLAGS := $(shell $(PKG_CONFIG) --cflags python3-embed 2>/dev/null)
PYEMBED_LIBS := $(shell $(PKG_CONFIG) --libs python3-embed 2>/dev/null)

$(O)/bench/pywalk-bench: bench/pywalk_bench.c $(O)/libxprof-test.a
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -Wno-missing-prototypes -Iinclude -Ipreload $(PYEMBED_CFLAGS) \
		-o $@ $< $(O)/libxprof-test.a $(PYEMBED_LIBS) $(PRELOAD_LIBS)

# The off-CPU interposers' cost per call that does not block (Table 8): an ordinary program,
# run by itself with and without libxprof.so preloaded.
$(O)/bench/offcpu-bench: bench/offcpu_bench.c
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BENCH_CFLAGS) -o $@ $< -lpthread
