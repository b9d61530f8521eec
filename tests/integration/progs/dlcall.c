/* SPDX-License-Identifier: MIT */
/*
 * dlcall LIB [SECONDS]: dlopen(LIB) and call its dbgspin_run with SECONDS (default 0.6) of CPU
 * time in nanoseconds; for libraries that exist only as copies a test makes (stripped, with
 * their debug info elsewhere).
 */
#include <dlfcn.h>
#include <stdio.h>

#include "spin.h"

int main(int argc, char **argv)
{
	void *h = argc > 1 ? dlopen(argv[1], RTLD_NOW | RTLD_LOCAL) : NULL;
	long (*fn)(long);

	if (!h) {
		fprintf(stderr, "dlcall: %s\n", argc > 1 ? dlerror() : "usage: dlcall LIB [SECONDS]");
		return 1;
	}
	fn = (long (*)(long))dlsym(h, "dbgspin_run");
	if (!fn) {
		fprintf(stderr, "dlcall: %s\n", dlerror());
		return 1;
	}
	fn(secs_ns(argc > 2 ? argv[2] : NULL, 0.6));
	return 0;
}
