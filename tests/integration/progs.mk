# SPDX-License-Identifier: MIT
# tests/integration/progs.mk - integration test programs that the generic rule of the top
# Makefile (one progs/NAME.c -> $(O)/tests/progs/NAME) cannot build: shared libraries for the
# dlopen tests and C++ programs. Every output goes into PROG_EXTRA so that `make progs`
# builds it. Included by the top Makefile, which defines O, Q and msg.

ITEST_DIR := tests/integration/progs
ITEST_OUT := $(O)/tests/progs

# Every program includes the shared spin helpers.
$(PROG_BIN): $(ITEST_DIR)/spin.h

# libdlA.so and libdlB.so: one source, same size and layout, so that the second one is mapped
# where the first one was after dlclose (address reuse test).
$(ITEST_OUT)/libdlA.so $(ITEST_OUT)/libdlB.so: $(ITEST_OUT)/libdl%.so: $(ITEST_DIR)/lib/dlab.c \
		$(ITEST_DIR)/spin.h
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -shared -fPIC \
		-DDLAB_FN=$(if $(filter A,$*),a_fn,b_fn) -o $@ $<

$(ITEST_OUT)/libdltiny.so: $(ITEST_DIR)/lib/dltiny.c
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -shared -fPIC -o $@ $<

$(ITEST_OUT)/cxxexc: $(ITEST_DIR)/cxx/cxxexc.cc $(ITEST_DIR)/spin.h
	$(call msg,CXX,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CXX) -std=gnu++17 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -o $@ $< \
		-lpthread

# libcxxexc.so: the same C++ source as a library (only cxxexc_main exported), dlopen'd by the
# C program progs/dlcxx.c.
$(ITEST_OUT)/libcxxexc.so: $(ITEST_DIR)/cxx/cxxexc.cc $(ITEST_DIR)/spin.h
	$(call msg,CXX,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CXX) -std=gnu++17 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -shared -fPIC \
		-fvisibility=hidden -DCXXEXC_LIB -o $@ $< -lpthread

# libdbgspin.so: built with symbols and DWARF; the stripped-library test strips copies of it.
$(ITEST_OUT)/libdbgspin.so: $(ITEST_DIR)/lib/dbgspin.c $(ITEST_DIR)/spin.h
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -shared -fPIC -Wl,--build-id -o $@ $<

PROG_EXTRA += $(ITEST_OUT)/libdbgspin.so
# The off-CPU tests read raw records with bench/xpfstat --offcpu.
PROG_EXTRA += $(O)/bench/xpfstat

PROG_EXTRA += $(ITEST_OUT)/libdlA.so $(ITEST_OUT)/libdlB.so $(ITEST_OUT)/libdltiny.so \
	$(ITEST_OUT)/cxxexc $(ITEST_OUT)/libcxxexc.so

# xpf-dump: reads .xpf headers and block headers directly, so that the tests can tell a
# preload fault from an analyzer fault. A test tool, not a target program.
$(ITEST_OUT)/xpf-dump: tests/integration/tools/xpf-dump.c include/xprof-format.h
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iinclude -D_GNU_SOURCE -o $@ $<

PROG_EXTRA += $(ITEST_OUT)/xpf-dump

# Analyzer tests: analyzer_inline needs -O2 so that hot_inlined() is really inlined;
# analyzer_stripped is analyzer_shares without symbols or DWARF, its debug info in
# analyzer_stripped.debug, found through .gnu_debuglink.
$(ITEST_OUT)/analyzer_inline: $(ITEST_DIR)/analyzer_inline.c $(ITEST_DIR)/spin.h
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<

$(ITEST_OUT)/analyzer_stripped: $(ITEST_OUT)/analyzer_shares
	$(call msg,STRIP,$@)
	$(Q)objcopy --only-keep-debug $< $@.debug
	$(Q)objcopy --strip-all --add-gnu-debuglink=$@.debug $< $@

PROG_EXTRA += $(ITEST_OUT)/analyzer_stripped

# treecpu: runs a command and prints the kernel's CPU time of its whole process tree, the
# figure the real-program tests (real-*.sh) judge sampled CPU against. A test tool.
$(ITEST_OUT)/treecpu: tests/integration/tools/treecpu.c
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $<

PROG_EXTRA += $(ITEST_OUT)/treecpu
