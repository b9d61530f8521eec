/* SPDX-License-Identifier: MIT */
/*
 * envp.h - keeps an exec'd child profiled: merges LD_PRELOAD and the XPROF_* variables into
 * the explicit environment a program passes to execve, execle, execvpe, fexecve, posix_spawn.
 *
 * Context: any thread, including a vfork child and the code between vfork and exec. Every
 * function here is AS-safe and malloc-free: it uses only the caller's memory, takes no lock,
 * calls no stdio and does not touch errno.
 *
 * The child's environment wins: its entries keep their order and values; only LD_PRELOAD is
 * extended (ours last, so the program's preload order is kept) and missing XPROF_* variables
 * are appended. No key is ever duplicated.
 */
#ifndef XPROF_ENVP_H
#define XPROF_ENVP_H

#include <stddef.h>

/*
 * Does envp already carry every NAME of `ours` (any value: the child's wins) and an
 * LD_PRELOAD that has preload_path as one of its entries (split on ':' and ' ', as ld.so
 * does; ld.so uses the last LD_PRELOAD, so that is the one checked)?
 * Returns 1 if nothing needs adding, else 0. envp may be NULL (empty); an empty or NULL
 * preload_path is never missing.
 * AS-safe, malloc-free.
 */
int envp_is_complete(char *const envp[], const char *const ours[], const char *preload_path);

/*
 * Builds in `out` (outcap pointers, NULL-terminated) the child's environment: envp unchanged
 * and in order, except the LD_PRELOAD that ld.so would use which, if it lacks preload_path,
 * is rebuilt in buf as "LD_PRELOAD=<old value>:<preload_path>" at the same position. If envp
 * has no LD_PRELOAD, "LD_PRELOAD=<preload_path>" is appended. Then every "NAME=VALUE" of
 * `ours` (NULL-terminated, may be NULL) whose NAME envp lacks is appended, in the order of
 * `ours`; entries of ours without '=', repeated names and an LD_PRELOAD entry are skipped.
 * envp may be NULL (treated as empty). `out` points into envp, ours and buf: they must
 * outlive the exec. Returns the number of entries (without the NULL), -ENOSPC if outcap or
 * bufsize are too small (out and buf are then unspecified and must not be used), or -EINVAL
 * if preload_path is empty or contains ':' or ' ' (ld.so would split it into other names).
 * AS-safe, malloc-free.
 */
int envp_merge(char *const envp[], const char *const ours[], const char *preload_path,
	       char **out, size_t outcap, char *buf, size_t bufsize);

/* Counts the entries of envp (NULL -> 0). AS-safe, malloc-free. */
size_t envp_count(char *const envp[]);

#endif /* XPROF_ENVP_H */
