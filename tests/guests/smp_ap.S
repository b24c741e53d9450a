/* SPDX-License-Identifier: MIT */
/*
 * AP start-up for the smp guest: the BSP copies smp_tramp to TRAMP_BASE
 * and sends INIT-SIPI; an AP starts here in real mode, enters long mode
 * with the BSP's page tables and calls smp_ap_main() on a stack of its own.
 * Also the stub for the IPI vector the test sends.
 */
#include "guest_asm.h"

#define TRAMP_BASE 0x8000
#define REL(x) (TRAMP_BASE + (x) - smp_tramp)
#define AP_STACK 8192

	.section .rodata
	.code16
	.globl smp_tramp, smp_tramp_end
smp_tramp:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	(tramp_gdtr - smp_tramp)
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $REL(tramp32)

	.code32
tramp32:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr4, %eax
	orl	$0x20, %eax		/* PAE */
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx
	rdmsr
	orl	$0x100, %eax		/* LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000000, %eax
	movl	%eax, %cr0
	ljmpl	$0x18, $REL(tramp64)

	.code64
tramp64:
	/* A stack per AP: index by arrival order. */
	movl	$1, %eax
	lock xaddl %eax, smp_ap_next
	incl	%eax
	imull	$AP_STACK, %eax
	leaq	smp_ap_stacks(%rax), %rsp
	movabsq	$smp_ap_main, %rax
	jmp	*%rax

	.align 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tramp_gdtr:
	.word tramp_gdtr - tramp_gdt - 1
	.long REL(tramp_gdt)
smp_tramp_end:

	.text
	.code64
	.globl smp_ipi_stub
smp_ipi_stub:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	call	smp_ipi_handler
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	iretq

	.bss
	.balign 16
	.globl smp_ap_stacks
smp_ap_stacks:
	.skip AP_STACK * 9

	.data
	.globl smp_ap_next
smp_ap_next:	.long 0

	.section .note.GNU-stack, "", @progbits
