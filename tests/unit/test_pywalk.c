// SPDX-License-Identifier: MIT
/*
 * test_pywalk.c - the Python frame walker (preload/pywalk.c) against fake interpreters laid
 * out in memory by the generated layouts of 3.9, 3.11, 3.12 and 3.13: the frames come back
 * leaf first with their code objects, instruction offsets and entry marks; each code object
 * is described once per image (PY_CODE), again when its address is reused by another (even
 * with its name at the freed name's address: the name's bytes tell them apart); the
 * thread state is found through the TSS key and through the thread list; a corrupt chain (a
 * code object of the wrong type, a cycle) and a chain into unmapped memory (a fault, caught
 * by the guard) give XPF_SF_PY_PARTIAL and no frames, and the process goes on. And
 * finding the interpreter (preload/python.c), with this program in its place: a known
 * version is walked once its types' sizes and 3.13 debug offsets agree; a moved field,
 * another build's code objects, an unknown version and XPROF_PYTHON=0 give native frames
 * only, all but the last with a note.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#include "xprof-int.h"
#include "python.h"

#define DEPTH	64
#define ARENA	(1u << 20)

static uint8_t *arena;		/* the fake interpreter's memory */
static size_t used;
static uint8_t *hole;		/* an unmapped page */
static uint64_t code_type[4], str_type[4];	/* stand-ins for PyCode_Type, PyUnicode_Type */

static uintptr_t alloc(size_t n)
{
	uintptr_t p = (uintptr_t)arena + used;

	used += (n + 15) & ~(size_t)15;
	assert_true(used <= ARENA);
	return p;
}

static void put(uintptr_t base, int off, uint64_t v)
{
	assert_true(off >= 0);
	*(uint64_t *)(base + (uintptr_t)off) = v;
}

static void put32(uintptr_t base, int off, uint32_t v)
{
	*(uint32_t *)(base + (uintptr_t)off) = v;
}

/* A compact ASCII str object. */
static uintptr_t fake_str(const struct py_layout *L, const char *s)
{
	uintptr_t o = alloc((size_t)L->str_ascii + strlen(s) + 1);

	put(o, 8, (uintptr_t)str_type);
	put(o, L->str_len, strlen(s));
	put32(o, L->str_state, 1u << L->str_kind_shift | 1u << L->str_compact_bit |
				    1u << L->str_ascii_bit);
	memcpy((void *)(o + (uintptr_t)L->str_ascii), s, strlen(s) + 1);
	return o;
}

static uintptr_t fake_code(const struct py_layout *L, const char *name, int line)
{
	uintptr_t c = alloc(512);

	put(c, 8, (uintptr_t)code_type);
	put(c, L->co_qualname >= 0 ? L->co_qualname : L->co_name, fake_str(L, name));
	put(c, L->co_filename, fake_str(L, "/src/bt.py"));
	put32(c, L->co_firstlineno, (uint32_t)line);
	return c;
}

/* A frame running code at byte offset instr; entry: the first of its evaluation call. */
static uintptr_t fake_frame(const struct py_layout *L, uintptr_t code, uint32_t instr,
			    uintptr_t back, int entry)
{
	uintptr_t f = alloc(256);

	put(f, L->fr_code, code);
	put(f, L->fr_back, back);
	if (L->instr == PY_INSTR_PTR)
		put(f, L->fr_instr, code + (uintptr_t)L->co_code + instr);
	else
		put32(f, L->fr_instr, L->instr == PY_INSTR_UNITS ? instr / 2 : instr);
	if (L->fr_entry >= 0)
		*(uint8_t *)(f + (uintptr_t)L->fr_entry) = (uint8_t)entry;
	if (L->owner_cstack >= 0 && entry) {	/* 3.12+: a shim frame under the entry */
		uintptr_t shim = alloc(256);

		*(uint8_t *)(shim + (uintptr_t)L->fr_owner) = (uint8_t)L->owner_cstack;
		put(shim, L->fr_back, back);
		put(f, L->fr_back, shim);
	}
	return f;
}

struct fake {
	const struct py_layout *L;
	uintptr_t runtime, tstate, codes[3], frames[3];
};

/* <module> and run_backtest in one evaluation call, compute_signals (leaf) in another. */
static void fake_interp(struct fake *fk, int major, int minor)
{
	const struct py_layout *L = py_layout_find(major, minor);
	uintptr_t interp, top;

	assert_non_null(L);
	used = 0;
	memset(arena, 0, ARENA);
	fk->L = L;
	fk->runtime = alloc(16384);
	interp = alloc(16384);
	fk->tstate = alloc(1024);
	put(fk->runtime, L->rt_interp, interp);
	put(interp, L->is_threads, fk->tstate);
	put(fk->tstate, L->ts_tid, (uint64_t)pthread_self());
	fk->codes[0] = fake_code(L, "compute_signals", 20);
	fk->codes[1] = fake_code(L, "run_backtest", 10);
	fk->codes[2] = fake_code(L, "<module>", 1);
	fk->frames[2] = fake_frame(L, fk->codes[2], 2, 0, 1);
	fk->frames[1] = fake_frame(L, fk->codes[1], 40, fk->frames[2], L->owner_cstack < 0 &&
					L->fr_entry < 0);
	fk->frames[0] = fake_frame(L, fk->codes[0], 8, fk->frames[1], 1);
	top = fk->frames[0];
	if (L->cf_frame >= 0) {		/* 3.11, 3.12: through the CFrame */
		uintptr_t cf = alloc(64);

		put(cf, L->cf_frame, top);
		top = cf;
	}
	put(fk->tstate, L->ts_frame, top);
	memset(&py, 0, sizeof(py));
	py.L = L;
	py.runtime = fk->runtime;
	py.code_type = (uintptr_t)code_type;
	py.str_type = (uintptr_t)str_type;
	py.known = mmap(NULL, PY_KNOWN_SLOTS * sizeof(struct py_known), PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(py.known != MAP_FAILED);
	atomic_store(&py.on, 1);
}

static void fake_done(void)
{
	munmap(py.known, PY_KNOWN_SLOTS * sizeof(struct py_known));
	memset(&py, 0, sizeof(py));
}

static struct xp_thread *thread_new(void)
{
	struct xp_thread *t = fixture_thread(DEPTH, xp_gettid());

	t->busy = 1;	/* as in the handler */
	xp_self = t;
	return t;
}

/* PY_CODE records in t's current block. */
static int code_records(const struct xp_thread *t)
{
	const uint8_t *p = (const uint8_t *)(t->blk + 1), *end = p + t->blk->used;
	int n = 0;

	while (p < end) {
		uint8_t tag = *p++;
		uint64_t len = 0;

		p += xpf_get_uleb(p, end, &len);
		n += tag == XPF_REC_PY_CODE;
		p += len;
	}
	return n;
}

/* The name object of a fake code object. */
static uintptr_t rd_name(const struct fake *fk, uintptr_t code)
{
	int at = fk->L->co_qualname >= 0 ? fk->L->co_qualname : fk->L->co_name;

	return *(const uintptr_t *)(code + (uintptr_t)at);
}

static void check_walk(int major, int minor)
{
	struct xp_thread *t = thread_new();
	struct fake fk;
	unsigned flags = 0;
	uint32_t n;

	fake_interp(&fk, major, minor);
	n = py_take(t, 100, &flags);
	assert_int_equal(n, 3);
	assert_int_equal(flags, XPF_SF_PYTHON);
	for (int i = 0; i < 3; i++)
		assert_int_equal(t->py_codes[i], fk.codes[i]);
	assert_int_equal(t->py_instr[0], 8 << 1 | 1);
	/* 3.9/3.10: every frame is an evaluation call of its own. */
	assert_int_equal(t->py_instr[1], 40 << 1 | (minor < 11));
	assert_int_equal(t->py_instr[2], 2 << 1 | 1);
	assert_int_equal(code_records(t), 3);
	flags = 0;
	assert_int_equal(py_take(t, 200, &flags), 3);
	assert_int_equal(code_records(t), 3);	/* known: not described again */
	/* run_backtest freed, its address reused by a code object of another name. */
	put(fk.codes[1], fk.L->co_qualname >= 0 ? fk.L->co_qualname : fk.L->co_name,
	    fake_str(fk.L, "other_fn"));
	assert_int_equal(py_take(t, 300, &flags), 3);
	assert_int_equal(code_records(t), 4);
	/* and again at the same address, its name too at the freed name's address */
	memcpy((void *)(rd_name(&fk, fk.codes[1]) + (uintptr_t)fk.L->str_ascii), "other_f2", 8);
	assert_int_equal(py_take(t, 400, &flags), 3);
	assert_int_equal(code_records(t), 5);
	fake_done();
	free(t);
}

static void test_walk_39(void **state)
{
	check_walk(3, 9);
}

static void test_walk_311(void **state)
{
	check_walk(3, 11);
}

static void test_walk_312(void **state)
{
	check_walk(3, 12);
}

static void test_walk_313(void **state)
{
	check_walk(3, 13);
}

/* The thread state through the interpreter's TSS key (no thread list to search). */
static void test_tss_key(void **state)
{
	struct xp_thread *t = thread_new();
	struct fake fk;
	unsigned flags = 0;
	pthread_key_t key;

	fake_interp(&fk, 3, 12);
	assert_int_equal(pthread_key_create(&key, NULL), 0);
	pthread_setspecific(key, (void *)fk.tstate);
	put(fk.runtime, fk.L->rt_interp, 0);
	put32(fk.runtime, fk.L->rt_tss + fk.L->tss_init, 1);
	put32(fk.runtime, fk.L->rt_tss + fk.L->tss_key, (uint32_t)key);
	assert_int_equal(py_take(t, 100, &flags), 3);
	pthread_setspecific(key, NULL);
	pthread_key_delete(key);
	fake_done();
	free(t);
}

static void expect_partial(struct fake *fk)
{
	struct xp_thread *t = thread_new();
	unsigned flags = XPF_SF_LEAF_EXACT;

	assert_int_equal(py_take(t, 100, &flags), 0);
	assert_int_equal(flags, XPF_SF_LEAF_EXACT | XPF_SF_PY_PARTIAL);
	assert_int_equal(t->unwind_armed, 0);
	(void)fk;
	free(t);
}

static void test_corrupt(void **state)
{
	struct fake fk;

	fake_interp(&fk, 3, 11);
	put(fk.codes[1], 8, 0x1234560);		/* not a code object */
	expect_partial(&fk);
	fake_done();
	fake_interp(&fk, 3, 11);
	put(fk.frames[2], fk.L->fr_back, fk.frames[0]);	/* a cycle */
	expect_partial(&fk);
	fake_done();
	fake_interp(&fk, 3, 9);
	put(fk.frames[1], fk.L->fr_back, 0x4242);	/* misaligned */
	expect_partial(&fk);
	fake_done();
}

static void test_fault(void **state)
{
	struct fake fk;

	/* The fault guard, over the handlers cmocka installed for this test: those become the
	 * program's, as in a real process. */
	assert_int_equal(sigctl_guard_install(), 0);
	fake_interp(&fk, 3, 13);
	put(fk.frames[1], fk.L->fr_back, (uintptr_t)hole);	/* unmapped: SIGSEGV, caught */
	expect_partial(&fk);
	fake_done();
	fake_interp(&fk, 3, 13);
	put(fk.codes[2], fk.L->co_filename, (uintptr_t)hole + 64);	/* a string there */
	expect_partial(&fk);
	fake_done();
}

/* ---- finding the interpreter (python.c) ---------------------------------------------- */

/* This program plays the interpreter py_detect() looks for (exported: see the Makefile). */
uint8_t _PyRuntime[16384] __attribute__((aligned(64)));
uint64_t PyCode_Type[64], PyUnicode_Type[64];	/* room for a PyTypeObject's head */
const char *Py_GetVersion(void);
static const char *version_text;

const char *Py_GetVersion(void)
{
	return version_text;
}

/* The payload (after dt) of t's last record of `tag` in its block, NULL if none. */
static const uint8_t *last_record(const struct xp_thread *t, unsigned tag, const uint8_t **end)
{
	const uint8_t *p = (const uint8_t *)(t->blk + 1), *stop = p + t->blk->used, *hit = NULL;

	while (p < stop) {
		uint8_t tg = *p++;
		uint64_t len = 0, dt;

		p += xpf_get_uleb(p, stop, &len);
		if (tg == tag) {
			hit = p + xpf_get_uleb(p, p + len, &dt);
			*end = p + len;
		}
		p += len;
	}
	return hit;
}

/* The `walked` field of t's last PY_RUNTIME record; -1 if none. */
static int runtime_walked(const struct xp_thread *t, uint64_t *version)
{
	const uint8_t *end, *q = last_record(t, XPF_REC_PY_RUNTIME, &end);
	uint64_t w = 0;

	if (!q)
		return -1;
	q += xpf_get_uleb(q, end, version);
	xpf_get_uleb(q, end, &w);
	return (int)w;
}

static int last_note_has(const struct xp_thread *t, const char *what)
{
	const uint8_t *end, *q = last_record(t, XPF_REC_NOTE, &end);
	uint64_t len = 0;
	char text[512];

	if (!q)
		return 0;
	q += xpf_get_uleb(q, end, &len);
	snprintf(text, sizeof(text), "%.*s", (int)len, (const char *)q);
	return strstr(text, what) != NULL;
}

/* A 3.13 runtime whose _Py_DebugOffsets agree with the generated row. */
static const struct py_layout *runtime_313(void)
{
	const struct py_layout *L = py_layout_find(3, 13);
	const int pairs[][2] = {
		{ L->dbg_rt_interp, L->rt_interp },   { L->dbg_is_threads, L->is_threads },
		{ L->dbg_is_next, L->is_next },	      { L->dbg_ts_next, L->ts_next },
		{ L->dbg_ts_tid, L->ts_tid },	      { L->dbg_ts_frame, L->ts_frame },
		{ L->dbg_fr_code, L->fr_code },	      { L->dbg_fr_back, L->fr_back },
		{ L->dbg_fr_instr, L->fr_instr },     { L->dbg_fr_owner, L->fr_owner },
		{ L->dbg_co_qualname, L->co_qualname }, { L->dbg_co_filename, L->co_filename },
		{ L->dbg_co_firstlineno, L->co_firstlineno }, { L->dbg_co_code, L->co_code },
	};

	memset(_PyRuntime, 0, sizeof(_PyRuntime));
	memcpy(_PyRuntime + L->dbg_cookie, "xdebugpy", 8);
	PyCode_Type[L->tp_basicsize / 8] = (uint64_t)L->code_basicsize;
	PyUnicode_Type[L->tp_basicsize / 8] = (uint64_t)L->str_basicsize;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		uint64_t v = (uint64_t)pairs[i][1];

		assert_true(pairs[i][0] > 0 && (size_t)pairs[i][0] + 8 <= sizeof(_PyRuntime));
		memcpy(_PyRuntime + pairs[i][0], &v, 8);
	}
	return L;
}

static void detect_again(struct xp_thread *t)
{
	if (py.known)
		munmap(py.known, PY_KNOWN_SLOTS * sizeof(struct py_known));
	memset(&py, 0, sizeof(py));
	py_detect(t);
}

static void test_detect(void **state)
{
	struct xp_thread *t = thread_new();
	const struct py_layout *L = runtime_313();
	uint64_t version = 0;

	t->busy = 0;	/* py_detect runs in normal context: it takes busy itself */
	xp.cfg.python = 1;
	version_text = "3.13.0 (main, test)";
	detect_again(t);
	assert_int_equal(atomic_load(&py.on), 1);
	assert_ptr_equal(py.L, L);
	assert_int_equal(py.runtime, (uintptr_t)_PyRuntime);
	assert_int_equal(py.code_type, (uintptr_t)PyCode_Type);
	assert_int_equal(runtime_walked(t, &version), 1);
	assert_int_equal(version, 3u << 16 | 13u << 8);
	py_detect(t);		/* once per image */
	assert_int_equal(runtime_walked(t, &version), 1);
	/* A patch release that moved the frame link: refused, and said so. */
	_PyRuntime[L->dbg_fr_back] += 8;
	detect_again(t);
	assert_int_equal(atomic_load(&py.on), 0);
	assert_int_equal(runtime_walked(t, &version), 0);
	assert_true(last_note_has(t, "disagree with xprof's layout for 3.13 (fr_back)"));
	/* Another build of the version (a debug one): its code objects are of another size. */
	runtime_313();
	PyCode_Type[L->tp_basicsize / 8] += 16;
	detect_again(t);
	assert_int_equal(atomic_load(&py.on), 0);
	assert_true(last_note_has(t, "(the size of code objects)"));
	/* A version without a row. */
	version_text = "3.8.18 (default, test)";
	detect_again(t);
	assert_int_equal(atomic_load(&py.on), 0);
	assert_true(last_note_has(t, "CPython 3.8: xprof does not know"));
	/* XPROF_PYTHON=0. */
	runtime_313();
	version_text = "3.13.0 (main, test)";
	xp.cfg.python = 0;
	detect_again(t);
	assert_int_equal(atomic_load(&py.on), 0);
	assert_int_equal(runtime_walked(t, &version), 0);
	xp.cfg.python = 1;
	memset(&py, 0, sizeof(py));
	free(t);
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(outdir_make("pywalk", DEPTH), 0);
	real_init();
	arena = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED || hole == MAP_FAILED || outdir_begin() != 0)
		return -1;
	/* The fault guard's range: faults in our own code (this test program's). */
	xp.self = modules_code_of((const void *)py_take);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_39),	  cmocka_unit_test(test_walk_311),
		cmocka_unit_test(test_walk_312),  cmocka_unit_test(test_walk_313),
		cmocka_unit_test(test_tss_key),	  cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_fault),	  cmocka_unit_test(test_detect),
	};

	return cmocka_run_group_tests(tests, setup, outdir_teardown);
}
