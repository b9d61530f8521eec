// SPDX-License-Identifier: MIT
/*
 * exec.c - keeping the images a program starts profiled: exec* and posix_spawn* get an
 * environment that still carries LD_PRELOAD and XPROF_* (the program may pass its own,
 * even an empty one), and the old image records its end before exec replaces it.
 *
 * These interposers also run in vfork children, which share the parent's memory and stack:
 * there they build the environment on their own stack (envp_merge never allocates) and touch
 * no xprof state (process_is_self() tells). The variadic execl* family is turned into the
 * vector calls here, since libc's execl* do not go through the exported execv* symbols.
 */
#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envp.h"
#include "xprof-int.h"

#define ENV_BUF 16384		/* room for a rebuilt LD_PRELOAD */

extern char **environ;

static int following_exec(void)
{
	return xp.active && (xp.cfg.follow & XPROF_FOLLOW_EXEC) && xp.preload[0];
}

/* Calls `call` with envp, or with a merged copy of it made on this stack frame. The copy's
 * arrays are only as big as needed (one element when the environment already carries our
 * variables, as an inherited one does): exec may be called from a signal handler running on
 * a small alternate stack. */
#define WITH_CHILD_ENV(envp, call)                                                         \
	({                                                                                 \
		char *const *env_ = (envp);                                                \
		int need_ = following_exec() &&                                            \
			    !envp_is_complete(env_, process_child_env(), xp.preload);      \
		size_t cap_ = need_ ? envp_count(env_) + 8 : 1;                            \
		char *out_[cap_];                                                          \
		char buf_[need_ ? ENV_BUF : 1];                                            \
		if (need_ && envp_merge(env_, process_child_env(), xp.preload, out_, cap_, \
					buf_, sizeof(buf_)) >= 0)                          \
			env_ = out_;                                                       \
		call(env_);                                                                \
	})

static int exec_done(int r)
{
	int saved = errno;

	process_exec_failed(saved);
	errno = saved;
	return r;
}

XP_API int execve(const char *path, char *const argv[], char *const envp[])
{
	process_exec_begin(path);
#define CALL(e) exec_done(REAL(execve)(path, argv, e))
	return WITH_CHILD_ENV(envp, CALL);
#undef CALL
}

XP_API int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

XP_API int execvpe(const char *file, char *const argv[], char *const envp[])
{
	process_exec_begin(file);
#define CALL(e) exec_done(REAL(execvpe)(file, argv, e))
	return WITH_CHILD_ENV(envp, CALL);
#undef CALL
}

XP_API int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

XP_API int fexecve(int fd, char *const argv[], char *const envp[])
{
	process_exec_begin("(fexecve)");
#define CALL(e) exec_done(REAL(fexecve)(fd, argv, e))
	return WITH_CHILD_ENV(envp, CALL);
#undef CALL
}

XP_API int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
		    int flags)
{
	process_exec_begin(path);
#define CALL(e) exec_done(REAL(execveat)(dirfd, path, argv, e, flags))
	return WITH_CHILD_ENV(envp, CALL);
#undef CALL
}

/* The execl* family: count the arguments, then copy them to a vector on this stack. */
#define ARGV_FROM_VA(arg0, ap, argv, tail)                                                 \
	size_t n_ = 1;                                                                     \
	va_start(ap, arg0);                                                                \
	while (va_arg(ap, char *))                                                         \
		n_++;                                                                      \
	va_end(ap);                                                                        \
	char *argv[n_ + 1];                                                                \
	va_start(ap, arg0);                                                                \
	argv[0] = (char *)arg0;                                                            \
	for (size_t i_ = 1; i_ <= n_; i_++)                                                \
		argv[i_] = va_arg(ap, char *);                                             \
	tail;                                                                              \
	va_end(ap)

XP_API int execl(const char *path, const char *arg, ...)
{
	va_list ap;

	ARGV_FROM_VA(arg, ap, argv, (void)0);
	return execve(path, argv, environ);
}

XP_API int execlp(const char *file, const char *arg, ...)
{
	va_list ap;

	ARGV_FROM_VA(arg, ap, argv, (void)0);
	return execvpe(file, argv, environ);
}

XP_API int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	char *const *envp;

	ARGV_FROM_VA(arg, ap, argv, envp = va_arg(ap, char *const *));
	return execve(path, argv, envp);
}

static void record_spawn(pid_t pid, const char *path, int how)
{
	struct xp_thread *t;
	uint64_t nums[2] = { (uint64_t)pid, (uint64_t)how };
	size_t len = strlen(path);

	if (!xp.active || !(t = thread_self()))
		return;
	XP_BUSY(t, rec_fields(t, XPF_REC_SPAWN, nums, 2, &path, &len, 1));
}

XP_API int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
		       const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	pid_t child = 0;
	int err;

#define CALL(e) REAL(posix_spawn)(&child, path, fa, attr, argv, e)
	err = WITH_CHILD_ENV(envp, CALL);
#undef CALL
	if (!err)
		record_spawn(child, path, XPF_SPAWN_POSIX_SPAWN);
	if (pid)
		*pid = child;
	return err;
}

XP_API int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	pid_t child = 0;
	int err;

#define CALL(e) REAL(posix_spawnp)(&child, file, fa, attr, argv, e)
	err = WITH_CHILD_ENV(envp, CALL);
#undef CALL
	if (!err)
		record_spawn(child, file, XPF_SPAWN_POSIX_SPAWN);
	if (pid)
		*pid = child;
	return err;
}

/* The parent's side of the parent/child link (the child's header names its parent). The
 * child's own start is handled by the atfork child handler in process.c. */
XP_API pid_t fork(void)
{
	pid_t pid = REAL(fork)();

	if (pid > 0 && process_is_self())
		record_spawn(pid, "", XPF_SPAWN_FORK);
	return pid;
}

/* system() and popen() spawn through libc internals with `environ`, out of our reach: if
 * the program emptied its environment, put our variables back into it first. */
static void environ_restore(void)
{
	const char *const *ours = process_child_env();

	if (!following_exec() || envp_is_complete(environ, ours, xp.preload))
		return;
	for (; *ours; ours++) {
		const char *eq = strchr(*ours, '=');
		char name[64];

		if (!eq || (size_t)(eq - *ours) >= sizeof(name))
			continue;
		memcpy(name, *ours, (size_t)(eq - *ours));
		name[eq - *ours] = 0;
		if (!getenv(name))
			setenv(name, eq + 1, 0);
	}
	const char *pre = getenv("LD_PRELOAD");

	if (!pre) {
		setenv("LD_PRELOAD", xp.preload, 0);
	} else if (!envp_is_complete(environ, (const char *const[]){ NULL }, xp.preload)) {
		size_t n = strlen(pre) + strlen(xp.preload) + 2;
		char *v = malloc(n);

		if (v) {
			snprintf(v, n, "%s:%s", pre, xp.preload);
			setenv("LD_PRELOAD", v, 1);
			free(v);
		}
	}
}

XP_API int system(const char *cmd)
{
	environ_restore();
	return REAL(system)(cmd);
}

XP_API FILE *popen(const char *cmd, const char *mode)
{
	environ_restore();
	return REAL(popen)(cmd, mode);
}
