// SPDX-License-Identifier: MIT
/*
 * handler.c - the sampling signal handler: one sample of the interrupted thread.
 *
 * Runs in signal context on the thread whose CPU clock fired. Everything reachable from
 * on_signal() is AS-safe: no malloc, no stdio, no locks; errno is saved and restored; the
 * only shared writes are atomics in out.c.
 *
 * Stacks. The handler is installed with SA_ONSTACK, so the kernel puts its signal frame where
 * the runtime wants it: Go's gsignal stack on every Go thread (Go's os/signal documentation
 * requires SA_ONSTACK of every non-Go handler, because a goroutine stack has a few KiB and no
 * guard page), Rust's per-thread altstack, a program's own SIGSTKSZ altstack, or the thread's
 * stack when it has none. On that stack on_signal() uses its own frame only; the unwind and
 * the record run on the thread's private stack (XP_STACK_BYTES, mmap'ed with a guard page),
 * reached through xp_call_on_stack(). Measured (gcc 12.2 -O2, libunwind 1.6.2, x86_64):
 * on_signal's frame is 80 bytes by gcc -fstack-usage, and every thread records at its end
 * what it used (XPF_REC_STACK_USE): 88 bytes of the delivery stack including the switch
 * frame, under a kernel signal frame of 3,192 bytes on this AVX-512 machine; 5.3 KiB of the
 * private stack at most, unwinding a 10,000-frame recursion with XPROF_DEPTH=1024 from cold
 * caches. Where even the switch would not fit (a program's altstack nearly full), the sample
 * is dropped with reason `stack`.
 *
 * Rejected: a sigaltstack of ours for threads that have none, with sigaltstack() interposed
 * to hide it. It does not help the threads that need it most - those with a small altstack of
 * their own (Rust, Go, programs that handle stack overflow) - since the kernel delivers on
 * theirs; Go sets its gsignal stack with a raw syscall we cannot interpose; and it needs an
 * interposer that lies to the program. The switch works for every thread alike.
 *
 * No nesting: every asynchronous signal is blocked while the handler runs (sa_mask), so a
 * program's handler cannot run inside our unwind or between a record's reserve and commit.
 *
 * The unwinder is libunwind's fast trace path (unw_backtrace), which caches frame kinds per
 * address and, once warm, reads only the stack. Started on the private stack, it walks through
 * the switch frame, on_signal's frame and the kernel's signal frame into the interrupted code;
 * the frames above the interrupted pc are cut off. In a CPython process the thread's Python
 * frames are read next (pywalk.c), in a fault-guarded window of their own, so that a bad
 * Python frame chain costs the sample its Python frames only.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xprof-int.h"

/* Room on the delivery stack below which we do not even switch: our frame and the switch
 * need 88 bytes (top comment), the rest is margin for a `busy` or `stack` drop's calls. */
#define XP_ROOM_MIN		512

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

/* AS-safe: is sp on the alternate stack the kernel recorded for this delivery? The kernel
 * stores the altstack as the program set it (ss_flags 0 or SS_AUTODISARM), not SS_ONSTACK,
 * so the bounds decide. */
static int on_altstack(const ucontext_t *uc, uintptr_t sp)
{
	uintptr_t lo = (uintptr_t)uc->uc_stack.ss_sp;

	if ((uc->uc_stack.ss_flags & SS_DISABLE) || !uc->uc_stack.ss_size)
		return 0;
	return sp > lo && sp <= lo + uc->uc_stack.ss_size;
}

/* AS-safe: the current stack pointer. */
static inline uintptr_t stack_pointer(void)
{
	uintptr_t sp;

	__asm__ volatile("movq %%rsp, %0" : "=r"(sp));
	return sp;
}

/* AS-safe: where the sample may not be taken, the reason; -1 if it may. */
static int must_drop(const struct xp_thread *t, const ucontext_t *uc, uintptr_t pc)
{
	if (t->in_loader || in_range(&xp.loader, pc))
		return XPF_DROP_LOADER;
	if (in_range(&xp.unwinder, pc))
		return XPF_DROP_UNWINDER;
	return -1;
}

/* AS-safe: unwinds into t->scratch; returns the index of the interrupted pc's frame and
 * sets *n to the frames from there on, or -1 if the walk did not reach it. */
static int unwind(struct xp_thread *t, uintptr_t pc, uint32_t *n)
{
	uint32_t cap = xp.cfg.depth + XP_SKIP_FRAMES;
	int got = unwind_backtrace(t->scratch, (int)cap);

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

/* AS-safe: the handler's statistics are written at a thread's end; a process that ends
 * without running its exit handlers (Go's raw exit_group, SIGKILL) would lose them, so they
 * are also written as they grow: at a thread's 64th, 128th, ... 4096th sample, then every
 * 4096th. */
static void stats_now_and_then(struct xp_thread *t)
{
	uint64_t n = t->samples;

	if ((n >= 64 && n <= 4096 && !(n & (n - 1))) || (n > 4096 && !(n % 4096)))
		thread_record_stats(t, t);
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

/*
 * AS-safe: while we unwind on the private stack, a fault the guard catches must not have its
 * signal frame put at the top of the program's altstack, where this delivery's own frame (and
 * perhaps a program handler's) still lives: the kernel does exactly that when the fault
 * handler has SA_ONSTACK and the current sp is off the altstack. So for that case only (the
 * program's SIGSEGV handler asked for SA_ONSTACK, and the altstack is armed without
 * SS_AUTODISARM) the altstack is disabled around the unwind and restored after: two syscalls,
 * on Go and Rust threads. Returns whether it did.
 */
static int altstack_park(const ucontext_t *uc)
{
	stack_t off = { .ss_flags = SS_DISABLE };

	if ((uc->uc_stack.ss_flags & (SS_DISABLE | SS_AUTODISARM)) || !uc->uc_stack.ss_size ||
	    !sigctl_guard_onstack())
		return 0;
	return syscall(SYS_sigaltstack, &off, NULL) == 0;
}

static void altstack_restore(const ucontext_t *uc, int parked)
{
	if (parked)
		syscall(SYS_sigaltstack, &uc->uc_stack, NULL);
}

/* AS-safe: a stack of the pc alone, marked partial (no unwind info, a fault, or no walk). */
static uint32_t pc_alone(struct xp_thread *t, uintptr_t pc, unsigned *flags, uint32_t *n)
{
	t->scratch[0] = pc;
	*n = 1;
	*flags |= XPF_SF_PARTIAL;
	return 0;
}

/* AS-safe: the frames of the interrupted context into t->scratch (guarded, see sigctl.c);
 * sets *flags and *n; returns the index of the first frame to keep. Called with the
 * altstack parked (altstack_park). */
static uint32_t walk(struct xp_thread *t, uintptr_t pc, unsigned *flags, uint32_t *n)
{
	int at;

	t->unwind_armed = 1;
	if (sigsetjmp(t->unwind_jb, 0) == 0)	/* no mask save: a syscall per sample */
		at = unwind(t, pc, n);
	else
		at = -1;	/* a fault in unwinding: see the guard in sigctl.c */
	t->unwind_armed = 0;
	if (at < 0)	/* no unwind info at the pc, or a fault */
		return pc_alone(t, pc, flags, n);
	if (*n > xp.cfg.depth) {
		*n = xp.cfg.depth;
		*flags |= XPF_SF_TRUNCATED;
	} else if ((uint32_t)at + *n == xp.cfg.depth + XP_SKIP_FRAMES) {
		*flags |= XPF_SF_TRUNCATED;	/* the walk stopped at our cap */
	}
	return (uint32_t)at;
}

/* AS-safe: see declaration. The off-CPU records' walk (offcpu.c): in normal context, or in
 * a program's handler, after a blocking call returned; the same gate and guard as a sample,
 * so dlopen, dlclose and fork never find a walk of ours inside the loader's lock. */
void handler_walk_from(struct xp_thread *t, uintptr_t pc, unsigned *flags, uint32_t *at,
		       uint32_t *n)
{
	if (t->in_loader || !gate_enter()) {
		*at = pc_alone(t, pc, flags, n);
		return;
	}
	*at = walk(t, pc, flags, n);
	atomic_fetch_sub(&unwinding, 1);
}

/* AS-safe: one sample of the delivery in t->uc, on the private stack. Called with t->busy
 * set. */
static void sample_take(void *arg)
{
	struct xp_thread *t = arg;
	uintptr_t pc = (uintptr_t)t->uc->uc_mcontext.gregs[REG_RIP];
	uint64_t now = xp_now(), weight = take_weight(t, t->si);
	unsigned flags = XPF_SF_LEAF_EXACT;
	uint32_t n = 0, at, npy;
	int why, parked;

	if (atomic_load_explicit(&xp.stopped, memory_order_relaxed)) {
		/* Nothing more can be written, but the ticks go on being counted (cheaply) so
		 * that the file still says how much CPU went unsampled. */
		rec_drop(t, XPF_DROP_NOSPACE, weight);
		return;
	}
	why = must_drop(t, t->uc, pc);
	if (why < 0 && !gate_enter())
		why = XPF_DROP_LOADER;
	if (why >= 0) {
		rec_drop(t, why, weight);
		return;
	}
	parked = altstack_park(t->uc);
	at = walk(t, pc, &flags, &n);
	atomic_fetch_sub(&unwinding, 1);
	npy = py_take(t, now, &flags);	/* the interpreter's frames, if this is CPython */
	altstack_restore(t->uc, parked);
	rec_sample(t, now, weight, flags, t->scratch + at, n, npy);
	hist_add(t, now);
	stats_now_and_then(t);
	offcpu_sched_tick(t, now);	/* run-queue figures about once a second */
}

/* AS-safe: the most of the delivery stack this handler and the kernel's frame used. The
 * kernel's frame begins with on_signal's return address (at frame + 8, under the saved %rbp)
 * and ends at the top of the altstack, or below the interrupted sp's red zone. Our own part
 * goes from there down to sp, plus the switch frame (return address and %rbp). */
static void stack_note(struct xp_thread *t, const ucontext_t *uc, uintptr_t frame, uintptr_t sp)
{
	uintptr_t isp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP], entry = frame + 8, top;
	uint32_t own = (uint32_t)(entry - sp) + 16, kframe;

	if (on_altstack(uc, entry) && !on_altstack(uc, isp))
		top = (uintptr_t)uc->uc_stack.ss_sp + uc->uc_stack.ss_size;
	else
		top = isp - 128;
	kframe = top > entry ? (uint32_t)(top - entry) : 0;
	if (own > t->own_max)
		t->own_max = own;
	if (kframe > t->frame_max)
		t->frame_max = kframe;
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

/* AS-safe: no malloc, locks or stdio; errno kept; never nested (sa_mask). Keep this frame
 * small: it lives on the delivery stack, which may be a few KiB of someone else's. */
static void on_signal(int sig, siginfo_t *si, void *ucv)
{
	int saved = errno;
	struct xp_thread *t = xp_self;
	ucontext_t *uc = ucv;
	uintptr_t frame = (uintptr_t)__builtin_frame_address(0), sp;

	if (!handler_is_ours(si, t)) {
		if (!is_stale_tick(si))
			sigctl_forward(sig, si, ucv);
	} else if (t->busy) {
		rec_drop(t, XPF_DROP_BUSY, take_weight(t, si));
	} else if (on_altstack(uc, frame) &&
		   frame - (uintptr_t)uc->uc_stack.ss_sp < XP_ROOM_MIN) {
		rec_drop(t, XPF_DROP_STACK, take_weight(t, si));
	} else {
		t->busy = 1;
		t->uc = uc;
		t->si = si;
		sp = stack_pointer();
		stack_note(t, uc, frame, sp);
		t->in_handler = 1;
		xp_call_on_stack(sample_take, t, t->stack_top);
		t->in_handler = 0;
		t->busy = 0;
		sigctl_deferred_flush(t);
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

/* Not AS-safe: see declaration. SA_RESTART (unless the program's own handler for the signal
 * asks otherwise: see sigctl.c) so that the program's blocking calls behave as without us;
 * SA_ONSTACK for the runtimes that need it (top comment); every asynchronous signal blocked
 * meanwhile. The first install keeps what was there as the program's action. */
int handler_install(int restart)
{
	static int installed;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | (restart ? SA_RESTART : 0);
	sigctl_async_set(&sa.sa_mask);
	if (installed)
		return sigctl_real_sigaction(xp.cfg.signo, &sa, NULL) ? -errno : 0;
	installed = 1;
	return sigctl_take(xp.cfg.signo, &sa);
}
