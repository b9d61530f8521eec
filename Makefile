# SPDX-License-Identifier: MIT
# xprof: one Makefile for the preload library, the analyzer, the simulated target, the tests,
# the report and the benchmark. Objects go to $(O) (default build/). `make V=1` shows commands.
#
#   make            build/libxprof.so, build/xprof-analyze, build/xprof, build/backtest-sim
#   make install    PREFIX (/usr/local), DESTDIR; `make uninstall` removes what it installed
#   make check      unit + integration tests (what CI runs)
#   make report     profile every scenario of backtest-sim and write results/REPORT.md
#   make bench      xprof vs perf vs gperftools, writes results/BENCH.md (BENCH_QUICK=1: short)
#   make fuzz       run the profile-reader and JIT-map fuzzers (FUZZ_SECONDS each, default 120)
#   make SANITIZE=address,undefined check   analyzer and unit tests under sanitizers

O ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter
BASE_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -D_GNU_SOURCE
UNWIND_CFLAGS := $(shell $(PKG_CONFIG) --cflags libunwind 2>/dev/null)
UNWIND_LIBS := $(shell $(PKG_CONFIG) --libs libunwind 2>/dev/null || echo -lunwind)
DW_CFLAGS := $(shell $(PKG_CONFIG) --cflags libdw libelf 2>/dev/null)
DW_LIBS := $(shell $(PKG_CONFIG) --libs libdw libelf 2>/dev/null || echo -ldw -lelf)
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)
ZLIB_LIBS := $(shell $(PKG_CONFIG) --libs zlib 2>/dev/null || echo -lz)
PROTOC_C ?= protoc-c
PROTOBUF_C_CFLAGS := $(shell $(PKG_CONFIG) --cflags libprotobuf-c 2>/dev/null)
PROTOBUF_C_LIBS := $(shell $(PKG_CONFIG) --libs libprotobuf-c 2>/dev/null || echo -lprotobuf-c)

# Sanitizers apply to the analyzer, the simulated target and the unit tests. The preload
# library is never built with them: it runs inside other programs and inside signal handlers.
ifneq ($(SANITIZE),)
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

# ---- preload: build/libxprof.so ---------------------------------------------------------
# libunwind is not linked: preload/unwind.c loads it at run time, apart from the program.
PRELOAD_SRC := $(wildcard preload/*.c) $(wildcard preload/*.S)
PRELOAD_OBJ := $(patsubst %.S,$(O)/%.o,$(PRELOAD_SRC:%.c=$(O)/%.o))
PRELOAD_CFLAGS := $(BASE_CFLAGS) -fPIC -fvisibility=hidden -fno-omit-frame-pointer \
	-ftls-model=initial-exec -pthread
PRELOAD_LIBS := -ldl -lpthread -lrt

$(O)/preload/%.o: preload/%.c $(wildcard preload/*.h) include/xprof-format.h include/xprof.h
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(PRELOAD_CFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/preload/%.o: preload/%.S
	$(call msg,AS,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -c -o $@ $<

# The version script gives our condition-variable interposers glibc's default version only
# (see preload/blocking_pthread.c); every other symbol stays unversioned.
$(O)/libxprof.so: $(PRELOAD_OBJ) preload/libxprof.map
	$(call msg,LD,$@)
	$(Q)$(CC) -shared -Wl,--no-undefined -Wl,-z,now -Wl,--version-script=preload/libxprof.map \
		-o $@ $(PRELOAD_OBJ) $(PRELOAD_LIBS) $(LDFLAGS)

# Archive of the preload objects for unit tests (links only what a test uses).
$(O)/libxprof-test.a: $(PRELOAD_OBJ)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# ---- analyzer: build/xprof-analyze -------------------------------------------------------
ANALYZER_SRC := $(wildcard analyzer/*.c analyzer/cmds/*.c)
ANALYZER_OBJ := $(ANALYZER_SRC:%.c=$(O)/%.o)
ANALYZER_LIBOBJ := $(filter-out $(O)/analyzer/main.o $(O)/analyzer/fuzz_%.o,$(ANALYZER_OBJ)) \
	$(O)/gen/pprof.pb-c.o
ANALYZER_CFLAGS := $(BASE_CFLAGS) -Ianalyzer -I$(O)/gen $(DW_CFLAGS) $(PROTOBUF_C_CFLAGS) \
	$(SAN_FLAGS)
ANALYZER_LIBS := $(DW_LIBS) $(ZLIB_LIBS) $(PROTOBUF_C_LIBS) -lm

# pprof's message types, generated from analyzer/pprof.proto by protoc-c.
$(O)/gen/pprof.pb-c.c $(O)/gen/pprof.pb-c.h &: analyzer/pprof.proto
	$(call msg,PROTOC,$@)
	@mkdir -p $(O)/gen
	$(Q)$(PROTOC_C) --c_out=$(O)/gen -Ianalyzer $<

$(O)/gen/pprof.pb-c.o: $(O)/gen/pprof.pb-c.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(ANALYZER_CFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/analyzer/pprof.o: $(O)/gen/pprof.pb-c.h

$(O)/analyzer/fuzz_reader.o $(O)/analyzer/fuzz_jitmap.o: ;	# built only by `make fuzz`
$(O)/analyzer/%.o: analyzer/%.c $(wildcard analyzer/*.h) include/xprof-format.h
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ANALYZER_CFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/libanalyzer.a: $(ANALYZER_LIBOBJ)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/xprof-analyze: $(O)/analyzer/main.o $(O)/libanalyzer.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $^ $(ANALYZER_LIBS) $(LDFLAGS)

# ---- cli: build/xprof (`xprof record`) ---------------------------------------------------
CLI_SRC := $(wildcard cli/*.c)
CLI_OBJ := $(CLI_SRC:%.c=$(O)/%.o)

$(O)/cli/%.o: cli/%.c $(wildcard cli/*.h)
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(CFLAGS) -c -o $@ $<

$(O)/xprof: $(CLI_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $^ $(LDFLAGS)

# ---- target-sim: build/backtest-sim ------------------------------------------------------
SIM_SRC := $(filter-out target-sim/mpi_%.c,$(wildcard target-sim/*.c))
SIM_OBJ := $(SIM_SRC:%.c=$(O)/%.o)
SIM_CFLAGS := $(BASE_CFLAGS) $(SAN_FLAGS)

$(O)/target-sim/%.o: target-sim/%.c $(wildcard target-sim/*.h) include/xprof.h
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(SIM_CFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/backtest-sim: $(SIM_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $^ -lm -lpthread $(LDFLAGS)

-include target-sim/mpi.mk

# ---- tests -------------------------------------------------------------------------------
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/unit/%)
PROG_SRC := $(wildcard tests/integration/progs/*.c)
PROG_BIN := $(PROG_SRC:tests/integration/progs/%.c=$(O)/tests/progs/%)

# Tests of preload code link its archive; the others must not, or they would pick up the
# library's close()/dlopen() interposers and with them the sampler itself.
PRELOAD_UNIT := $(O)/tests/unit/test_config $(O)/tests/unit/test_envp $(O)/tests/unit/test_record \
	$(O)/tests/unit/test_pywalk $(O)/tests/unit/test_jitpre $(O)/tests/unit/test_offcpu_rec

$(PRELOAD_UNIT): $(O)/tests/unit/%: tests/unit/%.c $(O)/libxprof-test.a
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BASE_CFLAGS) $(CMOCKA_CFLAGS) $(UNWIND_CFLAGS) -DUNW_LOCAL_ONLY -Ipreload \
		$(SAN_FLAGS) -o $@ $< $(O)/libxprof-test.a $(CMOCKA_LIBS) $(PRELOAD_LIBS) \
		$(TEST_LDFLAGS)

# test_pywalk plays a CPython interpreter: dlsym(RTLD_DEFAULT) must find its symbols.
$(O)/tests/unit/test_pywalk: TEST_LDFLAGS := $(foreach s,_PyRuntime Py_GetVersion PyCode_Type \
	PyUnicode_Type,-Wl,--export-dynamic-symbol=$(s))

$(O)/tests/unit/%: tests/unit/%.c $(O)/libanalyzer.a
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BASE_CFLAGS) $(CMOCKA_CFLAGS) $(DW_CFLAGS) -Ianalyzer -I$(O)/gen \
		$(PROTOBUF_C_CFLAGS) $(SAN_FLAGS) -o $@ $< $(O)/libanalyzer.a $(CMOCKA_LIBS) \
		$(ANALYZER_LIBS)

# Integration programs are ordinary programs that know nothing of xprof. Some need a library
# of their own (tests/integration/progs/lib*.c -> .so) or special flags: see progs.mk.
$(O)/tests/progs/%: tests/integration/progs/%.c
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude \
		-D_GNU_SOURCE -o $@ $< -lpthread -ldl -lm

-include tests/integration/progs.mk
-include bench/bench.mk

PROGRAMS := $(O)/libxprof.so $(O)/xprof-analyze $(O)/xprof $(O)/backtest-sim

all: $(PROGRAMS)

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "== $$t"; $$t || fail=1; done; exit $$fail

progs: $(PROG_BIN) $(PROG_EXTRA)

integration: all progs
	@tests/integration/run.sh $(O)

# The unit tests once more under AddressSanitizer and UBSan, in a build tree of their own.
unit-san:
	@$(MAKE) --no-print-directory O=$(O)/san SANITIZE=address,undefined unit

# In order, not in parallel: the integration tests time CPU use and must not share the
# machine with a sanitizer build.
check test: all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory unit-san
	@$(MAKE) --no-print-directory integration

report: all
	@scripts/make-report.sh $(O)

bench: all
	@bench/run.sh $(O)

fuzz:
	@scripts/fuzz.sh $(O)

# ---- install ------------------------------------------------------------------------------
# `make install PREFIX=/usr DESTDIR=/tmp/pkg`: the library, the two commands, the header, the
# man pages and xprof.pc (backtest-sim and the tests are not installed).
VERSION := 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL ?= install
MAN_PAGES := man/xprof.1 man/xprof-analyze.1 man/xprof-format.5 man/libxprof.7
INSTALLED := $(BINDIR)/xprof $(BINDIR)/xprof-analyze $(LIBDIR)/libxprof.so \
	$(INCLUDEDIR)/xprof.h $(PKGCONFIGDIR)/xprof.pc \
	$(foreach m,$(MAN_PAGES),$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))

$(O)/xprof.pc: xprof.pc.in Makefile
	$(call msg,GEN,$@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' $< >$@

install: $(O)/libxprof.so $(O)/xprof-analyze $(O)/xprof $(O)/xprof.pc
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7
	$(INSTALL) -m 755 $(O)/xprof $(O)/xprof-analyze $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 755 $(O)/libxprof.so $(DESTDIR)$(LIBDIR)
	$(INSTALL) -m 644 include/xprof.h $(DESTDIR)$(INCLUDEDIR)
	$(INSTALL) -m 644 $(O)/xprof.pc $(DESTDIR)$(PKGCONFIGDIR)
	$(foreach m,$(MAN_PAGES),$(INSTALL) -m 644 $(m) \
		$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)) &&) true

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

lint-man:
	@for m in man/*.[0-9]; do mandoc -Tlint -W warning $$m || exit 1; done; echo "man pages clean"

clean:
	rm -rf $(O)

.PHONY: all unit unit-san progs integration check test report bench fuzz lint-man clean \
	install uninstall
.DEFAULT_GOAL := all
