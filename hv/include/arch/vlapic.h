/* SPDX-License-Identifier: MIT */
/*
 * Virtual local APIC (xAPIC register model) for domains that have one
 * (dom0).  The hv owns the physical LAPIC; a guest's accesses to its
 * APIC page are emulated here.  Pure state machine: no VMX, no hardware.
 */
#ifndef QHV_ARCH_VLAPIC_H
#define QHV_ARCH_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define VLAPIC_BASE 0xfee00000ull

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
	bool enabled;		/* IA32_APIC_BASE enable bit */
};

/* What an ICR write asks for; the caller routes it to other vCPUs. */
struct vlapic_ipi {
	uint8_t vector;
	uint8_t mode;		/* 0 fixed, 1 lowest, 4 NMI, 5 INIT, 6 SIPI */
	uint8_t shorthand;	/* 0 none, 1 self, 2 all, 3 all but self */
	bool logical;
	uint8_t dest;
	bool level_deassert;	/* INIT level de-assert: nothing to do */
};

void vlapic_reset(struct vlapic *l, uint32_t id);
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
bool vlapic_match(const struct vlapic *l, bool logical, uint8_t dest);

#endif
