/* SPDX-License-Identifier: MIT */
/*
 * target.h - `xprof record`: finding the program to run the way execvp would, and telling
 * whether libxprof.so can reach it at all. Runs in the xprof process, before the fork.
 */
#ifndef XPROF_CLI_TARGET_H
#define XPROF_CLI_TARGET_H

#include <stddef.h>

/*
 * Finds `cmd` as execvp would (a name with a '/' as is, else along PATH) and writes its path
 * to path[0..n). Returns 0, -ENOENT if there is none, -EACCES if none is executable.
 */
int target_find(const char *cmd, char *path, size_t n);

/*
 * Whether the program at `path` can be profiled: a dynamically linked 64-bit ELF (it has a
 * PT_INTERP, so the loader runs and reads LD_PRELOAD), not run in secure mode (setuid or
 * setgid to someone else, or file capabilities: the loader then ignores LD_PRELOAD). A
 * "#!" script is judged by its interpreter. Returns NULL if it can be, else why not (static
 * text, fit for "PATH: WHY").
 */
const char *target_refusal(const char *path);

#endif /* XPROF_CLI_TARGET_H */
