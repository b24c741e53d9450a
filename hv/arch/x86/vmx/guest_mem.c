/* SPDX-License-Identifier: MIT */
/*
 * Guest-virtual to guest-physical translation by walking the guest's own
 * page tables (none, 32-bit, PAE, 4-level), and copies from guest memory.
 * Everything read here is guest-controlled: each table entry is fetched
 * through the domain's EPT, never by trusting a guest address.
 */
#include <qhv/hypercall.h>
#include "vmx.h"
#include "arch/x86.h"
#include "core/mm.h"
#include "lib/string.h"

#define PTE_P 1ull
#define PTE_PS (1ull << 7)
#define ADDR_MASK 0x000ffffffffff000ull

static int read_gpa(struct domain *d, uint64_t gpa, void *dst, unsigned size)
{
	uint64_t hpa, contig;

	/* Table entries are naturally aligned, so never straddle pages. */
	if (arch_gpa_to_hpa(d, gpa, &hpa, &contig) || contig < size)
		return -QHV_EFAULT;
	memcpy(dst, phys_to_virt(hpa), size);
	return 0;
}

static int walk_32(struct domain *d, uint64_t cr3, uint32_t va, bool pse,
		   uint64_t *gpa)
{
	uint32_t pde, pte;

	if (read_gpa(d, (cr3 & 0xfffff000u) + (va >> 22) * 4, &pde, 4) ||
	    !(pde & PTE_P))
		return -QHV_EFAULT;
	if (pse && (pde & PTE_PS)) {
		*gpa = ((uint64_t)(pde & 0xffc00000u) |
			((uint64_t)((pde >> 13) & 0xff) << 32)) +
		       (va & 0x3fffff);
		return 0;
	}
	if (read_gpa(d, (pde & 0xfffff000u) + ((va >> 12) & 1023) * 4, &pte,
		     4) ||
	    !(pte & PTE_P))
		return -QHV_EFAULT;
	*gpa = (pte & 0xfffff000u) + (va & 0xfff);
	return 0;
}

/* Walk @levels levels of 64-bit entries starting from table @base. */
static int walk_64(struct domain *d, uint64_t base, uint64_t va,
		   unsigned levels, uint64_t *gpa)
{
	unsigned l;

	for (l = levels; l > 0; l--) {
		unsigned shift = 12 + 9 * (l - 1);
		uint64_t e;

		if (read_gpa(d, base + ((va >> shift) & 511) * 8, &e, 8) ||
		    !(e & PTE_P))
			return -QHV_EFAULT;
		if (l <= 3 && l > 1 && (e & PTE_PS)) {
			uint64_t page = 1ull << shift;

			*gpa = (e & ADDR_MASK & ~(page - 1)) + (va & (page - 1));
			return 0;
		}
		base = e & ADDR_MASK;
	}
	*gpa = base + (va & 0xfff);
	return 0;
}

int vmx_gva_to_gpa(struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
	uint64_t cr0 = vmread(GUEST_CR0), cr4 = vmread(GUEST_CR4);
	uint64_t cr3 = vmread(GUEST_CR3);

	if (!(cr0 & CR0_PG)) {
		if (gva >> 32)
			return -QHV_EFAULT;
		*gpa = gva;
		return 0;
	}
	if (vmread(GUEST_EFER) & EFER_LMA) {
		/* Non-canonical addresses never translate. */
		if ((uint64_t)((int64_t)(gva << 16) >> 16) != gva)
			return -QHV_EFAULT;
		return walk_64(v->dom, cr3 & ADDR_MASK, gva, 4, gpa);
	}
	if (gva >> 32)
		return -QHV_EFAULT;
	if (cr4 & CR4_PAE) {
		uint64_t pdpte = vmread((enum vmcs_field)(GUEST_PDPTE0 +
							  2 * (gva >> 30)));

		if (!(pdpte & PTE_P))
			return -QHV_EFAULT;
		return walk_64(v->dom, pdpte & ADDR_MASK, gva, 2, gpa);
	}
	return walk_32(v->dom, cr3, (uint32_t)gva, cr4 & CR4_PSE, gpa);
}

int arch_copy_from_guest(struct vcpu *v, void *dst, uint64_t gva,
			 uint64_t len)
{
	uint8_t *out = dst;

	while (len) {
		uint64_t gpa, hpa, contig;
		uint64_t chunk = PAGE_SIZE - (gva & (PAGE_SIZE - 1));

		if (chunk > len)
			chunk = len;
		if (vmx_gva_to_gpa(v, gva, &gpa) ||
		    arch_gpa_to_hpa(v->dom, gpa, &hpa, &contig))
			return -QHV_EFAULT;
		if (contig < chunk)
			chunk = contig;
		memcpy(out, phys_to_virt(hpa), chunk);
		out += chunk;
		gva += chunk;
		len -= chunk;
	}
	return 0;
}

/* Host address of the run of guest-virtual [gva, gva + len) that starts
 * at @gva and stays in one guest page and one host-contiguous range. */
static int guest_chunk(struct vcpu *v, uint64_t gva, uint64_t len,
		       void **host, uint64_t *chunk)
{
	uint64_t gpa, hpa, contig;

	*chunk = PAGE_SIZE - (gva & (PAGE_SIZE - 1));
	if (*chunk > len)
		*chunk = len;
	if (vmx_gva_to_gpa(v, gva, &gpa) ||
	    arch_gpa_to_hpa(v->dom, gpa, &hpa, &contig))
		return -QHV_EFAULT;
	if (contig < *chunk)
		*chunk = contig;
	*host = phys_to_virt(hpa);
	return 0;
}

int arch_copy_to_guest(struct vcpu *v, uint64_t gva, const void *src,
		       uint64_t len)
{
	const uint8_t *in = src;
	uint64_t off, chunk;
	void *host;

	/* All or nothing: check every page before writing any. */
	for (off = 0; off < len; off += chunk)
		if (guest_chunk(v, gva + off, len - off, &host, &chunk))
			return -QHV_EFAULT;
	for (off = 0; off < len; off += chunk) {
		if (guest_chunk(v, gva + off, len - off, &host, &chunk))
			return -QHV_EFAULT;
		memcpy(host, in + off, chunk);
	}
	return 0;
}
