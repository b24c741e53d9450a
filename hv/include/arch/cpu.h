/* SPDX-License-Identifier: MIT */
#ifndef QHV_ARCH_CPU_H
#define QHV_ARCH_CPU_H

#include <stdint.h>

#define VMX_EXIT_REASONS 70

struct tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3;
	uint16_t iomap_base;
} __attribute__((packed));

/**
 * struct arch_cpu - x86 per-CPU state.
 * @gdt: this CPU's GDT (null, code, data, 16-byte TSS descriptor).
 * @tss: this CPU's TSS (IST stacks for #DF and NMI).
 * @vmxon_pa: physical address of the VMXON region.
 * @exits: VM-exit counts per basic exit reason, for statistics.
 */
struct arch_cpu {
	uint64_t gdt[5];
	struct tss64 tss;
	uint64_t vmxon_pa;
	uint64_t exits[VMX_EXIT_REASONS];
};

#define GDT_CODE 0x08
#define GDT_DATA 0x10
#define GDT_TSS 0x18

struct percpu;

/* Load this CPU's GDT, TSS, IDT and %gs base (percpu pointer). */
void cpu_tables_init(struct percpu *pc, uint64_t ist_df, uint64_t ist_nmi);
/* Build the shared IDT once, on the boot CPU. */
void idt_init(void);

#endif
