// SPDX-License-Identifier: MIT
/*
 * plt.c - names for a module's PLT stubs, "puts@plt", as perf gives them: a call into
 * another module (or, in a library built with semantic interposition, into its own exported
 * functions) passes through a stub that no symbol table covers, and a sample can land there
 * (CPython's evaluation loop makes most of its calls that way). Analyzer only.
 *
 * x86-64 only, the two layouts the GNU linker makes: stubs in .plt.sec, one of 16 bytes per
 * .rela.plt entry in order (IBT), else in .plt after the 16-byte PLT0. Other layouts (.plt.got,
 * other machines) give no names. The sections and relocations come from the module's own
 * file, untrusted: every index and size is checked against its section.
 */
#include "plt.h"

#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#define PLT_ENTRY	16
#define PLT_NAME_MAX	480	/* longer symbol names are cut */

static Elf_Scn *section(Elf *elf, size_t shstrndx, const char *name, GElf_Shdr *sh)
{
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		const char *n;

		if (!gelf_getshdr(scn, sh))
			continue;
		n = elf_strptr(elf, shstrndx, sh->sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

/* The name of dynamic symbol `sym`, from the symbol table of section `link`. */
static const char *dyn_name(Elf *elf, size_t link, size_t sym)
{
	Elf_Scn *scn = elf_getscn(elf, link);
	GElf_Shdr sh;
	GElf_Sym s;
	Elf_Data *d;

	if (!scn || !gelf_getshdr(scn, &sh) || !(d = elf_getdata(scn, NULL)) ||
	    !gelf_getsym(d, (int)sym, &s))
		return NULL;
	return elf_strptr(elf, sh.sh_link, s.st_name);
}

void plt_build(struct plt_table *t, Elf *elf, struct strtab *strs)
{
	GElf_Ehdr eh;
	GElf_Shdr rsh, psh;
	Elf_Scn *rela, *plt;
	Elf_Data *d;
	size_t shstrndx, n, skip = 0;

	memset(t, 0, sizeof(*t));
	if (!elf || !gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64 ||
	    elf_getshdrstrndx(elf, &shstrndx) || !(rela = section(elf, shstrndx, ".rela.plt", &rsh)) ||
	    rsh.sh_type != SHT_RELA || !(d = elf_getdata(rela, NULL)))
		return;
	plt = section(elf, shstrndx, ".plt.sec", &psh);
	if (!plt) {
		plt = section(elf, shstrndx, ".plt", &psh);
		skip = 1;	/* PLT0 */
	}
	if (!plt || psh.sh_size / PLT_ENTRY <= skip)
		return;
	n = psh.sh_size / PLT_ENTRY - skip;
	if (rsh.sh_entsize && rsh.sh_size / rsh.sh_entsize < n)
		n = rsh.sh_size / rsh.sh_entsize;
	t->names = xcalloc(n + 1, sizeof(*t->names));
	for (size_t i = 0; i < n; i++) {
		GElf_Rela r;
		const char *name;
		char buf[PLT_NAME_MAX + 8];

		if (!gelf_getrela(d, (int)i, &r))
			break;
		name = dyn_name(elf, rsh.sh_link, GELF_R_SYM(r.r_info));
		if (!name || !*name)
			continue;
		snprintf(buf, sizeof(buf), "%.*s@plt", PLT_NAME_MAX, name);
		t->names[i] = strtab_intern(strs, buf, strlen(buf));
	}
	t->n = n;
	t->lo = psh.sh_addr + skip * PLT_ENTRY;
}

uint32_t plt_name(const struct plt_table *t, uint64_t addr)
{
	uint64_t i;

	if (!t->n || addr < t->lo)
		return 0;
	i = (addr - t->lo) / PLT_ENTRY;
	return i < t->n ? t->names[i] : 0;
}

void plt_fini(struct plt_table *t)
{
	free(t->names);
	memset(t, 0, sizeof(*t));
}
