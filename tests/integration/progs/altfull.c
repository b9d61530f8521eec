/* SPDX-License-Identifier: MIT */
/*
 * altfull [SECONDS]: a SIGUSR1 handler that runs on a 64 KiB sigaltstack and fills it almost
 * to the bottom, leaving just room for one more signal frame plus MARGIN bytes, then burns
 * CPU there. Any other signal delivered meanwhile on that stack has its kernel frame put below
 * the handler's and finds only those 256 bytes left. The frame size is measured from the
 * program's own first delivery (what the kernel pushed above the handler's first local). A
 * canary block below the altstack must stay intact. Knows nothing of xprof.
 * stdout: "altfull rounds N canary ok" (or "canary broken"). Exits 0 if intact.
 */
#include <alloca.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spin.h"

#define ALT_SIZE	(64 * 1024)
#define CANARY		(16 * 1024)
#define MARGIN		400	/* bytes below a nested signal frame, for its handler */

static uint8_t *block;		/* [canary][altstack] */
static size_t frame;		/* what the kernel pushes for one delivery here */
static volatile sig_atomic_t rounds;
static int64_t burn_ns;

/* Burns CPU with only `frame` + MARGIN bytes of the altstack left below this frame. */
static void __attribute__((noinline)) burn_low(void)
{
	volatile uint8_t here = 0;
	uint8_t *bottom = block + CANARY;
	size_t left = (size_t)((uint8_t *)&here - bottom), fill = left - frame - MARGIN;
	volatile uint8_t *pad = alloca(fill);

	pad[0] = here;
	SPIN_CPU(burn_ns);
	pad[fill - 1] = here;
}

static void __attribute__((noinline)) on_usr1(int sig)
{
	uint8_t *top = block + CANARY + ALT_SIZE, *here = (uint8_t *)__builtin_frame_address(0);

	(void)sig;
	if (!frame) {
		frame = (size_t)(top - here);	/* the first delivery only measures */
		return;
	}
	burn_low();
	rounds++;
}

static int canary_ok(void)
{
	for (size_t i = 0; i < CANARY; i++)
		if (block[i] != 0xa5)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	stack_t ss = { .ss_size = ALT_SIZE, .ss_flags = 0 };
	struct sigaction sa;
	int64_t end;

	burn_ns = 20 * 1000000LL;
	end = mono_ns() + secs_ns(argc > 1 ? argv[1] : NULL, 1.0);
	block = malloc(CANARY + ALT_SIZE);
	memset(block, 0xa5, CANARY);
	ss.ss_sp = block + CANARY;
	if (sigaltstack(&ss, NULL) != 0)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);		/* measures the frame */
	while (mono_ns() < end)
		raise(SIGUSR1);
	printf("altfull rounds %s canary %s\n", rounds > 0 ? "ok" : "none",
	       canary_ok() ? "ok" : "broken");
	return canary_ok() ? 0 : 1;
}
