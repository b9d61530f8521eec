// SPDX-License-Identifier: MIT
/*
 * python.c - finds a CPython interpreter in this process and tells the frame walker
 * (pywalk.c) where its structures are. Normal context only: called at start, after every
 * dlopen (an embedded interpreter may come later) and never from the handler.
 *
 * A process is CPython when the executable or a loaded libpython exports `_PyRuntime`, the
 * runtime state every thread's frames hang from. Its version comes from Py_GetVersion(), a
 * pure function over static strings that is safe before Py_Initialize (nothing else of the
 * Python API is ever called). A version with a row in pyversions.h is walked; any other gets
 * one NOTE record and native frames only, and so does a 3.13+ interpreter whose own
 * _Py_DebugOffsets disagree with its row. Either way a PY_RUNTIME record says what was found.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "xprof-int.h"
#include "python.h"
#include "pyversions.h"

struct py_state py;

const struct py_layout *py_layout_find(int major, int minor)
{
	for (size_t i = 0; i < sizeof(py_layouts) / sizeof(py_layouts[0]); i++)
		if (py_layouts[i].major == major && py_layouts[i].minor == minor)
			return &py_layouts[i];
	return NULL;
}

/* The fields of a row that 3.13+ also keep in _PyRuntime's _Py_DebugOffsets. */
#define CHECK(f)	{ offsetof(struct py_layout, dbg_##f), offsetof(struct py_layout, f), #f }
static const struct {
	size_t dbg, ours;
	const char *name;
} checks[] = {
	CHECK(rt_interp), CHECK(is_threads), CHECK(is_next), CHECK(ts_next), CHECK(ts_tid),
	CHECK(ts_frame), CHECK(fr_code), CHECK(fr_back), CHECK(fr_instr), CHECK(fr_owner),
	CHECK(co_qualname), CHECK(co_filename), CHECK(co_firstlineno), CHECK(co_code),
};

static int field(const struct py_layout *L, size_t off)
{
	return *(const int *)(const void *)((const char *)L + off);
}

/*
 * Normal context: what of row L this interpreter's own data contradict, or NULL: the sizes
 * its code and str types give their objects (another build of the version, a debug one
 * say), then, from 3.13 on, the fields its _Py_DebugOffsets (initialised statically in
 * _PyRuntime, so readable before Py_Initialize) place elsewhere. A build or patch release
 * that differs is then refused rather than misread.
 */
static const char *layout_differs(uintptr_t rt, const struct py_layout *L, uintptr_t code_type,
				  uintptr_t str_type)
{
	if (*(const int64_t *)(code_type + (uintptr_t)L->tp_basicsize) != L->code_basicsize)
		return "the size of code objects";
	if (*(const int64_t *)(str_type + (uintptr_t)L->tp_basicsize) != L->str_basicsize)
		return "the size of str objects";
	if (L->dbg_cookie < 0)
		return NULL;
	if (memcmp((const void *)(rt + (uintptr_t)L->dbg_cookie), "xdebugpy", 8))
		return "cookie";
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		int at = field(L, checks[i].dbg);

		if (at >= 0 && *(const uint64_t *)(rt + (uintptr_t)at) !=
				       (uint64_t)(int64_t)field(L, checks[i].ours))
			return checks[i].name;
	}
	return NULL;
}

/* The interpreter's version from Py_GetVersion ("3.11.2 (main, ...)"); 0 if unknown. */
static unsigned version_of(void)
{
	const char *(*getver)(void) = (const char *(*)(void))dlsym(RTLD_DEFAULT, "Py_GetVersion");
	int major = 0, minor = 0, micro = 0;

	if (!getver || sscanf(getver(), "%d.%d.%d", &major, &minor, &micro) < 2)
		return 0;
	return (unsigned)major << 16 | (unsigned)minor << 8 | (unsigned)micro;
}

static void record_runtime(struct xp_thread *t, unsigned version, int walked)
{
	uint64_t nums[2] = { version, (uint64_t)walked };

	XP_BUSY(t, rec_fields(t, XPF_REC_PY_RUNTIME, nums, 2, NULL, NULL, 0));
}

static void note_text(struct xp_thread *t, const char *text, size_t len)
{
	XP_BUSY(t, rec_fields(t, XPF_REC_NOTE, NULL, 0, &text, &len, 1));
}

static void note_unknown(struct xp_thread *t, unsigned version)
{
	char text[200];
	int n = snprintf(text, sizeof(text),
			 "CPython %u.%u: xprof does not know this version's frame layout (it "
			 "knows 3.9 to 3.13); its samples have native frames only",
			 version >> 16, version >> 8 & 0xff);

	note_text(t, text, (size_t)n);
}

static void note_moved(struct xp_thread *t, unsigned version, const char *what)
{
	char text[240];
	int n = snprintf(text, sizeof(text),
			 "CPython %u.%u.%u: its own types or debug offsets disagree with xprof's "
			 "layout for %u.%u (%s); its samples have native frames only",
			 version >> 16, version >> 8 & 0xff, version & 0xff, version >> 16,
			 version >> 8 & 0xff, what);

	note_text(t, text, (size_t)n);
}

/* Not AS-safe: see declaration. */
void py_detect(struct xp_thread *t)
{
	void *rt, *code_type, *str_type;
	const struct py_layout *L;
	const char *moved;
	unsigned version;

	if (atomic_load(&py.looked) || !t || !(rt = dlsym(RTLD_DEFAULT, "_PyRuntime")) ||
	    atomic_exchange(&py.looked, 1))
		return;
	version = version_of();
	code_type = dlsym(RTLD_DEFAULT, "PyCode_Type");
	str_type = dlsym(RTLD_DEFAULT, "PyUnicode_Type");
	L = py_layout_find((int)(version >> 16), (int)(version >> 8 & 0xff));
	if (!L || !code_type || !str_type) {
		note_unknown(t, version);
		record_runtime(t, version, 0);
		return;
	}
	if (!xp.cfg.python) {	/* XPROF_PYTHON=0: native frames only, by request */
		record_runtime(t, version, 0);
		return;
	}
	moved = layout_differs((uintptr_t)rt, L, (uintptr_t)code_type, (uintptr_t)str_type);
	if (moved) {
		note_moved(t, version, moved);
		record_runtime(t, version, 0);
		return;
	}
	py.known = mmap(NULL, PY_KNOWN_SLOTS * sizeof(struct py_known), PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (py.known == MAP_FAILED) {
		py.known = NULL;
		record_runtime(t, version, 0);
		return;
	}
	py.L = L;
	py.runtime = (uintptr_t)rt;
	py.code_type = (uintptr_t)code_type;
	py.str_type = (uintptr_t)str_type;
	py.version = version;
	atomic_store_explicit(&py.on, 1, memory_order_release);
	record_runtime(t, version, 1);
}
