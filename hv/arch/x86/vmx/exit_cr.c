/* SPDX-License-Identifier: MIT */
/*
 * Control-register accesses that exit: writes touching the CR0/CR4 bits the
 * hv owns (see the guest/host masks in vmx.c).  The guest's view lives in
 * the read shadows; hardware gets the view plus what VMX requires.
 */
#include "vmx.h"
#include "arch/x86.h"

static void load_pdptes(struct vcpu *v, uint64_t cr3)
{
	uint64_t pdpte[4] = { 0 }, hpa, contig;
	unsigned i;

	/* PAE paging with EPT: VM entry loads the PDPTEs from the VMCS. */
	if (!arch_gpa_to_hpa(v->dom, cr3 & 0xffffffe0u, &hpa, &contig) &&
	    contig >= sizeof(pdpte)) {
		const uint64_t *src = (const uint64_t *)(uintptr_t)hpa;

		for (i = 0; i < 4; i++)
			pdpte[i] = src[i];
	}
	for (i = 0; i < 4; i++)
		vmwrite((enum vmcs_field)(GUEST_PDPTE0 + 2 * i), pdpte[i]);
}

/* The CR0 the guest believes it has: host-owned bits from the shadow. */
static uint64_t guest_cr0(void)
{
	uint64_t mask = vmread(CR0_MASK);

	return (vmread(GUEST_CR0) & ~mask) | (vmread(CR0_SHADOW) & mask);
}

static bool guest_write_cr0(struct vcpu *v, uint64_t val)
{
	uint64_t efer = vmread(GUEST_EFER);
	uint32_t entry = (uint32_t)vmread(ENTRY_CTLS);
	bool pg = val & CR0_PG;

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)))
		return false;
	/* Paging goes off only from compatibility mode and with PCIDs off
	 * (SDM MOV CR0 #GP rules); else VM entry would fail, not the guest. */
	if (!pg && (vmread(GUEST_CR0) & CR0_PG) &&
	    (vmx_guest_64bit() || (vmread(GUEST_CR4) & CR4_PCIDE)))
		return false;
	if (pg && !(vmread(GUEST_CR0) & CR0_PG)) {
		if (efer & EFER_LME) {
			/* Entering long mode requires PAE. */
			if (!(vmread(GUEST_CR4) & CR4_PAE))
				return false;
			efer |= EFER_LMA;
			entry |= ENTRY_IA32E;
		} else if (vmread(GUEST_CR4) & CR4_PAE) {
			load_pdptes(v, vmread(GUEST_CR3));
		}
	} else if (!pg) {
		efer &= ~(uint64_t)EFER_LMA;
		entry &= ~ENTRY_IA32E;
	}
	vmwrite(GUEST_EFER, efer);
	vmwrite(ENTRY_CTLS, entry);
	vmwrite(CR0_SHADOW, val);
	vmwrite(GUEST_CR0, vmx_cr0_real(val));
	return true;
}

static bool guest_write_cr4(uint64_t val)
{
	/* The guest may not turn on VMX or SMX: they are hidden from it. */
	if (val & (CR4_VMXE | CR4_SMXE))
		return false;
	if ((vmx_cr4_real(val) & ~vmx.cr4_fixed1) ||
	    (val & ~vmx.cr4_fixed1))
		return false;
	vmwrite(CR4_SHADOW, val);
	vmwrite(GUEST_CR4, vmx_cr4_real(val));
	return true;
}

enum exit_action vmx_exit_cr(struct vcpu *v, uint64_t qual)
{
	unsigned cr = qual & 15, type = (qual >> 4) & 3;
	uint64_t rsp = vmread(GUEST_RSP);
	uint64_t *reg = vmx_gpr(v, (unsigned)(qual >> 8), &rsp);
	uint64_t val = vmx_guest_64bit() ? *reg : (uint32_t)*reg;
	bool ok = false;

	if (type == 0 && cr == 0)
		ok = guest_write_cr0(v, val);
	else if (type == 0 && cr == 4)
		ok = guest_write_cr4(val);
	else if (type == 2) /* CLTS */
		ok = guest_write_cr0(v, guest_cr0() & ~(uint64_t)8);
	else if (type == 3) /* LMSW: only the low four bits, PE sticky */
		ok = guest_write_cr0(v, (guest_cr0() & ~0xeull) |
				  ((qual >> 16) & 0xf));
	if (!ok) {
		vmx_inject_gp();
		return EXIT_CONTINUE;
	}
	vmx_skip_insn();
	return EXIT_CONTINUE;
}
