// SPDX-License-Identifier: MIT
/*
 * sched.c - the kernel's scheduler figures of a thread, for XPF_REC_SCHED: time on a CPU,
 * time runnable but waiting for one (the run queue), timeslices, from schedstat; voluntary
 * and involuntary context switches, from getrusage(RUSAGE_THREAD) for the calling thread
 * and from /proc/self/task/TID/status for another one (at exit).
 *
 * AS-safe throughout: raw open/read/close system calls (not the interposed, cancellable
 * wrappers), no stdio, no allocation; the buffers are on the caller's stack (a status file
 * is 1.5 KiB: read in pieces into 512 bytes, only the two lines wanted are kept).
 * Costs 4-8 us (two procfs files), once a second per running thread.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xprof-int.h"

/* AS-safe: a procfs file opened with the raw system call. */
static int proc_open(const char *path)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
}

static ssize_t proc_read(int fd, char *buf, size_t n)
{
	return (ssize_t)syscall(SYS_read, fd, buf, n);
}

static void proc_close(int fd)
{
	syscall(SYS_close, fd);
}

/* AS-safe: "/proc/self/task/TID/" + name into buf. */
static void task_path(char *buf, size_t cap, pid_t tid, const char *name)
{
	static const char pre[] = "/proc/self/task/";
	char num[12];
	size_t k = 0, at = sizeof(pre) - 1, len = strlen(name);
	unsigned v = (unsigned)tid;

	memcpy(buf, pre, at);
	do
		num[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < sizeof(num));
	while (k && at + 1 < cap)
		buf[at++] = num[--k];
	if (at + 1 + len + 1 <= cap) {
		buf[at++] = '/';
		memcpy(buf + at, name, len);
		at += len;
	}
	buf[at] = '\0';
}

/* AS-safe: a decimal number at *s (s < end); advances past it. 0 if there is none. */
static int get_dec(const char **s, const char *end, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p < '0' || *p > '9')
		return 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	*out = v;
	*s = p;
	return 1;
}

/* AS-safe, pure: see declaration. */
int sched_parse_stat(const char *s, size_t n, struct xp_sched *out)
{
	const char *end = s + n;

	if (!get_dec(&s, end, &out->on_cpu_ns) || !get_dec(&s, end, &out->run_delay_ns) ||
	    !get_dec(&s, end, &out->timeslices))
		return -1;
	return 0;
}

/* AS-safe, pure: the number after "name:" at the start of a line in s, or -1. */
static int status_field(const char *s, size_t n, const char *name, uint64_t *out)
{
	size_t len = strlen(name);
	const char *end = s + n;

	for (const char *p = s; p + len < end; p++) {
		if ((p == s || p[-1] == '\n') && !memcmp(p, name, len) && p[len] == ':') {
			p += len + 1;
			return get_dec(&p, end, out) ? 0 : -1;
		}
	}
	return -1;
}

/* AS-safe, pure: see declaration. */
int sched_parse_status(const char *s, size_t n, struct xp_sched *out)
{
	if (status_field(s, n, "voluntary_ctxt_switches", &out->nvcsw) ||
	    status_field(s, n, "nonvoluntary_ctxt_switches", &out->nivcsw))
		return -1;
	return 0;
}

/* AS-safe: the context-switch lines of another thread's status file, read in pieces: each
 * full piece is searched, then only its unfinished last line is kept for the next. */
static void status_read(pid_t tid, struct xp_sched *s)
{
	char path[64], buf[512];
	size_t have = 0;
	ssize_t r;
	int fd;

	task_path(path, sizeof(path), tid, "status");
	fd = proc_open(path);
	if (fd < 0)
		return;
	while ((r = proc_read(fd, buf + have, sizeof(buf) - have)) > 0) {
		const char *nl;
		size_t keep;

		have += (size_t)r;
		if (have < sizeof(buf))
			continue;
		status_field(buf, have, "voluntary_ctxt_switches", &s->nvcsw);
		status_field(buf, have, "nonvoluntary_ctxt_switches", &s->nivcsw);
		nl = memrchr(buf, '\n', have);
		keep = nl ? have - (size_t)(nl + 1 - buf) : 0;
		memmove(buf, buf + have - keep, keep);
		have = keep;
	}
	proc_close(fd);
	status_field(buf, have, "voluntary_ctxt_switches", &s->nvcsw);
	status_field(buf, have, "nonvoluntary_ctxt_switches", &s->nivcsw);
}

/* AS-safe: see declaration. */
int sched_read(pid_t tid, struct xp_sched *s)
{
	char path[64], buf[128];
	ssize_t r;
	int fd;

	memset(s, 0, sizeof(*s));
	if (tid)
		task_path(path, sizeof(path), tid, "schedstat");
	fd = proc_open(tid ? path : "/proc/thread-self/schedstat");
	if (fd < 0)
		return -1;
	r = proc_read(fd, buf, sizeof(buf));
	proc_close(fd);
	if (r <= 0 || sched_parse_stat(buf, (size_t)r, s) != 0)
		return -1;
	if (!tid) {
		struct rusage ru;

		if (syscall(SYS_getrusage, RUSAGE_THREAD, &ru) == 0) {
			s->nvcsw = (uint64_t)ru.ru_nvcsw;
			s->nivcsw = (uint64_t)ru.ru_nivcsw;
		}
	} else {
		status_read(tid, s);
	}
	return 0;
}
