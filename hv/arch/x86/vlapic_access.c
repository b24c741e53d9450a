/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's accesses to its virtual local APIC, for every vendor backend:
 * the xAPIC page (decoded by the backend's MMIO emulation), the x2APIC
 * MSRs and IA32_APIC_BASE.  Beyond the register model (vlapic.c) an access
 * may send IPIs to sibling vCPUs, finish a physical interrupt (EOI), or,
 * for dom0, change the logical mode the physical IOAPIC's routes use.
 */
#include "arch/vlapic.h"
#include "arch/apic.h"
#include "arch/vcpu.h"
#include "arch/x86.h"
#include "core/domain.h"

static void deliver_ipi(struct vcpu *src, struct vcpu *t,
			const struct vlapic_ipi *ipi)
{
	struct arch_vcpu *a = &t->arch;

	switch (ipi->mode) {
	case 0: /* fixed */
	case 1: /* lowest priority: the chosen target */
		vlapic_set_irq(&a->lapic, ipi->vector, false, false);
		break;
	case 4:
		a->nmi_pending = true;
		break;
	case 5:
		/* INIT: a vCPU that runs goes back to waiting for a SIPI.
		 * Its state is reset on its own CPU (init_pending); waiting
		 * starts now, so a SIPI right behind this INIT (Linux sends
		 * none of the old 10 ms delay on family 6) is not lost. */
		if (__atomic_load_n(&a->wait_sipi, __ATOMIC_ACQUIRE))
			return;	/* waits already (never started) */
		a->sipi_vector = -1;
		__atomic_store_n(&a->init_pending, true, __ATOMIC_RELEASE);
		__atomic_store_n(&a->wait_sipi, true, __ATOMIC_RELEASE);
		break;
	case 6:
		if (a->wait_sipi && a->sipi_vector < 0) {
			a->sipi_vector = ipi->vector;
			__atomic_store_n(&a->wait_sipi, false, __ATOMIC_RELEASE);
		}
		break;
	default:
		return; /* SMI and reserved modes are ignored */
	}
	if (t != src)
		arch_kick_cpu(t->pcpu);
}

void vlapic_send_ipi(struct vcpu *src, const struct vlapic_ipi *ipi)
{
	struct domain *d = src->dom;
	unsigned i;

	if (ipi->level_deassert)
		return;
	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *t = &d->vcpu[i];
		bool hit;

		switch (ipi->shorthand) {
		case 1: hit = t == src; break;
		case 2: hit = true; break;
		case 3: hit = t != src; break;
		default:
			hit = vlapic_match(&t->arch.lapic, ipi->logical,
					   ipi->dest, ipi->wide);
			break;
		}
		if (hit && !t->stopped) {
			deliver_ipi(src, t, ipi);
			/* lowest priority: one target is enough */
			if (ipi->mode == 1)
				return;
		}
	}
}

void vlapic_page_write(struct vcpu *v, uint32_t off, uint32_t val)
{
	struct vlapic *l = &v->arch.lapic;
	uint64_t now = rdtsc();
	struct vlapic_ipi ipi;
	int eoi_vec;

	if (vlapic_write(l, off, val, now, &ipi, &eoi_vec))
		vlapic_send_ipi(v, &ipi);
	if (eoi_vec >= 0)
		apic_eoi(); /* the physical interrupt is done too */
	/* dom0's LDR/DFR: mirrored so the IOAPIC's logical routing works. */
	if ((off == 0xd0 || off == 0xe0) && v->dom->arch.privileged)
		apic_set_logical(vlapic_read(l, 0xd0, now),
				 vlapic_read(l, 0xe0, now));
}

/*
 * dom0 is not offered x2APIC: it programs the physical IOAPIC and MSI
 * addresses itself, in the format of its own APIC mode, and without
 * interrupt remapping the hardware (in xAPIC mode) would read x2APIC
 * logical ids as something else.  Every domU's interrupts are virtual.
 */
bool vlapic_x2apic_offered(const struct vcpu *v)
{
	return v->arch.has_vlapic && !v->dom->arch.privileged;
}

bool vlapic_guest_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (!v->arch.has_vlapic)
		return false;
	if (msr == MSR_IA32_APIC_BASE) {
		*val = vlapic_base(&v->arch.lapic, v->id == 0);
		return true;
	}
	return vlapic_msr_read(&v->arch.lapic, msr, rdtsc(), val);
}

bool vlapic_guest_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vlapic_ipi ipi;
	int eoi_vec, r;

	if (!v->arch.has_vlapic)
		return false;
	if (msr == MSR_IA32_APIC_BASE)
		return vlapic_set_base(&v->arch.lapic, val,
				       vlapic_x2apic_offered(v));
	r = vlapic_msr_write(&v->arch.lapic, msr, val, rdtsc(), &ipi, &eoi_vec);
	if (r < 0)
		return false;
	if (r > 0)
		vlapic_send_ipi(v, &ipi);
	if (eoi_vec >= 0)
		apic_eoi();
	return true;
}
