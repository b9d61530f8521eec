/* SPDX-License-Identifier: MIT */
/*
 * plt.h - names for the PLT stubs of one module file ("name@plt"), which no symbol table
 * covers. Analyzer only. See plt.c for the layouts read.
 */
#ifndef XPROF_ANALYZER_PLT_H
#define XPROF_ANALYZER_PLT_H

#include <libelf.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct plt_table {
	uint64_t lo;		/* ELF address of the first stub */
	uint32_t *names;	/* strtab ids per stub, 0 if unnamed; owned */
	size_t n;
};

/* Reads the stubs of elf (NULL: none) into t; names go to strs. Never fails: a file it cannot
 * read gives an empty table. */
void plt_build(struct plt_table *t, Elf *elf, struct strtab *strs);
/* The strtab id of the stub holding ELF address addr, 0 if none. */
uint32_t plt_name(const struct plt_table *t, uint64_t addr);
void plt_fini(struct plt_table *t);

#endif /* XPROF_ANALYZER_PLT_H */
