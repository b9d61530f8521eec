// SPDX-License-Identifier: MIT
/*
 * real.c - finding the definitions our interposers stand in front of (dlsym RTLD_NEXT).
 * real_sym() is not AS-safe on its first call for a name (dlsym may take the loader lock);
 * once cached it is a relaxed atomic load. Every interposer that the signal handler can
 * reach is resolved at library init, so the handler only ever sees cached values.
 */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xprof-int.h"

void *real_sym(const char *name, void **cache)
{
	void *p = __atomic_load_n(cache, __ATOMIC_ACQUIRE);

	if (p)
		return p;
	p = dlsym(RTLD_NEXT, name);
	if (!p) {
		/* Without the real function we cannot go on: say which, then stop. */
		static const char msg[] = "xprof: cannot find the real function ";
		ssize_t r = write(2, msg, sizeof(msg) - 1);

		r = write(2, name, __builtin_strlen(name));
		r = write(2, "\n", 1);
		(void)r;
		syscall(SYS_exit_group, 127);	/* not _exit: ours would record an end */
	}
	__atomic_store_n(cache, p, __ATOMIC_RELEASE);
	return p;
}
