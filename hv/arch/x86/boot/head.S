/* SPDX-License-Identifier: MIT */
/*
 * Boot entry: multiboot1 (a.out kludge, for `qemu -kernel`) and multiboot2
 * (GRUB2) headers, 32-bit protected-mode entry, identity page tables for the
 * first 4 GiB, switch to long mode and call boot_main(magic, info).
 */
#include "arch/asm.h"

#define MB1_MAGIC	0x1badb002
#define MB1_FLAGS	((1 << 0) | (1 << 1) | (1 << 16))
#define MB2_MAGIC	0xe85250d6

	.section .multiboot, "a"
	/* Marker at the very start of the hv image: dom0's self-test checks
	 * that it can never read it. */
	.ascii "QHV-HV-IMAGE\0\0\0\0"
	.align 8
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long mb1_header		/* header_addr */
	.long _image_start		/* load_addr */
	.long _edata			/* load_end_addr */
	.long _end			/* bss_end_addr */
	.long _start32			/* entry_addr */

	.align 8
mb2_header:
	.long MB2_MAGIC
	.long 0				/* architecture: i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + (mb2_header_end - mb2_header))
	/* Module alignment tag: page-aligned modules. */
	.align 8
	.short 6, 0
	.long 8
	/* End tag. */
	.align 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	movl	$(boot_stack_top), %esp
	movl	%eax, %edi		/* multiboot magic */
	movl	%ebx, %esi		/* multiboot info */

	/* Long mode available?  Otherwise say so on COM1 and stop. */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	btl	$29, %edx
	jnc	no_long_mode

	/* Zero the boot page tables (bss may not be cleared by every loader). */
	pushl	%edi
	movl	$boot_pml4, %edi
	movl	$(6 * 4096 / 4), %ecx
	xorl	%eax, %eax
	rep stosl
	popl	%edi

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..3; PDs map 4 GiB with 2 MiB pages. */
	movl	$boot_pdpt, %eax
	orl	$0x3, %eax
	movl	%eax, boot_pml4
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$boot_pd, %eax
	orl	$0x3, %eax
	movl	%eax, boot_pdpt(, %ecx, 8)
	incl	%ecx
	cmpl	$4, %ecx
	jne	1b
	xorl	%ecx, %ecx		/* entry index 0..2047 across the 4 PDs */
2:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax		/* present, writable, 2 MiB */
	movl	%eax, boot_pd(, %ecx, 8)
	movl	%ecx, %eax
	shrl	$11, %eax		/* high dword: bits 32+ of the address */
	movl	%eax, boot_pd + 4(, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jne	2b

	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	%cr4, %eax
	orl	$(CR4_PAE | CR4_PGE), %eax
	movl	%eax, %cr4
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_PE | CR0_WP | CR0_NE), %eax
	movl	%eax, %cr0
	lgdt	boot_gdtr
	ljmp	$0x08, $start64

no_long_mode:
	movl	$no_lm_msg, %esi
3:	lodsb
	testb	%al, %al
	jz	4f
	movw	$0x3f8, %dx
	outb	%al, %dx
	jmp	3b
4:	hlt
	jmp	4b

	.code64
start64:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	movq	$boot_stack_top, %rsp
	/* rdi = magic, rsi = info (zero-extended by the 32-bit moves above) */
	movl	%edi, %edi
	movl	%esi, %esi
	call	boot_main
5:	cli
	hlt
	jmp	5b

	.section .rodata
no_lm_msg:
	.asciz "qhv: CPU lacks long mode; halting\r\nqhv: shutdown status=1\r\n"
	.align 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
boot_gdtr:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .bss
	.align 4096
	.globl boot_pml4
boot_pml4:	.skip 4096
	.globl boot_pdpt
boot_pdpt:	.skip 4096
	.globl boot_pd
boot_pd:	.skip 4 * 4096
	.align 16
	.globl boot_stack_top
boot_stack:	.skip 16384
boot_stack_top:
