// SPDX-License-Identifier: MIT
/*
 * pyoffsets.c - prints one row of preload/pyversions.h: the offsets xprof's Python frame walker
 * (preload/pywalk.c) reads, taken with offsetof from one CPython version's own headers.
 * Built and run by scripts/gen-pyoffsets.sh once per installed interpreter, by hand; its
 * output is committed. Never linked into anything.
 *
 * Py_BUILD_CORE is defined so that the internal headers (pycore_*.h, include/python3.X/
 * internal/) can be included: that is where the runtime, interpreter and frame structs live.
 */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#if PY_VERSION_HEX >= 0x030B0000
#include "internal/pycore_frame.h"
#else
#include <frameobject.h>
#endif
#include "internal/pycore_runtime.h"
#include "internal/pycore_interp.h"

#if PY_VERSION_HEX >= 0x030B0000	/* code objects carry their bytecode from 3.11 on */
#define CODE_BASICSIZE	offsetof(PyCodeObject, co_code_adaptive)
#else
#define CODE_BASICSIZE	sizeof(PyCodeObject)
#endif

#if PY_VERSION_HEX >= 0x030D0000
#define CODE_FIELD	f_executable	/* a code object, or None on shim frames */
#define INSTR_FIELD	instr_ptr
#elif PY_VERSION_HEX >= 0x030B0000
#define CODE_FIELD	f_code
#define INSTR_FIELD	prev_instr
#endif

/* The bit that a one-bit (or the low bit of a wider) field of PyASCIIObject.state sets in
 * the 32-bit word, as this compiler lays the bitfield out. */
static unsigned state_word(const PyASCIIObject *o)
{
	unsigned w;

	memcpy(&w, (const char *)o + sizeof(PyObject) + 2 * sizeof(Py_ssize_t), sizeof(w));
	return w;
}

static void state_bits(void)
{
	PyASCIIObject o;

	memset(&o, 0, sizeof(o));
	o.state.kind = 1;
	printf("\t\t.str_kind_shift = %d,", __builtin_ctz(state_word(&o)));
	memset(&o, 0, sizeof(o));
	o.state.compact = 1;
	printf(" .str_compact_bit = %d,", __builtin_ctz(state_word(&o)));
	memset(&o, 0, sizeof(o));
	o.state.ascii = 1;
	printf(" .str_ascii_bit = %d,\n", __builtin_ctz(state_word(&o)));
}

/* 3.13+: where _PyRuntime's own _Py_DebugOffsets keep the offsets of this row, for
 * python.c to check at run time (a field moved by a patch release is refused, not misread). */
#if PY_VERSION_HEX >= 0x030D0000
#define DBG(field)	((long)offsetof(_PyRuntimeState, debug_offsets.field))
#else
#define DBG(field)	(-1L)
#endif

static void debug_offsets(void)
{
	printf("\t\t.dbg_cookie = %ld,\n", DBG(cookie));
	printf("\t\t.dbg_rt_interp = %ld, .dbg_is_threads = %ld, .dbg_is_next = %ld,\n",
	       DBG(runtime_state.interpreters_head), DBG(interpreter_state.threads_head),
	       DBG(interpreter_state.next));
	printf("\t\t.dbg_ts_next = %ld, .dbg_ts_tid = %ld, .dbg_ts_frame = %ld,\n",
	       DBG(thread_state.next), DBG(thread_state.thread_id),
	       DBG(thread_state.current_frame));
	printf("\t\t.dbg_fr_code = %ld, .dbg_fr_back = %ld, .dbg_fr_instr = %ld, "
	       ".dbg_fr_owner = %ld,\n",
	       DBG(interpreter_frame.executable), DBG(interpreter_frame.previous),
	       DBG(interpreter_frame.instr_ptr), DBG(interpreter_frame.owner));
	printf("\t\t.dbg_co_qualname = %ld, .dbg_co_filename = %ld,\n", DBG(code_object.qualname),
	       DBG(code_object.filename));
	printf("\t\t.dbg_co_firstlineno = %ld, .dbg_co_code = %ld,\n",
	       DBG(code_object.firstlineno), DBG(code_object.co_code_adaptive));
}

int main(void)
{
	printf("\t{ /* %s: Include/internal/pycore_runtime.h, pycore_interp.h,\n", PY_VERSION);
#if PY_VERSION_HEX >= 0x030B0000
	printf("\t   * cpython/pystate.h, internal/pycore_frame.h, cpython/code.h */\n");
#else
	printf("\t   * cpython/pystate.h, cpython/frameobject.h, cpython/code.h */\n");
#endif
	printf("\t\t.major = %d, .minor = %d,\n", PY_MAJOR_VERSION, PY_MINOR_VERSION);
#if PY_VERSION_HEX >= 0x030C0000
	printf("\t\t.rt_tss = %zu,\n", offsetof(_PyRuntimeState, autoTSSkey));
#else
	printf("\t\t.rt_tss = %zu,\n", offsetof(_PyRuntimeState, gilstate.autoTSSkey));
#endif
#if PY_VERSION_HEX >= 0x030B0000
	printf("\t\t.is_threads = %zu,\n", offsetof(PyInterpreterState, threads.head));
#else
	printf("\t\t.is_threads = %zu,\n", offsetof(PyInterpreterState, tstate_head));
#endif
	printf("\t\t.rt_interp = %zu,\n", offsetof(_PyRuntimeState, interpreters.head));
	printf("\t\t.is_next = %zu,\n", offsetof(PyInterpreterState, next));
	printf("\t\t.ts_next = %zu,\n", offsetof(PyThreadState, next));
	printf("\t\t.ts_tid = %zu,\n", offsetof(PyThreadState, thread_id));
#if PY_VERSION_HEX >= 0x030D0000
	printf("\t\t.ts_frame = %zu, .cf_frame = -1,\n", offsetof(PyThreadState, current_frame));
#elif PY_VERSION_HEX >= 0x030B0000
	printf("\t\t.ts_frame = %zu, .cf_frame = %zu,\n", offsetof(PyThreadState, cframe),
	       offsetof(_PyCFrame, current_frame));
#else
	printf("\t\t.ts_frame = %zu, .cf_frame = -1,\n", offsetof(PyThreadState, frame));
#endif
#if PY_VERSION_HEX >= 0x030B0000
	printf("\t\t.fr_code = %zu, .fr_back = %zu,\n", offsetof(_PyInterpreterFrame, CODE_FIELD),
	       offsetof(_PyInterpreterFrame, previous));
	printf("\t\t.fr_instr = %zu, .instr = PY_INSTR_PTR,\n",
	       offsetof(_PyInterpreterFrame, INSTR_FIELD));
	printf("\t\t.fr_owner = %zu,\n", offsetof(_PyInterpreterFrame, owner));
#if PY_VERSION_HEX >= 0x030C0000
	printf("\t\t.fr_entry = -1, .owner_cstack = %d,\n", FRAME_OWNED_BY_CSTACK);
#else
	printf("\t\t.fr_entry = %zu, .owner_cstack = -1,\n",
	       offsetof(_PyInterpreterFrame, is_entry));
#endif
	printf("\t\t.co_qualname = %zu,\n", offsetof(PyCodeObject, co_qualname));
	printf("\t\t.co_code = %zu,\n", offsetof(PyCodeObject, co_code_adaptive));
#else
	printf("\t\t.fr_code = %zu, .fr_back = %zu,\n", offsetof(PyFrameObject, f_code),
	       offsetof(PyFrameObject, f_back));
	printf("\t\t.fr_instr = %zu, .instr = %s,\n", offsetof(PyFrameObject, f_lasti),
	       PY_VERSION_HEX >= 0x030A0000 ? "PY_INSTR_UNITS" : "PY_INSTR_BYTES");
	printf("\t\t.fr_owner = -1, .fr_entry = -1, .owner_cstack = -1,\n");
	printf("\t\t.co_qualname = -1, .co_code = -1,\n");
#endif
	printf("\t\t.co_name = %zu, .co_filename = %zu, .co_firstlineno = %zu,\n",
	       offsetof(PyCodeObject, co_name), offsetof(PyCodeObject, co_filename),
	       offsetof(PyCodeObject, co_firstlineno));
	printf("\t\t.tss_init = %zu, .tss_key = %zu,\n", offsetof(Py_tss_t, _is_initialized),
	       offsetof(Py_tss_t, _key));
	printf("\t\t.str_len = %zu, .str_state = %zu,\n", offsetof(PyASCIIObject, length),
	       sizeof(PyObject) + 2 * sizeof(Py_ssize_t));
	printf("\t\t.str_ascii = %zu, .str_compact = %zu,\n", sizeof(PyASCIIObject),
	       sizeof(PyCompactUnicodeObject));
	/* What PyCode_Type and PyUnicode_Type say their objects' size is (Objects/codeobject.c,
	 * Objects/unicodeobject.c): checked at run time against the interpreter's own types. */
	printf("\t\t.tp_basicsize = %zu, .code_basicsize = %zu, .str_basicsize = %zu,\n",
	       offsetof(PyTypeObject, tp_basicsize), CODE_BASICSIZE, sizeof(PyUnicodeObject));
	state_bits();
	debug_offsets();
	printf("\t},\n");
	return 0;
}
