// SPDX-License-Identifier: MIT
/*
 * pywalk_bench.c - what the Python walk adds to a sample, measured inside a real CPython
 * interpreter at a known depth: this program embeds the interpreter, recurses FRAMES Python
 * frames deep, and from a C function called there times, REPS times each, with the frames
 * live: py_take() (preload/pywalk.c: thread state, frame chain, known-code lookups), the
 * native unwind libxprof does at the same point (unwind_backtrace), and rec_sample() writing
 * the sample with and without its Python frames. The preload code is linked in from
 * libxprof-test.a and run in normal context: the same instructions the handler runs, without
 * the signal delivery around them.
 *
 *	pywalk-bench [FRAMES [REPS]]	(default 30 and 200000)
 *
 * Prints one TSV line: version, frames walked, then ns per call of the walk, the native
 * unwind, the sample record with the Python frames and without them, the bytes per sample
 * record with and without (the same stack every time: the root ends are shared, as in a
 * steady loop), the native frames, and ns per walk from emptied caches (each walk after
 * reading 64 MiB). Built for Debian's python3 by bench/bench.mk and for other interpreters
 * by bench.py; exits 1 with a message if the interpreter is not one xprof walks.
 */
#include <Python.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xprof-int.h"
#include "python.h"

#define DEPTH	128

static struct xp_thread *t;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct xp_thread *thread_new(void)
{
	size_t size = sizeof(struct xp_thread) + (6 * DEPTH + XP_SKIP_FRAMES) * sizeof(uintptr_t);
	struct xp_thread *s = calloc(1, size);

	s->prev = (uintptr_t *)(s + 1);
	s->scratch = s->prev + DEPTH;
	s->py_codes = (uint64_t *)(s->scratch + DEPTH + XP_SKIP_FRAMES);
	s->py_instr = s->py_codes + DEPTH;
	s->py_prev_codes = s->py_instr + DEPTH;
	s->py_prev_instr = s->py_prev_codes + DEPTH;
	s->tid = xp_gettid();
	s->timer_fd = -1;
	s->busy = 1;
	xp_self = s;
	return s;
}

/* ns per sample record of n native frames (and npy Python ones); *bytes: per record. */
static double time_record(long reps, uint32_t n, uint32_t npy, double *bytes)
{
	unsigned flags = XPF_SF_LEAF_EXACT | (npy ? XPF_SF_PYTHON : 0);
	uint64_t used0, blocks0;
	double t0;

	t->blk = NULL;	/* a fresh block: its first record is written whole, then timed */
	rec_sample(t, 1000, 1000, flags, t->scratch, n, npy);
	used0 = t->blk->used;
	blocks0 = xp.img->blocks;
	t0 = now_ns();
	for (long i = 1; i < reps; i++)
		rec_sample(t, 1000 + (uint64_t)i, 1000, flags, t->scratch, n, npy);
	t0 = (now_ns() - t0) / (double)(reps - 1);
	*bytes = ((double)(xp.img->blocks - blocks0) * XPF_BLOCK_PAYLOAD + t->blk->used - used0) /
		 (double)(reps - 1);
	return t0;
}

#define EVICT_BYTES	(64u << 20)	/* read between cold walks: more than the caches */
#define COLD_REPS	200

static volatile uint8_t evict_sink;	/* keeps the eviction reads */

/* ns per walk with the caches emptied first (the handler's case after milliseconds of
 * program work is between this and the warm loop): each walk timed alone, less what an
 * empty timing costs. */
static double time_cold(void)
{
	static volatile uint8_t *evict;
	double sum = 0, empty = 0, t0;
	unsigned flags = 0;
	uint8_t x = 0;

	if (!evict && !(evict = calloc(1, EVICT_BYTES)))
		return -1;
	for (int i = 0; i < COLD_REPS; i++) {
		for (size_t k = 0; k < EVICT_BYTES; k += 64)
			x += evict[k];
		evict_sink = x;
		t0 = now_ns();
		py_take(t, 3, &flags);
		sum += now_ns() - t0;
		t0 = now_ns();
		empty += now_ns() - t0;
	}
	return (sum - empty) / COLD_REPS;
}

static PyObject *measure(PyObject *self, PyObject *args)
{
	long reps;
	unsigned flags = 0;
	uint32_t npy = 0;
	int n = 0;
	double t0, walk, unwind, with, without, bwith, bwithout, cold;

	(void)self;
	if (!PyArg_ParseTuple(args, "l", &reps))
		return NULL;
	py_take(t, 1, &flags);		/* describes the code objects, once */
	t0 = now_ns();
	for (long i = 0; i < reps; i++) {
		flags = 0;
		npy = py_take(t, 2, &flags);
	}
	walk = (now_ns() - t0) / (double)reps;
	cold = time_cold();
	t0 = now_ns();
	for (long i = 0; i < reps; i++)
		n = unwind_backtrace(t->scratch, DEPTH);
	unwind = (now_ns() - t0) / (double)reps;
	with = time_record(reps, (uint32_t)n, npy, &bwith);
	without = time_record(reps, (uint32_t)n, 0, &bwithout);
	return Py_BuildValue("(Iddddddid)", npy, walk, unwind, with, without, bwith, bwithout, n,
			     cold);
}

static PyMethodDef methods[] = {
	{ "measure", measure, METH_VARARGS, "time the walk here" },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "xpbench", NULL, -1, methods,
				     NULL, NULL, NULL, NULL };

static PyObject *init_module(void)
{
	return PyModule_Create(&module);
}

static int setup(char *dir)
{
	if (!mkdtemp(dir))
		return -1;
	memset(&xp.cfg, 0, sizeof(xp.cfg));
	snprintf(xp.cfg.out_dir, sizeof(xp.cfg.out_dir), "%s", dir);
	snprintf(xp.cfg.run_id, sizeof(xp.cfg.run_id), "bench");
	snprintf(xp.host, sizeof(xp.host), "host");
	snprintf(xp.boot_id, sizeof(xp.boot_id), "00000000");
	xp.cfg.hz = 999;
	xp.cfg.depth = DEPTH;
	xp.cfg.max_bytes = 1ull << 30;
	xp.cfg.quiet = 1;
	xp.cfg.python = 1;
	xp.pid = getpid();
	real_init();
	if (out_open() != 0 || out_image_begin(XPF_IF_ROOT, 1, 0, 0, 0) != 0 ||
	    unwind_load() != 0)
		return -1;
	xp.self = modules_code_of((const void *)py_take);
	t = thread_new();
	unwind_thread_init(t);
	return 0;
}

static void cleanup(const char *dir)
{
	char path[4200];

	out_forget();
	snprintf(path, sizeof(path), "%s/bench/host.00000000.xpf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bench", dir);
	rmdir(path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	int frames = argc > 1 ? atoi(argv[1]) : 30;
	long reps = argc > 2 ? atol(argv[2]) : 200000;
	char dir[] = "/tmp/xprof-pywalk-bench-XXXXXX", code[1024];
	int rc;

	if (frames < 2 || reps < 2 || setup(dir) != 0) {
		fprintf(stderr, "pywalk-bench: bad arguments or no output file/libunwind\n");
		return 1;
	}
	PyImport_AppendInittab("xpbench", init_module);
	Py_Initialize();
	py_detect(t);
	if (!atomic_load(&py.on)) {
		fprintf(stderr, "pywalk-bench: xprof does not walk CPython %s\n", Py_GetVersion());
		cleanup(dir);
		return 1;
	}
	/* <module> and frames - 1 levels: frames Python frames at the measuring call. */
	snprintf(code, sizeof(code),
		 "import sys, xpbench\n"
		 "def level(n):\n"
		 "    return level(n - 1) if n else xpbench.measure(%ld)\n"
		 "r = level(%d)\n"
		 "v = sys.version_info\n"
		 "print('\\t'.join(['%%d.%%d.%%d' %% tuple(v[:3])] + [str(x) for x in r]))\n",
		 reps, frames - 2);
	rc = PyRun_SimpleString(code);
	Py_Finalize();
	cleanup(dir);
	return rc ? 1 : 0;
}
