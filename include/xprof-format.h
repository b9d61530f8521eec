/* SPDX-License-Identifier: MIT */
/*
 * xprof-format.h - the on-disk format of xprof profiles, shared by preload/ (writer) and
 * analyzer/ (reader). Documented for users in man/xprof-format.5.
 *
 * On disk: never renumber. New tags, fields and drop reasons go at the end; a change that an
 * old reader cannot skip bumps XPF_VERSION. No pointers, no in-memory structs here.
 *
 * A run is a directory OUT/RUN/ holding one file per host and boot:
 *	HOST.BOOT.xpf		BOOT: the first 8 hex digits of the kernel's boot id
 * Every process image of the run on that machine (each fork child, each exec) writes into the
 * same file, mapped MAP_SHARED by all of them: creating a file per image cost 20-200 us of
 * CPU on ext4 here, as much as a short process's whole run.
 *
 * A file is an array of XPF_BLOCK_SIZE blocks, handed out by one atomic counter in the file
 * header (blocks_used), whichever process asks. Block 0 is the file header. Every other block
 * is one of:
 *  - an image header (struct xpf_image_header, magic XPF_IMAGE_MAGIC): one per process
 *    image, written when the image starts, its end fields when it ends;
 *  - a data block (struct xpf_block_header, magic XPF_BLOCK_MAGIC): belongs to one thread of
 *    one image (`image` is the block index of that image's header) and carries that thread's
 *    records, in time order; a thread's blocks are chained by seq (0, 1, 2, ...) and may be
 *    interleaved with other threads' and other images' blocks;
 *  - all zeros: handed out but never written (its writer was killed in between); skipped.
 *
 * What was written survives _exit, abort, SIGSEGV and SIGKILL (the page cache holds it). A
 * record is committed by advancing its block's `used` after the record's bytes are written:
 * a reader that trusts `used` never sees a torn record. Block headers also carry the
 * thread's cumulative counters as of the last commit, so the newest block of a thread tells
 * its sample and drop totals even after a crash.
 *
 * Records inside a block: a tag byte, a ULEB128 payload length, then the payload. A reader
 * skips tags it does not know by their length. Payload fields are ULEB128 (unsigned), SLEB128
 * (signed) or strings (ULEB128 length, then bytes, no NUL). Every payload starts with
 * `dt`: nanoseconds of CLOCK_MONOTONIC since the previous record of the block, or since the
 * block's t0 for its first record.
 */
#ifndef XPROF_FORMAT_H
#define XPROF_FORMAT_H

#include <stdint.h>

#define XPF_MAGIC		"XPROF\x1a\x0d\x0a"	/* 8 bytes; \x1a\r\n catch text-mode damage */
#define XPF_VERSION		2
#define XPF_BLOCK_SIZE		4096
#define XPF_BLOCK_MAGIC		0x4b424658u		/* "XFBK" little-endian */
#define XPF_IMAGE_MAGIC		0x47494658u		/* "XFIG" little-endian */
#define XPF_FILE_SUFFIX		".xpf"

/* How the samples were triggered (xpf_image_header.mechanism). */
enum xpf_mechanism {
	XPF_MECH_NONE = 0,		/* profiling off in this image (failure or secure mode) */
	XPF_MECH_PERF_TASK_CLOCK = 1,	/* perf_event task-clock, overflow signal to the thread */
	XPF_MECH_TIMER_THREAD_CPU = 2,	/* timer_create on the thread's CPU clock (tick-bound) */
};

/* How the image ended (xpf_image_header.end_state). 0 is what a killed process leaves. */
enum xpf_end_state {
	XPF_END_RUNNING = 0,	/* never finished: killed, crashed, or still running */
	XPF_END_EXIT = 1,	/* exit()/return from main; exit_status valid */
	XPF_END_EXEC = 2,	/* replaced by exec; the next image of this pid continues */
	XPF_END__EXIT = 3,	/* _exit()/_Exit(); exit_status valid */
	XPF_END_STOPPED = 4,	/* profiling stopped early (output error); see stop_errno */
};

/* xpf_image_header.flags */
#define XPF_IF_FORKED		(1u << 0)	/* image began as a fork child of ppid */
#define XPF_IF_EXECED		(1u << 1)	/* image began by exec (LD_PRELOAD inherited) */
#define XPF_IF_ROOT		(1u << 2)	/* first process of the run */
#define XPF_IF_PROBED		(1u << 3)	/* the perf-cost probe ran here (else its answer,
						 * probe_sample_ns, came from the cache) */

/* Why a sample was not taken. Counted per thread in every block header. */
enum xpf_drop {
	XPF_DROP_BUSY = 0,	/* signal landed while xprof itself was writing on this thread */
	XPF_DROP_LOADER = 1,	/* thread was inside the dynamic loader (dlopen/dlclose) */
	XPF_DROP_UNWINDER = 2,	/* thread was inside libunwind (the app's own unwinding) */
	XPF_DROP_UNWIND = 3,	/* unwinding produced no frame at all */
	XPF_DROP_NOSPACE = 4,	/* no block could be had (file full, disk full, write error) */
	XPF_DROP_STACK = 5,	/* too little room left on the signal stack even to switch */
	XPF_DROP_NR = 8		/* slots on disk; reasons 6..7 are reserved */
};

/* Record tags. */
enum xpf_tag {
	XPF_REC_PAD = 0,	/* never written; a zero tag ends a block's records early */
	XPF_REC_SAMPLE = 1,	/* dt, weight_ns, flags, keep, n, n x SLEB delta address */
	XPF_REC_THREAD_START = 2, /* dt, cpu_ns, creator_tid, name */
	XPF_REC_THREAD_END = 3,	/* dt, cpu_ns (kernel's exact CPU clock of the thread at end) */
	XPF_REC_THREAD_NAME = 4, /* dt, name */
	XPF_REC_MAP = 5,	/* dt, bias, lo, hi, build_id (string), path (string) */
	XPF_REC_UNMAP = 6,	/* dt, bias, lo */
	XPF_REC_PROCESS = 7,	/* dt, exe (string), cmdline (string, args NUL-separated), cwd */
	XPF_REC_EXEC = 8,	/* dt, path (string): this image is about to exec path */
	XPF_REC_EXEC_FAILED = 9, /* dt, errno: the exec announced before failed */
	XPF_REC_SPAWN = 10,	/* dt, child pid, how (enum xpf_spawn), path (string) */
	XPF_REC_REGION = 11,	/* dt (at end), duration_ns, cpu_ns, name (string) */
	XPF_REC_EXIT = 12,	/* dt, how (enum xpf_end_state), status (ULEB of int64), process_cpu_ns */
	XPF_REC_NOTE = 13,	/* dt, text (string): something the user should know */
	XPF_REC_THREAD_CPU = 14, /* dt, tid, cpu_ns: CPU of another live thread at exit */
	XPF_REC_HANDLER_TIME = 15, /* dt, tid, bucket_ns, n, n x count: histogram of time
				    * spent in the handler per sample taken since the thread's
				    * previous HANDLER_TIME record; bucket i counts
				    * [i*bucket_ns, (i+1)*bucket_ns), the writer's last one
				    * (256 here) everything above. Written as a thread's samples
				    * reach 64, 128, ... 4096, every 4096 after, at its end and
				    * at exit: a reader adds them up. */
	XPF_REC_STACK_USE = 16,	/* dt, tid, private_size, private_used, own_max, frame_max:
				 * the handler's stacks, in bytes. private_*: the thread's private
				 * unwind stack and the most of it ever used; own_max: the most
				 * the handler used of the interrupted stack (or the program's
				 * altstack) before switching; frame_max: the largest signal frame
				 * the kernel pushed there. Written at thread end and at exit. */
	XPF_REC_REAP = 17,	/* dt, pid, status (ULEB of int64, wait status), cpu_ns: the
				 * program reaped child pid; cpu_ns is the kernel's figure for
				 * it (wait4's rusage), with its own reaped descendants */
	XPF_REC_JIT_REGION = 18, /* dt, lo, hi, how (enum xpf_jit_how): [lo, hi) was anonymous
				  * executable memory of the image, where JIT code lives.
				  * Written at the image's end (exit, _exit, exec) */
	XPF_REC_JIT_FILE = 19,	/* dt, kind (enum xpf_jit_kind), state (enum xpf_jit_state),
				 * flags (XPF_JF_*), errno, bytes, copy (string), source
				 * (string): a runtime's symbol file for its JIT code, kept at
				 * the image's end as `copy` in the run directory (see below) */
	XPF_REC_PY_CODE = 20,	/* dt, code, firstline, name (string), file (string): the
				 * CPython code object at address `code` from now on in this
				 * image (until the same address is described again: a freed
				 * code object's address reused). name is the qualified name
				 * (co_qualname; co_name before 3.11), file co_filename, both
				 * UTF-8. Written once per code object and image, before the
				 * first sample that names it, by the thread that takes it. */
	XPF_REC_PY_RUNTIME = 21, /* dt, version (major << 16 | minor << 8 | micro), walked:
				  * this image is a CPython interpreter; walked 1 if its Python
				  * frames are recorded, 0 if xprof does not know its layout
				  * (a NOTE says so; samples then have native frames only) */
	XPF_REC_OFFCPU = 22,	/* dt, blocked_ns, call (enum xpf_call), flags, keep, n,
				 * n x SLEB delta address (+ Python frames with
				 * XPF_SF_PYTHON): a blocking call that blocked, with the stack
				 * at its entry. Same frame scheme as XPF_REC_SAMPLE, but its
				 * `keep` refers to the previous OFFCPU record of the block,
				 * never to a SAMPLE (a reader that skips one kind keeps the
				 * other's chain). dt is the call's return. blocked_ns is the
				 * weight: with XPF_SF_ONE_CALL, the wall time of this one call
				 * (the interval [dt - blocked_ns, dt]); without, blocked time
				 * sampled by time, standing for calls too short to record
				 * one by one (see xprof-format(5), Off-CPU samples) */
	XPF_REC_SCHED = 23,	/* dt, tid, on_cpu_ns, run_delay_ns, timeslices, nvcsw,
				 * nivcsw: the kernel's cumulative scheduler figures of thread
				 * tid (/proc/thread-self/schedstat: time on a CPU, time
				 * runnable waiting for one; getrusage(RUSAGE_THREAD):
				 * voluntary and involuntary context switches). Written about
				 * once a second while the thread runs, at its end (not at
				 * exec for the exec'ing thread: its figures go on into the
				 * next image), and for every live thread at exit: a reader
				 * takes the last one */
	XPF_REC_OFFCPU_CALLS = 24, /* dt, tid, n, n x (call, calls, blocked, blocked_ns):
				    * exact cumulative totals of the thread's interposed
				    * calls by call: calls made, calls that blocked, their
				    * blocked wall time. Written at thread end and for every
				    * live thread at exit: a reader takes the last one */
};

/*
 * Blocking calls timed by the preload (XPF_REC_OFFCPU call, XPF_REC_OFFCPU_CALLS). Numbers
 * are on disk: never renumber, add at the end. A reader names an unknown one "call#N".
 */
enum xpf_call {
	XPF_CALL_READ = 1, XPF_CALL_READV, XPF_CALL_PREAD, XPF_CALL_PREADV,
	XPF_CALL_WRITE, XPF_CALL_WRITEV, XPF_CALL_PWRITE, XPF_CALL_PWRITEV,
	XPF_CALL_RECV, XPF_CALL_RECVFROM, XPF_CALL_RECVMSG, XPF_CALL_RECVMMSG,
	XPF_CALL_SEND, XPF_CALL_SENDTO, XPF_CALL_SENDMSG, XPF_CALL_SENDMMSG,
	XPF_CALL_POLL, XPF_CALL_PPOLL, XPF_CALL_SELECT, XPF_CALL_PSELECT,
	XPF_CALL_EPOLL_WAIT, XPF_CALL_EPOLL_PWAIT,
	XPF_CALL_ACCEPT, XPF_CALL_ACCEPT4, XPF_CALL_CONNECT,
	XPF_CALL_WAIT, XPF_CALL_WAITPID, XPF_CALL_WAIT3, XPF_CALL_WAIT4, XPF_CALL_WAITID,
	XPF_CALL_NANOSLEEP, XPF_CALL_CLOCK_NANOSLEEP, XPF_CALL_USLEEP, XPF_CALL_SLEEP,
	XPF_CALL_MUTEX_LOCK, XPF_CALL_MUTEX_TIMEDLOCK,
	XPF_CALL_COND_WAIT, XPF_CALL_COND_TIMEDWAIT,
	XPF_CALL_JOIN, XPF_CALL_SEM_WAIT, XPF_CALL_SEM_TIMEDWAIT,
	XPF_CALL_SIGWAIT, XPF_CALL_SIGWAITINFO, XPF_CALL_SIGTIMEDWAIT, XPF_CALL_SIGSUSPEND,
	XPF_CALL_FSYNC, XPF_CALL_FDATASYNC, XPF_CALL_FLOCK, XPF_CALL_FCNTL_LOCK,
	XPF_CALL_LOCKF, XPF_CALL_RWLOCK_RDLOCK, XPF_CALL_RWLOCK_WRLOCK,
	XPF_CALL_BARRIER_WAIT,
	XPF_CALL_NR		/* one past the last; readers size tables by it */
};

/*
 * The calls' names on output: the libc functions interposed (pread and pwrite also stand for
 * pread64 and pwrite64, fcntl for its F_SETLKW and F_OFD_SETLKW locks). Defined only where
 * XPF_CALL_NAMES is defined before this header is included, so that one file of a program
 * holds the table.
 */
#ifdef XPF_CALL_NAMES
const char *const xpf_call_names[XPF_CALL_NR] = {
	[XPF_CALL_READ] = "read", [XPF_CALL_READV] = "readv", [XPF_CALL_PREAD] = "pread",
	[XPF_CALL_PREADV] = "preadv", [XPF_CALL_WRITE] = "write", [XPF_CALL_WRITEV] = "writev",
	[XPF_CALL_PWRITE] = "pwrite", [XPF_CALL_PWRITEV] = "pwritev", [XPF_CALL_RECV] = "recv",
	[XPF_CALL_RECVFROM] = "recvfrom", [XPF_CALL_RECVMSG] = "recvmsg",
	[XPF_CALL_RECVMMSG] = "recvmmsg", [XPF_CALL_SEND] = "send", [XPF_CALL_SENDTO] = "sendto",
	[XPF_CALL_SENDMSG] = "sendmsg", [XPF_CALL_SENDMMSG] = "sendmmsg",
	[XPF_CALL_POLL] = "poll", [XPF_CALL_PPOLL] = "ppoll", [XPF_CALL_SELECT] = "select",
	[XPF_CALL_PSELECT] = "pselect", [XPF_CALL_EPOLL_WAIT] = "epoll_wait",
	[XPF_CALL_EPOLL_PWAIT] = "epoll_pwait", [XPF_CALL_ACCEPT] = "accept",
	[XPF_CALL_ACCEPT4] = "accept4", [XPF_CALL_CONNECT] = "connect", [XPF_CALL_WAIT] = "wait",
	[XPF_CALL_WAITPID] = "waitpid", [XPF_CALL_WAIT3] = "wait3", [XPF_CALL_WAIT4] = "wait4",
	[XPF_CALL_WAITID] = "waitid", [XPF_CALL_NANOSLEEP] = "nanosleep",
	[XPF_CALL_CLOCK_NANOSLEEP] = "clock_nanosleep", [XPF_CALL_USLEEP] = "usleep",
	[XPF_CALL_SLEEP] = "sleep", [XPF_CALL_MUTEX_LOCK] = "pthread_mutex_lock",
	[XPF_CALL_MUTEX_TIMEDLOCK] = "pthread_mutex_timedlock",
	[XPF_CALL_COND_WAIT] = "pthread_cond_wait",
	[XPF_CALL_COND_TIMEDWAIT] = "pthread_cond_timedwait", [XPF_CALL_JOIN] = "pthread_join",
	[XPF_CALL_SEM_WAIT] = "sem_wait", [XPF_CALL_SEM_TIMEDWAIT] = "sem_timedwait",
	[XPF_CALL_SIGWAIT] = "sigwait", [XPF_CALL_SIGWAITINFO] = "sigwaitinfo",
	[XPF_CALL_SIGTIMEDWAIT] = "sigtimedwait", [XPF_CALL_SIGSUSPEND] = "sigsuspend",
	[XPF_CALL_FSYNC] = "fsync", [XPF_CALL_FDATASYNC] = "fdatasync", [XPF_CALL_FLOCK] = "flock",
	[XPF_CALL_FCNTL_LOCK] = "fcntl", [XPF_CALL_LOCKF] = "lockf",
	[XPF_CALL_RWLOCK_RDLOCK] = "pthread_rwlock_rdlock",
	[XPF_CALL_RWLOCK_WRLOCK] = "pthread_rwlock_wrlock",
	[XPF_CALL_BARRIER_WAIT] = "pthread_barrier_wait",
};
#else
extern const char *const xpf_call_names[XPF_CALL_NR];
#endif

/*
 * JIT symbol files kept with the profile (XPF_REC_JIT_FILE). At the end of an image the
 * perf map /tmp/perf-PID.map and the jitdump jit-PID.dump the runtime mapped are copied into
 * the run directory as
 *	HOST.BOOT.IMAGE.perf-PID.map	HOST.BOOT.IMAGE.jit-PID.dump
 * where HOST.BOOT.xpf is the run's file and IMAGE the block index of the image's header in
 * it, so a copy belongs to one process image even when pids are reused. `copy` is that name
 * (no directory), `source` the path it was copied from, `bytes` its size.
 */
enum xpf_jit_how {
	XPF_JIT_SEEN = 1,	/* made executable by an mmap or mprotect call the preload saw */
	XPF_JIT_MAPPED = 2,	/* anonymous (or memfd) and executable in /proc/self/maps at the
				 * end */
};
enum xpf_jit_kind {
	XPF_JIT_PERF_MAP = 1,	/* text lines "START SIZE NAME", hex (perf's jit-interface) */
	XPF_JIT_DUMP = 2,	/* binary records (perf's jitdump specification) */
};
enum xpf_jit_state {
	XPF_JIT_KEPT = 0,	/* copied whole */
	XPF_JIT_STALE = 1,	/* unchanged since the image started: not this image's (a reused
				 * pid, or an earlier image of the same pid); not copied */
	XPF_JIT_FAILED = 2,	/* could not be copied; errno says why */
	XPF_JIT_CUT = 3,	/* copied up to XPROF_MAX_MB only */
};
/* XPF_REC_JIT_FILE flags */
#define XPF_JF_PREDATES	(1u << 0)	/* the file existed when the image started and
					 * was then rewritten or grown: lines that were
					 * there before may be another process's */

/* XPF_REC_SAMPLE flags */
#define XPF_SF_TRUNCATED	(1u << 0)	/* stack deeper than max_depth: root side cut */
#define XPF_SF_PARTIAL		(1u << 1)	/* unwinding stopped early (no unwind info) */
#define XPF_SF_LEAF_EXACT	(1u << 2)	/* frame 0 is the interrupted pc, not a return addr */
#define XPF_SF_PYTHON		(1u << 3)	/* Python frames follow (below) */
#define XPF_SF_PY_PARTIAL	(1u << 4)	/* the thread's Python frame chain could not
						 * be read (corrupt, changing, or a fault):
						 * native frames only */
#define XPF_SF_ONE_CALL		(1u << 5)	/* XPF_REC_OFFCPU: the weight is one call's
						 * own blocked wall time */

/* XPF_REC_SPAWN how */
enum xpf_spawn { XPF_SPAWN_FORK = 1, XPF_SPAWN_POSIX_SPAWN = 2, XPF_SPAWN_VFORK = 3 };

/*
 * XPF_REC_SAMPLE payload: frames are stored leaf first. `keep` frames at the root end are the
 * same as the root end of the previous sample in this block (0 for a block's first sample),
 * `n` new frames follow, each as the SLEB128 difference from the previous address (the first
 * from 0). Full stack = the n new frames, then the previous stack's last `keep` frames.
 * weight_ns is the thread's CPU clock since its previous sample (or since the timer was
 * armed), so a thread's weights add up to the CPU time it was sampled over.
 *
 * With XPF_SF_PYTHON the thread's Python frames follow, leaf first, in the same scheme:
 * pykeep, npy, then npy x (code: SLEB128 difference from the previous frame's code address,
 * the first from 0; ULEB128 instr << 1 | entry). `pykeep` root-end Python frames are those of
 * the previous sample of the block (none if it had no Python frames). code names an
 * XPF_REC_PY_CODE; instr is the byte offset of the frame's current instruction in its
 * bytecode; entry is set on the first (outermost) Python frame run by one call of the
 * interpreter's evaluation function, so that a reader can put each run of Python frames in
 * place of the native evaluation frame that ran it.
 */

/* Block 0. Written once by the process that creates the file; only the counters change. */
struct xpf_file_header {
	char magic[8];			/* XPF_MAGIC */
	uint32_t version;		/* XPF_VERSION */
	uint32_t block_size;		/* XPF_BLOCK_SIZE */
	uint32_t header_size;		/* sizeof(struct xpf_file_header) */
	uint32_t flags;			/* none defined: 0 */
	uint64_t blocks_used;		/* blocks handed out, block 0 included (atomic, shared
					 * by every writer); a reader reads no further */
	uint64_t images;		/* image headers handed out (atomic) */
	uint64_t create_real_ns;	/* CLOCK_REALTIME when the file was made */
	char run_id[48];		/* NUL-terminated */
	char host[64];			/* NUL-terminated */
	char boot_id[40];		/* the kernel's boot id, NUL-terminated */
	uint64_t reserved[7];
};
_Static_assert(sizeof(struct xpf_file_header) == 256, "on-disk layout");

/*
 * One process image: a block of its own. magic is stored last when the image starts; the end
 * fields (end_state last) when it ends. CPU figures are CLOCK_PROCESS_CPUTIME_ID, which
 * carries on across exec: an image's own CPU is its process_cpu_ns less the one its
 * predecessor (same pid, end_state EXEC) ended with.
 */
struct xpf_image_header {
	uint32_t magic;			/* XPF_IMAGE_MAGIC */
	uint32_t header_size;		/* sizeof(struct xpf_image_header) */
	uint32_t flags;			/* XPF_IF_* */
	int32_t pid;
	int32_t ppid;
	uint32_t parent_image;		/* a fork child's parent image (block index), else 0 */
	uint32_t mechanism;		/* enum xpf_mechanism */
	uint32_t hz;			/* requested samples per CPU-second per thread */
	uint32_t max_depth;		/* frames kept per sample */
	uint32_t signo;			/* the sampling signal */
	uint32_t end_state;		/* enum xpf_end_state, written last at the end */
	int32_t exit_status;
	int32_t stop_errno;		/* why profiling stopped (XPF_END_STOPPED or nospace) */
	int32_t rank;			/* MPI rank (OMPI_COMM_WORLD_RANK, PMI_RANK,
					 * SLURM_PROCID), -1 if none */
	uint64_t start_mono_ns;		/* CLOCK_MONOTONIC when xprof began in this image */
	uint64_t start_real_ns;		/* CLOCK_REALTIME at the same moment (for merging hosts) */
	uint64_t start_cpu_ns;		/* process CPU at that moment */
	uint64_t armed_mono_ns;		/* when the first thread's timer was armed: sampling */
	uint64_t armed_cpu_ns;		/* starts; process CPU then */
	uint64_t setup_cpu_ns;		/* xprof's own set-up: CPU from start to armed */
	uint64_t end_mono_ns;
	uint64_t process_cpu_ns;	/* process CPU at the end (0 if killed) */
	uint64_t blocks;		/* data blocks of this image (atomic) */
	uint64_t blocks_lost;		/* blocks that could not be had */
	uint64_t probe_sample_ns;	/* XPROF_MECH=auto: measured cost of one perf-event sample
					 * that decided the mechanism (0: not measured here) */
	uint64_t reserved[14];
};
_Static_assert(sizeof(struct xpf_image_header) == 256, "on-disk layout");

struct xpf_block_header {
	uint32_t magic;			/* XPF_BLOCK_MAGIC */
	uint32_t used;			/* committed record bytes after this header */
	int32_t tid;
	uint32_t seq;			/* position in the thread's chain */
	uint32_t image;			/* block index of the image header it belongs to */
	uint32_t reserved0;
	uint64_t t0_ns;			/* CLOCK_MONOTONIC base for the first record's dt */
	uint64_t samples;		/* cumulative samples written by the thread */
	uint64_t cpu_ns;		/* thread CPU clock at its latest sample */
	uint64_t dropped_ns;		/* cumulative CPU weight of dropped samples */
	uint32_t dropped[XPF_DROP_NR];	/* cumulative drops by enum xpf_drop */
};
_Static_assert(sizeof(struct xpf_block_header) == 88, "on-disk layout");

#define XPF_BLOCK_PAYLOAD	(XPF_BLOCK_SIZE - sizeof(struct xpf_block_header))
#define XPF_MAX_STRING		2048	/* strings longer than this are cut on write */

/*
 * LEB128, the one variable-length integer encoding of the format. Both sides use these, so
 * they live with the format. AS-safe: pure functions over caller memory.
 * Encoders return bytes written (at most 10); decoders return bytes read, or 0 if the value
 * runs past `end` or past 10 bytes (corrupt input).
 */
static inline unsigned xpf_put_uleb(uint8_t *p, uint64_t v)
{
	unsigned n = 0;

	do {
		uint8_t b = v & 0x7f;

		v >>= 7;
		p[n++] = b | (v ? 0x80 : 0);
	} while (v);
	return n;
}

static inline unsigned xpf_put_sleb(uint8_t *p, int64_t v)
{
	unsigned n = 0;
	int more = 1;

	while (more) {
		uint8_t b = v & 0x7f;

		v >>= 7;	/* arithmetic shift on every compiler we build with */
		more = !((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40)));
		p[n++] = b | (more ? 0x80 : 0);
	}
	return n;
}

static inline unsigned xpf_get_uleb(const uint8_t *p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	unsigned n = 0;

	while (p + n < end && n < 10) {
		uint8_t b = p[n];

		v |= (uint64_t)(b & 0x7f) << (7 * n);
		n++;
		if (!(b & 0x80)) {
			*out = v;
			return n;
		}
	}
	return 0;
}

static inline unsigned xpf_get_sleb(const uint8_t *p, const uint8_t *end, int64_t *out)
{
	uint64_t v = 0;
	unsigned n = 0;

	while (p + n < end && n < 10) {
		uint8_t b = p[n];

		v |= (uint64_t)(b & 0x7f) << (7 * n);
		n++;
		if (!(b & 0x80)) {
			if (n < 10 && (b & 0x40))
				v |= ~(uint64_t)0 << (7 * n);
			*out = (int64_t)v;
			return n;
		}
	}
	return 0;
}

#endif /* XPROF_FORMAT_H */
