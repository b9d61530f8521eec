// SPDX-License-Identifier: MIT
/*
 * sigctl.c - sharing signals with the program: the sampling signal, and the six fault signals
 * (SIGSEGV and SIGBUS for the fault guard; all six so that none of them runs a program handler
 * inside ours).
 *
 * The program keeps its own view of the signals we hold: sigaction/signal store its action in
 * app[] and report that back (never ours, so handler chains never loop), while the real
 * disposition stays ours. Deliveries that are not ours (kill, raise, sigqueue, its own timers,
 * its own faults) go to the program's action exactly as the kernel would have run it: with
 * the program's sa_mask added to the interrupted mask (and the signal itself unless
 * SA_NODEFER), SA_RESETHAND honoured, SA_SIGINFO or a plain handler, on the alternate stack
 * only if it asked for SA_ONSTACK; SIG_IGN ignores, SIG_DFL gets the default action, a real
 * fault included (core dump and status as without us).
 *
 * No nesting: the sampling handler blocks every asynchronous signal, but the fault signals
 * cannot be blocked (the kernel kills a thread whose blocked SIGSEGV is raised by a fault), so
 * one sent by kill() or tgkill() could still land inside our unwind. Those deliveries are
 * held back and queued again, with the same siginfo, to be delivered the moment our handler
 * returns, into the program's own context.
 *
 * Masks: a thread that blocks "everything" would stop being sampled and queue our ticks, so
 * our signal is taken out of sets the program blocks; calls from libunwind keep their full
 * mask, since it blocks signals around its own locks on purpose.
 *
 * sigctl_forward, sigctl_real_*, sigctl_async_set and sigctl_guard_onstack are AS-safe; the
 * interposers run in normal context.
 */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xprof-int.h"

/*
 * The program's action for each signal we hold, under a sequence lock so that a handler on
 * any thread reads a whole struct while another thread calls sigaction. Writers hold app_lock
 * and block every signal meanwhile, so a reader never waits for a writer it interrupted.
 * `reset` is set by a delivery whose action had SA_RESETHAND (the kernel's one-shot handler):
 * the action reads as SIG_DFL until the program sets a new one.
 */
static struct app_slot {
	_Atomic unsigned seq;
	_Atomic int reset;
	struct sigaction act;
} app[NSIG];
static pthread_mutex_t app_lock = PTHREAD_MUTEX_INITIALIZER;
static int guard_installed;	/* set once at init, before any timer is armed */
static _Atomic int guard_flags[NSIG];	/* SA_ONSTACK of the installed fault guard */
static const int fault_sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS };
#define NFAULT	(sizeof(fault_sigs) / sizeof(fault_sigs[0]))

int sigctl_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	return REAL(sigaction)(sig, act, old);
}

int sigctl_real_mask(int how, const sigset_t *set, sigset_t *old)
{
	return REAL(pthread_sigmask)(how, set, old);
}

static int is_fault_sig(int sig)
{
	for (size_t i = 0; i < NFAULT; i++)
		if (fault_sigs[i] == sig)
			return 1;
	return 0;
}

/* A fault that returning from its handler raises again: the pc is still at the faulting
 * instruction. A trap (int3, a seccomp SIGSYS) has moved on past it. */
static int refaults(int sig, const siginfo_t *si)
{
	return si->si_code > 0 && si->si_code != SI_KERNEL && sig != SIGTRAP && sig != SIGSYS;
}

/* AS-safe: see declaration. glibc's sigfillset leaves out its internal signals (SIGCANCEL,
 * SIGSETXID); we block those too: an asynchronous cancellation inside our handler would
 * unwind the thread out of it with the unwind gate held. */
void sigctl_async_set(sigset_t *s)
{
	memset(s, 0xff, sizeof(*s));
	for (int sig = 1; sig < NSIG; sig++)
		if (is_fault_sig(sig))
			sigdelset(s, sig);
}

/* AS-safe: a consistent copy of the program's action for sig. */
static void app_get(int sig, struct sigaction *a)
{
	struct app_slot *s = &app[sig];
	unsigned seq;

	do {
		while ((seq = atomic_load_explicit(&s->seq, memory_order_acquire)) & 1)
			;
		memcpy(a, &s->act, sizeof(*a));
		atomic_thread_fence(memory_order_acquire);
	} while (atomic_load_explicit(&s->seq, memory_order_relaxed) != seq);
	if (atomic_load_explicit(&s->reset, memory_order_relaxed)) {
		a->sa_handler = SIG_DFL;
		a->sa_flags &= ~SA_SIGINFO;
	}
}

/* Not AS-safe: called with app_lock held and every signal blocked. */
static void app_put(int sig, const struct sigaction *act)
{
	struct app_slot *s = &app[sig];

	atomic_fetch_add_explicit(&s->seq, 1, memory_order_acq_rel);
	memcpy(&s->act, act, sizeof(*act));
	atomic_store_explicit(&s->reset, 0, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->seq, 1, memory_order_release);
}

/* AS-safe: the kernel's default action for sig, as the program would have had it. */
static void default_action(int sig, const siginfo_t *si)
{
	struct sigaction dfl;
	sigset_t one;

	if (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT)
		return;		/* default is to ignore */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigctl_real_sigaction(sig, &dfl, NULL);
	/* A real fault: with the default restored, returning re-executes the faulting
	 * instruction and the kernel's default action follows, core dump included. */
	if (is_fault_sig(sig) && refaults(sig, si))
		return;
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigctl_real_mask(SIG_UNBLOCK, &one, NULL);
	syscall(SYS_tgkill, (pid_t)syscall(SYS_getpid), xp_gettid(), sig);
}

struct app_call {
	const struct sigaction *a;
	int sig;
	siginfo_t *si;
	void *uc;
};

static void app_run(void *arg)
{
	const struct app_call *c = arg;

	if (c->a->sa_flags & SA_SIGINFO)
		c->a->sa_sigaction(c->sig, c->si, c->uc);
	else
		c->a->sa_handler(c->sig);
}

/* AS-safe: is sp inside the altstack the kernel recorded for this delivery? */
static int sp_on_altstack(const ucontext_t *uc, uintptr_t sp)
{
	uintptr_t lo = (uintptr_t)uc->uc_stack.ss_sp;

	return !(uc->uc_stack.ss_flags & SS_DISABLE) && uc->uc_stack.ss_size && sp > lo &&
	       sp <= lo + uc->uc_stack.ss_size;
}

/*
 * AS-safe: runs the program's handler on the stack the kernel would have used. Our handlers
 * have SA_ONSTACK (the sampling one always, the fault guard when the program asked); a
 * program handler without it, delivered here on the altstack while the interrupted code was
 * not on it, runs on the interrupted stack instead, below its red zone.
 */
static void app_call_on_its_stack(struct app_call *c)
{
	const ucontext_t *uc = c->uc;
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);
	uintptr_t isp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];

	if (!(c->a->sa_flags & SA_ONSTACK) && sp_on_altstack(uc, here) &&
	    !sp_on_altstack(uc, isp)) {
		xp_call_on_stack(app_run, c, (void *)((isp - 128 - 64) & ~(uintptr_t)15));
		return;
	}
	app_run(c);
}

/* AS-safe: see declaration. */
void sigctl_forward(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	struct sigaction a;
	struct app_call c = { &a, sig, si, ucv };
	sigset_t m;

	app_get(sig, &a);
	if (a.sa_handler == SIG_IGN && !(is_fault_sig(sig) && si->si_code > 0))
		return;
	/* The kernel does not let a real fault be ignored: it kills as for SIG_DFL. */
	if (a.sa_handler == SIG_DFL || a.sa_handler == SIG_IGN) {
		default_action(sig, si);
		return;
	}
	if (a.sa_flags & SA_RESETHAND)
		atomic_store(&app[sig].reset, 1);
	sigorset(&m, &uc->uc_sigmask, &a.sa_mask);
	if (!(a.sa_flags & SA_NODEFER))
		sigaddset(&m, sig);
	sigctl_real_mask(SIG_SETMASK, &m, NULL);
	app_call_on_its_stack(&c);
}

/* Not AS-safe: our sampling handler takes the program's SA_RESTART for its signal, so that a
 * delivery the program sends itself interrupts (or restarts) a blocking call as it would
 * without us. Our ticks come only while the thread runs, so they meet a blocking call only
 * at its very start; with the program's SA_RESTART off it may then see EINTR, which it asked
 * to handle. */
static void handler_flags_follow(const struct sigaction *act)
{
	int restart = act->sa_handler == SIG_DFL || act->sa_handler == SIG_IGN ||
		      (act->sa_flags & SA_RESTART);

	handler_install(restart);
}

/* Not AS-safe: one NOTE record, once per process, when the program takes our signal. */
static void note_once(int sig)
{
	char name[32], text[160];
	struct xp_thread *t = thread_mine();
	const char *s = text;
	size_t len;

	if (!t || atomic_exchange(&xp.signal_note, 1))
		return;
	config_signal_name(sig, name, sizeof(name));
	len = (size_t)snprintf(text, sizeof(text),
			       "the program installed its own handler for %s, the sampling "
			       "signal; it gets its own deliveries (XPROF_SIGNAL picks another)",
			       name);
	XP_BUSY(t, rec_fields(t, XPF_REC_NOTE, NULL, 0, &s, &len, 1));
}

static int held(int sig)
{
	return xp.active && sig > 0 && sig < NSIG &&
	       (sig == xp.cfg.signo || (is_fault_sig(sig) && guard_installed));
}

static void on_fault(int sig, siginfo_t *si, void *uc);

/* Not AS-safe: the fault guard for sig, with the program's SA_ONSTACK and SA_RESTART so
 * that the kernel puts its frame where the program's handler expects it. */
static int guard_set(int sig, int app_flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | (app_flags & (SA_ONSTACK | SA_RESTART));
	sigctl_async_set(&sa.sa_mask);
	if (sigctl_real_sigaction(sig, &sa, NULL) != 0)
		return -errno;
	atomic_store(&guard_flags[sig], sa.sa_flags & SA_ONSTACK);
	return 0;
}

XP_API int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	sigset_t all, saved;

	if (!held(sig))
		return sigctl_real_sigaction(sig, act, old);
	sigfillset(&all);
	sigctl_real_mask(SIG_BLOCK, &all, &saved);
	REAL(pthread_mutex_lock)(&app_lock);
	if (old)
		app_get(sig, old);
	if (act) {
		app_put(sig, act);
		if (sig != xp.cfg.signo)
			guard_set(sig, act->sa_handler == SIG_DFL ? 0 : act->sa_flags);
		else
			handler_flags_follow(act);
	}
	pthread_mutex_unlock(&app_lock);
	sigctl_real_mask(SIG_SETMASK, &saved, NULL);
	if (act && sig == xp.cfg.signo && act->sa_handler != SIG_DFL &&
	    act->sa_handler != SIG_IGN)
		note_once(sig);
	return 0;
}

XP_API sighandler_t signal(int sig, sighandler_t handler)
{
	struct sigaction act, old;

	if (!held(sig))
		return REAL(signal)(sig, handler);
	memset(&act, 0, sizeof(act));
	act.sa_handler = handler;
	act.sa_flags = SA_RESTART;	/* BSD semantics, as glibc's signal() */
	if (sigaction(sig, &act, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}

/* Should this mask change keep our signal deliverable? Not for libunwind's own calls. */
static int keep_ours(int how, const sigset_t *set, const void *caller)
{
	if (!xp.active || !set || how == SIG_UNBLOCK || !sigismember(set, xp.cfg.signo))
		return 0;
	if ((uintptr_t)caller >= xp.unwinder.lo && (uintptr_t)caller < xp.unwinder.hi)
		return 0;
	return !(xp_self && xp_self->busy);
}

/* The set the program asked for, less our signal when keep_ours() says so (in *copy). */
static const sigset_t *program_set(int how, const sigset_t *set, sigset_t *copy,
				   const void *caller)
{
	if (!keep_ours(how, set, caller))
		return set;
	*copy = *set;
	sigdelset(copy, xp.cfg.signo);
	return copy;
}

XP_API int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;

	set = program_set(how, set, &copy, __builtin_return_address(0));
	return sigctl_real_mask(how, set, old);
}

XP_API int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;

	set = program_set(how, set, &copy, __builtin_return_address(0));
	return REAL(sigprocmask)(how, set, old);
}

/*
 * The fault guard. libunwind reads the stack as it finds it; code without unwind info
 * (hand-written assembly, JIT code, a frame pointer used as a plain register) can send it to
 * an unmapped address. Rather than let the sample kill the program, a fault raised by the
 * kernel while this thread unwinds, at a pc inside libunwind or inside our own code (the
 * reads we make of the program's memory), returns to the handler (siglongjmp), which keeps
 * the pc alone and marks the sample partial. Every other SIGSEGV/SIGBUS goes to the program's
 * own handler, or gets the default action, as without us.
 * The jump lands on the private stack; the fault's signal frame was there too (handler.c
 * disables an armed altstack around the unwind when this guard has SA_ONSTACK), so nothing
 * it skipped needs restoring: the mask is the sampling handler's (SA_NODEFER, same sa_mask)
 * and the sampling handler's own sigreturn puts the program's mask and altstack back.
 */
static void on_fault(int sig, siginfo_t *si, void *ucv)
{
	struct xp_thread *t = xp_self;
	const ucontext_t *uc = ucv;
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];

	if (t && t->tid != xp_gettid())
		t = NULL;	/* a raw clone sharing its creator's TLS */
	if (t && t->unwind_armed && si->si_code > 0 && (sig == SIGSEGV || sig == SIGBUS) &&
	    ((pc >= xp.unwinder.lo && pc < xp.unwinder.hi) ||
	     (pc >= xp.self.lo && pc < xp.self.hi))) {
		t->unwind_armed = 0;
		siglongjmp(t->unwind_jb, 1);
	}
	if (t && t->in_handler && si->si_code <= 0) {
		t->deferred = *si;	/* sent, not raised by a fault: after our handler */
		return;
	}
	sigctl_forward(sig, si, ucv);
}

/* AS-safe: see declaration. Blocked here, the signal stays pending until our handler's
 * sigreturn puts the program's mask back, and is then delivered in the program's context. */
void sigctl_deferred_flush(struct xp_thread *t)
{
	sigset_t one;
	int sig = t->deferred.si_signo;

	if (!sig)
		return;
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigctl_real_mask(SIG_BLOCK, &one, NULL);
	syscall(SYS_rt_tgsigqueueinfo, (pid_t)syscall(SYS_getpid), t->tid, sig, &t->deferred);
	t->deferred.si_signo = 0;
}

/* Not AS-safe: see declaration. */
int sigctl_take(int sig, const struct sigaction *ours)
{
	struct sigaction old;

	if (sigctl_real_sigaction(sig, ours, &old) != 0)
		return -errno;
	app_put(sig, &old);
	return 0;
}

/* AS-safe: see declaration. */
int sigctl_guard_onstack(void)
{
	return atomic_load_explicit(&guard_flags[SIGSEGV], memory_order_relaxed) ||
	       atomic_load_explicit(&guard_flags[SIGBUS], memory_order_relaxed);
}

/* Not AS-safe: see declaration. What was there before us (usually SIG_DFL) becomes the
 * program's action, and the guard mirrors its stack flags. */
int sigctl_guard_install(void)
{
	struct sigaction old;

	for (size_t i = 0; i < NFAULT; i++) {
		if (sigctl_real_sigaction(fault_sigs[i], NULL, &old) != 0)
			return -errno;
		app_put(fault_sigs[i], &old);
		if (guard_set(fault_sigs[i], old.sa_handler == SIG_DFL ? 0 : old.sa_flags) != 0)
			return -errno;
	}
	guard_installed = 1;
	return 0;
}
