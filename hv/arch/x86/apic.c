/* SPDX-License-Identifier: MIT */
/*
 * Physical local APIC: set-up per CPU, EOI, IPIs, and routing of physical
 * interrupts.  Device interrupts belong to dom0: dom0 programs the IOAPIC
 * (passed through) with its own vectors and its vCPUs' APIC ids, which are
 * the physical ones, so an interrupt arrives on the CPU running the dom0
 * vCPU it was meant for.  The hv acknowledges it on VM exit, injects it
 * into that vCPU's virtual APIC and forwards the guest's EOI to hardware,
 * so priorities and level-triggered lines behave as on bare metal.
 */
#include "arch/apic.h"
#include "arch/x86.h"
#include "core/domain.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "lib/printk.h"

#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)

enum {
	R_ID = 0x20, R_TPR = 0x80, R_EOI = 0xb0, R_LDR = 0xd0, R_DFR = 0xe0,
	R_SVR = 0xf0, R_ISR = 0x100, R_ICR_LO = 0x300, R_ICR_HI = 0x310,
	R_LVT_TIMER = 0x320, R_LVT_LINT0 = 0x350, R_LVT_LINT1 = 0x360,
	R_LVT_ERROR = 0x370,
};

static bool x2apic;

static volatile uint32_t *mmio(uint32_t reg)
{
	return (volatile uint32_t *)((uintptr_t)0xfee00000u + reg);
}

static uint32_t apic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return *mmio(reg);
}

static void apic_write(uint32_t reg, uint32_t val)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), val);
	else
		*mmio(reg) = val;
}

void apic_cpu_init(bool bsp)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	/* The hv maps only the default base 1:1; firmware keeps it there. */
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
	x2apic = base & APIC_BASE_X2APIC;
	apic_write(R_TPR, 0);
	apic_write(R_LVT_TIMER, 1u << 16);
	apic_write(R_LVT_ERROR, 1u << 16);
	/* LINT0 carries the legacy PIC (ExtINT) to the boot CPU only. */
	apic_write(R_LVT_LINT0, bsp ? 0x700 : 1u << 16);
	apic_write(R_LVT_LINT1, 0x400); /* NMI */
	apic_write(R_SVR, 0x100 | SPURIOUS_VECTOR);
}

void apic_eoi(void)
{
	apic_write(R_EOI, 0);
}

bool apic_in_service(uint8_t vector)
{
	return apic_read(R_ISR + (vector / 32) * 0x10) & (1u << (vector % 32));
}

void apic_set_logical(uint32_t ldr, uint32_t dfr)
{
	if (x2apic)
		return; /* logical ids are fixed in x2APIC mode */
	apic_write(R_DFR, dfr);
	apic_write(R_LDR, ldr);
}

void apic_send_ipi(uint32_t apic_id, uint32_t icr)
{
	unsigned spins = 0;

	if (x2apic) {
		wrmsr(0x830, ((uint64_t)apic_id << 32) | icr);
		return;
	}
	apic_write(R_ICR_HI, apic_id << 24);
	apic_write(R_ICR_LO, icr);
	while ((apic_read(R_ICR_LO) & (1u << 12)) && ++spins < 1000000)
		cpu_relax();
}

void irq_dispatch(uint8_t vector)
{
	struct percpu *pc = this_cpu();
	struct vcpu *d0 = pc->dom0_vcpu;
	bool in_service;

	if (vector == KICK_VECTOR) {
		apic_eoi();
		return;
	}
	if (vector == SPURIOUS_VECTOR)
		return; /* spurious interrupts take no EOI */
	in_service = apic_in_service(vector);
	if (!d0 || d0->stopped) {
		/* No dom0 vCPU here to own it: acknowledge and drop. */
		if (in_service)
			apic_eoi();
		pr_debug("qhv: cpu%u: dropped interrupt vector %u\n", pc->id,
			 vector);
		return;
	}
	if (in_service)
		vlapic_set_irq(&d0->arch.lapic, vector, false, true);
	else
		d0->arch.extint_vector = vector; /* ExtINT from the 8259 */
}
