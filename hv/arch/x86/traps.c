/* SPDX-License-Identifier: MIT */
/*
 * Descriptor tables and host exception reports.  Any exception in the hv
 * itself is an hv bug: report registers and fault address, then panic
 * (there is no safe way to continue with corrupted hv state).
 */
#include <stdint.h>
#include "arch/cpu.h"
#include "arch/x86.h"
#include "core/percpu.h"
#include "core/panic.h"
#include "lib/printk.h"
#include "lib/string.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct idt_entry {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off1;
	uint32_t off2;
	uint32_t rsvd;
} __attribute__((packed));

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct idt_entry idt[256];
extern const uint64_t trap_stubs[32];
extern const uint64_t irq_stub_base;

static const char *const trap_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO",
	"#TS", "#NP", "#SS", "#GP", "#PF", "15", "#MF", "#AC", "#MC", "#XM",
	"#VE", "#CP", "22", "23", "24", "25", "26", "27", "28", "29", "#SX",
	"31",
};

void idt_init(void)
{
	unsigned v;

	for (v = 0; v < 256; v++) {
		/* 16-byte stubs for vectors 32..255, see trap_entry.S */
		uint64_t a = v < 32 ? trap_stubs[v] :
				      irq_stub_base + (v - 32) * 16;

		idt[v].off0 = (uint16_t)a;
		idt[v].sel = GDT_CODE;
		/* #DF and NMI run on their own stacks: the faulting stack
		 * may be the very thing that is broken. */
		idt[v].ist = v == 8 ? 1 : v == 2 ? 2 : 0;
		idt[v].type = 0x8e;
		idt[v].off1 = (uint16_t)(a >> 16);
		idt[v].off2 = (uint32_t)(a >> 32);
		idt[v].rsvd = 0;
	}
}

void cpu_tables_init(struct percpu *pc, uint64_t ist_df, uint64_t ist_nmi)
{
	struct arch_cpu *a = &pc->arch;
	uint64_t tss = (uint64_t)&a->tss;
	struct dtr gdtr = { sizeof(a->gdt) - 1, (uint64_t)a->gdt };
	struct dtr idtr = { sizeof(idt) - 1, (uint64_t)idt };

	memset(&a->tss, 0, sizeof(a->tss));
	a->tss.ist[0] = ist_df;
	a->tss.ist[1] = ist_nmi;
	a->tss.iomap_base = sizeof(a->tss);
	a->gdt[0] = 0;
	a->gdt[1] = 0x00af9a000000ffffull;
	a->gdt[2] = 0x00cf92000000ffffull;
	a->gdt[3] = (sizeof(a->tss) - 1) | ((tss & 0xffffff) << 16) |
		    (0x89ull << 40) | (((tss >> 24) & 0xff) << 56);
	a->gdt[4] = tss >> 32;

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "ltr %w3\n\t"
			 "lidt %4"
			 :
			 : "m"(gdtr), "i"(GDT_CODE), "i"(GDT_DATA),
			   "r"(GDT_TSS), "m"(idtr)
			 : "rax", "memory");
	pc->self = pc;
	wrmsr(MSR_GS_BASE, (uint64_t)pc);
}

void trap_handler(struct trap_frame *f)
{
	unsigned cpu = this_cpu()->id;

	pr_err("qhv: hv exception %s (vector %lu) on cpu%u error=0x%lx\n",
	       trap_names[f->vector & 31], f->vector, cpu, f->error);
	pr_err("  rip=%016lx cs=%lx rflags=%016lx rsp=%016lx cr2=%016lx\n",
	       f->rip, f->cs, f->rflags, f->rsp, read_cr2());
	pr_err("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", f->rax,
	       f->rbx, f->rcx, f->rdx);
	pr_err("  rsi=%016lx rdi=%016lx rbp=%016lx r8 =%016lx\n", f->rsi,
	       f->rdi, f->rbp, f->r8);
	pr_err("  r9 =%016lx r10=%016lx r11=%016lx r12=%016lx\n", f->r9,
	       f->r10, f->r11, f->r12);
	pr_err("  r13=%016lx r14=%016lx r15=%016lx cr3=%016lx\n", f->r13,
	       f->r14, f->r15, read_cr3());
	panic("exception in the hypervisor");
}
