/* SPDX-License-Identifier: MIT */
/* CPUID: the real CPU's answers, filtered so a guest sees a hypervisor and
 * no VMX, plus qhv's own leaves at 0x40000000. */
#include <qhv/hypercall.h>
#include "vmx.h"
#include "arch/x86.h"

static void qhv_leaf(const struct vcpu *v, uint32_t leaf,
		     struct cpuid_regs *r)
{
	r->eax = r->ebx = r->ecx = r->edx = 0;
	if (leaf == QHV_CPUID_BASE) {
		r->eax = QHV_CPUID_VERSION;
		r->ebx = QHV_CPUID_SIG_EBX;
		r->ecx = QHV_CPUID_SIG_ECX;
		r->edx = QHV_CPUID_SIG_EDX;
	} else if (leaf == QHV_CPUID_VERSION) {
		r->eax = QHV_ABI_VERSION;
		r->ebx = v->dom->is_dom0 ? QHV_CPUID_F_PRIVILEGED : 0;
	}
}

enum exit_action vmx_exit_cpuid(struct vcpu *v, uint64_t qual)
{
	struct guest_regs *g = &v->arch.regs;
	uint32_t leaf = (uint32_t)g->rax, sub = (uint32_t)g->rcx;
	struct cpuid_regs r;

	(void)qual;
	if ((leaf & 0xffff0000u) == 0x40000000u) {
		qhv_leaf(v, leaf, &r);
	} else {
		cpuid_count(leaf, sub, &r);
		switch (leaf) {
		case 1:
			r.ecx &= ~((1u << 5) | (1u << 6)); /* VMX, SMX */
			r.ecx &= ~(1u << 3);	/* MONITOR/MWAIT: #UD here */
			r.ecx &= ~(1u << 15);	/* PDCM: no perf capabilities */
			r.ecx &= ~(1u << 21);	/* x2APIC: xAPIC model only */
			r.ecx |= 1u << 31;		   /* hypervisor */
			r.edx &= ~((1u << 7) | (1u << 14)); /* MCE, MCA */
			if (v->arch.has_vlapic) {
				r.edx |= 1u << 9;	/* APIC */
				r.ecx |= 1u << 24;	/* TSC deadline */
			} else {
				r.edx &= ~(1u << 9);
				r.ecx &= ~(1u << 24);
			}
			/* OSXSAVE mirrors the guest's own CR4. */
			r.ecx &= ~(1u << 27);
			if (vmread(GUEST_CR4) & CR4_OSXSAVE)
				r.ecx |= 1u << 27;
			/* Initial APIC id: the vCPU's index. */
			r.ebx = (r.ebx & 0x00ffffffu) | (v->id << 24);
			break;
		case 7:
			if (sub == 0) {
				r.ecx &= ~(1u << 5); /* WAITPKG: no TPAUSE */
				r.ebx &= ~(1u << 1); /* TSC_ADJUST MSR */
				/* speculation-control MSRs are not offered */
				r.edx &= ~((1u << 26) | (1u << 27) | (1u << 28) |
					   (1u << 29) | (1u << 31));
				/* INVPCID #UDs unless VMX enables it. */
				if (!(vmx.proc2 & PROC2_INVPCID))
					r.ebx &= ~(1u << 10);
			}
			break;
		case 5:	/* MONITOR/MWAIT leaf */
		case 6:	/* thermal and power management */
		case 0xa: /* performance monitoring */
			r.eax = r.ebx = r.ecx = r.edx = 0;
			break;
		case 0xd:
			if (sub == 0) { /* only what the hv switches */
				r.eax &= (uint32_t)vmx.xcr0_all;
				r.edx &= (uint32_t)(vmx.xcr0_all >> 32);
			}
			if (sub == 1)
				r.eax &= ~(1u << 3); /* XSAVES is not enabled */
			break;
		case 0x80000001:
			if (!(vmx.proc2 & PROC2_RDTSCP))
				r.edx &= ~(1u << 27);
			break;
		default:
			break;
		}
	}
	g->rax = r.eax;
	g->rbx = r.ebx;
	g->rcx = r.ecx;
	g->rdx = r.edx;
	vmx_skip_insn();
	return EXIT_CONTINUE;
}
