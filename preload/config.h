/* SPDX-License-Identifier: MIT */
/*
 * config.h - the XPROF_* environment variables of libxprof.so, parsed once at library init
 * into a caller-owned struct xprof_config. Documented for users in man/libxprof.7.
 *
 * Context: config_parse(), config_make_run_id() and config_parse_signal() run in normal
 * context at library init (not AS-safe). config_signal_name() is AS-safe.
 * A bad value is never replaced by a guess: config_parse() fails with one line that names the
 * variable, the value and what is accepted, and the caller runs the program unprofiled.
 */
#ifndef XPROF_CONFIG_H
#define XPROF_CONFIG_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* XPROF_FOLLOW bits */
#define XPROF_FOLLOW_THREADS	1u
#define XPROF_FOLLOW_FORK	2u
#define XPROF_FOLLOW_EXEC	4u
#define XPROF_FOLLOW_ALL	(XPROF_FOLLOW_THREADS | XPROF_FOLLOW_FORK | XPROF_FOLLOW_EXEC)

enum xprof_mech_choice { XPROF_MECH_AUTO, XPROF_MECH_PERF, XPROF_MECH_TIMER };

/* Accepted ranges and defaults; man/libxprof.7 repeats them. */
#define XPROF_OUT_DEFAULT	"xprof-data"	/* relative to the cwd at start */
#define XPROF_OUT_MAX		3900	/* bytes: OUT/RUN/HOST.PID.GEN.xpf fits PATH_MAX */
#define XPROF_HZ_MIN		1
#define XPROF_HZ_MAX		10000
#define XPROF_HZ_DEFAULT	999
#define XPROF_DEPTH_MIN		4
#define XPROF_DEPTH_MAX		1024
#define XPROF_DEPTH_DEFAULT	128
#define XPROF_MAX_MB_MIN	1
#define XPROF_MAX_MB_MAX	65536
#define XPROF_MAX_MB_DEFAULT	1024
#define XPROF_RUN_MAX		47	/* characters; xpf_file_header.run_id is 48 bytes */
#define XPROF_SIGNAL_DEFAULT	SIGSTKFLT
#define XPROF_OFFCPU_US_MIN	100	/* off-CPU time sampling: one record per this much */
#define XPROF_OFFCPU_US_MAX	1000000	/* blocked time (us) per thread; blocks this long */
#define XPROF_OFFCPU_US_DEFAULT	1000	/* or longer get a record of their own */

struct xprof_config {
	char out_dir[4096];	/* XPROF_OUT: absolute, normalised, no trailing slash */
	char run_id[48];	/* XPROF_RUN; empty if unset: this process is the root of a run */
	unsigned hz;		/* XPROF_HZ 1..10000, default 999 */
	unsigned depth;		/* XPROF_DEPTH 4..1024, default 128 */
	int signo;		/* XPROF_SIGNAL, default SIGSTKFLT */
	unsigned follow;	/* XPROF_FOLLOW: all (default), none, or threads,fork,exec */
	int mech;		/* XPROF_MECH: enum xprof_mech_choice, default auto */
	uint64_t max_bytes;	/* XPROF_MAX_MB 1..65536 (MiB), default 1024, in bytes here */
	int quiet;		/* XPROF_QUIET 0|1, default 0 */
	int python;		/* XPROF_PYTHON 0|1, default 1: walk CPython's frames */
	int jit;		/* XPROF_JIT 0|1, default 0: ask JIT runtimes for perf maps */
	int offcpu;		/* XPROF_OFFCPU 0|1, default 1: time the blocking calls */
	unsigned offcpu_us;	/* XPROF_OFFCPU_US 100..1000000, default 1000 */
};

/*
 * Fills *cfg from the XPROF_* variables, read only through getenv_fn (the library passes
 * secure_getenv; tests pass a table). cwd (from getcwd(), may be NULL) makes a relative
 * XPROF_OUT absolute. An empty variable counts as unset, except XPROF_OUT="" which is an error.
 * Returns 0, or -EINVAL with `err` holding one line (no newline) naming the variable, the bad
 * value and the accepted values. *cfg is unspecified after an error.
 * Not AS-safe: normal context at library init (snprintf).
 */
int config_parse(struct xprof_config *cfg, const char *(*getenv_fn)(const char *),
		 const char *cwd, char *err, size_t errlen);

/*
 * The MPI rank of this process, from the first of OMPI_COMM_WORLD_RANK (Open MPI), PMIX_RANK,
 * PMI_RANK (MPICH, Intel MPI) and SLURM_PROCID (srun) that holds a whole decimal number below
 * 2^31; -1 if none does. These are the launcher's variables, read only, never required.
 * Not AS-safe: normal context at library init.
 */
int config_mpi_rank(const char *(*getenv_fn)(const char *));

/*
 * Writes a run id "YYYYMMDD-HHMMSS-PID" (UTC) into buf, e.g. 20261128-120501-12345.
 * Not AS-safe: gmtime_r, snprintf.
 */
void config_make_run_id(char *buf, size_t n, time_t now, pid_t pid);

/*
 * Parses a signal spec: a number 1..SIGRTMAX, or a name with or without "SIG", any case
 * ("STKFLT", "SIGPROF", "RTMIN+3", "SIGRTMAX-2"). Rejects signals xprof cannot or must not
 * take: KILL, STOP, SEGV, BUS, ILL, FPE, ABRT, TRAP, SYS, CHLD, CONT, TSTP, TTIN, TTOU and
 * glibc's reserved 32 and 33. Returns the signal number or -EINVAL.
 * Not AS-safe (not needed): normal context.
 */
int config_parse_signal(const char *s);

/*
 * Writes the name of signo ("SIGSTKFLT", "SIGRTMIN+3", "SIGRTMAX-1", "SIG32" if it has none)
 * into buf, cut to n - 1 bytes and NUL-terminated (nothing if n == 0).
 * AS-safe: no locale, no stdio, no allocation.
 */
void config_signal_name(int signo, char *buf, size_t n);

#endif /* XPROF_CONFIG_H */
