/* SPDX-License-Identifier: MIT */
/*
 * dlstress LIB [SECONDS]: two threads dlopen/dlsym/dlclose LIB (libdltiny.so) in a loop for
 * SECONDS (default 2) while a third thread burns CPU in spinner. Exits 0 if every call
 * worked.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "spin.h"

static const char *lib;		/* set once in main before the threads start */
static int64_t end_ns;		/* likewise */
static atomic_int errors;
static atomic_long loops;

static void *loader(void *arg)
{
	while (mono_ns() < end_ns) {
		void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
		int (*fn)(int);

		if (!h) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			errors++;
			break;
		}
		fn = (int (*)(int))dlsym(h, "dltiny_fn");
		if (!fn || fn(2) != 7)
			errors++;
		dlclose(h);
		loops++;
	}
	return arg;
}

static void *spinner(void *arg)
{
	volatile uint64_t x = 1;

	while (mono_ns() < end_ns)
		for (int i = 0; i < 20000; i++)
			x = x * 6364136223846793005ULL + 1;
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t[3];

	if (argc < 2) {
		fprintf(stderr, "usage: dlstress LIB [SECONDS]\n");
		return 2;
	}
	lib = argv[1];
	end_ns = mono_ns() + secs_ns(argc > 2 ? argv[2] : NULL, 2.0);
	pthread_create(&t[0], NULL, loader, NULL);
	pthread_create(&t[1], NULL, loader, NULL);
	pthread_create(&t[2], NULL, spinner, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("dlstress %ld loops, %d errors\n", (long)loops, (int)errors);
	return errors ? 1 : 0;
}
