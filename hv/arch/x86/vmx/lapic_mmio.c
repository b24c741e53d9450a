/* SPDX-License-Identifier: MIT */
/*
 * Emulated MMIO for dom0: the virtual local APIC page (xAPIC at
 * 0xfee00000) and "holes" (memory dom0 does not own).  Neither is mapped
 * in dom0's EPT, so each access is an EPT violation; the faulting
 * instruction is fetched and decoded here (the MOV forms compilers and
 * Linux use), emulated, and skipped.  IPIs go to the sibling vCPUs.
 */
#include <qhv/hypercall.h>
#include <qhv/platform.h>
#include "vmx.h"
#include "arch/apic.h"
#include "arch/x86.h"
#include "core/domain.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "arch/insn.h"


/* Fetch up to 15 instruction bytes at the guest's RIP. */
static unsigned fetch_insn(struct vcpu *v, uint8_t *buf)
{
	uint64_t rip = vmread(GUEST_RIP) + vmread(GUEST_CS_BASE);
	unsigned n = 0;

	while (n < 15) {
		uint64_t gpa, hpa, contig;
		uint64_t chunk = PAGE_SIZE - ((rip + n) & (PAGE_SIZE - 1));

		if (vmx_gva_to_gpa(v, rip + n, &gpa) ||
		    arch_gpa_to_hpa(v->dom, gpa, &hpa, &contig))
			break;
		if (chunk > contig)
			chunk = contig;
		if (chunk > 15 - n)
			chunk = 15 - n;
		memcpy(buf + n, phys_to_virt(hpa), chunk);
		n += (unsigned)chunk;
	}
	return n;
}

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
	case 5: /* INIT: only a vCPU that never started waits for SIPI */
		return;
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

static void route_ipi(struct vcpu *src, const struct vlapic_ipi *ipi)
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
			hit = vlapic_match(&t->arch.lapic, ipi->logical, ipi->dest);
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

static uint32_t lapic_read(struct vcpu *v, uint64_t gpa)
{
	return vlapic_read(&v->arch.lapic, (uint32_t)(gpa & 0xfff), rdtsc());
}

static void lapic_write(struct vcpu *v, uint64_t gpa, uint32_t val)
{
	struct vlapic *l = &v->arch.lapic;
	uint32_t off = (uint32_t)(gpa & 0xfff);
	uint64_t now = rdtsc();
	struct vlapic_ipi ipi;
	int eoi_vec;

	if (vlapic_write(l, off, val, now, &ipi, &eoi_vec))
		route_ipi(v, &ipi);
	if (eoi_vec >= 0)
		apic_eoi(); /* the physical interrupt is done too */
	/* dom0's LDR/DFR: mirrored so the IOAPIC's logical routing works. */
	if ((off == 0xd0 || off == 0xe0) && v->dom->arch.privileged)
		apic_set_logical(vlapic_read(l, 0xd0, now),
				 vlapic_read(l, 0xe0, now));
}

/* dom0 touching memory it does not have (the hv's, other domains'):
 * reads see an empty bus, writes vanish.  Never the hv's data. */
static uint32_t hole_read(struct vcpu *v, uint64_t gpa)
{
	static unsigned reported;

	if (reported < 8) {
		reported++;
		pr_info("qhv: dom %s: access to unassigned memory 0x%lx (reads as ~0)\n",
			v->dom->name, gpa);
	}
	return ~0u;
}

static void hole_write(struct vcpu *v, uint64_t gpa, uint32_t val)
{
	(void)val;
	hole_read(v, gpa);
}

enum exit_action vmx_mmio_access(struct vcpu *v, uint64_t gpa)
{
	/* A globally disabled APIC (IA32_APIC_BASE) stops decoding its
	 * page: accesses see the empty bus, as on hardware. */
	bool lapic = v->arch.has_vlapic && v->arch.lapic.enabled &&
		     (gpa & ~0xfffull) == VLAPIC_BASE;
	/* A domU's IOAPIC page (dom0 has the real one). */
	bool ioapic = !v->dom->arch.privileged &&
		      (gpa & ~0xfffull) == QHV_PLAT_IOAPIC_BASE;
	uint64_t rsp = vmread(GUEST_RSP);
	struct mmio_insn d;
	uint8_t buf[15];
	unsigned n = fetch_insn(v, buf);
	uint64_t *reg;

	if (!insn_decode_mmio(buf, n, vmx_guest_64bit(), &d)) {
		domain_crash(v->dom, "unsupported instruction for MMIO at gpa=0x%lx rip=0x%lx",
			     gpa, vmread(GUEST_RIP));
		return EXIT_RESCHED;
	}
	reg = vmx_gpr(v, d.reg, &rsp);
	if (d.write) {
		uint32_t val = (uint32_t)(d.has_imm ? d.imm : *reg);
		uint32_t old = lapic ? lapic_read(v, gpa) :
			       ioapic ? vioapic_read(v->dom, (uint32_t)(gpa & 0xfff)) : ~0u;

		if (lapic)
			lapic_write(v, gpa, val);
		else if (ioapic)
			vioapic_write(v->dom, (uint32_t)(gpa & 0xfff), val);
		else
			hole_write(v, gpa, val);
		if (d.xchg)
			*reg = old;
	} else {
		uint64_t val = lapic ? lapic_read(v, gpa) :
			       ioapic ? vioapic_read(v->dom, (uint32_t)(gpa & 0xfff)) :
			       hole_read(v, gpa);

		if (!lapic && !ioapic && d.size == 8)
			val = ~0ull;
		if (d.size == 4 || d.size == 8)
			*reg = val; /* 32-bit loads zero-extend */
		else if (d.size == 2)
			*reg = (*reg & ~0xffffull) | (val & 0xffff);
		else
			*reg = (*reg & ~0xffull) | (val & 0xff);
	}
	if (d.reg == 4)
		vmwrite(GUEST_RSP, rsp);
	vmwrite(GUEST_RIP, vmread(GUEST_RIP) + d.len);
	return EXIT_CONTINUE;
}
