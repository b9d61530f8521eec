/* SPDX-License-Identifier: MIT */
/*
 * profile.h - the in-memory profile model every output is written from. Analyzer only.
 *
 * Reading (reader.c) fills it from .xpf files; symbolising (symbols.c) adds names to its code
 * locations; report.c, folded.c and the flame graph command only read it.
 *
 * Invariants:
 *  - Samples are not kept one by one: they are aggregated at read time per (thread, stack) in
 *    `aggs`, which is what every output needs. Filters (pid, comm, tid, time) are applied
 *    while reading, so the model holds only what was asked for.
 *  - A stack is interned once per (process, map epoch, flags, addresses). The epoch is the
 *    number of MAP/UNMAP events of the process at or before the sample's time, so an address
 *    resolves to the module mapped at the sample's time even when dlopen/dlclose reuse it.
 *  - Stack addresses are stored root first (the on-disk `keep` prefix is a prefix here).
 *  - Times are nanoseconds of CLOCK_REALTIME (start_real + mono offset) so hosts merge.
 */
#ifndef XPROF_ANALYZER_PROFILE_H
#define XPROF_ANALYZER_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xprof-format.h"
#include "util.h"

#define PROF_MAX_DEPTH		4096	/* frames per stack accepted from a file */
#define PROF_NO_TIME		UINT64_MAX
#define PROF_NONE		UINT32_MAX	/* no such index */

/* A module file (path + build-id) symbolised by one Dwfl; shared by all processes. */
struct prof_modfile {
	uint32_t path;			/* strtab id */
	uint32_t build_id_len;
	uint8_t build_id[64];
	bool vdso;
	bool jit;			/* not an ELF file: the JIT symbols of process jit_proc
					 * (its perf map or jitdump copy, named by path) */
	uint32_t jit_proc;
	void *sym;			/* symbols.c state, NULL until symbolised */
};

/* One MAP..UNMAP lifetime of a module in one process. */
struct prof_module {
	uint64_t bias, lo, hi;
	uint64_t t_map, t_unmap;	/* mono ns of the process; PROF_NO_TIME if never unmapped */
	uint32_t ep_map, ep_unmap;	/* active for epochs ep_map <= e < ep_unmap */
	uint32_t modfile;
};

/* A CPython code object as PY_CODE records describe it; shared by all processes (every
 * worker of a pool runs the same functions). */
struct prof_pycode {
	uint32_t name, file;		/* strtab ids: qualified name, source file */
	int32_t line;			/* first line */
};

/* One PY_CODE record of a process: code address `addr` is pycodes[code] from t on. */
struct prof_pyaddr {
	uint64_t addr, t;
	uint32_t code;
};

/* A Python frame as stored after a stack's native addresses (prof_stack.npy of them). */
#define PROF_PY_VALUE(code, instr)	((uint64_t)(code) << 32 | (uint32_t)(instr))
#define PROF_PY_CODE(v)			((uint32_t)((v) >> 32))	/* pycodes index */
#define PROF_PY_ENTRY(v)		((v) & 1)	/* first frame of an evaluation call */
#define PROF_PY_UNKNOWN			UINT32_MAX	/* an address no PY_CODE named */

/* Anonymous executable memory of a process (XPF_REC_JIT_REGION): where its JIT code lived. */
struct prof_jit_region {
	uint64_t lo, hi;
};

/* A JIT symbol file the preload kept for a process (XPF_REC_JIT_FILE). */
struct prof_jit_file {
	uint32_t kind, state, flags;	/* enum xpf_jit_kind, enum xpf_jit_state, XPF_JF_* */
	int32_t err;			/* why it could not be kept (XPF_JIT_FAILED) */
	uint64_t bytes;
	uint32_t copy;			/* strtab id: the copy's path (beside the .xpf file), or
					 * "" if none was made */
	uint32_t source;		/* strtab id: the path it was copied from */
};

/* One process image. CPU figures from the file are the kernel's process CPU clock, which an
 * image inherits from the one it exec'd from; profile_link_images() finds that predecessor
 * (pred) and makes process_cpu_ns and presample_cpu_ns the image's own. */
struct prof_process {
	int32_t pid, ppid;
	uint32_t gen;			/* exec generation: 0, then +1 per exec of the pid */
	uint32_t pred;			/* the image this one exec'd from, PROF_NONE if none */
	uint32_t fork_parent;		/* the image a fork child began as a copy of, or
					 * PROF_NONE: its JIT code came from there */
	uint32_t host, boot, comm, exe, cmdline, file, run_id;	/* strtab ids */
	uint32_t flags, mechanism, hz, max_depth, end_state;
	int32_t exit_status, stop_errno;
	int32_t rank;			/* MPI rank (OMPI_COMM_WORLD_RANK, PMI_RANK or
					 * SLURM_PROCID, recorded by the preload); -1 unknown */
	uint64_t start_mono, end_mono, last_mono, start_real;
	uint64_t armed_mono;		/* sampling began (0: never armed) */
	uint64_t start_cpu_ns, armed_cpu_ns, end_cpu_ns;	/* process CPU clock, raw */
	uint64_t setup_cpu_ns;		/* xprof's own set-up in this image */
	uint64_t process_cpu_ns;	/* the image's own CPU; 0 if unknown (killed) */
	uint64_t presample_cpu_ns;	/* its CPU before sampling began: exec, loader, set-up */
	uint64_t handled;		/* samples its handler-time histograms count */
	uint64_t exit_cpu_ns;		/* after its end record (exit, teardown): from the wait4
					 * of the parent that reaped it, in process_cpu_ns */
	uint64_t blocks_lost;
	bool hidden;			/* excluded by --pid/--comm */
	struct prof_module *mods;
	size_t nmods, capmods;
	uint64_t *ev;			/* sorted times of MAP/UNMAP events */
	size_t nev;
	uint32_t py_version;		/* CPython major << 16 | minor << 8 | micro; 0: not */
	bool py_walked;			/* its Python frames were recorded */
	struct prof_pyaddr *pyaddrs;	/* PY_CODE records, sorted by (addr, t) */
	size_t npyaddrs, cappyaddrs;
	struct prof_jit_region *jregs;	/* in record order, may overlap */
	size_t njregs, capjregs;
	struct prof_jit_file *jfiles;	/* in record order: the last of a kind counts */
	size_t njfiles, capjfiles;
};

/* A call's exact totals for one thread (XPF_REC_OFFCPU_CALLS). */
struct prof_calls {
	uint64_t call;			/* enum xpf_call; others are named call#N */
	uint64_t calls, blocked, blocked_ns;
};

/* One XPF_REC_SCHED record: the kernel's cumulative scheduler figures of a thread. */
struct prof_sched {
	uint32_t thread;
	uint64_t t;			/* mono ns of its process */
	uint64_t on_cpu_ns, run_delay_ns, timeslices, nvcsw, nivcsw;
};

struct prof_thread {
	uint32_t proc;
	int32_t tid;
	uint32_t name;			/* strtab id */
	bool hidden;			/* excluded by --tid */
	bool cpu_exact;			/* cpu_ns from THREAD_END / THREAD_CPU */
	bool start_seen;		/* THREAD_START read */
	uint32_t newest_seq;
	uint64_t start_cpu_ns;		/* its CPU clock when this image first saw it */
	uint64_t cpu_ns;		/* own CPU in this image: exact, or the newest block
					 * header's, less start_cpu_ns */
	uint64_t hdr_samples;		/* newest block header's cumulative counters */
	uint64_t dropped[XPF_DROP_NR];
	uint64_t dropped_ns;
	uint64_t samples, sampled_ns, truncated;	/* from sample records, after filters */
	uint64_t py_partial, py_partial_ns;	/* samples whose Python chain was unreadable */
	uint64_t t_start, t_end;	/* mono ns: THREAD_START, THREAD_END (0: not seen) */
	uint64_t last_sample_t;		/* the latest CPU sample kept (after filters) */
	uint32_t last_stack;		/* and its stack, PROF_NONE if none */
	uint64_t offcpu_samples, offcpu_ns;	/* off-CPU records kept, their blocked ns */
	/* Scheduler figures (XPF_REC_SCHED): sched_t the latest record's time, 0 if none;
	 * run_delay the kernel's cumulative run-queue time then; runq_base what the image this
	 * one exec'd from ended with (the kernel's count goes on across exec). For --from/--to:
	 * runq_lo the latest run_delay recorded before the window, runq_hi the latest in or
	 * before it (cumulative, so the window holds about runq_hi - runq_lo). */
	uint64_t sched_t, run_delay_ns, on_cpu_ns, nvcsw, nivcsw, timeslices;
	uint64_t runq_base, runq_lo, runq_hi;
	/* Exact per-call totals: the latest OFFCPU_CALLS record's (calls_t its time). */
	struct prof_calls *calls;
	size_t ncalls;
	uint64_t calls_t;
	bool calls_seen;
};

struct profile;

/* The thread's wall time less what the other figures explain is "unseen" (waits in calls
 * xprof does not interpose, page faults); these give each part of the split. */
uint64_t prof_thread_runq(const struct prof_thread *t);
uint64_t prof_thread_blocked(const struct prof_thread *t);	/* exact, else sampled */
uint64_t prof_thread_wall(const struct profile *p, const struct prof_thread *t);
uint64_t prof_thread_unseen(const struct profile *p, const struct prof_thread *t);
/* The run-queue time of thread t in the --from/--to window (the whole when none). */
uint64_t prof_thread_runq_window(const struct prof_thread *t, bool window);

/*
 * addrs[off .. off + depth) are the native frames, root first; the npy Python frames
 * (PROF_PY_VALUE, root first) follow them. Once symbolised, stack_locs[locs .. locs + nlocs)
 * are the frames every output shows: the native ones with the Python frames put in place
 * of the evaluation frames that ran them (pymerge.c); nlocs <= depth + npy.
 */
struct prof_stack {
	uint32_t proc, epoch;
	uint32_t off;			/* into prof->addrs */
	uint16_t depth, npy;
	uint8_t flags;			/* XPF_SF_TRUNCATED | XPF_SF_LEAF_EXACT */
	uint32_t locs, nlocs;		/* into prof->stack_locs once resolved, root first */
};

/*
 * What an aggregate counts. CPU: sampled CPU time (XPF_REC_SAMPLE). OFFCPU: blocked time in
 * one call (XPF_REC_OFFCPU; its stack is the one at the call's entry, samples counts the
 * records). RUNQ: one per thread, its run-queue time (XPF_REC_SCHED) put under its last
 * sampled CPU stack, or under an empty stack if it had no sample (profile_add_runq()).
 */
enum prof_agg_kind { PROF_AGG_CPU = 0, PROF_AGG_OFFCPU = 1, PROF_AGG_RUNQ = 2 };

/* What an output shows (--kind): which aggregates it takes. */
enum prof_kind { PROF_KIND_CPU = 0, PROF_KIND_OFFCPU = 1, PROF_KIND_WALL = 2 };

/* Samples aggregated per (thread, stack, kind, call). */
struct prof_agg {
	uint32_t thread, stack;
	uint32_t kind;			/* enum prof_agg_kind */
	uint32_t call;			/* OFFCPU: enum xpf_call (unknown ones kept as read) */
	uint64_t samples, weight_ns;
};

static inline bool prof_kind_has(enum prof_kind k, const struct prof_agg *a)
{
	return k == PROF_KIND_WALL || (k == PROF_KIND_CPU ? a->kind == PROF_AGG_CPU :
							     a->kind == PROF_AGG_OFFCPU);
}

/* "read", "pthread_mutex_lock", ... or "call#N" for a number this analyzer does not know;
 * buf (16 bytes at least) holds the latter. */
const char *prof_call_name(uint64_t call, char *buf, size_t n);

struct prof_region {
	uint32_t name;			/* strtab id */
	uint64_t count, total_ns, cpu_ns;
	uint64_t *dur;			/* every duration, for percentiles */
	size_t ndur, capdur;
};

/* A child reaped by the program (XPF_REC_REAP): the kernel's CPU figure for it. */
struct prof_reap {
	uint32_t proc;			/* the reaping image */
	int32_t pid;
	uint64_t t, cpu_ns;		/* cpu_ns: the child's, with its reaped descendants' */
};

struct prof_note {
	uint32_t proc, text;
};

#define PROF_HIST 256		/* handler-time buckets kept */

/*
 * Time-stamped events of a thread, for the timeline; kept only when profile.keep_events is
 * set before reading (every other output needs only the aggregates, and one event per sample
 * costs memory). The reader adds them with profile_add_event(). Times are CLOCK_MONOTONIC ns
 * of the event's process, as prof_process.start_mono.
 */
enum prof_event_kind {
	PROF_EV_SAMPLE,		/* an on-CPU sample at t: ref = stack id, weight_ns its CPU */
	PROF_EV_REGION,		/* an <xprof.h> region from t for dur: ref = name (strtab id) */
	PROF_EV_THREAD_START,	/* the thread began at t */
	PROF_EV_THREAD_END,	/* the thread ended at t */
	PROF_EV_BLOCKED,	/* one call blocked from t for dur (XPF_SF_ONE_CALL): ref = stack
				 * id at its entry, call the call */
};

struct prof_event {
	uint32_t thread;
	uint32_t kind;			/* enum prof_event_kind */
	uint32_t ref;
	uint64_t t, dur, weight_ns;
	uint32_t call;			/* PROF_EV_BLOCKED: enum xpf_call */
};

struct profile {
	struct strtab strs;
	struct prof_modfile *modfiles;
	size_t nmodfiles, capmodfiles;
	struct prof_process *procs;
	size_t nprocs, capprocs;
	struct prof_thread *threads;
	size_t nthreads, capthreads;
	struct htab thread_idx;		/* keyed by (proc, tid) */
	uint64_t *addrs;
	size_t naddrs, capaddrs;
	struct prof_stack *stacks;
	size_t nstacks, capstacks;
	struct htab stack_idx;		/* keyed by (proc, epoch, flags, addresses) */
	struct prof_agg *aggs;
	size_t naggs, capaggs;
	struct htab agg_idx;		/* keyed by (thread, stack) */
	struct prof_region *regions;
	size_t nregions, capregions;
	struct prof_note *notes;
	size_t nnotes, capnotes;
	struct prof_reap *reaps;
	size_t nreaps, capreaps;
	struct prof_pycode *pycodes;
	size_t npycodes, cappycodes;
	struct kvmap pycode_idx;	/* (name << 32 | file, line) -> pycodes index */
	uint32_t *stack_locs;		/* filled by symbols.c */
	size_t nstack_locs;
	uint64_t run_start_real;	/* earliest start of all files read */
	uint64_t handler_hist[PROF_HIST]; /* XPF_REC_HANDLER_TIME, all threads added up */
	uint64_t handler_bucket_ns;
	struct prof_sched *scheds;	/* every XPF_REC_SCHED kept, in the order read */
	size_t nscheds, capscheds;
	bool keep_events;		/* keep `events` (set before reading) */
	struct prof_event *events;	/* in the order added */
	size_t nevents, capevents;
	uint64_t stack_size, stack_used_max;	/* XPF_REC_STACK_USE, the most of any thread */
	uint64_t stack_own_max, stack_frame_max;
	unsigned faults;		/* records/blocks/files skipped: exit status 1 */
	unsigned files_ok;
};

void profile_init(struct profile *p);
void profile_fini(struct profile *p);

uint32_t profile_modfile(struct profile *p, const char *path, size_t pathlen,
			 const uint8_t *bid, size_t bidlen);
uint32_t profile_thread(struct profile *p, uint32_t proc, int32_t tid);
uint32_t profile_stack(struct profile *p, uint32_t proc, uint32_t epoch, uint8_t flags,
		       const uint64_t *addrs, uint32_t depth);
/* The same with npy Python frames (PROF_PY_VALUE) at addrs[depth .. depth + npy). */
uint32_t profile_stack_py(struct profile *p, uint32_t proc, uint32_t epoch, uint8_t flags,
			  const uint64_t *addrs, uint32_t depth, uint32_t npy);
/* The pycodes index of (name, file, line), added if new. */
uint32_t profile_pycode(struct profile *p, uint32_t name, uint32_t file, int32_t line);
/* The code a Python frame's address named at time t in process pr: the latest PY_CODE
 * record of that address at or before t (the earliest if all are later), or
 * PROF_PY_UNKNOWN. pr->pyaddrs must be sorted (profile_finish_pyaddrs). */
uint32_t profile_pycode_at(const struct prof_process *pr, uint64_t addr, uint64_t t);
void profile_finish_pyaddrs(struct prof_process *pr);
void profile_add_samples(struct profile *p, uint32_t thread, uint32_t stack, uint64_t samples,
			 uint64_t weight_ns);
/* The same for an aggregate of another kind (call: OFFCPU only, else 0). */
void profile_add_agg(struct profile *p, uint32_t kind, uint32_t call, uint32_t thread,
		     uint32_t stack, uint64_t samples, uint64_t weight_ns);
void profile_add_region(struct profile *p, uint32_t name, uint64_t dur_ns, uint64_t cpu_ns);
/* Keeps a copy of *e if p->keep_events is set; else does nothing. */
void profile_add_event(struct profile *p, const struct prof_event *e);

/* Sorts a process's MAP/UNMAP event times and numbers its modules' epochs. */
void profile_finish_maps(struct prof_process *pr);
/* The epoch of a process at mono time t. */
uint32_t profile_epoch(const struct prof_process *pr, uint64_t t);
/* The module instance of pr holding addr at epoch; -1 if none can be told for sure. */
long profile_module_at(const struct prof_process *pr, uint64_t addr, uint32_t epoch);

/* Links each exec'd image to the one it replaced (same machine and pid, ended by exec, the
 * latest before it started): generations, and CPU and run-queue figures made the image's
 * own. Called once, after every file is read. */
void profile_link_images(struct profile *p);
/* Adds the RUNQ aggregates (one per visible thread with run-queue time; the --from/--to
 * window's part if `window`). Called once, after profile_link_images(). */
void profile_add_runq(struct profile *p, bool window);

/* CPU of a process: the kernel's figure when known, else the sum of its threads'. */
uint64_t profile_process_cpu(const struct profile *p, uint32_t proc, bool *exact);

static inline const char *prof_str(const struct profile *p, uint32_t id)
{
	return strtab_get(&p->strs, id);
}

#endif /* XPROF_ANALYZER_PROFILE_H */
