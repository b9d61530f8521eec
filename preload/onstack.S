/* SPDX-License-Identifier: MIT */
/*
 * onstack.S - xp_call_on_stack(fn, arg, top): calls fn(arg) with %rsp at `top` (16-byte
 * aligned, on another stack) and returns on the caller's stack. AS-safe: no memory but the
 * two stacks is touched.
 *
 * Why assembly: C cannot move the stack pointer. The frame left on the caller's stack is a
 * standard frame-pointer frame (saved %rbp at %rbp, return address above it) and the CFI
 * below describes it with the CFA at %rbp + 16. libunwind classifies such a frame as
 * "standard" in its fast trace path, so a backtrace started in fn on the private stack walks
 * through this frame back onto the caller's stack, then through the kernel's signal frame into
 * the interrupted code, without falling back to its slow unw_step loop.
 */
	.text
	.globl	xp_call_on_stack
	.hidden	xp_call_on_stack
	.type	xp_call_on_stack, @function
	.p2align 4
xp_call_on_stack:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	movq	%rdx, %rsp		/* the other stack */
	movq	%rdi, %rax
	movq	%rsi, %rdi
	callq	*%rax			/* fn(arg) */
	movq	%rbp, %rsp		/* back on the caller's stack */
	.cfi_def_cfa_register %rsp
	popq	%rbp
	.cfi_def_cfa_offset 8
	retq
	.cfi_endproc
	.size	xp_call_on_stack, .-xp_call_on_stack

	.section .note.GNU-stack, "", @progbits
