/* SPDX-License-Identifier: MIT */
/*
 * lowload: a multiboot1 kernel linked at 128 KiB, below 1 MiB (as
 * real-mode payloads are), over the place where qhv usually writes the
 * multiboot information.  It must be loaded and started there, with the
 * information put somewhere else: EAX the boot magic, EBX an info block
 * outside the image with the memory fields set.  Exit code = failures.
 */
#include "guest_asm.h"
#define HC_CONSOLE_WRITE CRT0_QHV_HC_CONSOLE_WRITE

MB1_ELF_KERNEL_START
	xorl	%ebp, %ebp			/* failures */
	cmpl	$MB1_BOOT_MAGIC, %eax
	je	1f
	incl	%ebp
1:	/* the info block: not inside this image, flags bit 0 (mem_*) */
	cmpl	$image_end, %ebx
	jae	2f
	cmpl	$_start, %ebx
	jb	2f
	incl	%ebp				/* inside the image */
	jmp	3f
2:	testl	$1, (%ebx)
	jnz	4f
	incl	%ebp
	jmp	3f
4:	cmpl	$639, 4(%ebx)			/* mem_lower in KiB */
	je	3f
	incl	%ebp
3:	movl	$msg, %ebx
	movl	$len, %ecx
	movl	$HC_CONSOLE_WRITE, %eax
	vmcall
	movl	%ebp, %eax
	outl	%eax, $0xf4
5:	hlt
	jmp	5b

	.data
msg:
	.ascii "lowload: running at 0x20000\n"
	.set len, . - msg

	.bss
	.balign 16
stack:	.skip 4096
stack_top:

	.section .note.GNU-stack, "", @progbits
