/* SPDX-License-Identifier: MIT */
/* Architectural constants shared by assembly and C. */
#ifndef QHV_ARCH_ASM_H
#define QHV_ARCH_ASM_H

/* Bit n: unsigned long in C (no signed overflow at bit 31), plain in asm. */
#ifdef __ASSEMBLER__
#define BIT(n) (1 << (n))
#else
#define BIT(n) (1ul << (n))
#endif

#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)

#define CR4_PSE BIT(4)
#define CR4_PAE BIT(5)
#define CR4_PGE BIT(7)
#define CR4_OSFXSR BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_VMXE BIT(13)
#define CR4_SMXE BIT(14)
#define CR4_PCIDE BIT(17)
#define CR4_OSXSAVE BIT(18)

#define MSR_EFER 0xc0000080
#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)

#define RFLAGS_IF BIT(9)
#define RFLAGS_RF BIT(16)

#define TRAMPOLINE_BASE 0x8000

#endif
