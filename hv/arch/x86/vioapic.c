/* SPDX-License-Identifier: MIT */
/*
 * A domU's IOAPIC (82093AA register model, version 0x11, 24 pins) at
 * QHV_PLAT_IOAPIC_BASE: the only interrupt controller besides the local
 * APICs (no 8259: the MADT says so).  Its one source today is the UART on
 * pin 4.  Every pin is treated as edge-triggered: a level-triggered entry
 * delivers on each assertion and Remote IRR is never set, which is
 * correct for the edge-only ISA devices of this platform (docs/platform.md).
 */
#include <qhv/platform.h>
#include "arch/vcpu.h"
#include "arch/vlapic.h"
#include "core/domain.h"
#include "core/percpu.h"

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define REG_ID 0x00
#define REG_VER 0x01
#define REG_ARB 0x02
#define REG_REDIR 0x10
#define IOAPIC_VERSION 0x11

#define RTE_VECTOR 0xffull
#define RTE_DELMODE(e) (((e) >> 8) & 7)
#define RTE_LOGICAL (1ull << 11)
#define RTE_MASKED (1ull << 16)
#define RTE_DEST(e) ((uint8_t)((e) >> 56))
/* What the guest may write: all but delivery status and Remote IRR. */
#define RTE_WRITABLE (~((1ull << 12) | (1ull << 14)))

void vioapic_reset(struct vioapic *io)
{
	/* Every pin starts masked, as after reset. */
	io->index = 0;
	for (unsigned i = 0; i < VIOAPIC_PINS; i++)
		io->redir[i] = RTE_MASKED;
}

uint32_t vioapic_read(struct domain *d, uint32_t off)
{
	struct vioapic *io = &d->arch.ioapic;
	uint32_t v = ~0u, reg;

	spin_lock(&io->lock);
	if (off == IOAPIC_REGSEL) {
		v = io->index;
	} else if (off == IOAPIC_WIN) {
		reg = io->index;
		if (reg == REG_ID)
			v = QHV_PLAT_IOAPIC_ID << 24;
		else if (reg == REG_VER)
			v = IOAPIC_VERSION | ((VIOAPIC_PINS - 1) << 16);
		else if (reg == REG_ARB)
			v = QHV_PLAT_IOAPIC_ID << 24;
		else if (reg >= REG_REDIR && reg < REG_REDIR + 2 * VIOAPIC_PINS)
			v = (uint32_t)(io->redir[(reg - REG_REDIR) / 2] >>
				       ((reg & 1) ? 32 : 0));
		else
			v = 0;
	}
	spin_unlock(&io->lock);
	return v;
}

void vioapic_write(struct domain *d, uint32_t off, uint32_t val)
{
	struct vioapic *io = &d->arch.ioapic;
	uint32_t reg;

	spin_lock(&io->lock);
	if (off == IOAPIC_REGSEL) {
		io->index = val & 0xff;
	} else if (off == IOAPIC_WIN) {
		reg = io->index;
		if (reg >= REG_REDIR && reg < REG_REDIR + 2 * VIOAPIC_PINS) {
			uint64_t *e = &io->redir[(reg - REG_REDIR) / 2];
			uint64_t v = (reg & 1) ? ((uint64_t)val << 32) | (uint32_t)*e :
						 (*e & ~0xffffffffull) | val;

			*e = (*e & ~RTE_WRITABLE) | (v & RTE_WRITABLE);
		}
		/* ID, version and arbitration are fixed: writes vanish. */
	}
	spin_unlock(&io->lock);
}

void arch_domain_irq_edge(struct domain *d, unsigned gsi)
{
	struct vioapic *io = &d->arch.ioapic;
	struct vcpu *self = this_cpu()->current;
	uint64_t e;
	unsigned mode;

	if (d->arch.privileged || gsi >= VIOAPIC_PINS)
		return;	/* dom0's interrupts are the real IOAPIC's */
	spin_lock(&io->lock);
	e = io->redir[gsi];
	spin_unlock(&io->lock);
	mode = RTE_DELMODE(e);
	/* Masked: an edge is lost, as on hardware.  Only fixed and
	 * lowest-priority delivery make sense for a device. */
	if ((e & RTE_MASKED) || (mode != 0 && mode != 1))
		return;
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *t = &d->vcpu[i];

		if (t->stopped || !t->arch.has_vlapic ||
		    !vlapic_match(&t->arch.lapic, e & RTE_LOGICAL, RTE_DEST(e),
				  false))
			continue;
		vlapic_set_irq(&t->arch.lapic, (uint8_t)(e & RTE_VECTOR), false, false);
		if (t != self)
			arch_kick_cpu(t->pcpu);
		if (mode == 1)
			return;	/* lowest priority: one target */
	}
}
