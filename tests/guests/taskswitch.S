/* SPDX-License-Identifier: MIT */
/*
 * taskswitch: a 32-bit guest that asks for a hardware task switch (a far
 * jump to a TSS descriptor).  qhv does not emulate task switches
 * (docs/cpu-model.md says why): the domain must be crashed with a reason
 * that names it, and nothing else affected.  Bare (QEMU), the CPU switches
 * tasks and the new task reports "taskswitch: switched" and exits 0; so
 * the guest itself is known to be right.  Exit code 1: the jump returned.
 */
#include "guest_asm.h"
#define HC_CONSOLE_WRITE CRT0_QHV_HC_CONSOLE_WRITE
#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS0 0x18	/* the task we leave */
#define SEL_TSS1 0x20	/* the task we enter */

MB1_ELF_KERNEL_START
	/* TSS descriptors: base, limit 103, type 9 (available 32-bit TSS) */
	movl	$tss0, %eax
	call	set_tss_desc
	movl	%edx, gdt + SEL_TSS0
	movl	%ecx, gdt + SEL_TSS0 + 4
	movl	$tss1, %eax
	call	set_tss_desc
	movl	%edx, gdt + SEL_TSS1
	movl	%ecx, gdt + SEL_TSS1 + 4
	/* task 1 starts at task1 with flat segments and its own stack */
	movl	$task1, tss1 + 32		/* EIP */
	movl	$0x2, tss1 + 36			/* EFLAGS */
	movl	$stack1_top, tss1 + 56		/* ESP */
	movl	$SEL_DATA, tss1 + 72		/* ES */
	movl	$SEL_CODE, tss1 + 76		/* CS */
	movl	$SEL_DATA, tss1 + 80		/* SS */
	movl	$SEL_DATA, tss1 + 84		/* DS */
	movl	$SEL_DATA, tss1 + 88		/* FS */
	movl	$SEL_DATA, tss1 + 92		/* GS */
	movl	%cr3, %eax
	movl	%eax, tss1 + 28			/* CR3 */
	lgdt	gdtr
	ljmp	$SEL_CODE, $1f
1:	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movw	$SEL_TSS0, %ax
	ltr	%ax
	ljmp	$SEL_TSS1, $0			/* the task switch */
	/* not reached on a CPU that switches; qhv crashes the domain */
	movl	$1, %eax
	outl	%eax, $0xf4
2:	hlt
	jmp	2b

task1:
	movl	$msg, %ebx
	movl	$len, %ecx
	/* bare there is no qhv: the console is the UART (crt-less guest) */
	call	uart_write
	xorl	%eax, %eax
	outl	%eax, $0xf4
3:	hlt
	jmp	3b

/* EAX = base -> EDX:ECX = low:high words of a TSS descriptor */
set_tss_desc:
	movl	%eax, %edx
	shll	$16, %edx
	orl	$103, %edx			/* limit 15:0, base 15:0 */
	movl	%eax, %ecx
	andl	$0xff000000, %ecx		/* base 31:24 */
	pushl	%eax
	shrl	$16, %eax
	andl	$0xff, %eax			/* base 23:16 */
	orl	%eax, %ecx
	orl	$0x00008900, %ecx		/* present, type 9 */
	popl	%eax
	ret

/* Write ECX bytes at EBX to COM1, polling LSR.THRE. */
uart_write:
	testl	%ecx, %ecx
	jz	2f
1:	movw	$0x3fd, %dx
3:	inb	%dx, %al
	testb	$0x20, %al
	jz	3b
	movw	$0x3f8, %dx
	movb	(%ebx), %al
	outb	%al, %dx
	incl	%ebx
	decl	%ecx
	jnz	1b
2:	ret

	.data
	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0				/* 0x18: TSS 0 */
	.quad 0				/* 0x20: TSS 1 */
gdt_end:
gdtr:
	.word gdt_end - gdt - 1
	.long gdt
msg:
	.ascii "taskswitch: switched\n"
	.set len, . - msg

	.bss
	.balign 16
tss0:	.skip 104
	.balign 16
tss1:	.skip 104
	.balign 16
stack:	.skip 4096
stack_top:
stack1:	.skip 4096
stack1_top:

	.section .note.GNU-stack, "", @progbits
