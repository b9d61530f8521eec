// SPDX-License-Identifier: MIT
/*
 * cxxexc [SECONDS]: two threads throw C++ exceptions through 4 frames that burn CPU and catch
 * them in a loop for SECONDS (default 1). Exits 0 if every exception was caught where
 * expected.
 */
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <pthread.h>
#include <stdexcept>

#include "../spin.h"

static int64_t end_ns;	// set once in main before the threads start
static std::atomic<long> caught, wrong;

static void __attribute__((noinline)) thrower(int depth, long i)
{
	SPIN_CPU(20000);
	if (depth < 0)
		return;
	if (depth == 0)
		throw std::runtime_error("cxxexc");
	thrower(depth - 1, i);
	asm volatile("" ::: "memory");	// no tail call
}

static void *worker(void *arg)
{
	for (long i = 0; mono_ns() < end_ns; i++) {
		try {
			thrower(4, i);
			wrong++;
		} catch (const std::runtime_error &e) {
			caught++;
		} catch (...) {
			wrong++;
		}
	}
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t t[2];

	end_ns = mono_ns() + secs_ns(argc > 1 ? argv[1] : nullptr, 1.0);
	for (auto &th : t)
		pthread_create(&th, nullptr, worker, nullptr);
	for (auto &th : t)
		pthread_join(th, nullptr);
	std::printf("cxxexc caught %ld, wrong %ld\n", caught.load(), wrong.load());
	return wrong == 0 && caught > 0 ? 0 : 1;
}
