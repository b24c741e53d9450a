/* SPDX-License-Identifier: MIT */
/*
 * Test guest entry.  Both multiboot flavours enter here in 32-bit
 * protected mode with paging off, EAX = boot magic, EBX = info pointer.
 * We probe for qhv while still in 32-bit mode (so the 32-bit hypercall
 * path gets exercised too), build identity page tables for the low
 * 4 GiB with 2 MiB pages, switch to long mode and call guest_start().
 */
#include "guest_asm.h"

	.section .multiboot, "a"

	/* multiboot2: no tags besides the end tag; GRUB loads the ELF. */
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long 0				/* architecture: i386 */
	.long mb2_header_end - mb2_header
	.long 0x100000000 - (MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
	.word 0, 0			/* end tag */
	.long 8
mb2_header_end:

	/*
	 * multiboot1 with the a.out kludge: `qemu -kernel` refuses ELF64
	 * otherwise.  The addresses describe the single flat segment.
	 */
	.balign 4
mb1_header:
	.long MB1_HEADER_MAGIC
	.long MB1_HEADER_FLAGS
	.long 0x100000000 - (MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)
	.long mb1_header		/* header_addr */
	.long __image_start		/* load_addr */
	.long __data_end		/* load_end_addr */
	.long __bss_end			/* bss_end_addr */
	.long _start			/* entry_addr */

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, %esi
	movl %ebx, %ebp

	/* Zero .bss ourselves: not every loader does it. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	movl %esi, boot_magic
	movl %ebp, boot_info_addr
	movl $stack_top, %esp

	lgdt gdt_ptr
	ljmp $GDT_CODE32, $1f
1:	movl $GDT_DATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss

	call probe_qhv32
	call build_page_tables

	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER */
	rdmsr
	orl $0x100, %eax		/* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax		/* PG | PE */
	movl %eax, %cr0
	ljmp $GDT_CODE64, $long_mode

/*
 * If CPUID says we run on qhv, issue QHV_HC_VERSION from 32-bit mode and
 * remember the answer: the hypercall test compares it with the 64-bit one.
 */
probe_qhv32:
	movl $CRT0_QHV_CPUID_BASE, %eax
	xorl %ecx, %ecx
	cpuid
	cmpl $CRT0_QHV_SIG_EBX, %ebx
	jne 1f
	cmpl $CRT0_QHV_SIG_ECX, %ecx
	jne 1f
	cmpl $CRT0_QHV_SIG_EDX, %edx
	jne 1f
	movl $CRT0_QHV_HC_VERSION, %eax
	vmcall
	movl %eax, qhv_version32
	movl $1, qhv_present32
1:	ret

/* PML4[0] -> PDPT[0..3] -> 4 PDs of 512 2 MiB pages, user-accessible. */
build_page_tables:
	movl $pd, %edi
	movl $0x87, %eax		/* P | RW | US | PS */
	movl $(512 * PT_IDENTITY_GIB), %ecx
1:	movl %eax, (%edi)
	movl $0, 4(%edi)
	addl $0x200000, %eax
	addl $8, %edi
	loop 1b

	movl $pdpt, %edi
	movl $pd + 7, %eax		/* P | RW | US */
	movl $PT_IDENTITY_GIB, %ecx
2:	movl %eax, (%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 2b

	movl $pdpt + 7, pml4
	ret

	.code64
long_mode:
	movl $GDT_DATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq $stack_top, %rsp
	movl boot_magic(%rip), %edi
	movl boot_info_addr(%rip), %esi
	call guest_start
	jmp guest_halt

	.text
	.globl guest_halt
guest_halt:
	cli
	hlt
	jmp guest_halt

/*
 * Exception stubs, one per 16 bytes so C can compute their addresses.
 * Vectors without a CPU error code push a zero to keep one frame layout.
 */
	.balign 16
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept 32
	.balign 16
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	.set vec, vec + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	cld
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

/*
 * long user_call(void (*fn)(void), void *user_stack_top)
 * Runs fn at CPL3.  fn ends with `int $USER_RETURN_VECTOR`, whose gate
 * lands in user_return_stub: it drops the interrupt frame and returns
 * from user_call with fn's RAX.
 */
	.globl user_call
user_call:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, user_saved_rsp(%rip)
	pushq $(GDT_UDATA | 3)
	pushq %rsi
	pushq $0x2			/* RFLAGS: interrupts stay off */
	pushq $(GDT_UCODE64 | 3)
	pushq %rdi
	iretq

	.globl user_return_stub
user_return_stub:
	movq user_saved_rsp(%rip), %rsp
	movl $GDT_DATA, %ecx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %ss
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

/* CPL3 body: a version hypercall, whose result goes back in RAX. */
	.globl user_hc_version
user_hc_version:
	movl $CRT0_QHV_HC_VERSION, %eax
	vmcall
	int $USER_RETURN_VECTOR

	.data
	.balign 16
	.globl gdt
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* GDT_CODE32 */
	.quad 0x00cf92000000ffff	/* GDT_DATA */
	.quad 0x00af9a000000ffff	/* GDT_CODE64 */
	.quad 0x00cff2000000ffff	/* GDT_UDATA, DPL3 */
	.quad 0x00affa000000ffff	/* GDT_UCODE64, DPL3 */
	.quad 0, 0			/* GDT_TSS: filled in by trap_init() */
gdt_end:
	.balign 4
	.word 0
gdt_ptr:
	.word gdt_end - gdt - 1
	.long gdt

	.globl boot_magic, boot_info_addr, qhv_version32, qhv_present32
boot_magic:	.long 0
boot_info_addr:	.long 0
qhv_version32:	.long 0
qhv_present32:	.long 0
user_saved_rsp:	.quad 0

	.bss
	.balign 4096
	.globl pml4, pdpt
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096 * PT_IDENTITY_GIB
stack:	.skip STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
