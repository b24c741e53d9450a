/* SPDX-License-Identifier: MIT */
/*
 * paging32: a 32-bit guest that never enters long mode.  It calls
 * QHV_HC_CONSOLE_WRITE (32-bit register convention) with buffers that are
 * only reachable through its own page tables, in three paging modes:
 *   32-bit paging with a 4 KiB page, 32-bit paging with a 4 MiB (PSE) page,
 *   and PAE paging (PDPTEs) with a 4 KiB page;
 * plus an unmapped address, which must fail with -EFAULT.  So the hv's walk
 * of 32-bit and PAE guest page tables is exercised.  Exit code 0 = all ok.
 */
#include "guest_asm.h"
#define HC_CONSOLE_WRITE CRT0_QHV_HC_CONSOLE_WRITE
#define EFAULT 14
#define VA_4K 0x40000000	/* PDE 0x100 -> page table -> msg page */
#define VA_PSE 0x40400000	/* PDE 0x101: 4 MiB page holding msgs */
#define VA_PAE 0x40000000	/* PDPT[1] -> PD -> PT -> msg page */
#define VA_NONE 0x50000000

MB1_ELF_KERNEL_START
	xorl	%ebp, %ebp		/* failures */

	/* ---- 32-bit paging: 4 MiB identity page for the image, a 4 KiB
	 * page at VA_4K and a 4 MiB page at VA_PSE, both onto msgs ---- */
	movl	$0x83, pd		/* PDE 0: 0..4 MiB, PS */
	movl	$pt, %eax
	orl	$3, %eax
	movl	%eax, pd + 0x100 * 4
	movl	$msgs, %eax
	andl	$0xfffff000, %eax
	orl	$3, %eax
	movl	%eax, pt		/* PTE 0 -> msgs' page */
	movl	$0x83, pd + 0x101 * 4	/* PDE 0x101: 0..4 MiB again, PS */
	movl	%cr4, %eax
	orl	$0x10, %eax		/* PSE */
	movl	%eax, %cr4
	movl	$pd, %eax
	movl	%eax, %cr3
	movl	%cr0, %eax
	orl	$0x80000000, %eax
	movl	%eax, %cr0

	movl	$msgs, %ebx
	andl	$0xfff, %ebx
	addl	$VA_4K, %ebx
	movl	$len_4k, %ecx
	call	write_expect_ok

	movl	$msg_pse, %ebx
	addl	$VA_PSE, %ebx
	movl	$len_pse, %ecx
	call	write_expect_ok

	movl	$VA_NONE, %ebx		/* not mapped: -EFAULT */
	movl	$4, %ecx
	movl	$HC_CONSOLE_WRITE, %eax
	vmcall
	cmpl	$-EFAULT, %eax
	je	1f
	incl	%ebp
1:
	movl	%cr0, %eax		/* paging off again */
	andl	$0x7fffffff, %eax
	movl	%eax, %cr0

	/* ---- PAE: PDPT[0] -> PD with two 2 MiB identity pages;
	 * PDPT[1] -> PD -> PT -> msgs' page at VA_PAE ---- */
	movl	$pd_pae0, %eax
	orl	$1, %eax
	movl	%eax, pdpt
	movl	$pd_pae1, %eax
	orl	$1, %eax
	movl	%eax, pdpt + 8
	movl	$0x83, pd_pae0		/* 0..2 MiB */
	movl	$0x200083, pd_pae0 + 8	/* 2..4 MiB */
	movl	$pt_pae, %eax
	orl	$3, %eax
	movl	%eax, pd_pae1
	movl	$msgs, %eax
	andl	$0xfffff000, %eax
	orl	$3, %eax
	movl	%eax, pt_pae
	movl	%cr4, %eax
	orl	$0x20, %eax		/* PAE */
	movl	%eax, %cr4
	movl	$pdpt, %eax
	movl	%eax, %cr3
	movl	%cr0, %eax
	orl	$0x80000000, %eax	/* the hv loads the PDPTEs here */
	movl	%eax, %cr0

	movl	$msg_pae, %ebx
	andl	$0xfff, %ebx
	addl	$VA_PAE, %ebx
	movl	$len_pae, %ecx
	call	write_expect_ok

	/* exit with the failure count */
	movl	%ebp, %eax
	outl	%eax, $0xf4
2:	hlt
	jmp	2b

/* console_write(EBX, ECX) must return ECX; else count a failure. */
write_expect_ok:
	pushl	%ecx
	movl	$HC_CONSOLE_WRITE, %eax
	vmcall
	popl	%ecx
	cmpl	%ecx, %eax
	je	1f
	incl	%ebp
1:	ret

	.data
	.balign 4096
msgs:
	.ascii "paging32: 4k ok\n"
	.set len_4k, . - msgs
msg_pse:
	.ascii "paging32: pse ok\n"
	.set len_pse, . - msg_pse
msg_pae:
	.ascii "paging32: pae ok\n"
	.set len_pae, . - msg_pae

	.bss
	.balign 4096
pd:	.skip 4096
pt:	.skip 4096
pd_pae0: .skip 4096
pd_pae1: .skip 4096
pt_pae:	.skip 4096
	.balign 32
pdpt:	.skip 32
	.balign 16
stack:	.skip 4096
stack_top:

	.section .note.GNU-stack, "", @progbits
