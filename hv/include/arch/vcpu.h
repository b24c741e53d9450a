/* SPDX-License-Identifier: MIT */
/*
 * The arch interface core uses to run guests.  Core never touches VMCS
 * fields: it asks for these operations instead.
 */
#ifndef QHV_ARCH_VCPU_H
#define QHV_ARCH_VCPU_H

#include <stdbool.h>
#include "lib/spinlock.h"
#include <stdint.h>
#include <qhv/domctl.h>
#include "arch/vlapic.h"

struct guest_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/**
 * struct arch_vcpu - VMX state of one vCPU.
 * @regs: general registers while the guest is not running.
 * @vmcs_pa: its VMCS region.
 * @launched: VMLAUNCH done; later entries use VMRESUME.
 * @vpid: TLB tag.
 * @fpu_pa: XSAVE/FXSAVE area (one frame).
 * @xcr0: guest XCR0.
 * @cr2, @msr_*: registers VMX does not switch, swapped when several vCPUs
 *   share a CPU.
 */
struct arch_vcpu {
	struct guest_regs regs;
	uint64_t vmcs_pa;
	bool launched;
	bool vmcs_ready;
	uint64_t boot_rip;
	uint16_t vpid;
	uint64_t fpu_pa;
	uint64_t xcr0;
	uint64_t cr2;
	uint64_t msr_star, msr_lstar, msr_cstar, msr_sfmask, msr_kgs, msr_tsc_aux;
	uint64_t mtrr_def_type;
	uint64_t misc_enable;	/* IA32_MISC_ENABLE as the guest set it */
	uint64_t tsc_adjust;	/* IA32_TSC_ADJUST: the guest's own TSC writes */
	uint64_t slice_start;
	bool boot_linux;	/* start in 64-bit mode (Linux boot protocol) */
	uint64_t boot_cr3;
	uint64_t boot_gdt;
	bool has_vlapic;	/* emulated local APIC (every domain) */
	struct vlapic lapic;
	volatile bool wait_sipi; /* AP waiting for INIT-SIPI */
	volatile int sipi_vector; /* >= 0: start at vector << 12 */
	volatile bool init_pending; /* an INIT to apply on the vCPU's CPU */
	bool sipi_start;	/* INIT applied: start at the SIPI's vector */
	int extint_vector;	/* virtual-wire (PIC) interrupt pending, or -1 */
	volatile bool nmi_pending;
	bool halted;		/* in the guest's HLT state (for getinfo) */
	bool down;		/* HLT with interrupts off: only an NMI wakes it */
	bool has_ctx;		/* start at @ctx (management ABI) */
	struct qhv_vcpu_context ctx;
};

/* A domU's IOAPIC (arch/x86/vioapic.c). */
#define VIOAPIC_PINS 24
struct vioapic {
	spinlock_t lock;	/* protects: index, redir */
	uint32_t index;		/* IOREGSEL */
	uint64_t redir[VIOAPIC_PINS];
};

/* The domain's second-level address space (EPT) and, for a domU, the PC
 * devices of arch/x86/vpc.c. */
struct arch_domain {
	uint64_t ept_root_pa;
	bool privileged;	/* dom0: port and MMIO pass-through */
	struct vioapic ioapic;
	uint32_t pci_addr;	/* 0xcf8 latch (no device behind it) */
	uint8_t cmos_index;	/* port 0x70, NMI-disable bit stripped */
	uint8_t cmos[128];	/* non-time CMOS bytes the guest wrote */
};

struct vcpu;
struct domain;

/* The IOAPIC model (arch/x86/vioapic.c): reset, and MMIO at offset
 * @off of its page. */
void vioapic_reset(struct vioapic *io);
uint32_t vioapic_read(struct domain *d, uint32_t off);
void vioapic_write(struct domain *d, uint32_t off, uint32_t val);
/* An edge on interrupt line @gsi of a domU's platform (its IOAPIC). */
void arch_domain_irq_edge(struct domain *d, unsigned gsi);
/* A domU's PC ports (CMOS, PCI config, ACPI sleep): true if handled. */
bool vpc_pio(struct vcpu *v, uint16_t port, unsigned size, bool in,
	     uint32_t *val);

/* CPU support and per-CPU VMX operation. */
int arch_virt_check(void);
int arch_virt_cpu_init(void);

/* Address space of a domain. */
int arch_domain_init(struct domain *d);
void arch_domain_destroy(struct domain *d);
int arch_map_ram(struct domain *d, uint64_t gpa, uint64_t hpa, uint64_t len);
/* Identity-map [base, base+len) as RAM (write-back) or MMIO (uncached),
 * not owned by the domain (dom0's view of the machine). */
int arch_map_identity(struct domain *d, uint64_t base, uint64_t len,
		      bool mmio);
int arch_gpa_to_hpa(struct domain *d, uint64_t gpa, uint64_t *hpa,
		    uint64_t *contig);

/* vCPU lifecycle. */
int arch_vcpu_init(struct vcpu *v);
void arch_vcpu_destroy(struct vcpu *v);
/* 32-bit protected mode, paging off, at @entry with EAX/EBX (multiboot). */
void arch_vcpu_set_mb_state(struct vcpu *v, uint32_t entry, uint32_t eax,
			    uint32_t ebx);
/* 64-bit long mode at @entry with RSI = @rsi, CR3 = @cr3 (Linux boot
 * protocol); GDT at @gdt with __BOOT_CS 0x10 and __BOOT_DS 0x18. */
void arch_vcpu_set_linux_state(struct vcpu *v, uint64_t entry, uint64_t rsi,
			       uint64_t cr3, uint64_t gdt);
/* Give the vCPU an emulated local APIC with id @apic_id (dom0). */
void arch_vcpu_enable_vlapic(struct vcpu *v, uint32_t apic_id);
/* AP of an SMP guest: waits for INIT-SIPI from another vCPU. */
void arch_vcpu_set_wait_sipi(struct vcpu *v);
/* Start state from the management ABI (validated by the caller). */
void arch_vcpu_set_context(struct vcpu *v, const struct qhv_vcpu_context *c);
/* Is a vCPU ready as far as arch is concerned (not waiting for SIPI)?
 * Core's vcpu_runnable() adds stopped and paused. */
static inline bool arch_vcpu_ready(const struct arch_vcpu *a)
{
	return !__atomic_load_n(&a->wait_sipi, __ATOMIC_ACQUIRE);
}
/* Is @v halted or waiting for a SIPI (uses no CPU)? */
bool arch_vcpu_blocked(const struct vcpu *v);
/* Has runnable @v work: not halted, or halted with an interrupt, NMI or
 * virtual timer event due?  Callable for any vCPU queued on this CPU. */
bool arch_vcpu_wants_cpu(const struct vcpu *v);
/* TSC ticks to nanoseconds. */
uint64_t arch_tsc_to_ns(uint64_t ticks);
/* Raise dom0's management-event interrupt (QHV_SYSCTL_EVENTS pending). */
void arch_notify_dom0(void);
/* Make another CPU look at its run queue (a kick IPI). */
void arch_kick_cpu(unsigned pcpu);
/* Idle until an interrupt arrives. */
void arch_cpu_idle(void);

/* Run @v on this CPU until it yields its time slice or stops. */
void arch_vcpu_run(struct vcpu *v);

/* Hypercall plumbing: arguments and guest-virtual copies. */
struct hcall_args {
	uint64_t nr;
	uint64_t arg[5];
	bool resched;	/* out: give up the CPU after returning */
};
int arch_copy_from_guest(struct vcpu *v, void *dst, uint64_t gva,
			 uint64_t len);
/* Copy to guest-virtual memory: every page is checked (mapped, and
 * writable in the guest's page tables) before any byte is written. */
int arch_copy_to_guest(struct vcpu *v, uint64_t gva, const void *src,
		       uint64_t len);

#endif
