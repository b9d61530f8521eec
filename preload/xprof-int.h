/* SPDX-License-Identifier: MIT */
/*
 * xprof-int.h - what the files of libxprof.so share: the process state, the per-thread state
 * and the functions each file offers the others. Each declaration says whether it may be
 * called from the sampling signal handler ("AS-safe") or only from normal context.
 *
 * Invariants:
 *  - `xp` is written once by process_init() (and again by the fork child handler, in the only
 *    thread of the child) before any timer is armed; after that it is read-only except for
 *    the atomics marked below.
 *  - A struct xp_thread belongs to one thread. Only that thread writes it, from normal
 *    context with t->busy set, or from its own signal handler (which returns at once if busy).
 */
#ifndef XPROF_INT_H
#define XPROF_INT_H

#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "xprof-format.h"
#include "config.h"

#define XP_API __attribute__((visibility("default")))

#define XP_SEG_BLOCKS	4096u			/* 16 MiB of file per mapping */
#define XP_SEG_BYTES	((size_t)XP_SEG_BLOCKS * XPF_BLOCK_SIZE)
#define XP_MAX_SEGS	4096u			/* 64 GiB: above XPROF_MAX_MB's range */
#define XP_SKIP_FRAMES	16u			/* room for the handler's own frames */
#define XP_REGION_DEPTH	32
#define XP_FD_MAP	65536			/* descriptors we can mark as ours */
#define XP_UNWIND_CACHE	4096			/* libunwind CFI cache entries (rounded to 2^n) */
#define XP_HIST_BUCKETS	64			/* handler-time histogram: 100 ns steps */
#define XP_HIST_NS	100

struct xp_region {
	const char *name;
	uint64_t t0, cpu0;
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

	uint32_t handler_hist[XP_HIST_BUCKETS];	/* time per sample in the handler */
	int nregions;
	struct xp_region regions[XP_REGION_DEPTH];
	char name[16];
	struct xp_thread *next;		/* registry of live threads (registry_lock) */
	sigset_t fork_mask;		/* mask saved across fork by the atfork handlers */

	volatile sig_atomic_t unwind_armed; /* a fault now returns to unwind_jb */
	sigjmp_buf unwind_jb;
	size_t map_size;		/* of this struct and the arrays after it */
	uintptr_t *prev;		/* cfg.depth entries */
	uintptr_t *scratch;		/* cfg.depth + XP_SKIP_FRAMES entries */
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
	int fd;				/* the output file */
	uint32_t gen;
	int mech;			/* mechanism chosen at start */
	uint64_t probe_ns;		/* measured CPU cost of one perf sample (auto), 0 if not */
	uint64_t interval_ns;		/* 1e9 / hz: the POSIX timer's interval */
	uint64_t max_blocks;
	struct xpf_file_header *hdr;	/* = segment 0 */
	_Atomic(uint8_t *) seg[XP_MAX_SEGS];
	struct xp_range loader, unwinder, self;	/* code we must not sample into */
	char path[PATH_MAX];		/* of the output file */
	char run_dir[PATH_MAX];
	char preload[PATH_MAX];		/* our own path, for LD_PRELOAD */
	char host[64];
	_Atomic int signal_note;	/* program touched our signal: said once */
	_Atomic int stop_said;
	pthread_key_t key;
};

extern struct xp_process xp;
extern __thread struct xp_thread *xp_self __attribute__((tls_model("initial-exec")));

/* ---- time.c ---- */
/* AS-safe: vDSO clock_gettime only. */
uint64_t xp_now(void);
/* AS-safe: one clock_gettime syscall. */
uint64_t xp_thread_cpu(void);
/* AS-safe: the CPU clock of another thread of this process, 0 if gone. */
uint64_t xp_tid_cpu(pid_t tid);
/* AS-safe: raw gettid. */
pid_t xp_gettid(void);

/* ---- out.c: the output file ---- */
/* Not AS-safe: creates OUT/RUN/HOST.PID.GEN.xpf and maps its header. 0 or -errno. */
int out_open(uint32_t flags, pid_t ppid);
/* Not AS-safe: forget the parent's file in a fork child (no writes to it). */
void out_forget(void);
/* AS-safe: a fresh block for thread t at time now, or NULL (counted, may stop profiling). */
struct xpf_block_header *out_block_new(struct xp_thread *t, uint64_t now);
/* AS-safe: a finished block's pages leave the resident set; the data stays in the file. */
void out_block_done(struct xpf_block_header *b);
/* AS-safe: profiling stops after an output error; says so once on stderr. */
void out_stop(int err, const char *what);
/* Not AS-safe: final header fields at the end of the image. */
void out_finish(int how, int status);

/* ---- record.c: records in the current thread's blocks ---- */
/* AS-safe: room for `need` bytes in t's block (a new block if needed); NULL if none. */
uint8_t *rec_reserve(struct xp_thread *t, size_t need, uint64_t now);
/* AS-safe: commits a record of `len` payload bytes written at p+3 by the caller. */
void rec_commit(struct xp_thread *t, uint8_t *p, unsigned tag, size_t len, uint64_t now);
/* AS-safe: writes a sample of n frames (leaf first). */
void rec_sample(struct xp_thread *t, uint64_t now, uint64_t weight, unsigned flags,
		const uintptr_t *frames, uint32_t n);
/* AS-safe: counts a dropped sample of `weight` ns. */
void rec_drop(struct xp_thread *t, enum xpf_drop why, uint64_t weight);
/* Not AS-safe (call with t->busy set): a record of numbers (ULEB) then strings; it must fit
 * in one block. */
void rec_fields(struct xp_thread *t, unsigned tag, const uint64_t *nums, int nnum,
		const char *const *strs, const size_t *lens, int nstr);

/* ---- thread.c ---- */
/* Not AS-safe: the calling thread's state, made on first use (threads xprof did not see
 * start). NULL if profiling is off or the thread cannot have one. */
struct xp_thread *thread_self(void);
/* Not AS-safe: state + THREAD_START + timer for the calling thread. */
struct xp_thread *thread_begin(pid_t creator);
/* Not AS-safe: THREAD_END, timer off, state freed. */
void thread_end(struct xp_thread *t);
/* Not AS-safe: in a fork child, the registry holds only the calling thread. */
void thread_after_fork_child(struct xp_thread *t);
/* Not AS-safe (t->busy set inside): t's handler-time histogram as a record written by w. */
void thread_record_handler_time(struct xp_thread *w, struct xp_thread *t);
/* Not AS-safe: THREAD_CPU records for every other live thread (at exit). */
void thread_record_others(struct xp_thread *self);
/* Not AS-safe: a descriptor of ours moved from `from` to `to` (dup2 onto it). */
void thread_fd_moved(int from, int to);
/* Not AS-safe: the pthread key whose destructor ends threads. 0 or -errno. */
int thread_key_init(void);
/* Not AS-safe: records a THREAD_NAME if the thread was renamed behind our back. */
void thread_name_refresh(struct xp_thread *t);
void thread_registry_lock(void);
void thread_registry_unlock(void);
/* Not AS-safe: run fn with the thread's xprof work flagged (no samples taken meanwhile). */
#define XP_BUSY(t, stmt)                                                                   \
	do {                                                                               \
		(t)->busy = 1;                                                             \
		stmt;                                                                      \
		(t)->busy = 0;                                                             \
	} while (0)

/* ---- timer.c ---- */
/* Not AS-safe: arms the calling thread's CPU-time timer (perf event, else POSIX timer). */
int timer_arm(struct xp_thread *t);
/* AS-safe: disarms it (close or timer_delete are plain syscalls). */
void timer_disarm(struct xp_thread *t);
/* Not AS-safe: which mechanism works here; called once at start. */
int timer_probe(void);

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

/* Not AS-safe: installs the sampling handler for cfg.signo. */
int handler_install(void);
/* AS-safe: is this delivery one of xprof's timer signals for thread t? */
int handler_is_ours(const siginfo_t *si, const struct xp_thread *t);

/* ---- sigctl.c: the program's view of our signal ---- */
/* AS-safe: pass a signal that is not ours to the program's own disposition. */
void sigctl_forward(int sig, siginfo_t *si, void *uc);
/* Not AS-safe: the real sigaction, bypassing our interposer. */
int sigctl_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
/* Not AS-safe: SIGSEGV/SIGBUS guard for faults inside unwinding (see sigctl.c). */
int sigctl_guard_install(void);
/* AS-safe: the real pthread_sigmask. */
int sigctl_real_mask(int how, const sigset_t *set, sigset_t *old);

/* ---- fdguard.c ---- */
/* AS-safe: mark/unmark a descriptor as xprof's (close() by the program leaves it open). */
void fd_mark(int fd, int ours);
/* AS-safe: is fd one of xprof's? */
int fd_is_ours(int fd);
/* Not AS-safe: moves fd to a high number (above what programs use), marked ours, CLOEXEC.
 * Returns the new fd (the old one is closed) or fd itself if it could not be moved. */
int fd_move_high(int fd);
/* Not AS-safe: runs first_use(arg) so that descriptors it opens land at high numbers, and
 * marks them ours (libunwind's validator pipe). */
void fd_open_high(void (*first_use)(void *), void *arg);
/* AS-safe: the real close, bypassing our interposer. */
int fd_real_close(int fd);

/* ---- modules.c ---- */
/* Not AS-safe: scans loaded objects; MAP/UNMAP records for what changed since last scan. */
void modules_scan(struct xp_thread *t);
/* Not AS-safe: MAP records for every known module again (a fork child's new file). */
void modules_replay(struct xp_thread *t);
/* Not AS-safe: module table lock, taken across fork. */
void modules_lock(void);
void modules_unlock(void);
void modules_reset_lock(void);
/* Not AS-safe: a fork waits for dlopen/dlclose calls in flight (see modules.c). */
void modules_fork_prepare(struct xp_thread *t);
void modules_fork_done(int child);

/* ---- process.c ---- */
/* Not AS-safe: PROCESS record (exe, cmdline, cwd). */
void process_record(struct xp_thread *t);
/* Not AS-safe: end of image bookkeeping (exit, _exit, exec). */
void process_end(int how, int status);
/* Not AS-safe: an exec is about to happen / failed. */
void process_exec_begin(const char *path);
void process_exec_failed(int err);
/* Not AS-safe: the NULL-terminated list of NAME=VALUE strings a child needs. */
const char *const *process_child_env(void);
/* AS-safe: are we in the image's own process (not a vfork child sharing its memory)? */
int process_is_self(void);
/* Not AS-safe: one line on stderr unless quiet (errors pass quiet=0). */
void xp_say(int always, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- real.c ---- */
/* Not AS-safe on first call (dlsym); AS-safe after. The next definition of `name`. */
void *real_sym(const char *name, void **cache);
#define REAL(fn)                                                                           \
	({                                                                                 \
		static void *cache_;                                                       \
		(__typeof__(&fn))real_sym(#fn, &cache_);                                   \
	})

#endif /* XPROF_INT_H */
