/* SPDX-License-Identifier: MIT */
/*
 * Virtual local APIC for every domain: the xAPIC register model (MMIO page
 * at 0xfee00000) and x2APIC mode (MSRs 0x800-0x8ff, SDM vol. 3 10.12).
 * The hv owns the physical LAPIC; a guest's accesses to its APIC are
 * emulated here.  Pure state machine: no VMX, no hardware.
 */
#ifndef QHV_ARCH_VLAPIC_H
#define QHV_ARCH_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define VLAPIC_BASE 0xfee00000ull
/* IA32_APIC_BASE bits (SDM 10.4.4, 10.12.1). */
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)	/* x2APIC mode */
#define APIC_BASE_EN (1ull << 11)	/* global enable */
/* The x2APIC registers: MSR 0x800 + xAPIC offset / 16. */
#define X2APIC_MSR_FIRST 0x800u
#define X2APIC_MSR_LAST 0x8ffu

enum vlapic_lvt { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1,
		  LVT_ERROR, LVT_COUNT };

/**
 * struct vlapic - one vCPU's local APIC.
 * @id: APIC id (the physical CPU's, since dom0 vCPUs are pinned 1:1).
 * @irr, @isr, @tmr: 256-bit vectors as in hardware.
 * @irr_words: bit i set while @irr[i] may be non-zero (set after the IRR
 *   bit, cleared only by the owning CPU and re-checked), so that the check
 *   before every VM entry finds an empty IRR without scanning it.
 * @phys_eoi: vectors that are also in service at the physical LAPIC; the
 *   guest's EOI of such a vector is forwarded to hardware.
 * @tsc_hz_div: TSC ticks per timer count before the divide configuration.
 * @timer_start: TSC when the current count started.
 * @deadline: absolute TSC of the next timer interrupt, 0 when disarmed.
 * @enabled: IA32_APIC_BASE's global enable.
 * @x2apic: IA32_APIC_BASE's EXTD: registers are MSRs, the page does not
 *   decode, the ID is 32 bits and the LDR is derived from it.
 */
struct vlapic {
	uint32_t id;
	uint32_t tpr, ldr, dfr, svr, esr, icr_lo, icr_hi;
	uint32_t lvt[LVT_COUNT];
	uint32_t tmict, tdcr;
	uint64_t timer_start;
	uint64_t deadline;
	uint64_t tsc_deadline;
	uint32_t irr[8], isr[8], tmr[8];
	uint32_t irr_words;
	uint32_t phys_eoi[8];
	bool enabled;
	bool x2apic;
};

/* What an ICR write asks for; the caller routes it to other vCPUs. */
struct vlapic_ipi {
	uint8_t vector;
	uint8_t mode;		/* 0 fixed, 1 lowest, 4 NMI, 5 INIT, 6 SIPI */
	uint8_t shorthand;	/* 0 none, 1 self, 2 all, 3 all but self */
	bool logical;
	bool wide;		/* @dest is an x2APIC (32-bit) destination */
	uint32_t dest;
	bool level_deassert;	/* INIT level de-assert: nothing to do */
};

void vlapic_reset(struct vlapic *l, uint32_t id);
/**
 * vlapic_init_signal() - an INIT: every register to its reset value but the
 * id and the mode (disabled, xAPIC or x2APIC: SDM 10.12.5.1).
 *
 * Return: how many in-service vectors were also in service at the physical
 * LAPIC (dom0's); the caller EOIs them there.
 */
unsigned vlapic_init_signal(struct vlapic *l);
uint32_t vlapic_read(struct vlapic *l, uint32_t off, uint64_t now);
/* Returns true when the write was an ICR send, filling @ipi. */
bool vlapic_write(struct vlapic *l, uint32_t off, uint32_t val, uint64_t now,
		  struct vlapic_ipi *ipi, int *eoi_vector);
void vlapic_set_irq(struct vlapic *l, uint8_t vector, bool level,
		    bool phys_eoi);
/* Highest vector that may be delivered now, or -1. */
int vlapic_deliverable(const struct vlapic *l);
/* The vector was delivered: move it from IRR to ISR. */
void vlapic_ack(struct vlapic *l, uint8_t vector);
/* Raise the timer interrupt if it is due. */
void vlapic_timer_tick(struct vlapic *l, uint64_t now);
/* TSC of the next timer event, or 0 when none. */
uint64_t vlapic_next_event(const struct vlapic *l);
void vlapic_write_tsc_deadline(struct vlapic *l, uint64_t tsc, uint64_t now);
/**
 * vlapic_match() - is @l a target of a message to @dest?
 * @logical: logical (else physical) destination mode.
 * @dest: the destination; 8 bits (xAPIC format: IOAPIC, MSI, an xAPIC-mode
 *   sender) unless @wide.
 * @wide: @dest comes from an x2APIC-mode ICR (32 bits).
 *
 * An x2APIC-mode target takes 8-bit messages as x2APIC ids below 256
 * (0xff: broadcast), as the x2APIC does for xAPIC-format interrupts.
 */
bool vlapic_match(const struct vlapic *l, bool logical, uint32_t dest,
		  bool wide);

/* The x2APIC logical id of APIC id @id: cluster in bits 31:16, one bit of
 * 16 in 15:0 (SDM 10.12.10.2). */
static inline uint32_t x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/**
 * vlapic_base() - IA32_APIC_BASE as the guest reads it.
 * @bsp: the vCPU is the bootstrap processor.
 */
uint64_t vlapic_base(const struct vlapic *l, bool bsp);

/**
 * vlapic_set_base() - a WRMSR to IA32_APIC_BASE.
 * @x2apic_ok: x2APIC mode is offered (CPUID.1:ECX.x2APIC).
 *
 * Only the architectural base; enable and EXTD move between the states of
 * SDM figure 10-27: disabled -> xAPIC -> x2APIC -> disabled (x2APIC back to
 * xAPIC, disabled to x2APIC, and EXTD without enable are illegal).  An
 * APIC enabled again comes back in its reset state.  The BSP bit reads as
 * it is; its writes are ignored.
 *
 * Return: false where hardware raises #GP (nothing changes).
 */
bool vlapic_set_base(struct vlapic *l, uint64_t val, bool x2apic_ok);

/**
 * vlapic_msr_read() - RDMSR of x2APIC register @msr (0x800-0x8ff).
 *
 * Return: false where hardware raises #GP: not in x2APIC mode, an MSR
 * with no register, or a write-only register (EOI, SELF IPI).
 */
bool vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t now,
		     uint64_t *val);

/**
 * vlapic_msr_write() - WRMSR of x2APIC register @msr.
 * @ipi: filled when the write sends an IPI (ICR, SELF IPI).
 * @eoi_vector: the EOI'd vector where it is also in service at the
 *   physical LAPIC, else -1.
 *
 * Return: -1 where hardware raises #GP (not in x2APIC mode, no such
 * register, a read-only one, or non-zero reserved bits: SDM 10.12.1.3),
 * 1 when @ipi was filled, 0 otherwise.
 */
int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val,
		     uint64_t now, struct vlapic_ipi *ipi, int *eoi_vector);

/*
 * A vCPU's accesses to its vLAPIC (arch/x86/vlapic_access.c), shared by
 * the vendor backends: they decode the access, these apply it.
 */
struct vcpu;

/* Deliver @ipi from @src to the matching vCPUs of its domain. */
void vlapic_send_ipi(struct vcpu *src, const struct vlapic_ipi *ipi);
/* A write to the xAPIC page at offset @off. */
void vlapic_page_write(struct vcpu *v, uint32_t off, uint32_t val);
/* CPUID.1:ECX.x2APIC for @v: every domU; not dom0 (see the .c file). */
bool vlapic_x2apic_offered(const struct vcpu *v);
/* IA32_APIC_BASE and MSRs 0x800-0x8ff; false: #GP. */
bool vlapic_guest_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
bool vlapic_guest_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);

#endif
