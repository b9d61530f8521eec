// SPDX-License-Identifier: MIT
/*
 * pywalk.c - the Python frames of the interrupted thread, read from the signal handler of a
 * CPython process (python.c found the interpreter and its layout).
 *
 * Everything here is AS-safe and is plain memory reads of the interpreter's structures: no
 * Python API, no GIL, no lock, no allocation. The reads are made by our own code (never
 * memcpy or strlen, whose faults would be in libc) inside an armed window of the fault
 * guard (sigctl.c on_fault), so a pointer into freed or unmapped memory costs the sample its
 * Python frames, not the program its life: the sample keeps its native frames and is marked
 * XPF_SF_PY_PARTIAL. A chain that reads without faulting is still checked: every frame
 * aligned, every code object's type PyCode_Type, no cycle, at most 2 x XPROF_DEPTH steps.
 *
 * A thread's own PyThreadState (a thread that does not hold the GIL still has its own
 * frames) is the value of the interpreter's gilstate TSS key for the thread, which is
 * pthread_getspecific (a read of the thread's own key array). A thread the key does not know
 * is looked up in the interpreters' thread lists by thread_id (pthread_self of the thread
 * that runs it) and cached in xp_thread; the cached state is checked against pthread_self
 * at every sample. A thread in no list (a native thread of an extension: BLAS, I/O) looks
 * again only every 64th sample.
 *
 * Code objects are described in the file (XPF_REC_PY_CODE) the first time a sample of this
 * process names them (a fork child inherits the set with the memory: what its parent
 * described before the fork is the child's too, and readers take it so). The set of those
 * already described is a lock-free open-addressing table mapped once (py_known): a slot is
 * claimed by compare-and-swap of its key and filled after the record is committed, so a
 * slot whose record was never written (a fault, or another thread still writing) reads as
 * unknown and is described again. A freed code object whose address a new one reuses is
 * told by its name (the object, and its length and first and last bytes: a name object's
 * address can be reused too), file or first line differing from what the slot holds: it is
 * described again, and readers take the latest description before a sample.
 *
 * Stack use (gcc 12 -O2, -fstack-usage): py_take 272 bytes with everything it inlines,
 * str_utf8 40, then rec_reserve's 48 and out.c's block path: under 1 KiB of the private
 * stack. The frames go to the thread's arrays (xp_thread.py_*), strings straight into the
 * record being written. pthread_getspecific is glibc's read of the calling thread's key
 * array, bounds-checked (a garbage key gives NULL): no lock, no allocation, bound at load
 * (libxprof.so is linked -z now).
 */
#include <pthread.h>
#include <setjmp.h>

#include "xprof-int.h"
#include "python.h"

#define NAME_MAX_BYTES	512	/* UTF-8 bytes kept of a qualified name */
#define FILE_MAX_BYTES	1536	/* and of a file name: a record fits one block */
#define MAX_THREADS	1024	/* thread states looked at when the TSS key does not know */
#define MAX_INTERPS	64
#define SEARCH_WAIT	63	/* samples a thread found in no list waits to look again */

/* AS-safe: plain reads of the program's memory (volatile: never merged into a libc call). */
static inline uintptr_t rd(uintptr_t a)
{
	return *(const volatile uintptr_t *)a;
}

static inline uint32_t rd32(uintptr_t a)
{
	return *(const volatile uint32_t *)a;
}

static inline uint8_t rd8(uintptr_t a)
{
	return *(const volatile uint8_t *)a;
}

/* AS-safe: not a pointer to an object (NULL page, misaligned). */
static inline int bad_ptr(uintptr_t p)
{
	return p < 4096 || (p & 7);
}

/* AS-safe: the thread state whose thread_id is ours, from the interpreters' lists; 0 if none. */
static uintptr_t tstate_search(const struct py_layout *L, uintptr_t self)
{
	uintptr_t is = rd(py.runtime + L->rt_interp);

	for (int i = 0; i < MAX_INTERPS && !bad_ptr(is); i++, is = rd(is + L->is_next)) {
		uintptr_t ts = rd(is + L->is_threads);

		for (int k = 0; k < MAX_THREADS && !bad_ptr(ts); k++, ts = rd(ts + L->ts_next))
			if (rd(ts + L->ts_tid) == self)
				return ts;
	}
	return 0;
}

/* AS-safe: the calling thread's PyThreadState, 0 if it has none (yet). */
static uintptr_t tstate_of(struct xp_thread *t, const struct py_layout *L)
{
	uintptr_t key = py.runtime + L->rt_tss, self = (uintptr_t)pthread_self(), ts = 0;

	if (rd32(key + L->tss_init))
		ts = (uintptr_t)pthread_getspecific((pthread_key_t)rd32(key + L->tss_key));
	if (ts)
		return ts;
	if (t->py_tstate && rd(t->py_tstate + L->ts_tid) == self)
		return t->py_tstate;
	t->py_tstate = 0;
	if (t->py_search_wait) {	/* a thread that runs no Python: not every sample */
		t->py_search_wait--;
		return 0;
	}
	ts = tstate_search(L, self);
	t->py_tstate = ts;
	if (!ts)
		t->py_search_wait = SEARCH_WAIT;
	return ts;
}

/* AS-safe: the byte offset of frame f's current instruction in code's bytecode. */
static uint64_t instr_of(const struct py_layout *L, uintptr_t f, uintptr_t code)
{
	int32_t v;
	uintptr_t p, base;

	if (L->instr == PY_INSTR_PTR) {
		p = rd(f + L->fr_instr);
		base = code + (uintptr_t)L->co_code;
		return p > base && p - base < (1u << 30) ? p - base : 0;
	}
	v = (int32_t)rd32(f + L->fr_instr);
	if (v < 0)
		return 0;	/* not started yet */
	return L->instr == PY_INSTR_UNITS ? 2 * (uint64_t)v : (uint64_t)v;
}

/*
 * AS-safe: the Python frames of thread state ts into t->py_codes/py_instr, leaf first;
 * returns their number (at most max), or -1 if the chain is not a chain of code frames.
 * py_instr holds instr << 1 | entry (see xprof-format.h). A cycle is found by Brent's
 * method: the chain is compared with a frame saved at every power of two of steps.
 */
static int frames_of(struct xp_thread *t, const struct py_layout *L, uintptr_t ts,
		     uint32_t max)
{
	uintptr_t f = rd(ts + L->ts_frame), mark = 0;
	uint32_t n = 0, power = 1, lap = 0;

	if (L->cf_frame >= 0 && f)
		f = bad_ptr(f) ? 1 : rd(f + L->cf_frame);
	for (uint32_t steps = 0; f && n < max; steps++, f = rd(f + L->fr_back)) {
		uintptr_t code;
		int entry;

		if (bad_ptr(f) || f == mark || steps >= 2 * max)
			return -1;
		if (++lap == power) {
			mark = f;
			power *= 2;
			lap = 0;
		}
		if (L->owner_cstack >= 0 && rd8(f + L->fr_owner) == L->owner_cstack) {
			if (n)	/* the shim under a run of frames: its outermost is entry */
				t->py_instr[n - 1] |= 1;
			continue;
		}
		code = rd(f + L->fr_code);
		if (bad_ptr(code) || rd(code + 8) != py.code_type)
			return -1;
		entry = L->fr_entry >= 0 ? rd8(f + L->fr_entry) != 0 : L->owner_cstack < 0;
		t->py_codes[n] = code;
		t->py_instr[n] = instr_of(L, f, code) << 1 | (uint64_t)entry;
		n++;
	}
	return (int)n;
}

/* ---- code objects: described once ------------------------------------------------------ */

struct str_view {
	uintptr_t data;
	uint64_t len;
	unsigned kind;		/* bytes per character: 1, 2 or 4 */
};

/* AS-safe: where a str object's characters are; -1 if it is not a compact str. */
static int str_view(const struct py_layout *L, uintptr_t s, struct str_view *v)
{
	uint32_t state;

	if (bad_ptr(s) || rd(s + 8) != py.str_type)
		return -1;
	state = rd32(s + L->str_state);
	v->kind = state >> L->str_kind_shift & 7;
	if (!(state >> L->str_compact_bit & 1) || (v->kind != 1 && v->kind != 2 && v->kind != 4))
		return -1;
	v->data = s + (uintptr_t)((state >> L->str_ascii_bit & 1) ? L->str_ascii : L->str_compact);
	v->len = rd(s + L->str_len);
	return 0;
}

/* AS-safe: character i of v. */
static uint32_t str_char(const struct str_view *v, uint64_t i)
{
	uintptr_t a = v->data + i * v->kind;

	return v->kind == 1 ? rd8(a) : v->kind == 2 ? *(const volatile uint16_t *)a : rd32(a);
}

/* AS-safe: UTF-8 of v, at most cap bytes, into out (NULL: only count). Lone surrogates
 * and anything that would make the text ambiguous in folded stacks become '?'. */
static size_t str_utf8(const struct str_view *v, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (uint64_t i = 0; i < v->len; i++) {
		uint32_t c = str_char(v, i);
		unsigned w = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;

		if ((c >= 0xd800 && c < 0xe000) || c > 0x10ffff || c < 0x20 || c == ';')
			c = '?', w = 1;
		if (n + w > cap)
			break;
		if (out && w == 1) {
			out[n] = (uint8_t)c;
		} else if (out) {
			static const uint8_t lead[5] = { 0, 0, 0xc0, 0xe0, 0xf0 };

			for (unsigned k = w - 1; k > 0; k--, c >>= 6)
				out[n + k] = (uint8_t)(0x80 | (c & 0x3f));
			out[n] = (uint8_t)(lead[w] | c);
		}
		n += w;
	}
	return n;
}

/* What identifies a code object for the set: its name and file objects, its first line,
 * and the name's length and first and last bytes (a freed name's address can be reused by
 * the next name too, as the freed code object's by the next code object). */
struct code_id {
	uintptr_t name, file;
	uint64_t len, head, tail;
	int32_t line;
};

/* AS-safe: bytes [from, from + n) of v's characters (n <= 8) as a number: one load when n
 * is 8 (x86 reads unaligned), else byte by byte (never past the string's end). */
static uint64_t str_bytes(const struct str_view *v, uint64_t from, uint64_t n)
{
	uint64_t x = 0;

	if (n == 8)
		return *(const volatile uint64_t *)(v->data + from);
	for (uint64_t i = 0; i < n; i++)
		x = x << 8 | rd8(v->data + from + i);
	return x;
}

/* AS-safe: plain reads of the code object and its name; -1 if the name is not a str. */
static int code_id_of(const struct py_layout *L, uintptr_t code, struct code_id *id)
{
	struct str_view v;
	uint64_t bytes;

	id->name = rd(code + (uintptr_t)(L->co_qualname >= 0 ? L->co_qualname : L->co_name));
	id->file = rd(code + (uintptr_t)L->co_filename);
	id->line = (int32_t)rd32(code + (uintptr_t)L->co_firstlineno);
	if (str_view(L, id->name, &v))
		return -1;
	bytes = v.len * v.kind;
	id->len = v.len;
	id->head = str_bytes(&v, 0, bytes < 8 ? bytes : 8);
	id->tail = bytes > 8 ? str_bytes(&v, bytes - 8, 8) : 0;
	return 0;
}

/* AS-safe: does slot k hold the description of the code object id? */
static int code_same(const struct py_known *k, const struct code_id *id)
{
	return atomic_load_explicit(&k->ready, memory_order_acquire) && k->name == id->name &&
	       k->file == id->file && k->line == id->line && k->name_len == id->len &&
	       k->name_head == id->head && k->name_tail == id->tail;
}

/* AS-safe: writes the PY_CODE record of code: 0 if written, 1 if there was no room (the
 * sample's own write will count it), -1 if its strings are not strs. */
static int describe(struct xp_thread *t, const struct py_layout *L, uintptr_t code,
		    const struct code_id *id, uint64_t now)
{
	struct str_view name, file;
	size_t nb, fb, len;
	uint8_t *p, *q;

	if (str_view(L, id->name, &name) || str_view(L, id->file, &file))
		return -1;
	nb = str_utf8(&name, NULL, NAME_MAX_BYTES);
	fb = str_utf8(&file, NULL, FILE_MAX_BYTES);
	p = rec_reserve(t, 4 * 10 + 2 * 2 + nb + fb, now);
	if (!p)
		return 1;
	q = p + 3;
	q += xpf_put_uleb(q, now > t->last_t ? now - t->last_t : 0);
	q += xpf_put_uleb(q, code);
	q += xpf_put_uleb(q, id->line > 0 ? (uint64_t)id->line : 0);
	q += xpf_put_uleb(q, nb);
	q += str_utf8(&name, q, nb);
	q += xpf_put_uleb(q, fb);
	q += str_utf8(&file, q, fb);
	len = (size_t)(q - (p + 3));
	rec_commit(t, p, XPF_REC_PY_CODE, len, now);
	return 0;
}

/* AS-safe: the first slot to probe for code (Fibonacci hashing). */
static inline uint32_t slot_of(uintptr_t code)
{
	uint64_t h = (uint64_t)code * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 40) & (PY_KNOWN_SLOTS - 1);
}

/* AS-safe: the slot of code (claimed if new), NULL if the probes found no room. */
static struct py_known *slot_claim(uintptr_t code)
{
	uint32_t s = slot_of(code);

	for (int i = 0; i < PY_KNOWN_PROBES; i++, s = (s + 1) & (PY_KNOWN_SLOTS - 1)) {
		struct py_known *k = &py.known[s];
		uintptr_t cur = atomic_load_explicit(&k->code, memory_order_acquire);

		if (cur == code)
			return k;
		if (!cur && atomic_compare_exchange_strong(&k->code, &cur, code))
			return k;
		if (cur == code)	/* another thread claimed it for the same code */
			return k;
	}
	return NULL;
}

/* AS-safe: describes code unless this image already did; -1 if it is not readable. */
static int code_seen(struct xp_thread *t, const struct py_layout *L, uintptr_t code,
		     uint64_t now)
{
	struct py_known *k = slot_claim(code);
	struct code_id id;

	int r;

	if (code_id_of(L, code, &id))
		return -1;
	if (k && code_same(k, &id))
		return 0;
	r = describe(t, L, code, &id, now);
	if (r < 0)
		return -1;
	if (k && r == 0) {
		atomic_store_explicit(&k->ready, 0, memory_order_relaxed);
		k->name = id.name;
		k->name_len = id.len;
		k->name_head = id.head;
		k->name_tail = id.tail;
		k->file = id.file;
		k->line = id.line;
		atomic_store_explicit(&k->ready, 1, memory_order_release);
	}
	return 0;
}

/* AS-safe: the Python frames of the calling thread and their code records; -1 if not
 * readable. Called inside the armed window. */
static int py_frames(struct xp_thread *t, uint64_t now)
{
	const struct py_layout *L = py.L;
	uintptr_t ts = tstate_of(t, L);
	int n;

	if (!ts)
		return 0;
	n = frames_of(t, L, ts, xp.cfg.depth);
	for (int i = 0; i < n; i++) {
		if (i && t->py_codes[i] == t->py_codes[i - 1])
			continue;	/* recursion: one look is enough */
		if (code_seen(t, L, t->py_codes[i], now))
			return -1;
	}
	return n;
}

/* AS-safe: see declaration. */
uint32_t py_take(struct xp_thread *t, uint64_t now, unsigned *flags)
{
	volatile int n = -1;

	if (!atomic_load_explicit(&py.on, memory_order_acquire))
		return 0;
	t->unwind_armed = 1;
	if (sigsetjmp(t->unwind_jb, 0) == 0)	/* a fault returns here with 1: see sigctl.c */
		n = py_frames(t, now);
	t->unwind_armed = 0;
	if (n < 0) {
		*flags |= XPF_SF_PY_PARTIAL;
		return 0;
	}
	if (n > 0)
		*flags |= XPF_SF_PYTHON;
	return (uint32_t)n;
}
