/* SPDX-License-Identifier: MIT */
/*
 * dlcxx LIB [ARG...]: a C program that dlopen's a C++ library (libcxxexc.so, built from
 * progs/cxx/cxxexc.cc with -DCXXEXC_LIB), calls its cxxexc_main(argc, argv) with LIB as
 * argv[0] and the ARGs after it, dlclose's it and exits with what it returned. The C++
 * runtime (libstdc++, libgcc_s) comes in with the library: the exceptions are thrown and
 * caught in code the program loaded at run time.
 */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	int (*fn)(int, char **);
	void *h;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: dlcxx LIB [ARG...]\n");
		return 64;
	}
	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "dlcxx: %s\n", dlerror());
		return 2;
	}
	*(void **)&fn = dlsym(h, "cxxexc_main");
	if (!fn) {
		fprintf(stderr, "dlcxx: %s\n", dlerror());
		return 2;
	}
	rc = fn(argc - 1, argv + 1);
	fflush(stdout);
	if (dlclose(h) != 0) {
		fprintf(stderr, "dlcxx: dlclose: %s\n", dlerror());
		return 2;
	}
	return rc;
}
