/* SPDX-License-Identifier: MIT */
/*
 * dlreuse LIBA LIBB [SECONDS]: dlopen(LIBA), burn SECONDS (default 0.5) in its a_fn, dlclose;
 * then dlopen(LIBB), burn as long in its b_fn, dlclose. The two libraries have the same
 * size, so LIBB usually lands where LIBA was: prints both addresses and "same address" or
 * "different address".
 */
#include <dlfcn.h>
#include <stdio.h>

#include "spin.h"

static void *run(const char *path, const char *sym, long ns)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL), *addr;
	void *(*fn)(long);

	if (!h) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return NULL;
	}
	fn = (void *(*)(long))dlsym(h, sym);
	if (!fn) {
		fprintf(stderr, "dlsym %s: %s\n", sym, dlerror());
		return NULL;
	}
	addr = fn(ns);
	dlclose(h);
	return addr;
}

int main(int argc, char **argv)
{
	long ns = secs_ns(argc > 3 ? argv[3] : NULL, 0.5);
	void *a, *b;

	if (argc < 3) {
		fprintf(stderr, "usage: dlreuse LIBA LIBB [SECONDS]\n");
		return 2;
	}
	a = run(argv[1], "a_fn", ns);
	b = run(argv[2], "b_fn", ns);
	if (!a || !b)
		return 1;
	printf("a_fn %p b_fn %p %s address\n", a, b, a == b ? "same" : "different");
	return 0;
}
