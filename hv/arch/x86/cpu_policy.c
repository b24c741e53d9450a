/* SPDX-License-Identifier: MIT */
/*
 * The guest's CPUID (see arch/cpu_policy.h).  Each hidden bit says what
 * it would have promised that the hv does not give.
 */
#include "arch/cpu_policy.h"


/* Leaf 1 ECX */
#define F1C_DTES64 BIT(2)	/* 64-bit debug store: no DS_AREA */
#define F1C_MONITOR BIT(3)	/* MONITOR/MWAIT exit with #UD */
#define F1C_DS_CPL BIT(4)	/* CPL-qualified debug store */
#define F1C_VMX BIT(5)		/* no nested virtualisation */
#define F1C_SMX BIT(6)
#define F1C_EIST BIT(7)		/* SpeedStep: no IA32_PERF_CTL */
#define F1C_TM2 BIT(8)		/* thermal monitor 2: no thermal MSRs */
#define F1C_SDBG BIT(11)	/* IA32_DEBUG_INTERFACE */
#define F1C_XTPR BIT(14)	/* xTPR update control */
#define F1C_PDCM BIT(15)	/* IA32_PERF_CAPABILITIES */
#define F1C_X2APIC BIT(21)	/* where the vLAPIC offers it */
#define F1C_TSC_DEADLINE BIT(24)
#define F1C_OSXSAVE BIT(27)
#define F1C_HYPERVISOR BIT(31)
/* Leaf 1 EDX */
#define F1D_MCE BIT(7)		/* no machine-check MSRs */
#define F1D_APIC BIT(9)
#define F1D_MCA BIT(14)
#define F1D_DS BIT(21)		/* debug store: no IA32_DS_AREA */
#define F1D_ACPI BIT(22)	/* thermal control MSRs */
#define F1D_TM BIT(29)		/* thermal monitor */
#define F1D_PBE BIT(31)
/* Leaf 7.0 EBX */
#define F7B_TSC_ADJUST BIT(1)	/* shown: the backends virtualise it */
#define F7B_SGX BIT(2)
#define F7B_INVPCID BIT(10)
#define F7B_RDT_M BIT(12)	/* resource monitoring MSRs */
#define F7B_MPX BIT(14)		/* BNDCFGS, bound registers */
#define F7B_RDT_A BIT(15)	/* resource allocation MSRs */
#define F7B_PT BIT(25)		/* processor trace MSRs */
/* Leaf 7.0 ECX */
#define F7C_WAITPKG BIT(5)	/* TPAUSE/UMWAIT: IA32_UMWAIT_CONTROL */
#define F7C_CET_SS BIT(7)	/* CET shadow stacks: no CET MSRs */
#define F7C_SGX_LC BIT(30)
#define F7C_PKS BIT(31)		/* IA32_PKRS */
/* Leaf 7.0 EDX */
#define F7D_CET_IBT BIT(20)
#define F7D_SPEC_CTRL (BIT(26) | BIT(27) | BIT(28) | BIT(29) | BIT(31))

static void zero(struct cpuid_regs *r)
{
	r->eax = r->ebx = r->ecx = r->edx = 0;
}

/*
 * Leaf 0x15, "TSC/core crystal clock": TSC = ECX * EBX / EAX.  Linux
 * (native_calibrate_tsc) takes the TSC frequency from it without
 * calibrating against a PIT (a domU has none) and derives the local APIC
 * timer's period from ECX, the crystal: the virtual APIC timer counts at
 * the TSC rate, so the crystal is the TSC itself (EBX = EAX = 1) unless
 * that does not fit 32 bits; then ECX is scaled and EBX says by what.
 */
static void tsc_leaf(const struct cpuid_ctx *c, struct cpuid_regs *r)
{
	uint64_t hz = c->tsc_khz * 1000;
	uint32_t mul = 1;

	zero(r);
	if (!hz)
		return;
	while (hz / mul > 0xffffffffull)
		mul++;
	r->eax = 1;
	r->ebx = mul;
	r->ecx = (uint32_t)(hz / mul);
}

/*
 * Leaf 0x16, "processor frequency", where the host has none: base and
 * maximum MHz are the TSC's.  Linux (cpu_khz_from_cpuid) takes cpu_khz
 * from it; without it, it tries a quick PIT calibration that a domU (no
 * PIT: ports read all-ones) spins on for 50000 port reads, each an exit.
 * A host's own leaf 0x16 is its real nominal frequency and is kept.
 */
static void freq_leaf(const struct cpuid_ctx *c, struct cpuid_regs *r)
{
	uint64_t mhz = c->tsc_khz / 1000;

	zero(r);
	if (!mhz || mhz > 0xffff)	/* the fields are 16 bits wide */
		return;
	r->eax = r->ebx = (uint32_t)mhz;
}

void cpuid_policy(const struct cpuid_ctx *c, uint32_t leaf, uint32_t sub,
		  struct cpuid_regs *r)
{
	/* Leaves the host lacks but the guest is offered (up to 0x16):
	 * the host answered with its highest leaf's data; start empty. */
	if (leaf > c->host_max_leaf && leaf <= CPUID_MIN_MAX_LEAF)
		zero(r);
	switch (leaf) {
	case 0:
		if (r->eax < CPUID_MIN_MAX_LEAF)
			r->eax = CPUID_MIN_MAX_LEAF;
		break;
	case CPUID_TSC_LEAF:
		tsc_leaf(c, r);
		break;
	case CPUID_FREQ_LEAF:
		if (leaf > c->host_max_leaf)
			freq_leaf(c, r);
		break;
	case 1:
		r->ecx &= ~(F1C_DTES64 | F1C_MONITOR | F1C_DS_CPL | F1C_VMX |
			    F1C_SMX | F1C_EIST | F1C_TM2 | F1C_SDBG |
			    F1C_XTPR | F1C_PDCM | F1C_X2APIC |
			    F1C_TSC_DEADLINE | F1C_OSXSAVE);
		r->ecx |= F1C_HYPERVISOR;
		r->edx &= ~(F1D_MCE | F1D_APIC | F1D_MCA | F1D_DS | F1D_ACPI |
			    F1D_TM | F1D_PBE);
		if (c->has_lapic) {
			r->edx |= F1D_APIC;
			r->ecx |= F1C_TSC_DEADLINE;
		}
		if (c->has_x2apic)
			r->ecx |= F1C_X2APIC;
		if (c->osxsave)	/* mirrors the guest's own CR4 */
			r->ecx |= F1C_OSXSAVE;
		r->ebx = (r->ebx & 0x00ffffffu) | (c->vcpu_id << 24);
		break;
	case 5:		/* MONITOR/MWAIT */
	case 6:		/* thermal and power management */
	case 0xa:	/* performance monitoring: no PMU */
	case 0xf:	/* resource monitoring */
	case 0x10:	/* resource allocation */
	case 0x12:	/* SGX */
	case 0x14:	/* processor trace */
		zero(r);
		break;
	case 7:
		/* Sub-leaf 0 only (the others list features and controls
		 * nobody has checked here, e.g. speculation-control bits). */
		if (sub != 0) {
			zero(r);
			break;
		}
		r->eax = 0;
		r->ebx &= ~(F7B_SGX | F7B_RDT_M | F7B_MPX | F7B_RDT_A | F7B_PT);
		/* Linux trusts a TSC with TSC_ADJUST, invariance and few
		 * sockets and then drops its clocksource watchdog, which in a
		 * vCPU that waits for its CPU sees lost jiffies as TSC skew. */
		r->ebx |= F7B_TSC_ADJUST;
		if (!c->invpcid)	/* INVPCID #UDs unless VMX enables it */
			r->ebx &= ~F7B_INVPCID;
		r->ecx &= ~(F7C_WAITPKG | F7C_CET_SS | F7C_SGX_LC | F7C_PKS);
		r->edx &= ~(F7D_CET_IBT | F7D_SPEC_CTRL);
		break;
	case 0xd:
		if (sub == 0) {	/* only what the hv switches */
			r->eax &= (uint32_t)c->xcr0_all;
			r->edx &= (uint32_t)(c->xcr0_all >> 32);
		} else if (sub == 1) {
			r->eax &= ~BIT(3);	/* XSAVES is not enabled */
			r->ecx = r->edx = 0;	/* no supervisor states */
		}
		break;
	case 0xb:	/* extended topology: EDX is the x2APIC id */
	case 0x1f:
		r->edx = c->vcpu_id;
		break;
	case 0x80000001:
		if (!c->rdtscp)
			r->edx &= ~BIT(27);
		break;
	case 0x80000007:
		/* Only the invariant TSC (EDX 8), the host's: the guest's TSC
		 * is the host's plus an offset.  The power-management and
		 * RAS bits name MSRs and interfaces that are not there. */
		r->eax = r->ebx = r->ecx = 0;
		r->edx &= BIT(8);
		break;
	default:
		break;
	}
}
