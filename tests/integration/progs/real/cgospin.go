// SPDX-License-Identifier: MIT

// cgospin [WORKERS]: a cgo Go program with goroutines on several OS threads. WORKERS
// goroutines (default 4) each lock themselves to an OS thread and alternate a pure-Go loop
// (goBurn) with a C loop called through cgo (c_burn) for a fixed amount of work; meanwhile
// 64 free goroutines recurse deeply (their stacks grow and move) and allocate, so the
// scheduler, the stack copier and the garbage collector run on other threads. GOMAXPROCS is
// at least 2.
//
// stdout: the number of workers and a checksum of the work, identical from run to run.
// stderr: "tid N" for each worker's OS thread and, at the end, "threads N", the number of
// OS threads of the process (Go does not end its threads, so this is every thread it made).
package main

/*
#include <stdint.h>

// A C loop that cgo calls from the goroutines: a linear congruential generator, n steps.
static uint64_t c_burn(uint64_t seed, uint64_t n)
{
	uint64_t x = seed;

	for (uint64_t i = 0; i < n; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
)

const rounds = 40

// goBurn is the pure-Go half of a worker's loop (a xorshift generator, n steps).
//
//go:noinline
func goBurn(seed uint64, n int) uint64 {
	x := seed | 1
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// deep recurses `depth` frames with a local array in each, so that the goroutine's stack
// grows several times (morestack, stack copying) while it runs.
//
//go:noinline
func deep(depth int, acc uint64) uint64 {
	var pad [64]uint64
	pad[depth%64] = acc
	if depth == 0 {
		return goBurn(acc, 2000) + pad[0]
	}
	return deep(depth-1, acc*31+uint64(depth)) ^ pad[depth%64]
}

func worker(id int, tids chan<- int, out *uint64, wg *sync.WaitGroup) {
	defer wg.Done()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tids <- syscall.Gettid()
	x := uint64(id + 1)
	for r := 0; r < rounds; r++ {
		x = goBurn(x, 1500000)
		x = uint64(C.c_burn(C.uint64_t(x), 3000000))
	}
	*out = x
}

func churn(id int, out *uint64, wg *sync.WaitGroup) {
	defer wg.Done()
	var keep [][]byte
	x := uint64(id)
	for r := 0; r < 20; r++ {
		x = deep(2000, x)
		keep = append(keep, make([]byte, 64<<10))
		if len(keep) > 8 {
			keep = keep[1:]
		}
	}
	*out = x
}

func threads() int {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return -1
	}
	return len(ents)
}

func main() {
	n := 4
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	tids := make(chan int, n)
	res := make([]uint64, n+64)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go worker(i, tids, &res[i], &wg)
	}
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go churn(i, &res[n+i], &wg)
	}
	wg.Wait()
	close(tids)
	for t := range tids {
		fmt.Fprintf(os.Stderr, "tid %d\n", t)
	}
	var sum uint64
	for _, v := range res {
		sum ^= v
	}
	fmt.Printf("workers %d\nchecksum %016x\n", n, sum)
	fmt.Fprintf(os.Stderr, "threads %d\n", threads())
}
