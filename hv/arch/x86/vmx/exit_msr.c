/* SPDX-License-Identifier: MIT */
/*
 * RDMSR/WRMSR for the MSRs the bitmap does not pass through.  Each MSR is
 * either virtualised here on purpose or refused with #GP, as hardware
 * would refuse an MSR it does not have.
 */
#include "vmx.h"
#include "arch/x86.h"
#include "arch/cpu_policy.h"
#include "lib/printk.h"

#define MSR_TSC_ADJUST 0x3b
#define MSR_PLATFORM_ID 0x17
#define MSR_BIOS_SIGN_ID 0x8b
#define MSR_MTRRCAP 0xfe
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_TSC_DEADLINE 0x6e0

static bool pat_valid(uint64_t pat)
{
	unsigned i;

	for (i = 0; i < 8; i++) {
		uint8_t t = (uint8_t)(pat >> (8 * i));

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static bool msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_EFER:
		*val = vmread(GUEST_EFER);
		return true;
	case MSR_IA32_TSC:
		*val = rdtsc() + vmread(TSC_OFFSET);
		return true;
	case MSR_TSC_ADJUST:
		*val = v->arch.tsc_adjust;
		return true;
	case MSR_IA32_FEATURE_CONTROL:
		*val = 1; /* locked, VMX off: no nested virtualisation */
		return true;
	case MSR_IA32_APIC_BASE:
		/* arch/x86/vlapic_access.c; a vCPU without a virtual APIC
		 * reads it disabled.  Bit 8: bootstrap processor. */
		if (!v->arch.has_vlapic) {
			*val = VLAPIC_BASE | (v->id == 0 ? APIC_BASE_BSP : 0);
			return true;
		}
		return vlapic_guest_rdmsr(v, msr, val);
	case MSR_TSC_DEADLINE:
		if (!v->arch.has_vlapic)
			return false;
		/* Kept in host TSC; the guest's TSC is offset from it. */
		*val = v->arch.lapic.tsc_deadline ?
			       v->arch.lapic.tsc_deadline + vmread(TSC_OFFSET) : 0;
		return true;
	case MSR_IA32_MISC_ENABLE:
		*val = v->arch.misc_enable;
		return true;
	case MSR_PLATFORM_ID:
	case MSR_BIOS_SIGN_ID:
	case MSR_MTRRCAP:
		*val = 0;
		return true;
	case MSR_MTRR_DEF_TYPE:
		*val = v->arch.mtrr_def_type;
		return true;
	default:
		/* x2APIC registers: #GP unless in x2APIC mode. */
		if (msr >= X2APIC_MSR_FIRST && msr <= X2APIC_MSR_LAST)
			return vlapic_guest_rdmsr(v, msr, val);
		return false;
	}
}

static bool msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	switch (msr) {
	case MSR_EFER: {
		uint64_t old = vmread(GUEST_EFER);

		if (val & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
			return false;
		/* LMA is the CPU's to set; LME may not change under paging. */
		val = (val & ~(uint64_t)EFER_LMA) | (old & EFER_LMA);
		if (((val ^ old) & EFER_LME) && (vmread(GUEST_CR0) & CR0_PG))
			return false;
		vmwrite(GUEST_EFER, val);
		return true;
	}
	case MSR_IA32_PAT:
		if (!pat_valid(val))
			return false;
		vmwrite(GUEST_PAT, val);
		return true;
	case MSR_BIOS_SIGN_ID:
		return true; /* microcode loading is the hv's business */
	case MSR_IA32_MISC_ENABLE:
		if (!misc_enable_write_ok(v->arch.misc_enable, val))
			return false;
		v->arch.misc_enable = val;
		return true;
	case MSR_IA32_TSC: {
		/* The guest sets its own TSC: only its offset changes, and
		 * TSC_ADJUST by as much (SDM 17.17.3), as hardware's does. */
		uint64_t now = rdtsc();

		v->arch.tsc_adjust += val - (now + vmread(TSC_OFFSET));
		vmwrite(TSC_OFFSET, val - now);
		return true;
	}
	case MSR_TSC_ADJUST:
		/* A write moves the TSC by the change (two's complement). */
		vmwrite(TSC_OFFSET, vmread(TSC_OFFSET) + (val - v->arch.tsc_adjust));
		v->arch.tsc_adjust = val;
		return true;
	case MSR_IA32_APIC_BASE:
		return vlapic_guest_wrmsr(v, msr, val);
	case MSR_TSC_DEADLINE:
		if (!v->arch.has_vlapic)
			return false;
		vlapic_write_tsc_deadline(&v->arch.lapic,
					  val ? val - vmread(TSC_OFFSET) : 0,
					  rdtsc());
		return true;
	case MSR_MTRR_DEF_TYPE:
		if (val & ~0xcffull)
			return false;
		v->arch.mtrr_def_type = val;
		return true;
	default:
		if (msr >= X2APIC_MSR_FIRST && msr <= X2APIC_MSR_LAST)
			return vlapic_guest_wrmsr(v, msr, val);
		return false;
	}
}

enum exit_action vmx_exit_rdmsr(struct vcpu *v, uint64_t qual)
{
	struct guest_regs *g = &v->arch.regs;
	uint64_t val;

	(void)qual;
	if (!msr_read(v, (uint32_t)g->rcx, &val)) {
		pr_debug("qhv: dom %s: rdmsr 0x%x -> #GP\n", v->dom->name,
			 (uint32_t)g->rcx);
		vmx_inject_gp();
		return EXIT_CONTINUE;
	}
	g->rax = (uint32_t)val;
	g->rdx = val >> 32;
	vmx_skip_insn();
	return EXIT_CONTINUE;
}

enum exit_action vmx_exit_wrmsr(struct vcpu *v, uint64_t qual)
{
	struct guest_regs *g = &v->arch.regs;
	uint64_t val = (g->rdx << 32) | (uint32_t)g->rax;

	(void)qual;
	if (!msr_write(v, (uint32_t)g->rcx, val)) {
		pr_debug("qhv: dom %s: wrmsr 0x%x <- 0x%lx -> #GP\n",
			 v->dom->name, (uint32_t)g->rcx, val);
		vmx_inject_gp();
		return EXIT_CONTINUE;
	}
	vmx_skip_insn();
	return EXIT_CONTINUE;
}
