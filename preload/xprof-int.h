/* SPDX-License-Identifier: MIT */
/*
 * xprof-int.h - what the files of libxprof.so share: the process state, the per-thread state
 * and the functions each file offers the others. Each declaration says whether it may be
 * called from a signal handler ("AS-safe") or only from normal context.
 *
 * Invariants:
 *  - `xp` is written once by process_init() (and again by the fork child handler, in the only
 *    thread of the child) before any timer is armed; after that it is read-only except for
 *    the atomics marked below.
 *  - A struct xp_thread belongs to one thread. Only that thread writes it, from normal
 *    context with t->busy set, or from its own signal handler (which takes no sample while
 *    busy is set). Other threads only read a few fields (tid, live, histograms) at exit.
 *  - Thread states are never unmapped: a state whose thread ended goes back to a pool, so a
 *    reader at exit (which may be a signal handler calling _exit) never touches freed memory.
 *  - Our sampling handler runs with every asynchronous signal blocked and does its work on
 *    the thread's private stack; on the stack it was delivered on it uses only its own frame
 *    (measured: see handler.c).
 *  - The end of an image (exit, _exit, _Exit, exec) is recorded with AS-safe code only: no
 *    locks, no allocation, no dlsym (real.h resolves every real function at init).
 *  - The interpreter state `py` (python.h) is written once, in normal context, before its
 *    `on` flag is stored with release; the handler reads it only after an acquire load of
 *    `on` and only through fault-guarded reads of the program's memory (pywalk.c).
 */
#ifndef XPROF_INT_H
#define XPROF_INT_H

#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <ucontext.h>

#include "xprof-format.h"
#include "config.h"
#include "real.h"

#define XP_API __attribute__((visibility("default")))

#define XP_SEG_BLOCKS	4096u			/* 16 MiB of file per mapping */
#define XP_SEG_BYTES	((size_t)XP_SEG_BLOCKS * XPF_BLOCK_SIZE)
#define XP_MAX_SEGS	4096u			/* 64 GiB: the largest file of a run */
#define XP_SKIP_FRAMES	16u			/* room for the handler's own frames */
#define XP_REGION_DEPTH	32
#define XP_FD_MAP	65536			/* descriptors we can mark as ours */
#define XP_UNWIND_CACHE	4096			/* libunwind CFI cache entries (rounded to 2^n) */
#define XP_HIST_BUCKETS	256			/* handler-time histogram: 100 ns steps */
#define XP_HIST_NS	100
#define XP_PAGE		4096u
#ifndef SS_AUTODISARM
#define SS_AUTODISARM	(1U << 31)	/* linux/signal.h; glibc's headers lack it */
#endif

/*
 * The private stack every thread unwinds on (see handler.c). The deepest use measured is
 * 5.3 KiB (libunwind from cold caches, 1024 frames kept); a nested fault's signal frame
 * (3.2 KiB with AVX-512 state here) comes on top when the fault guard fires. 64 KiB leaves a
 * wide margin; only the pages touched become resident. A guard page below it turns an
 * overflow into a fault.
 */
#define XP_STACK_BYTES	(64u * 1024)

struct xp_region {
	const char *name;
	uint64_t t0, cpu0;
};

/*
 * Off-CPU accounting of one thread (offcpu.c). calls[] is bumped by the interposers with one
 * instruction (offcpu_bump), so that a program's signal handler that interrupts an
 * interposer and makes a call of its own loses no count; the rest is written with busy set.
 */
struct xp_offcpu {
	uint64_t calls[XPF_CALL_NR];	/* interposed calls made, by enum xpf_call */
	uint64_t blocked[XPF_CALL_NR];	/* of those, the calls seen to block */
	uint64_t blocked_ns[XPF_CALL_NR]; /* their blocked wall time */
	uint64_t acc;			/* blocked ns not yet in an OFFCPU record */
	uint64_t sched_last;		/* CLOCK_MONOTONIC of the last SCHED record, 0: none */
	uint32_t prev_n, py_prev_n;	/* the block's previous OFFCPU record, for `keep` */
};

struct xp_thread {
	pid_t tid;
	volatile sig_atomic_t busy;	/* xprof code is running on this thread */
	volatile sig_atomic_t in_loader; /* inside dlopen/dlclose */
	int mech;			/* enum xpf_mechanism of this thread's timer */
	int timer_fd;			/* perf event fd, -1 if none */
	int timer_fd_sig;		/* fd number the kernel puts in si_fd */
	timer_t timer_id;		/* POSIX timer if mech == TIMER */
	int timer_armed;
	uint64_t last_cpu;		/* thread CPU clock at the previous sample */

	/* Current block: records are appended here; NULL until the first record. */
	struct xpf_block_header *blk;
	uint32_t seq;			/* seq of the next block */
	uint64_t last_t;		/* time of the block's last record */
	uint32_t prev_n;		/* previous sample of this block, for `keep` */

	/* Cumulative counters; copied into each block header on commit. */
	uint64_t samples, dropped_ns;
	uint32_t dropped[XPF_DROP_NR];
	uint64_t records_lost;		/* records not written: a write of ours was in progress */

	uint32_t handler_hist[XP_HIST_BUCKETS];	/* time per sample in the handler, since the
						 * thread's last HANDLER_TIME record */
	uint32_t own_max;		/* bytes the handler used of the delivery stack */
	uint32_t frame_max;		/* largest kernel signal frame seen there */
	int nregions;
	struct xp_region regions[XP_REGION_DEPTH];
	char name[16];
	struct xp_offcpu off;

	/* Python frames (pywalk.c): the thread's PyThreadState when the interpreter's TSS key
	 * does not know it (0: look again), and the number of Python frames of the previous
	 * sample of the block, for its `pykeep` (the frames: py_prev_* below). */
	uintptr_t py_tstate;
	uint32_t py_search_wait;	/* samples before the thread lists are searched again */
	uint32_t py_prev_n;

	/* The delivery being sampled, handed to the private stack. */
	ucontext_t *uc;
	siginfo_t *si;
	volatile sig_atomic_t in_handler; /* our sampling handler runs on this thread */
	volatile sig_atomic_t unwind_armed; /* a fault in the unwinder returns to unwind_jb */
	siginfo_t deferred;		/* a fault signal sent meanwhile (si_signo 0: none) */
	sigjmp_buf unwind_jb;
	sigset_t fork_mask;		/* mask saved across fork by the atfork handlers */

	/* Memory: one mapping of [guard page][private stack][this struct][arrays]. */
	_Atomic pid_t live;		/* tid of the thread that owns it, 0 in the pool */
	struct xp_thread *all_next;	/* every state ever made (push-only list) */
	struct xp_thread *pool_next;	/* pool of free states (pool lock) */
	uint8_t *map;
	size_t map_size;
	uint8_t *stack_lo, *stack_top;
	uintptr_t *prev;		/* cfg.depth entries */
	uintptr_t *scratch;		/* cfg.depth + XP_SKIP_FRAMES entries */
	uint64_t *py_codes, *py_instr;	/* cfg.depth entries each: this sample's Python */
	uint64_t *py_prev_codes, *py_prev_instr; /* and the previous sample's */
	uintptr_t *off_prev;		/* cfg.depth entries each: the previous OFFCPU */
	uint64_t *off_py_codes, *off_py_instr;	/* record's frames (struct xp_offcpu) */
};

struct xp_range {
	uintptr_t lo, hi;
};

/* Process state: one per image, see the invariants above. */
struct xp_process {
	struct xprof_config cfg;
	int active;			/* profiling this image */
	_Atomic int stopped;		/* output failed: stop taking samples */
	pid_t pid;
	int fd;				/* the run's file on this machine */
	int file_created;		/* this process made it */
	int mech;			/* mechanism chosen at start */
	int rank;			/* MPI rank, -1 if none */
	uint64_t probe_ns;		/* measured CPU cost of one perf sample (auto), 0 if not */
	int probed;			/* measured here, not taken from the cache */
	uint64_t interval_ns;		/* 1e9 / hz: the POSIX timer's interval */
	uint64_t max_blocks;		/* per image */
	uint64_t start_mono, start_cpu;	/* when this image's set-up began (thread CPU) */
	struct xpf_file_header *fhdr;	/* block 0 of the file, in segment 0 */
	struct xpf_image_header *img;	/* this image's header block */
	uint32_t image;			/* its block index */
	_Atomic(uint8_t *) seg[XP_MAX_SEGS];
	struct xp_range loader, unwinder, self;	/* code we must not sample into / may guard */
	char path[PATH_MAX];		/* of the output file */
	char run_dir[PATH_MAX];
	char preload[PATH_MAX];		/* our own path, for LD_PRELOAD */
	char host[64];
	char boot_id[40];
	_Atomic int signal_note;	/* program touched our signal: said once */
	_Atomic int stop_said;
	int offcpu;			/* time the blocking calls (XPROF_OFFCPU and active) */
	uint64_t offcpu_period;		/* XPROF_OFFCPU_US in ns: time-sampling period */
	uint64_t offcpu_tick;		/* CLOCK_MONOTONIC_COARSE resolution, ns */
	pthread_key_t key;
};

extern struct xp_process xp;
extern __thread struct xp_thread *xp_self __attribute__((tls_model("initial-exec")));

/* ---- time.c ---- */
/* AS-safe: vDSO clock_gettime only. */
uint64_t xp_now(void);
/* AS-safe: one clock_gettime syscall. */
uint64_t xp_thread_cpu(void);
/* AS-safe: one clock_gettime syscall: CPU of the whole process, across exec. */
uint64_t xp_process_cpu(void);
/* AS-safe: the CPU clock of another thread of this process, 0 if gone. */
uint64_t xp_tid_cpu(pid_t tid);
/* AS-safe: raw gettid. */
pid_t xp_gettid(void);

/* ---- out.c: the output file ---- */
/* Not AS-safe: opens (or makes) OUT/RUN/HOST.BOOT.xpf and maps its header. 0 or -errno. */
int out_open(void);
/* Not AS-safe: unmaps the file (after a failed open). */
void out_forget(void);
/* AS-safe: this image's header block; mono/cpu: when its set-up began. 0 or -errno. */
int out_image_begin(uint32_t flags, pid_t ppid, uint32_t parent_image, uint64_t mono,
		    uint64_t cpu);
/* AS-safe: the first timer is armed: sampling starts (the process's CPU and time then). */
void out_image_armed(void);
/* AS-safe: a fresh block for thread t at time now, or NULL (counted, may stop profiling). */
struct xpf_block_header *out_block_new(struct xp_thread *t, uint64_t now);
/* AS-safe: a finished block's pages leave the resident set; the data stays in the file. */
void out_block_done(struct xpf_block_header *b);
/* AS-safe: profiling stops after an output error; says so once on stderr. */
void out_stop(int err, const char *what);
/* AS-safe: final image header fields (end_state last). */
void out_finish(int how, int status);
/* AS-safe: the image goes on after all (a failed exec). */
void out_unfinish(void);

/* ---- record.c: records in the current thread's blocks ---- */
/* AS-safe: room for `need` bytes in t's block (a new block if needed); NULL if none. */
uint8_t *rec_reserve(struct xp_thread *t, size_t need, uint64_t now);
/* AS-safe: commits a record of `len` payload bytes written at p+3 by the caller. */
void rec_commit(struct xp_thread *t, uint8_t *p, unsigned tag, size_t len, uint64_t now);
/* AS-safe: writes a sample of n native frames (leaf first), then, with XPF_SF_PYTHON in
 * flags, the npy Python frames in t->py_codes/py_instr. */
void rec_sample(struct xp_thread *t, uint64_t now, uint64_t weight, unsigned flags,
		const uintptr_t *frames, uint32_t n, uint32_t npy);
/* AS-safe: the same for an off-CPU sample (XPF_REC_OFFCPU) of blocking call `call` with
 * `weight` blocked ns; its frames chain to the block's previous OFFCPU record only. */
void rec_offcpu(struct xp_thread *t, uint64_t now, uint64_t weight, unsigned call,
		unsigned flags, const uintptr_t *frames, uint32_t n, uint32_t npy);
/* AS-safe: counts a dropped sample of `weight` ns. */
void rec_drop(struct xp_thread *t, enum xpf_drop why, uint64_t weight);
/* AS-safe on the caller's own state with t->busy set by the caller (XP_BUSY): a record of
 * numbers (ULEB) then strings; it must fit in one block. */
void rec_fields(struct xp_thread *t, unsigned tag, const uint64_t *nums, int nnum,
		const char *const *strs, const size_t *lens, int nstr);

/*
 * Runs stmt as xprof work on t: no sample is taken meanwhile. A write of ours that finds one
 * already in progress on the same thread (a program's signal handler that interrupted our
 * interposer and called into it again) is skipped and counted, never interleaved.
 * AS-safe if stmt is.
 */
#define XP_BUSY(t, stmt)                                                                   \
	do {                                                                               \
		if ((t)->busy) {                                                           \
			(t)->records_lost++;                                               \
			break;                                                             \
		}                                                                          \
		(t)->busy = 1;                                                             \
		stmt;                                                                      \
		(t)->busy = 0;                                                             \
	} while (0)

/* ---- thread.c ---- */
/* Not AS-safe: the calling thread's state, made on first use (threads xprof did not see
 * start). NULL if profiling is off or the thread cannot have one. */
struct xp_thread *thread_self(void);
/* AS-safe: the calling thread's state if it has one, never made here. */
struct xp_thread *thread_mine(void);
/* Not AS-safe: state + THREAD_START + timer for the calling thread. */
struct xp_thread *thread_begin(pid_t creator);
/* Not AS-safe: THREAD_END, timer off, state back to the pool. */
void thread_end(struct xp_thread *t);
/* Not AS-safe: in a fork child, only the calling thread's state is live. */
void thread_after_fork_child(struct xp_thread *t);
/* AS-safe (w->busy set by the caller): t's handler histogram (then zeroed: each record holds
 * the counts since the previous one) and stack use, written by w. */
void thread_record_stats(struct xp_thread *w, struct xp_thread *t);
/* AS-safe (self->busy set by the caller): THREAD_CPU records for every other live thread
 * and their handler statistics. */
void thread_record_others(struct xp_thread *self);
/* Not AS-safe: a descriptor of ours moved from `from` to `to` (dup2 onto it). */
void thread_fd_moved(int from, int to);
/* Not AS-safe: the pthread key whose destructor ends threads. 0 or -errno. */
int thread_key_init(void);
/* AS-safe (t->busy set by the caller): records a THREAD_NAME if the thread was renamed
 * behind our back (prctl PR_SET_NAME bypasses pthread_setname_np). */
void thread_name_refresh(struct xp_thread *t);
/* The per-thread arrays behind a state (stacks of samples and off-CPU records, Python frames),
 * for frames of `depth`: their size in bytes, and laying them out right after *t (pure). */
size_t thread_arrays_size(uint32_t depth);
void thread_arrays_lay(struct xp_thread *t, uint32_t depth);
/* Not AS-safe: the pool lock, held across fork. */
void thread_pool_lock(void);
void thread_pool_unlock(void);

/* ---- timer.c ---- */
/* AS-safe (plain syscalls): arms the calling thread's CPU-time timer. */
int timer_arm(struct xp_thread *t);
/* AS-safe: disarms it (close or timer_delete are plain syscalls). */
void timer_disarm(struct xp_thread *t);
/* Not AS-safe: which mechanism works here; called once at start of a run. */
int timer_probe(void);

/* ---- unwind.c: libunwind, loaded apart from the program ---- */
/* Not AS-safe: loads libunwind (RTLD_LOCAL) and makes its first use. 0 or -errno. */
int unwind_load(void);
/* Not AS-safe: the calling thread's first use (libunwind's per-thread trace cache). */
void unwind_thread_init(struct xp_thread *t);
/* AS-safe: the return addresses of the calling context, innermost first; the count. */
int unwind_backtrace(uintptr_t *buf, int cap);

/* ---- python.c, pywalk.c: the frames of a CPython interpreter ---- */
/* Not AS-safe: if this process is a CPython interpreter (it exports _PyRuntime) not looked
 * at yet, finds its version and layout and records PY_RUNTIME (and a NOTE if the version is
 * unknown); from then on samples walk its frames. Called at start and after dlopen. */
void py_detect(struct xp_thread *t);
/* AS-safe (t->busy set, on the private stack): the calling thread's Python frames into
 * t->py_codes/py_instr and PY_CODE records for code objects not yet described; returns
 * their number and adds XPF_SF_PYTHON, or XPF_SF_PY_PARTIAL if the chain was not readable
 * (fault-guarded like the native unwind). 0 in a process without a known interpreter. */
uint32_t py_take(struct xp_thread *t, uint64_t now, unsigned *flags);

/* ---- onstack.S ---- */
/* AS-safe: calls fn(arg) with the stack pointer at top (16-byte aligned), leaving a
 * standard frame-pointer frame on the caller's stack, so that unwinding from fn walks back
 * onto the caller's stack (and libunwind's fast trace path keeps working). */
void xp_call_on_stack(void (*fn)(void *), void *arg, void *top);

/* ---- handler.c ---- */
/*
 * The unwind gate. libunwind's slow path (an address not yet in its trace cache) calls
 * dl_iterate_phdr, which takes the loader's lock: if another thread holds that lock in
 * dlopen/dlclose and waits for something the sampled thread holds (malloc's lock, say), the
 * process deadlocks; and a fork taken while a handler is inside libunwind or the loader
 * leaves the child with those locks held forever. So dlopen, dlclose and fork close the
 * gate and wait for handlers already inside to leave; samples meanwhile are dropped and
 * counted (XPF_DROP_LOADER).
 */
/* Not AS-safe (it waits): close the gate; returns once no handler is unwinding. */
void handler_gate_close(void);
/* AS-safe: reopen it. */
void handler_gate_open(void);
/* Not AS-safe: a fork child has no other thread inside the handler. */
void handler_gate_reset(void);
/* AS-safe (t->busy set, on t's private stack): the calling context's frames into
 * t->scratch, through the gate and the fault guard as a sample's. pc is a return address
 * that must be among the first frames: the stack from there on is kept (*at, *n), else (the
 * gate closed, inside the loader, a fault) pc alone, marked XPF_SF_PARTIAL in *flags. */
void handler_walk_from(struct xp_thread *t, uintptr_t pc, unsigned *flags, uint32_t *at,
		       uint32_t *n);
/* Not AS-safe: installs the sampling handler for cfg.signo, with or without SA_RESTART. */
int handler_install(int restart);
/* AS-safe: is this delivery one of xprof's timer signals for thread t? */
int handler_is_ours(const siginfo_t *si, const struct xp_thread *t);

/* ---- sigctl.c: the program's view of the signals we hold ---- */
/* AS-safe: pass a delivery that is not ours to the program's own disposition, as the kernel
 * would have (mask, flags, stack). */
void sigctl_forward(int sig, siginfo_t *si, void *uc);
/* AS-safe: the real sigaction, bypassing our interposer. */
int sigctl_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
/* AS-safe: the real pthread_sigmask. */
int sigctl_real_mask(int how, const sigset_t *set, sigset_t *old);
/* AS-safe: every asynchronous signal (all but SEGV, BUS, ILL, FPE, TRAP, SYS), glibc's
 * internal ones included. */
void sigctl_async_set(sigset_t *s);
/* Not AS-safe: installs our action for sig; what was there becomes the program's. */
int sigctl_take(int sig, const struct sigaction *ours);
/* Not AS-safe: SIGSEGV/SIGBUS guard for faults inside unwinding (see sigctl.c). */
int sigctl_guard_install(void);
/* AS-safe: queues again a fault signal that was sent (not raised) while our handler ran. */
void sigctl_deferred_flush(struct xp_thread *t);
/* AS-safe: does the fault guard run on the alternate stack (the program asked for it)? */
int sigctl_guard_onstack(void);

/* ---- fdguard.c ---- */
/* AS-safe: mark/unmark a descriptor as xprof's (close() by the program leaves it open). */
void fd_mark(int fd, int ours);
/* AS-safe: is fd one of xprof's? */
int fd_is_ours(int fd);
/* AS-safe: moves fd to a high number (above what programs use), marked ours, CLOEXEC.
 * Returns the new fd (the old one is closed) or fd itself if it could not be moved. */
int fd_move_high(int fd);
/* Not AS-safe: runs fn(arg) with pipes made by the calling thread moved to high numbers
 * and marked ours (libunwind's validator pipe, made on its first use). */
void fd_pipes_high(void (*fn)(void *), void *arg);
/* AS-safe: the real close, bypassing our interposer. */
int fd_real_close(int fd);

/* ---- modules.c ---- */
/* Not AS-safe: scans loaded objects; MAP/UNMAP records for what changed since last scan. */
void modules_scan(struct xp_thread *t);
/* Not AS-safe: as modules_scan, but skipped (returns -EBUSY) if another scan holds the
 * table: the exit path must not wait. */
int modules_scan_try(struct xp_thread *t);
/* Not AS-safe: module table lock, taken across fork. */
void modules_lock(void);
void modules_unlock(void);
void modules_reset_lock(void);
/* Not AS-safe: a fork waits for dlopen/dlclose calls in flight (see modules.c). */
void modules_fork_prepare(struct xp_thread *t);
void modules_fork_done(int child);
/* Not AS-safe: the executable range of the loaded object that holds addr. */
struct xp_range modules_code_of(const void *addr);

/* ---- jitmem.c: where JIT code lives (anonymous executable memory) ---- */
/* AS-safe: notes [lo, hi) as executable anonymous memory (lock-free table, only grows). */
void jitmem_note(uintptr_t lo, uintptr_t hi);
/* AS-safe: has the image made executable memory that the interposers saw? */
int jitmem_any(void);
/* AS-safe (t->busy set by the caller): XPF_REC_JIT_REGION records for the table's ranges
 * and, if scan is set or the table is not empty, for the anonymous executable mappings in
 * /proc/self/maps that it lacks. */
void jitmem_record(struct xp_thread *t, int scan);
/* AS-safe: one line of /proc/self/maps (s, n bytes, no newline needed): 1 and its range if
 * it is an anonymous (or memfd) executable mapping, else 0. */
int jitmem_parse_line(const char *s, size_t n, uintptr_t *lo, uintptr_t *hi);

/* ---- jitfile.c: the runtimes' perf maps and jitdumps, kept with the profile ---- */
/* Not AS-safe: at the image's start (init, fork child): notes the perf map already there. */
void jitfile_start(void);
/* AS-safe: fd was mapped executable; if it is a jitdump (jit-PID.dump), it is the image's. */
void jitfile_mapped(int fd);
/* AS-safe (t->busy set by the caller): at the image's end, copies the perf map and jitdump
 * into the run directory, writes XPF_REC_JIT_FILE and then the region records. */
void jitfile_end(struct xp_thread *t);

/* ---- jitremap.c: ELF code the program maps itself (V8's remapped builtins) ---- */
/* AS-safe: fd (at offset off) was mapped executable at p by the program; if it is an ELF
 * file, a MAP record gives that copy its load bias. Returns whether it was one. */
int jitremap_mapped(void *p, size_t len, int fd, off_t off);
/* AS-safe: [p, p + len) was unmapped: UNMAP records for the copies it held. */
void jitremap_unmapped(void *p, size_t len);

/* ---- jitenv.c: XPROF_JIT=1 ---- */
/* Not AS-safe: asks the runtimes for perf maps through their variables (see jitenv.c). */
void jitenv_apply(void);
/* Not AS-safe (pure): appends to the blank-separated list old (may be NULL) each word of
 * add[] it lacks, unless it holds a word of decided[]; into out (cap bytes). Returns 1 if
 * out differs from old, 0 if nothing is to change (out unspecified), -ENOSPC if cap is
 * too small. */
int jitenv_extend(const char *old, const char *const *add, const char *const *decided,
		  char *out, size_t cap);

/* ---- offcpu.c: blocked time of the interposed blocking calls ---- */
/* Not AS-safe: reads the coarse clock's tick and decides whether calls are timed. */
void offcpu_init(void);
/*
 * AS-safe (touches the calling thread's own state only): a call of `call` that t made
 * returned after `d` ns of wall time, taken with the coarse clock (precise 0) or the precise
 * one; ra is the interposer's return address. Counts it as blocked, and writes an OFFCPU
 * record with the stack when the time sampling says so (and a SCHED record about once a
 * second). errno is kept. Called only when the call was seen to block (blocking.h).
 */
void offcpu_blocked(struct xp_thread *t, unsigned call, uint64_t d, int precise, void *ra);
/*
 * AS-safe, pure: the time-sampling decision for one blocked call of d ns. Returns the
 * weight of the OFFCPU record to write now (0: none) and sets *flags: a call of at least
 * one_min ns is a record of its own (XPF_SF_ONE_CALL); shorter ones add to *acc, which is
 * written as one time-sampled record once it reaches period. Every ns goes to exactly one
 * record or stays in *acc.
 */
uint64_t offcpu_weigh(uint64_t *acc, uint64_t d, uint64_t one_min, uint64_t period,
		      unsigned *flags);
/* AS-safe (w->busy set by the caller): OFFCPU_CALLS and, with sched, SCHED records for
 * thread t (w itself or another live thread of the image, at its end), written by w. */
void offcpu_record_thread(struct xp_thread *w, struct xp_thread *t, bool sched);
/* AS-safe (t->busy set by the caller): a SCHED record for t if a second has passed since
 * its last one (from the sampling handler and after blocked calls). */
void offcpu_sched_tick(struct xp_thread *t, uint64_t now);

/* ---- sched.c: the kernel's scheduler figures of a thread ---- */
struct xp_sched {
	uint64_t on_cpu_ns, run_delay_ns, timeslices, nvcsw, nivcsw;
};
/* AS-safe (plain system calls, no stdio): the figures of the calling thread (tid 0) or of
 * thread tid of this process. 0, or -1 if the thread is gone or procfs is not there. */
int sched_read(pid_t tid, struct xp_sched *s);
/* AS-safe, pure: the three numbers of a schedstat line (s, n bytes). 0 or -1. */
int sched_parse_stat(const char *s, size_t n, struct xp_sched *out);
/* AS-safe, pure: voluntary and involuntary context switches from a /proc/.../status
 * text. 0 or -1. */
int sched_parse_status(const char *s, size_t n, struct xp_sched *out);

/* ---- process.c ---- */
/* Not AS-safe: PROCESS record (exe, cmdline, cwd). */
void process_record(struct xp_thread *t);
/* AS-safe: end of image bookkeeping (exit, _exit, exec). Idempotent. */
void process_end(int how, int status);
/* AS-safe: an exec is about to happen / failed. */
void process_exec_begin(const char *path);
void process_exec_failed(int err);
/* AS-safe: the NULL-terminated list of NAME=VALUE strings a child needs. */
const char *const *process_child_env(void);
/* AS-safe: are we in the image's own process (not a vfork child sharing its memory)? */
int process_is_self(void);
/* Not AS-safe: one line on stderr unless quiet (errors pass quiet=0). */
void xp_say(int always, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* XPROF_INT_H */
