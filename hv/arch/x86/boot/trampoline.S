/* SPDX-License-Identifier: MIT */
/*
 * AP start-up code, copied to TRAMPOLINE_BASE (below 1 MiB) by smp.c.  A
 * SIPI starts it in real mode; it switches to protected mode, then long
 * mode with the boot CPU's page tables, and jumps to ap_entry(percpu) on
 * the stack smp.c left in the parameter block.
 */
#include "arch/asm.h"

#define REL(x) (TRAMPOLINE_BASE + (x) - trampoline_start)

	.section .rodata
	.code16
	.globl trampoline_start, trampoline_end, trampoline_params
trampoline_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	(tramp_gdtr - trampoline_start)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $REL(tramp32)

	.code32
tramp32:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr4, %eax
	orl	$(CR4_PAE | CR4_PGE), %eax
	movl	%eax, %cr4
	movl	REL(tp_cr3), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_WP | CR0_NE), %eax
	movl	%eax, %cr0
	ljmpl	$0x18, $REL(tramp64)

	.code64
tramp64:
	movq	REL(tp_stack), %rsp
	movq	REL(tp_arg), %rdi
	movq	REL(tp_entry), %rax
	jmp	*%rax

	.align 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tramp_gdtr:
	.short tramp_gdtr - tramp_gdt - 1
	.long REL(tramp_gdt)

	.align 8
trampoline_params:
tp_cr3:		.quad 0
tp_stack:	.quad 0
tp_entry:	.quad 0
tp_arg:		.quad 0
trampoline_end:
