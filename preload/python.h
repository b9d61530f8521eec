/* SPDX-License-Identifier: MIT */
/*
 * python.h - what python.c (finding the interpreter, normal context) and pywalk.c (reading its
 * frames from the signal handler) share: one CPython version's struct layout, and the state
 * of the interpreter found in this process. Preload only.
 *
 * Every version differs in data only: a row of py_layouts (pyversions.h, generated from the
 * version's headers) says where each field lives; the walker has one code path for all.
 * An offset of -1 means the version has no such field.
 */
#ifndef XPROF_PYTHON_H
#define XPROF_PYTHON_H

#include <stdatomic.h>
#include <stdint.h>

/* How a frame tells its current instruction (py_layout.instr). */
enum py_instr {
	PY_INSTR_BYTES = 1,	/* int f_lasti: byte offset in co_code (3.9) */
	PY_INSTR_UNITS = 2,	/* int f_lasti: index of a 2-byte code unit (3.10) */
	PY_INSTR_PTR = 3,	/* pointer into the code object at co_code (3.11+) */
};

struct py_layout {
	int major, minor;
	/* _PyRuntimeState: the gilstate TSS key (a Py_tss_t), the first interpreter */
	int rt_tss, rt_interp;
	/* PyInterpreterState: its first thread state, the next interpreter */
	int is_threads, is_next;
	/* PyThreadState: next, thread_id (pthread_self of its thread), the current frame;
	 * cf_frame >= 0: ts_frame points to a CFrame whose current_frame is at cf_frame */
	int ts_next, ts_tid, ts_frame, cf_frame;
	/* the frame (PyFrameObject before 3.11, _PyInterpreterFrame after): code object,
	 * caller, current instruction; owner (3.11+), is_entry (3.11 only) */
	int fr_code, fr_back, fr_instr, instr, fr_owner, fr_entry;
	int owner_cstack;	/* owner value of the shim frame an evaluation call starts
				 * with (3.12+), -1 if none */
	/* PyCodeObject */
	int co_qualname, co_code, co_name, co_filename, co_firstlineno;
	/* Py_tss_t */
	int tss_init, tss_key;
	/* PyASCIIObject: length, state word; data after PyASCIIObject (compact ASCII) or
	 * PyCompactUnicodeObject (compact, other); state bits */
	int str_len, str_state, str_ascii, str_compact;
	int str_kind_shift, str_compact_bit, str_ascii_bit;
	/* PyTypeObject.tp_basicsize, and its value in PyCode_Type and PyUnicode_Type: checked
	 * at detection against the interpreter's own types (a debug or otherwise different
	 * build of the same version is refused, not misread) */
	int tp_basicsize, code_basicsize, str_basicsize;
	/* 3.13+: where in _PyRuntime its _Py_DebugOffsets hold the same offsets (its
	 * "xdebugpy" cookie first), checked at detection; -1 before 3.13 */
	int dbg_cookie, dbg_rt_interp, dbg_is_threads, dbg_is_next;
	int dbg_ts_next, dbg_ts_tid, dbg_ts_frame;
	int dbg_fr_code, dbg_fr_back, dbg_fr_instr, dbg_fr_owner;
	int dbg_co_qualname, dbg_co_filename, dbg_co_firstlineno, dbg_co_code;
};

/* One entry of the set of code objects already described in this image's file (pywalk.c). */
struct py_known {
	_Atomic uintptr_t code;		/* 0: free slot; claimed once, never freed */
	uintptr_t name, file;		/* the object's name and file pointers when written */
	uint64_t name_len, name_head, name_tail; /* the name's length and first and last 8
					 * bytes then (a freed name's address may be reused by
					 * another name too) */
	int32_t line;			/* its first line then */
	_Atomic int32_t ready;		/* 1 once described; stored last, 0 while being
					 * written. A fork child keeps its parent's set: readers
					 * give it the parent's descriptions as of the fork */
};

#define PY_KNOWN_SLOTS	32768u		/* 1.75 MiB, mapped once; touched on use */
#define PY_KNOWN_PROBES	32		/* a code object not placed within these is
					 * described again at every sample (correct, only
					 * bigger) */

/*
 * The interpreter of this process. Written by py_detect() in normal context before `on` is
 * stored (release); the handler reads `on` (acquire) and then the rest, which never changes
 * again in this image.
 */
struct py_state {
	_Atomic int looked;		/* py_detect looked at this image's interpreter (one
					 * thread does: two may be in dlopen at once) */
	_Atomic int on;			/* frames are walked */
	const struct py_layout *L;
	uintptr_t runtime;		/* &_PyRuntime */
	uintptr_t code_type, str_type;	/* &PyCode_Type, &PyUnicode_Type */
	struct py_known *known;		/* PY_KNOWN_SLOTS entries */
	unsigned version;		/* major << 16 | minor << 8 | micro */
};

extern struct py_state py;

/* The layouts xprof knows (python.c); NULL if major.minor is not one of them. */
const struct py_layout *py_layout_find(int major, int minor);

#endif /* XPROF_PYTHON_H */
