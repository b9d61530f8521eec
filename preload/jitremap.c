// SPDX-License-Identifier: MIT
/*
 * jitremap.c - executable mappings of an ELF file that the program makes itself, outside the
 * loader: V8 (Node 20) maps the part of the node binary that holds its builtins a second
 * time, next to its JIT code, so that JIT code reaches them with short calls. The loader never
 * hears of that copy, so its addresses would be [unknown]; here it gets a MAP record of its
 * own, with the load bias that makes its addresses the file's (the PT_LOAD segment holding
 * the mapped file offset tells it), the file's build-id and path, and an UNMAP record when
 * the program unmaps it. The analyzer then names them like the file's other addresses.
 *
 * Context: called from the mmap and munmap interposers (jitmem.c), so AS-safe: readlink and
 * pread on the program's own descriptor (pread leaves its offset alone), static buffers
 * taken with an atomic flag (a second caller meanwhile is not recorded: such mappings are
 * rare and made at start), a lock-free table of what was recorded, and records on the
 * calling thread's own block (XP_BUSY).
 */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "xprof-int.h"

#define RM_PHDRS	64		/* program headers read */
#define RM_NOTES	2048		/* bytes of notes read for the build-id */
#define RM_SLOTS	32		/* remaps remembered for munmap */

static _Atomic int busy;	/* owns the buffers below */
static char path[PATH_MAX];
static Elf64_Phdr phdrs[RM_PHDRS];
static uint8_t notes[RM_NOTES];

/* What was recorded, for the UNMAP: lo == 0 is a free slot, hi == 0 one being filled. */
static struct {
	_Atomic uintptr_t lo, hi;
	uintptr_t bias;
} slots[RM_SLOTS];
static _Atomic int nslots;	/* slots ever taken: 0 makes munmap's check one load */

/* AS-safe: reads exactly n bytes at off; 0 or -1. */
static int pread_all(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r = pread(fd, buf, n, off);

	return r == (ssize_t)n ? 0 : -1;
}

/* AS-safe: the GNU build-id of the file's notes into id (at most 40 bytes); its length. */
static size_t build_id(int fd, int nph, uint8_t *id)
{
	for (int i = 0; i < nph; i++) {
		size_t n = phdrs[i].p_filesz < RM_NOTES ? phdrs[i].p_filesz : RM_NOTES;
		const uint8_t *p = notes, *end = notes + n;

		if (phdrs[i].p_type != PT_NOTE || pread_all(fd, notes, n, (off_t)phdrs[i].p_offset))
			continue;
		while (p + sizeof(Elf64_Nhdr) <= end) {
			const Elf64_Nhdr *h = (const Elf64_Nhdr *)(const void *)p;
			size_t name = (h->n_namesz + 3) & ~3u, desc = (h->n_descsz + 3) & ~3u;
			const uint8_t *d = p + sizeof(*h) + name;

			if (d + h->n_descsz > end)
				break;
			if (h->n_type == NT_GNU_BUILD_ID && h->n_namesz == 4 &&
			    !memcmp(p + sizeof(*h), "GNU", 4) && h->n_descsz <= 40) {
				memcpy(id, d, h->n_descsz);
				return h->n_descsz;
			}
			p = d + desc;
		}
	}
	return 0;
}

/* AS-safe: the bias that makes file offset `off`, mapped at p, its ELF address; 0 if the
 * file is no 64-bit ELF or no executable segment holds that offset. Sets *nph. */
static int elf_bias(int fd, uintptr_t p, off_t off, uintptr_t *bias, int *nph)
{
	Elf64_Ehdr eh;

	if (pread_all(fd, &eh, sizeof(eh), 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr))
		return 0;
	*nph = eh.e_phnum < RM_PHDRS ? eh.e_phnum : RM_PHDRS;
	if (pread_all(fd, phdrs, (size_t)*nph * sizeof(Elf64_Phdr), (off_t)eh.e_phoff))
		return 0;
	for (int i = 0; i < *nph; i++) {
		const Elf64_Phdr *ph = &phdrs[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && (uint64_t)off >= ph->p_offset &&
		    (uint64_t)off < ph->p_offset + ph->p_filesz) {
			*bias = p - (ph->p_vaddr + ((uint64_t)off - ph->p_offset));
			return 1;
		}
	}
	return 0;
}

/* AS-safe: a slot for the recorded remap; none left: it is never unmapped for us. */
static void remember(uintptr_t lo, uintptr_t hi, uintptr_t bias)
{
	for (int i = 0; i < RM_SLOTS; i++) {
		uintptr_t none = 0;

		if (!atomic_compare_exchange_strong(&slots[i].lo, &none, lo))
			continue;
		slots[i].bias = bias;
		atomic_store(&slots[i].hi, hi);
		atomic_fetch_add(&nslots, 1);
		return;
	}
}

/* AS-safe: see declaration. Returns 1 if a MAP record was written. */
int jitremap_mapped(void *p, size_t len, int fd, off_t off)
{
	struct xp_thread *t = thread_mine();
	uintptr_t bias;
	uint8_t id[40];
	int nph = 0, claimed = 0, done = 0;
	ssize_t n;

	if (!t || atomic_load(&busy) || !atomic_compare_exchange_strong(&busy, &claimed, 1))
		return 0;
	if (elf_bias(fd, (uintptr_t)p, off, &bias, &nph)) {
		char link[32] = "/proc/self/fd/";
		size_t at = strlen(link), idlen = build_id(fd, nph, id);
		char digits[12];
		int k = 0;

		do
			digits[k++] = (char)('0' + fd % 10);
		while ((fd /= 10) && k < 11);
		while (k)
			link[at++] = digits[--k];
		link[at] = '\0';
		n = readlink(link, path, sizeof(path) - 1);
		if (n > 0) {
			uint64_t nums[3] = { bias, (uintptr_t)p, (uintptr_t)p + len };
			const char *strs[2] = { (const char *)id, path };
			size_t lens[2] = { idlen, (size_t)n };

			path[n] = '\0';
			XP_BUSY(t, rec_fields(t, XPF_REC_MAP, nums, 3, strs, lens, 2));
			remember((uintptr_t)p, (uintptr_t)p + len, bias);
			done = 1;
		}
	}
	atomic_store(&busy, 0);
	return done;
}

/* AS-safe: see declaration. */
void jitremap_unmapped(void *p, size_t len)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + len;
	struct xp_thread *t;

	if (!atomic_load_explicit(&nslots, memory_order_relaxed))
		return;
	for (int i = 0; i < RM_SLOTS; i++) {
		uintptr_t slo = atomic_load(&slots[i].lo), shi = atomic_load(&slots[i].hi);

		if (!slo || !shi || hi <= slo || lo >= shi)
			continue;
		t = thread_mine();
		if (t) {
			uint64_t nums[2] = { slots[i].bias, slo };

			XP_BUSY(t, rec_fields(t, XPF_REC_UNMAP, nums, 2, NULL, NULL, 0));
		}
		atomic_store(&slots[i].hi, 0);
		atomic_store(&slots[i].lo, 0);
	}
}
