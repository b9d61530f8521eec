// SPDX-License-Identifier: MIT
/*
 * sigctl.c - sharing the sampling signal with the program.
 *
 * The program keeps its own view of our signal: sigaction/signal store its handler in
 * app_action and report that back (never ours, so handler chains never loop), while the
 * real disposition stays our handler. Deliveries that are not our ticks (kill, raise,
 * sigqueue, its own timers) go to the program's handler, or get the default action it asked
 * for. Masks: a thread that blocks "everything" would stop being sampled and queue our
 * ticks, so our signal is taken out of sets the program blocks; calls from libunwind keep
 * their full mask, since it blocks signals around its own locks on purpose.
 *
 * sigctl_forward and sigctl_real_mask are AS-safe; the interposers run in normal context.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "xprof-int.h"

/* The program's disposition for each signal we hold (ours, SIGSEGV, SIGBUS). Two slots and
 * an index per signal so that a handler, which may run while another thread calls
 * sigaction, always reads a whole struct. */
static struct sigaction app_action[NSIG][2];
static _Atomic int app_slot[NSIG];
static pthread_mutex_t app_lock = PTHREAD_MUTEX_INITIALIZER;
static int guard_installed;	/* set once at init, before any timer is armed */

int sigctl_real_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	return REAL(sigaction)(sig, act, old);
}

/* AS-safe: the cached real function (resolved at init). */
int sigctl_real_mask(int how, const sigset_t *set, sigset_t *old)
{
	return REAL(pthread_sigmask)(how, set, old);
}

/* AS-safe: the default action, as the program would have had it without us. */
static void default_action(int sig)
{
	struct sigaction dfl;
	sigset_t one;

	if (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT)
		return;		/* default is to ignore */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigctl_real_sigaction(sig, &dfl, NULL);
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigctl_real_mask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
}

/* AS-safe: see declaration. */
void sigctl_forward(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *a = &app_action[sig][atomic_load(&app_slot[sig])];

	if (a->sa_flags & SA_SIGINFO) {
		if (a->sa_sigaction)
			a->sa_sigaction(sig, si, uc);
		return;
	}
	if (a->sa_handler == SIG_IGN)
		return;
	if (a->sa_handler == SIG_DFL) {
		if ((sig == SIGSEGV || sig == SIGBUS) && si->si_code > 0) {
			/* A real fault: with the default restored, returning re-executes the
			 * faulting instruction and the kernel's default action follows, core
			 * dump included, exactly as without us. */
			struct sigaction dfl;

			memset(&dfl, 0, sizeof(dfl));
			dfl.sa_handler = SIG_DFL;
			sigctl_real_sigaction(sig, &dfl, NULL);
			return;
		}
		default_action(sig);
		return;
	}
	a->sa_handler(sig);
}

static void say_once(int sig)
{
	char name[32];

	if (atomic_exchange(&xp.signal_note, 1))
		return;
	config_signal_name(sig, name, sizeof(name));
	xp_say(0, "xprof: the program installs its own handler for %s, which xprof samples "
		  "with; xprof keeps it and passes the program its own deliveries (XPROF_SIGNAL "
		  "picks another signal)", name);
}

static int held(int sig)
{
	return xp.active && (sig == xp.cfg.signo || ((sig == SIGSEGV || sig == SIGBUS) &&
						     guard_installed));
}

static void app_action_set(int sig, const struct sigaction *act)
{
	int next = !atomic_load(&app_slot[sig]);

	app_action[sig][next] = *act;
	atomic_store(&app_slot[sig], next);
}

XP_API int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (!held(sig))
		return sigctl_real_sigaction(sig, act, old);
	pthread_mutex_lock(&app_lock);
	if (old)
		*old = app_action[sig][atomic_load(&app_slot[sig])];
	if (act) {
		app_action_set(sig, act);
		if (sig == xp.cfg.signo && act->sa_handler != SIG_DFL &&
		    act->sa_handler != SIG_IGN)
			say_once(sig);
	}
	pthread_mutex_unlock(&app_lock);
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
 * an unmapped address. Rather than let the sample kill the program, a fault while this
 * thread unwinds returns to the handler (siglongjmp), which keeps the pc alone and marks the
 * sample partial. Every other SIGSEGV/SIGBUS goes to the program's own handler, or gets the
 * default action, as without us. SA_NODEFER keeps the signal mask unchanged across the jump.
 */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	struct xp_thread *t = xp_self;

	if (t && t->unwind_armed) {
		t->unwind_armed = 0;
		siglongjmp(t->unwind_jb, 1);
	}
	sigctl_forward(sig, si, uc);
}

/* Not AS-safe: see declaration. */
int sigctl_guard_install(void)
{
	static const int sigs[2] = { SIGSEGV, SIGBUS };
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 2; i++) {
		if (sigctl_real_sigaction(sigs[i], &sa, &old) != 0)
			return -errno;
		app_action_set(sigs[i], &old);	/* what was there (usually SIG_DFL) */
	}
	guard_installed = 1;
	return 0;
}
