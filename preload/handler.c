// SPDX-License-Identifier: MIT
/*
 * handler.c - the sampling signal handler: one sample of the interrupted thread.
 *
 * Runs in signal context on the thread whose CPU clock fired. Everything reachable from
 * on_signal() is AS-safe: no malloc, no stdio, no locks; errno is saved and restored; the
 * only shared writes are atomics in out.c. The unwinder is libunwind's fast trace path
 * (unw_backtrace), which caches frame kinds per address and, once warm, reads only the
 * stack; it is started from the handler's own frame and walks through the kernel's signal
 * frame, so we drop the frames above the interrupted pc.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include <libunwind.h>

#include "xprof-int.h"

#define XP_MIN_STACK (24 * 1024)	/* what libunwind needs, with margin */

/* The unwind gate (see xprof-int.h): closers counted, handlers inside counted. */
static _Atomic int gate_closed;
static _Atomic int unwinding;

void handler_gate_close(void)
{
	atomic_fetch_add(&gate_closed, 1);
	while (atomic_load(&unwinding))
		sched_yield();
}

void handler_gate_open(void)
{
	atomic_fetch_sub(&gate_closed, 1);
}

void handler_gate_reset(void)
{
	atomic_store(&gate_closed, 0);
	atomic_store(&unwinding, 0);
}

/* AS-safe: enter the gate, or refuse if it is closed. The second check closes the race
 * with a closer that looked at `unwinding` just before our increment. */
static int gate_enter(void)
{
	if (atomic_load(&gate_closed))
		return 0;
	atomic_fetch_add(&unwinding, 1);
	if (atomic_load(&gate_closed)) {
		atomic_fetch_sub(&unwinding, 1);
		return 0;
	}
	return 1;
}

static int in_range(const struct xp_range *r, uintptr_t pc)
{
	return pc >= r->lo && pc < r->hi;
}

/* AS-safe: on a small sigaltstack that is nearly used up we must not unwind. */
static int stack_too_small(const ucontext_t *uc)
{
	char here;
	uintptr_t sp = (uintptr_t)&here, base = (uintptr_t)uc->uc_stack.ss_sp;

	if (!(uc->uc_stack.ss_flags & SS_ONSTACK))
		return 0;
	return sp > base && sp - base < XP_MIN_STACK;
}

/* AS-safe: where the sample may not be taken, the reason; -1 if it may. */
static int must_drop(const struct xp_thread *t, const ucontext_t *uc, uintptr_t pc)
{
	if (t->in_loader || in_range(&xp.loader, pc))
		return XPF_DROP_LOADER;
	if (in_range(&xp.unwinder, pc))
		return XPF_DROP_UNWINDER;
	if (stack_too_small(uc))
		return XPF_DROP_STACK;
	return -1;
}

/* AS-safe: unwinds into t->scratch; returns the index of the interrupted pc's frame and
 * sets *n to the frames from there on, or -1 if the walk did not reach it. */
static int unwind(struct xp_thread *t, uintptr_t pc, uint32_t *n)
{
	uint32_t cap = xp.cfg.depth + XP_SKIP_FRAMES;
	int got = unw_backtrace((void **)t->scratch, (int)cap);

	for (int i = 0; i < got && i < (int)XP_SKIP_FRAMES; i++) {
		if (t->scratch[i] == pc) {
			*n = (uint32_t)(got - i);
			return i;
		}
	}
	return -1;
}

/* AS-safe: how long this sample took, for the handler-time histogram (the cost users pay
 * per sample, reported by the analyzer, measured where it happens). */
static void hist_add(struct xp_thread *t, uint64_t t0)
{
	uint64_t b = (xp_now() - t0) / XP_HIST_NS;

	t->handler_hist[b < XP_HIST_BUCKETS ? b : XP_HIST_BUCKETS - 1]++;
}

/* AS-safe: the thread's CPU clock now. A POSIX CPU-clock timer tells it for free: it fired
 * after 1 + si_overrun intervals of this thread's CPU since the previous expiry, which saves
 * the clock syscall (half a microsecond here). The perf event's overflows can merge into one
 * pending signal, so there we read the clock. */
static uint64_t cpu_now(const struct xp_thread *t, const siginfo_t *si)
{
	if (si->si_code == SI_TIMER)
		return t->last_cpu + (uint64_t)(1 + (unsigned)si->si_overrun) * xp.interval_ns;
	return xp_thread_cpu();
}

/* AS-safe: the CPU this tick stands for (since the previous one), and the new baseline. */
static uint64_t take_weight(struct xp_thread *t, const siginfo_t *si)
{
	uint64_t cpu = cpu_now(t, si), weight = cpu > t->last_cpu ? cpu - t->last_cpu : 0;

	t->last_cpu = cpu;
	return weight;
}

/* AS-safe: one sample of the interrupted context, weighing `weight` ns of CPU. Called with
 * t->busy set. */
static void sample_take(struct xp_thread *t, uint64_t weight, ucontext_t *uc)
{
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	uint64_t now = xp_now();
	unsigned flags = XPF_SF_LEAF_EXACT;
	uint32_t n = 0;
	int why, at;

	if (atomic_load_explicit(&xp.stopped, memory_order_relaxed)) {
		/* Nothing more can be written, but the ticks go on being counted (cheaply) so
		 * that the file still says how much CPU went unsampled. */
		rec_drop(t, XPF_DROP_NOSPACE, weight);
		return;
	}
	why = must_drop(t, uc, pc);
	if (why >= 0) {
		rec_drop(t, why, weight);
		return;
	}
	if (!gate_enter()) {
		rec_drop(t, XPF_DROP_LOADER, weight);
		return;
	}
	t->unwind_armed = 1;
	if (sigsetjmp(t->unwind_jb, 0) == 0)	/* no mask save: a syscall per sample */
		at = unwind(t, pc, &n);
	else
		at = -1;		/* a fault in unwinding: see the guard in sigctl.c */
	t->unwind_armed = 0;
	atomic_fetch_sub(&unwinding, 1);
	if (at < 0) {
		/* No unwind info at the pc: keep the pc alone, marked partial. */
		t->scratch[0] = pc;
		at = 0;
		n = 1;
		flags |= XPF_SF_PARTIAL;
	} else if (n > xp.cfg.depth) {
		n = xp.cfg.depth;
		flags |= XPF_SF_TRUNCATED;
	} else if ((uint32_t)at + n == xp.cfg.depth + XP_SKIP_FRAMES) {
		flags |= XPF_SF_TRUNCATED;	/* the walk stopped at our cap */
	}
	rec_sample(t, now, weight, flags, t->scratch + at, n);
	hist_add(t, now);
}

/* AS-safe: a tick of ours that arrives after its thread's timer was disarmed (it was already
 * pending). Perf overflow signals are the only POLL_IN-coded ones a program can get on our
 * signal, unless it set up F_SETSIG on its own descriptors with our signal, which we accept
 * to misjudge rather than let a late tick kill the program with the default action. */
static int is_stale_tick(const siginfo_t *si)
{
	return si->si_code == POLL_IN ||
	       (si->si_code == SI_TIMER && si->si_value.sival_ptr == (void *)&xp);
}

/* AS-safe: no malloc, locks or stdio; errno kept; re-entry counted, never nested. */
static void on_signal(int sig, siginfo_t *si, void *ucv)
{
	int saved = errno;
	struct xp_thread *t = xp_self;

	if (!handler_is_ours(si, t)) {
		if (!is_stale_tick(si))
			sigctl_forward(sig, si, ucv);
		errno = saved;
		return;
	}
	if (t->busy) {
		rec_drop(t, XPF_DROP_BUSY, take_weight(t, si));
	} else {
		t->busy = 1;
		sample_take(t, take_weight(t, si), ucv);
		t->busy = 0;
	}
	errno = saved;
}

/* AS-safe: perf overflow signals carry POLL_IN and the event's fd; our POSIX timers carry
 * SI_TIMER and &xp as their value. Anything else was sent by someone else. */
int handler_is_ours(const siginfo_t *si, const struct xp_thread *t)
{
	if (!t || t->tid == 0)
		return 0;
	if (si->si_code == SI_TIMER)
		return si->si_value.sival_ptr == (void *)&xp;
	return si->si_code == POLL_IN && t->timer_fd >= 0 && si->si_fd == t->timer_fd_sig;
}

/* Not AS-safe: see declaration. SA_RESTART so that the program's blocking calls behave as
 * without us; no SA_ONSTACK so that we run on the thread's big stack when we can. */
int handler_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigctl_real_sigaction(xp.cfg.signo, &sa, NULL) != 0)
		return -errno;
	return 0;
}
