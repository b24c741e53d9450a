/* SPDX-License-Identifier: MIT */
/* CPUID: the real CPU's answers through the guest CPU model
 * (arch/x86/cpu_policy.c), plus qhv's own leaves at 0x40000000. */
#include <qhv/hypercall.h>
#include "vmx.h"
#include "arch/x86.h"
#include "arch/cpu_policy.h"
#include "arch/setup.h"
#include "arch/vlapic.h"

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

static uint32_t cpuid_max_basic_leaf(void)
{
	struct cpuid_regs r;

	cpuid_count(0, 0, &r);
	return r.eax;
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
		struct cpuid_ctx c = {
			.vcpu_id = v->id,
			/* CPUID.1:EDX.APIC follows IA32_APIC_BASE's enable. */
			.has_lapic = v->arch.has_vlapic && v->arch.lapic.enabled,
			.has_x2apic = vlapic_x2apic_offered(v),
			.osxsave = vmread(GUEST_CR4) & CR4_OSXSAVE,
			.invpcid = vmx.proc2 & PROC2_INVPCID,
			.rdtscp = vmx.proc2 & PROC2_RDTSCP,
			.xcr0_all = vmx.xcr0_all,
			.host_max_leaf = cpuid_max_basic_leaf(),
			.tsc_khz = tsc_khz,
		};

		cpuid_count(leaf, sub, &r);
		cpuid_policy(&c, leaf, sub, &r);
	}
	g->rax = r.eax;
	g->rbx = r.ebx;
	g->rcx = r.ecx;
	g->rdx = r.edx;
	vmx_skip_insn();
	return EXIT_CONTINUE;
}
