// SPDX-License-Identifier: MIT
/*
 * jitcode.c - a tiny JIT: copies a counting loop (x86-64 machine code) into two anonymous
 * executable regions, names them the way JIT runtimes do, and burns CPU in them 2:1. Knows
 * nothing of xprof. Usage: jitcode MODE [SECONDS] (default 0.6 s of CPU per thread, in
 * whole rounds of 0.15 s).
 *
 * Region A is mapped writable, filled, then made executable with mprotect (as V8 does);
 * region B is mapped writable and executable at once (as HotSpot's code cache is). Two
 * threads each run rounds of A for 100 ms of their CPU, then B for 50 ms, so A gets 2/3 of
 * their CPU (the rest, clock reads between calls, is under 1 %). Names, by MODE:
 *	map	/tmp/perf-PID.map names A (its first line, "old_alpha", is overridden by a later
 *		"jit_alpha") and B ("jit_beta"); truncated first, as V8 opens it
 *	dump	the map names A; a jitdump ./jit-PID.dump names B, mapped executable as the
 *		jitdump protocol asks; then a fork child burns in A alone (named by its
 *		parent's map)
 *	bad	as dump, with garbage lines in the map (lines 2-6) and a truncated last
 *		jitdump record
 *	stale	writes /tmp/perf-PID.map with two lines naming memory that is not there, then
 *		execs itself in mode `append`, which appends its own lines (as CPython does):
 *		the first two lines are an earlier process's
 *	leave	writes a map, then execs itself in mode `plain`, which neither makes code nor
 *		touches the map: the map is not that image's
 *	plain	burns CPU in C only
 *	remap	maps the page of its own executable that holds remap_spin a second time, as
 *		V8 maps the builtins in the node binary, and burns in that copy; then unmaps it,
 *		makes JIT code at the same address ("jit_after", in the map) and burns half as
 *		long there
 * stdout: "pid PID MODE" for each process image and fork child.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spin.h"

#define CODE_SIZE	64
#define CHUNK		200000L		/* loop counts per call: about 100 us */
#define PHASE_NS	50000000L	/* CPU per phase: B runs one, A two, per round */

/* mov %rdi,%rax; 1: dec %rax; jnz 1b; ret */
static const unsigned char loop_code[] = { 0x48, 0x89, 0xf8, 0x48, 0xff, 0xc8, 0x75, 0xfb, 0xc3 };

typedef long (*loop_fn)(long);

static loop_fn fn_a, fn_b;
static int64_t burn_ns;

static void *region(int direct)
{
	int prot = PROT_READ | PROT_WRITE | (direct ? PROT_EXEC : 0);
	unsigned char *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	memset(p, 0xcc, CODE_SIZE);
	memcpy(p, loop_code, sizeof(loop_code));
	if (!direct && mprotect(p, 4096, PROT_READ | PROT_EXEC) != 0) {
		perror("mprotect");
		exit(1);
	}
	return p;
}

static void put(int fd, const void *p, size_t n)
{
	if (write(fd, p, n) != (ssize_t)n) {
		perror("write");
		exit(1);
	}
}

static void line(int fd, const void *addr, const char *name)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "%lx %x %s\n", (unsigned long)addr, CODE_SIZE, name);

	put(fd, buf, (size_t)n);
}

static int open_map(int append)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

static void garbage(int fd)
{
	static const char nul_line[] = "7f00\0\0 10 torn\n";

	put(fd, "this is not a map line\n", 23);
	put(fd, "12345\n", 6);
	put(fd, "0x10 0x20\n", 10);
	put(fd, nul_line, sizeof(nul_line) - 1);
	put(fd, "ffffffffffffff00 200 wraps\n", 27);
}

static uint64_t mono(void)
{
	return (uint64_t)mono_ns();
}

/* The jitdump of perf's specification: header, one code load for B, maybe a cut record. */
static void jitdump(int cut)
{
	char path[64];
	uint32_t hdr[6] = { 0x4A695444u, 1, 40, 62, 0, (uint32_t)getpid() };
	uint64_t ts = mono(), flags = 0;
	const char name[] = "jit_beta";
	uint32_t rec[4] = { 0, (uint32_t)(16 + 40 + sizeof(name) + CODE_SIZE), 0, 0 };
	uint32_t ids[2] = { (uint32_t)getpid(), (uint32_t)getpid() };
	uint64_t load[4] = { (uint64_t)fn_b, (uint64_t)fn_b, CODE_SIZE, 1 };
	uint32_t cutrec[4] = { 0, 1000, 0, 0 };
	int fd;

	snprintf(path, sizeof(path), "jit-%d.dump", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	put(fd, hdr, sizeof(hdr));
	put(fd, &ts, 8);
	put(fd, &flags, 8);
	/* The protocol: map the file executable so that a profiler sees its path. */
	if (mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) == MAP_FAILED) {
		perror("mmap jitdump");
		exit(1);
	}
	memcpy(&rec[2], &ts, 8);
	put(fd, rec, sizeof(rec));
	put(fd, ids, sizeof(ids));
	put(fd, load, sizeof(load));
	put(fd, name, sizeof(name));
	put(fd, (const void *)fn_b, CODE_SIZE);
	if (cut) {
		put(fd, cutrec, sizeof(cutrec));
		put(fd, "short", 5);
	}
	close(fd);
}

/* Runs fn for ns of this thread's CPU. Long phases, timed by the CPU clock: the split is 2:1
 * by construction, and a sampler errs only on the samples near the phases' ends. */
static void phase(loop_fn fn, int64_t ns)
{
	int64_t end = thread_cpu_ns() + ns;

	while (thread_cpu_ns() < end)
		fn(CHUNK);
}

/* Whole rounds only: a last round cut short would give A more than its 2/3. */
static void *burner(void *arg)
{
	int64_t rounds = burn_ns / (3 * PHASE_NS);

	(void)arg;
	for (int64_t r = 0; r < (rounds > 0 ? rounds : 1); r++) {
		phase(fn_a, 2 * PHASE_NS);
		phase(fn_b, PHASE_NS);
	}
	return NULL;
}

/* The fork child burns in A only: code it inherited, named in its parent's map. */
static void fork_child(void)
{
	pid_t pid = fork();
	int st;

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		printf("pid %d child\n", (int)getpid());
		fflush(stdout);
		phase(fn_a, burn_ns / 2);
		_exit(0);
	}
	waitpid(pid, &st, 0);
}

static void run_jit(const char *mode)
{
	int dump = !strcmp(mode, "dump") || !strcmp(mode, "bad");
	int fd = open_map(!strcmp(mode, "append"));
	pthread_t t[2];

	fn_a = (loop_fn)region(0);
	fn_b = (loop_fn)region(1);
	line(fd, (const void *)fn_a, "old_alpha");
	if (!strcmp(mode, "bad"))
		garbage(fd);
	if (!dump)
		line(fd, (const void *)fn_b, "jit_beta");
	line(fd, (const void *)fn_a, "jit_alpha");
	close(fd);
	if (dump)
		jitdump(!strcmp(mode, "bad"));
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, burner, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	if (dump)
		fork_child();
}

/* A leaf loop with no reference to data, so that a copy at another address runs alike. */
__attribute__((noinline, aligned(64))) long remap_spin(long n)
{
	long x = n;

	while (x-- > 0)
		__asm__ volatile("" : "+r"(x));	/* a loop the compiler keeps */
	return x;
}

/* The executable's mapping that holds addr: its start and file offset, from /proc/self/maps. */
static int exe_mapping(uintptr_t addr, uintptr_t *lo, unsigned long *off)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f)) {
		unsigned long a, b;

		found = sscanf(line, "%lx-%lx %*4s %lx", &a, &b, off) == 3 && addr >= a && addr < b;
		*lo = a;
	}
	if (f)
		fclose(f);
	return found;
}

static void run_remap(void)
{
	uintptr_t fn = (uintptr_t)remap_spin, lo, page = fn & ~(uintptr_t)4095;
	unsigned long off;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), mfd;
	unsigned char *copy;
	int64_t end;

	if (fd < 0 || !exe_mapping(fn, &lo, &off)) {
		perror("own text");
		exit(1);
	}
	copy = mmap(NULL, 8192, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd,
		    (off_t)(off + (page - lo)));
	close(fd);
	if (copy == MAP_FAILED) {
		perror("mmap copy");
		exit(1);
	}
	fn_a = (loop_fn)(void *)(copy + (fn - page));
	end = thread_cpu_ns() + 2 * burn_ns / 3;
	while (thread_cpu_ns() < end)
		fn_a(CHUNK / 4);
	munmap(copy, 8192);
	/* JIT code where the copy was: the copy's name must not outlive it. */
	if (mmap(copy, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != copy) {
		perror("mmap jit");
		exit(1);
	}
	memcpy(copy, loop_code, sizeof(loop_code));
	fn_b = (loop_fn)(void *)copy;
	mfd = open_map(0);
	line(mfd, copy, "jit_after");
	close(mfd);
	phase(fn_b, burn_ns / 3);
}

/* Writes a map for the image that follows (the same pid), then execs it. */
static void exec_next(char **argv, const char *next, const char *secs)
{
	int fd = open_map(0);

	line(fd, (const void *)0x100000, "stale_one");
	line(fd, (const void *)0x200000, "stale_two");
	close(fd);
	fflush(stdout);
	execl("/proc/self/exe", argv[0], next, secs, (char *)NULL);
	perror("exec");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "map", *secs = argc > 2 ? argv[2] : "0.6";

	burn_ns = secs_ns(secs, 0.6);
	printf("pid %d %s\n", (int)getpid(), mode);
	fflush(stdout);
	if (!strcmp(mode, "stale"))
		exec_next(argv, "append", secs);
	if (!strcmp(mode, "leave"))
		exec_next(argv, "plain", secs);
	if (!strcmp(mode, "plain")) {
		SPIN_CPU(burn_ns);
		return 0;
	}
	if (!strcmp(mode, "remap")) {
		run_remap();
		return 0;
	}
	if (strcmp(mode, "map") && strcmp(mode, "dump") && strcmp(mode, "bad") &&
	    strcmp(mode, "append")) {
		fprintf(stderr, "jitcode: unknown mode %s\n", mode);
		return 64;
	}
	run_jit(mode);
	return 0;
}
