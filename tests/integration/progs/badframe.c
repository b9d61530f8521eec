/* SPDX-License-Identifier: MIT */
/*
 * badframe: burns CPU for about 0.5 s in bad_frame_loop, an assembly function without
 * unwind information that sets %rbp to 1 while it loops, so that an unwinder following
 * frame pointers reads from address 1. Then burns 0.2 s in good_fn. Exits 0.
 */
#include <stdio.h>

#include "spin.h"

/* bad_frame_loop(n): n iterations with %rbp = 1 and no CFI. */
__asm__(".text\n"
	".globl bad_frame_loop\n"
	".type bad_frame_loop, @function\n"
	"bad_frame_loop:\n"
	"	pushq %rbp\n"
	"	movq $1, %rbp\n"
	"	subq $24, %rsp\n"	/* misaligned frame: no CFI tells the unwinder */
	"1:	decq %rdi\n"
	"	jnz 1b\n"
	"	addq $24, %rsp\n"
	"	popq %rbp\n"
	"	ret\n"
	".size bad_frame_loop, .-bad_frame_loop\n");

void bad_frame_loop(long n);

static void __attribute__((noinline)) good_fn(void) { SPIN_CPU(200 * 1000000LL); }

int main(void)
{
	int64_t t0 = thread_cpu_ns();
	long n = 10 * 1000 * 1000;

	bad_frame_loop(n);	/* calibrate: about 0.5 s in all */
	n = (long)(n * (0.5e9 / (double)(thread_cpu_ns() - t0 + 1)));
	bad_frame_loop(n);
	good_fn();
	printf("badframe done\n");
	return 0;
}
