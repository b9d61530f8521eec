// SPDX-License-Identifier: MIT
/*
 * reader_jit.c - pass 1 of reading: the records that say where a process's JIT code lived
 * (XPF_REC_JIT_REGION) and which perf map or jitdump the preload kept for it
 * (XPF_REC_JIT_FILE). Analyzer only. The files themselves are read when addresses are
 * symbolised (symbols_jit.c); here they are only named.
 *
 * A copy's name comes from the profile, which is untrusted: it must be one plain file name
 * (no '/', not . or ..), and it is looked for beside the .xpf file that names it, so a
 * profile cannot make the analyzer open files elsewhere.
 */
#include "reader_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define JIT_NAME_MAX	255	/* a file name, as the kernel allows */

static void rec_region(struct rctx *c, struct cur *k)
{
	struct prof_process *pr = &c->p->procs[c->proc];
	uint64_t lo = cur_u(k), hi = cur_u(k);
	struct prof_jit_region *r;

	cur_u(k);	/* how it was seen: only for people reading the file */
	if (k->bad)
		return;
	if (hi <= lo) {
		reader_fault(c, "jit-region: empty range 0x%" PRIx64 "-0x%" PRIx64 "; skipped",
			     lo, hi);
		return;
	}
	r = VEC_PUSH(pr->jregs, pr->njregs, pr->capjregs);
	r->lo = lo;
	r->hi = hi;
}

static bool plain_name(const char *s, size_t n)
{
	if (!n || n > JIT_NAME_MAX || memchr(s, '/', n) || memchr(s, '\0', n))
		return false;
	return !(n == 1 && s[0] == '.') && !(n == 2 && s[0] == '.' && s[1] == '.');
}

/* The copy beside the file being read: DIR/name, DIR being c->name's directory. */
static uint32_t copy_path(struct rctx *c, const char *name, size_t n)
{
	const char *slash = strrchr(c->name, '/');
	size_t dir = slash ? (size_t)(slash - c->name) + 1 : 0;
	char *buf = xmalloc(dir + n + 1);
	uint32_t id;

	memcpy(buf, c->name, dir);
	memcpy(buf + dir, name, n);
	buf[dir + n] = '\0';
	id = strtab_intern(&c->p->strs, buf, dir + n);
	free(buf);
	return id;
}

static void rec_file(struct rctx *c, struct cur *k)
{
	struct prof_process *pr = &c->p->procs[c->proc];
	uint64_t kind = cur_u(k), state = cur_u(k), flags = cur_u(k), err = cur_u(k);
	uint64_t bytes = cur_u(k);
	size_t ncopy, nsrc;
	const char *copy = cur_str(k, &ncopy), *src = cur_str(k, &nsrc);
	struct prof_jit_file *f;

	if (k->bad)
		return;
	if (kind != XPF_JIT_PERF_MAP && kind != XPF_JIT_DUMP) {
		reader_fault(c, "jit-file: unknown kind %" PRIu64 "; skipped", kind);
		return;
	}
	if (ncopy && !plain_name(copy, ncopy)) {
		reader_fault(c, "jit-file: the copy's name is not a plain file name; skipped");
		return;
	}
	f = VEC_PUSH(pr->jfiles, pr->njfiles, pr->capjfiles);
	f->kind = (uint32_t)kind;
	f->state = state <= XPF_JIT_CUT ? (uint32_t)state : XPF_JIT_FAILED;
	f->flags = (uint32_t)flags;
	f->err = err < 4096 ? (int32_t)err : 0;
	f->bytes = bytes;
	f->copy = ncopy ? copy_path(c, copy, ncopy) : 0;
	f->source = strtab_intern(&c->p->strs, src, strnlen(src, nsrc));
}

void reader_jit_record(struct rctx *c, unsigned tag, struct cur *k)
{
	if (tag == XPF_REC_JIT_REGION)
		rec_region(c, k);
	else
		rec_file(c, k);
}
