/* SPDX-License-Identifier: MIT */
/* Exception entry stubs: normalise the frame (error code, vector), save the
 * general registers and call trap_handler(). */

	.text
.macro STUB vec
	.align 16
trap_stub_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	/* the CPU pushed an error code */
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
.endm

	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	STUB \v
	.endr

trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	trap_handler
1:	cli
	hlt
	jmp	1b

	.section .rodata
	.align 8
	.globl trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad trap_stub_\v
	.endr

/* Interrupt stubs for vectors 32-255: the hv takes interrupts in root mode
 * only while a CPU idles (sti; hlt), and hands each to irq_dispatch(). */
	.text
	.align 16
irq_stubs_start:
	.set vec, 32
	.rept 224
	.align 16
	pushq	$vec
	jmp	irq_common
	.set vec, vec + 1
	.endr

irq_common:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	movq	80(%rsp), %rdi		/* vector */
	movq	%rsp, %rbx		/* callee-saved: survives the call */
	andq	$-16, %rsp
	call	irq_dispatch
	movq	%rbx, %rsp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$8, %rsp		/* vector */
	iretq

	.section .rodata
	.align 8
	.globl irq_stub_base
irq_stub_base:
	.quad irq_stubs_start
