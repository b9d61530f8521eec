// SPDX-License-Identifier: MIT
/*
 * cxxexc [SECONDS]: two threads throw C++ exceptions through 4 frames that burn CPU and catch
 * them in a loop for SECONDS (default 1). Exits 0 if every exception was caught where
 * expected.
 *
 * cxxexc -n COUNT [-d DEPTH] [-t THREADS]: THREADS threads (default 3) each throw COUNT
 * exceptions through DEPTH recursive frames of thrower (default 60) that each burn 20 us,
 * and catch them in worker; a fixed amount of work, so stdout (threads, caught, wrong, a
 * checksum carried in the exceptions, and the object whose _Unwind_RaiseException the
 * throws go through) is the same from run to run. stderr: "tid N" per thread.
 *
 * Built twice from this one source: the program, and with -DCXXEXC_LIB the shared library
 * libcxxexc.so whose only export is cxxexc_main(argc, argv), for a C program to dlopen
 * (progs/dlcxx.c): then every throw and catch happens inside the dlopen'd library.
 */
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <pthread.h>
#include <stdexcept>
#include <unistd.h>

#include "../spin.h"

struct deep_error : std::runtime_error {
	explicit deep_error(unsigned long v) : std::runtime_error("cxxexc"), value(v) {}
	unsigned long value;
};

static int64_t end_ns;		// time mode: set once before the threads start
static long count_each;		// count mode: throws per thread; set like end_ns
static int depth = 4;		// set once before the threads start
static std::atomic<long> caught, wrong;
static std::atomic<unsigned long> checksum;

static void __attribute__((noinline)) thrower(int d, unsigned long v)
{
	SPIN_CPU(20000);
	if (d < 0)
		return;
	if (d == 0)
		throw deep_error(v * 2654435761UL + 1);
	thrower(d - 1, v + 1);
	asm volatile("" ::: "memory");	// no tail call
}

static void *worker(void *arg)
{
	unsigned long sum = 0;

	std::fprintf(stderr, "tid %d\n", (int)gettid());
	for (long i = 0; count_each ? i < count_each : mono_ns() < end_ns; i++) {
		try {
			thrower(depth, (unsigned long)i);
			wrong++;
		} catch (const deep_error &e) {
			caught++;
			sum += e.value;
		} catch (...) {
			wrong++;
		}
	}
	checksum ^= sum;
	return arg;
}

/* The file name of the object that defines the _Unwind_RaiseException the C++ runtime's
 * __cxa_throw binds to: the first definition in the global scope, as for its relocation. */
static const char *unwinder(void)
{
	void *f = dlsym(RTLD_DEFAULT, "_Unwind_RaiseException");
	const char *slash;
	Dl_info info;

	if (!f || !dladdr(f, &info) || !info.dli_fname)
		return "?";
	slash = std::strrchr(info.dli_fname, '/');
	return slash ? slash + 1 : info.dli_fname;
}

static int run(int argc, char **argv)
{
	int threads = 2, opt;
	pthread_t t[64];

	optind = 1;
	while ((opt = getopt(argc, argv, "n:d:t:")) != -1) {
		if (opt == 'n')
			count_each = std::atol(optarg), threads = 3, depth = 60;
		else if (opt == 'd')
			depth = std::atoi(optarg);
		else if (opt == 't')
			threads = std::atoi(optarg);
		else
			return 64;
	}
	if (threads < 1 || threads > 64 || depth < 0)
		return 64;
	if (!count_each)
		end_ns = mono_ns() + secs_ns(optind < argc ? argv[optind] : nullptr, 1.0);
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], nullptr, worker, nullptr);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], nullptr);
	if (count_each) {
		std::printf("threads %d depth %d\ncaught %ld wrong %ld\nchecksum %016lx\n"
			    "unwinder %s\n", threads, depth, caught.load(), wrong.load(),
			    checksum.load(), unwinder());
		return wrong == 0 && caught == count_each * threads ? 0 : 1;
	}
	std::printf("cxxexc caught %ld, wrong %ld\n", caught.load(), wrong.load());
	return wrong == 0 && caught > 0 ? 0 : 1;
}

#ifdef CXXEXC_LIB
extern "C" __attribute__((visibility("default"))) int cxxexc_main(int argc, char **argv)
{
	return run(argc, argv);
}
#else
int main(int argc, char **argv)
{
	return run(argc, argv);
}
#endif
