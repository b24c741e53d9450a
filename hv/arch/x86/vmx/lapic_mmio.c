/* SPDX-License-Identifier: MIT */
/*
 * Emulated MMIO for dom0: the virtual local APIC page (xAPIC at
 * 0xfee00000) and "holes" (memory dom0 does not own).  Neither is mapped
 * in dom0's EPT, so each access is an EPT violation; the faulting
 * instruction is fetched and decoded here (the MOV forms compilers and
 * Linux use), emulated (arch/x86/vlapic_access.c for the APIC), and
 * skipped.
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

static uint32_t lapic_read(struct vcpu *v, uint64_t gpa)
{
	return vlapic_read(&v->arch.lapic, (uint32_t)(gpa & 0xfff), rdtsc());
}

static void lapic_write(struct vcpu *v, uint64_t gpa, uint32_t val)
{
	vlapic_page_write(v, (uint32_t)(gpa & 0xfff), val);
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
	/* A globally disabled APIC (IA32_APIC_BASE) or one in x2APIC mode
	 * does not decode its page: accesses see the empty bus. */
	bool lapic = v->arch.has_vlapic && v->arch.lapic.enabled &&
		     !v->arch.lapic.x2apic && (gpa & ~0xfffull) == VLAPIC_BASE;
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
