// SPDX-License-Identifier: MIT
/*
 * offcpu.c - known waits and known behaviour of blocking calls, for the off-CPU tests.
 *
 *	offcpu known	main holds a mutex and burns 300 ms of CPU, then writes a pipe and
 *			unlocks; meanwhile one thread sleeps 300 ms (nanosleep), one waits in
 *			read() on the pipe, one waits for the mutex: as long as main burned
 *			(its wall time, printed: 300 ms unless it waited for a CPU)
 *	offcpu behave	EINTR from a read interrupted without SA_RESTART, the same read
 *			restarted with it, errno kept across calls that succeed after waiting,
 *			and pthread_cancel at a pthread_cond_wait (cleanup runs with the mutex
 *			held); prints what it saw, the same with and without a profiler
 *	offcpu cpu	two threads and main compute 300 ms; no blocking call at all
 *	offcpu runq	4 threads spin for 1 s of wall time each (on 2 cores: half of it
 *			waiting for a CPU)
 *	offcpu storm S	for S seconds: two threads ping-pong a byte over two pipes, one
 *			calls nanosleep(1 us), two fight over a mutex; prints the blocking
 *			calls made
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spin.h"

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void burn_cpu(double s)
{
	SPIN_CPU((int64_t)(s * 1e9));
}

/* A little work between clock reads. */
static void spin(int n)
{
	static volatile unsigned sink;

	for (int i = 0; i < n; i++)
		sink += (unsigned)i;
}

static void must(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "offcpu: %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

/* ---- known ---- */

static pthread_mutex_t known_m = PTHREAD_MUTEX_INITIALIZER;
static int known_pipe[2];

static void *sleeper(void *a)
{
	struct timespec ts = { 0, 300000000 };

	must(nanosleep(&ts, NULL) == 0, "nanosleep");
	return a;
}

static void *reader(void *a)
{
	char c;

	must(read(known_pipe[0], &c, 1) == 1, "read");
	return a;
}

static void *locker(void *a)
{
	pthread_mutex_lock(&known_m);
	pthread_mutex_unlock(&known_m);
	return a;
}

static int known(void)
{
	pthread_t th[3];
	void *(*fn[3])(void *) = { sleeper, reader, locker };
	double t0, wall;

	must(pipe(known_pipe) == 0, "pipe");
	pthread_mutex_lock(&known_m);
	for (int i = 0; i < 3; i++)
		must(pthread_create(&th[i], NULL, fn[i], NULL) == 0, "pthread_create");
	t0 = mono();
	burn_cpu(0.3);
	must(write(known_pipe[1], "x", 1) == 1, "write");
	pthread_mutex_unlock(&known_m);
	wall = mono() - t0;
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	printf("burn wall %.0f ns\n", wall * 1e9);
	return 0;
}

/* ---- behave ---- */

static void on_usr1(int sig)
{
	(void)sig;
}

struct kick {
	pthread_t target;
	int fd;			/* write a byte here after the signal (-1: none) */
};

static void *kicker(void *p)
{
	struct kick *k = p;
	struct timespec ts = { 0, 100000000 };

	nanosleep(&ts, NULL);
	pthread_kill(k->target, SIGUSR1);
	if (k->fd >= 0) {
		nanosleep(&ts, NULL);
		must(write(k->fd, "y", 1) == 1, "write");
	}
	return NULL;
}

/* A read of an empty pipe, interrupted by SIGUSR1 after 100 ms; with restart, the byte
 * written 100 ms after the signal ends it. */
static void interrupted_read(int restart)
{
	struct sigaction sa;
	struct kick k = { pthread_self(), -1 };
	pthread_t th;
	int p[2], err;
	ssize_t r;
	char c;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = restart ? SA_RESTART : 0;
	must(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
	must(pipe(p) == 0, "pipe");
	k.fd = restart ? p[1] : -1;
	must(pthread_create(&th, NULL, kicker, &k) == 0, "pthread_create");
	errno = 0;
	r = read(p[0], &c, 1);
	err = errno;
	pthread_join(th, NULL);
	printf("read %s SA_RESTART: returned %zd, errno %s\n", restart ? "with" : "without", r,
	       err == EINTR ? "EINTR" : err ? strerror(err) : "0");
	close(p[0]);
	close(p[1]);
}

static pthread_mutex_t cm;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static atomic_int waiting, cleanup_unlock = -1;

static void cleanup(void *a)
{
	/* An error-checking mutex: unlock succeeds only if this thread holds it. */
	cleanup_unlock = pthread_mutex_unlock(&cm);
	(void)a;
}

static void *cond_waiter(void *a)
{
	pthread_mutex_lock(&cm);
	pthread_cleanup_push(cleanup, NULL);
	waiting = 1;
	for (;;)
		pthread_cond_wait(&cv, &cm);
	pthread_cleanup_pop(0);
	return a;
}

static void cancel_at_cond_wait(void)
{
	pthread_mutexattr_t at;
	struct timespec ts = { 0, 50000000 };
	pthread_t th;
	void *ret;

	pthread_mutexattr_init(&at);
	pthread_mutexattr_settype(&at, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&cm, &at);
	must(pthread_create(&th, NULL, cond_waiter, NULL) == 0, "pthread_create");
	while (!waiting)
		nanosleep(&ts, NULL);
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&cm);	/* the waiter is inside pthread_cond_wait now */
	pthread_mutex_unlock(&cm);
	pthread_cancel(th);
	pthread_join(th, &ret);
	printf("cancel at pthread_cond_wait: %s, cleanup unlock %s\n",
	       ret == PTHREAD_CANCELED ? "cancelled" : "not cancelled",
	       cleanup_unlock == 0 ? "ok (mutex was held)" : strerror(cleanup_unlock));
}

static sem_t sem;

static void *poster(void *a)
{
	struct timespec ts = { 0, 50000000 };

	nanosleep(&ts, NULL);
	sem_post(&sem);
	return a;
}

/* errno is what the program left in it when the calls succeed, waiting or not. */
static void errno_kept(void)
{
	pthread_t th;
	char c;
	int fd[2], e1, e2, e3;

	must(pipe(fd) == 0 && write(fd[1], "z", 1) == 1, "pipe");
	errno = 1234;
	must(read(fd[0], &c, 1) == 1, "read");
	e1 = errno;
	sem_init(&sem, 0, 0);
	must(pthread_create(&th, NULL, poster, NULL) == 0, "pthread_create");
	errno = 4321;
	must(sem_wait(&sem) == 0, "sem_wait");
	e2 = errno;
	pthread_join(th, NULL);
	errno = 0;
	e3 = read(-1, &c, 1) == -1 ? errno : 0;
	printf("errno after read %d, after a waiting sem_wait %d, read(-1) %s\n", e1, e2,
	       e3 == EBADF ? "EBADF" : strerror(e3));
	close(fd[0]);
	close(fd[1]);
}

static int behave(void)
{
	interrupted_read(0);
	interrupted_read(1);
	errno_kept();
	cancel_at_cond_wait();
	return fflush(stdout) ? 1 : 0;
}

/* ---- cpu, runq ---- */

static atomic_int done;
static double spin_wall;

static void *computer(void *a)
{
	if (spin_wall > 0) {
		double end = mono() + spin_wall;

		while (mono() < end)
			spin(1000);
	} else {
		burn_cpu(0.3);
	}
	done++;
	return a;
}

/* The threads are never joined (pthread_join would be a blocking call): main waits by
 * spinning on a counter. */
static int compute(int n, double wall, int main_too)
{
	pthread_attr_t at;
	pthread_t th;

	spin_wall = wall;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < n; i++)
		must(pthread_create(&th, &at, computer, NULL) == 0, "pthread_create");
	if (main_too)
		burn_cpu(0.3);
	while (done < n)
		spin(1000);
	return 0;
}

/* ---- storm ---- */

static double storm_end;
static int ping[2], pong[2];
static pthread_mutex_t storm_m = PTHREAD_MUTEX_INITIALIZER;
static atomic_long storm_calls;

static void *pinger(void *a)
{
	long n = 0;
	char c = 0;

	while (mono() < storm_end) {
		must(write(ping[1], &c, 1) == 1, "write");
		must(read(pong[0], &c, 1) == 1, "read");
		n += 2;
	}
	c = 1;
	must(write(ping[1], &c, 1) == 1, "write");
	storm_calls += n;
	return a;
}

static void *ponger(void *a)
{
	long n = 0;
	char c;

	for (;;) {
		must(read(ping[0], &c, 1) == 1, "read");
		n++;
		if (c)
			break;
		must(write(pong[1], &c, 1) == 1, "write");
		n++;
	}
	storm_calls += n;
	return a;
}

static void *napper(void *a)
{
	struct timespec ts = { 0, 1000 };
	long n = 0;

	while (mono() < storm_end) {
		nanosleep(&ts, NULL);
		n++;
	}
	storm_calls += n;
	return a;
}

static void *fighter(void *a)
{
	long n = 0;

	while (mono() < storm_end) {
		pthread_mutex_lock(&storm_m);
		spin(200);
		pthread_mutex_unlock(&storm_m);
		n++;
	}
	storm_calls += n;
	return a;
}

static int storm(double secs)
{
	void *(*fn[5])(void *) = { pinger, ponger, napper, fighter, fighter };
	pthread_t th[5];

	must(pipe(ping) == 0 && pipe(pong) == 0, "pipe");
	storm_end = mono() + secs;
	for (int i = 0; i < 5; i++)
		must(pthread_create(&th[i], NULL, fn[i], NULL) == 0, "pthread_create");
	for (int i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	printf("storm calls %ld per second %.0f\n", (long)storm_calls, storm_calls / secs);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "known"))
		return known();
	if (!strcmp(mode, "behave"))
		return behave();
	if (!strcmp(mode, "cpu"))
		return compute(2, 0, 1);
	if (!strcmp(mode, "runq"))
		return compute(4, 1.0, 0);
	if (!strcmp(mode, "storm"))
		return storm(argc > 2 ? atof(argv[2]) : 2.0);
	fprintf(stderr, "usage: offcpu known|behave|cpu|runq|storm [SECONDS]\n");
	return 2;
}
