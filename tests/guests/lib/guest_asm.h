/* SPDX-License-Identifier: MIT */
/*
 * Constants shared by crt0.S and C.  qhv/hypercall.h is C-only (it has an
 * enum), so the few ABI values crt0 needs are repeated here and checked
 * against the header by static asserts in lib.c.
 */
#ifndef GUEST_ASM_H
#define GUEST_ASM_H

#define MB1_HEADER_MAGIC 0x1BADB002
/* bit 0: page-align modules, bit 1: memory info, bit 16: a.out kludge */
#define MB1_HEADER_FLAGS 0x00010003
#define MB1_BOOT_MAGIC 0x2BADB002
#define MB2_HEADER_MAGIC 0xE85250D6
#define MB2_BOOT_MAGIC 0x36d76289

#define GDT_CODE32 0x08
#define GDT_DATA 0x10
#define GDT_CODE64 0x18
#define GDT_UDATA 0x20
#define GDT_UCODE64 0x28
#define GDT_TSS 0x30

/* Software interrupt a CPL3 function uses to hand control back. */
#define USER_RETURN_VECTOR 0x81

/* ABI values crt0 needs (see include/qhv/hypercall.h). */
#define CRT0_QHV_CPUID_BASE 0x40000000
#define CRT0_QHV_SIG_EBX 0x51564851
#define CRT0_QHV_SIG_ECX 0x48515648
#define CRT0_QHV_SIG_EDX 0x56485156
#define CRT0_QHV_HC_VERSION 0x51480000
#define CRT0_QHV_HC_CONSOLE_WRITE 0x51480001

/*
 * The plain 32-bit multiboot1 guests (paging32, taskswitch, lowload): an
 * ELF image's header (page-aligned modules, memory info) and the start of
 * _start, interrupts off, on the image's own stack_top.
 */
#define MB1_ELF_FLAGS 0x00000003
#define MB1_ELF_KERNEL_START                                            \
	.section .multiboot, "a";                                       \
	.align 4;                                                       \
	.long MB1_HEADER_MAGIC, MB1_ELF_FLAGS,                          \
		-(MB1_HEADER_MAGIC + MB1_ELF_FLAGS);                    \
	.text;                                                          \
	.code32;                                                        \
	.globl _start;                                                  \
_start:                                                                 \
	cli;                                                            \
	movl	$stack_top, %esp

#define STACK_SIZE 16384
#define PT_IDENTITY_GIB 4

#endif /* GUEST_ASM_H */
