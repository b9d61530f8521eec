// SPDX-License-Identifier: MIT
/*
 * wait.c - the kernel's own figure for a child's CPU, taken when the program reaps it.
 *
 * An image's CPU as it records it ends at its end record; what the kernel spends after that
 * (exit_group, unmapping the address space, closing files) belongs to the process too, and in
 * a shell loop of short children it was a tenth of the tree's CPU. No one inside the process
 * can measure it; its parent can: wait4's rusage is the child's whole CPU, with that of the
 * children it reaped. So every reap by the program records REAP (pid, status, that CPU) and
 * the analyzer gives each process exactly the kernel's figure.
 *
 * wait, waitpid, wait3 and wait4 all go through the real wait4 with a rusage of ours when the
 * program passed none: the same system call, the same cancellation point, the same result
 * and errno. waitid has no rusage in libc's interface: its reaps are measured as the change
 * in getrusage(RUSAGE_CHILDREN) across the call (exact unless two threads reap at once).
 * Each is also a blocking call, timed for off-CPU profiles like those of blocking.c (with
 * the coarse clock: WNOHANG and children already gone return at once) and counted under
 * its own name.
 * All interposers here are AS-safe (POSIX lets handlers call wait and waitpid): a record on
 * the calling thread's own state, or nothing.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "blocking.h"

static uint64_t ru_cpu(const struct rusage *ru)
{
	return (uint64_t)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000000ull +
	       (uint64_t)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1000ull;
}

/* AS-safe: one REAP record, if the child really ended (not stopped or continued). */
static void reaped(pid_t pid, int status, uint64_t cpu)
{
	struct xp_thread *t;
	uint64_t nums[3] = { (uint64_t)pid, (uint64_t)(int64_t)status, cpu };

	if (pid <= 0 || !(WIFEXITED(status) || WIFSIGNALED(status)) || !xp.active ||
	    !process_is_self() || !(t = thread_mine()))
		return;
	XP_BUSY(t, rec_fields(t, XPF_REC_REAP, nums, 3, NULL, NULL, 0));
}

/* AS-safe: every wait but waitid, as wait4 with our rusage; ra is the program's return
 * address for the off-CPU record. */
static pid_t wait_any(unsigned call, pid_t pid, int *status, int options, struct rusage *ru,
		      void *ra)
{
	struct xp_thread *t = blk_thread();
	struct rusage mine;
	int st = 0, saved;
	uint64_t c0 = 0;
	pid_t r;

	if (t) {
		blk_count(t, call);
		c0 = blk_coarse();
	}
	r = REAL(wait4)(pid, status ? status : &st, options, ru ? ru : &mine);
	if (t)
		blk_coarse_end(t, call, c0, ra);
	if (r > 0) {
		saved = errno;
		reaped(r, status ? *status : st, ru_cpu(ru ? ru : &mine));
		errno = saved;
	}
	return r;
}

XP_API pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	return wait_any(XPF_CALL_WAIT4, pid, status, options, ru, __builtin_return_address(0));
}

XP_API pid_t waitpid(pid_t pid, int *status, int options)
{
	return wait_any(XPF_CALL_WAITPID, pid, status, options, NULL,
			__builtin_return_address(0));
}

XP_API pid_t wait(int *status)
{
	return wait_any(XPF_CALL_WAIT, -1, status, 0, NULL, __builtin_return_address(0));
}

XP_API pid_t wait3(int *status, int options, struct rusage *ru)
{
	return wait_any(XPF_CALL_WAIT3, -1, status, options, ru, __builtin_return_address(0));
}

XP_API int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	struct rusage before, after;
	struct xp_thread *t = blk_thread();
	int r, saved, status;
	int measure = xp.active && !(options & WNOWAIT) && info;
	uint64_t c0 = 0;

	if (measure)
		getrusage(RUSAGE_CHILDREN, &before);
	if (t) {
		blk_count(t, XPF_CALL_WAITID);
		c0 = blk_coarse();
	}
	r = REAL(waitid)(idtype, id, info, options);
	if (t)
		blk_coarse_end(t, XPF_CALL_WAITID, c0, __builtin_return_address(0));
	if (r != 0 || !measure || info->si_pid <= 0)
		return r;
	saved = errno;
	getrusage(RUSAGE_CHILDREN, &after);
	status = info->si_code == CLD_EXITED ? W_EXITCODE(info->si_status, 0) :
		 info->si_code == CLD_KILLED || info->si_code == CLD_DUMPED ?
						  info->si_status : -1;
	if (status != -1 && ru_cpu(&after) >= ru_cpu(&before))
		reaped(info->si_pid, status, ru_cpu(&after) - ru_cpu(&before));
	errno = saved;
	return r;
}
