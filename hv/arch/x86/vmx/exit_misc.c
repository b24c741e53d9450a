/* SPDX-License-Identifier: MIT */
/*
 * Exits that end, pause or steer the vCPU: HLT, VMCALL, triple fault,
 * INIT/SIPI, external interrupts, the preemption timer, XSETBV, exceptions,
 * EPT faults and instructions a guest may not use.
 */
#include <qhv/platform.h>
#include <qhv/hypercall.h>
#include "vmx.h"
#include "arch/x86.h"
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/percpu.h"
#include "arch/apic.h"
#include "arch/vlapic.h"
#include "lib/printk.h"

/* Can no vCPU of @d run again by itself?  Each is down (HLT with
 * interrupts off) or waits for a SIPI that only another vCPU could send. */
static bool all_vcpus_down(struct domain *d)
{
	unsigned i;

	for (i = 0; i < d->nr_vcpus; i++) {
		const struct arch_vcpu *a = &d->vcpu[i].arch;

		if (!__atomic_load_n(&a->down, __ATOMIC_ACQUIRE) &&
		    !__atomic_load_n(&a->wait_sipi, __ATOMIC_ACQUIRE))
			return false;
	}
	return true;
}

/*
 * HLT as on hardware: the vCPU waits in the guest's HLT state until an
 * interrupt it accepts (with IF=1), an NMI, or for an AP an INIT-SIPI.
 * With interrupts off only an NMI can wake it: it is "down".  When every
 * vCPU is down nothing can ever run the domain again: like Xen, it is
 * shut down (poweroff) rather than held for ever.  dom0's boot vCPU in
 * cli; hlt is Linux's halt: dom0 is done.
 */
enum exit_action vmx_exit_hlt(struct vcpu *v, uint64_t qual)
{
	bool if_on = vmread(GUEST_RFLAGS) & RFLAGS_IF;

	(void)qual;
	if (if_on || v->arch.nmi_pending)
		return vmx_halt_vlapic(v);
	if (v->dom->arch.privileged && v->id == 0) {
		pr_info("qhv: dom %s: halted\n", v->dom->name);
		domain_exit(v->dom, 0);
		return EXIT_RESCHED;
	}
	__atomic_store_n(&v->arch.down, true, __ATOMIC_RELEASE);
	if (!v->dom->arch.privileged && all_vcpus_down(v->dom)) {
		pr_info("qhv: dom %s: every vCPU halted with interrupts off\n",
			v->dom->name);
		domain_shutdown(v->dom, QHV_SHUTDOWN_POWEROFF, 0);
		return EXIT_RESCHED;
	}
	return vmx_halt_vlapic(v);
}

enum exit_action vmx_exit_vmcall(struct vcpu *v, uint64_t qual)
{
	struct guest_regs *g = &v->arch.regs;
	struct hcall_args a;
	int64_t ret;
	bool is64;

	(void)qual;
	/* Only the guest kernel may call the hv (CPL = SS.DPL). */
	if (((vmread(GUEST_SS_AR) >> 5) & 3) != 0) {
		g->rax = (uint64_t)-QHV_EPERM;
		vmx_skip_insn();
		return EXIT_CONTINUE;
	}
	is64 = vmx_guest_64bit();
	if (is64) {
		a.nr = g->rax;
		a.arg[0] = g->rdi;
		a.arg[1] = g->rsi;
		a.arg[2] = g->rdx;
		a.arg[3] = g->r10;
		a.arg[4] = g->r8;
	} else {
		a.nr = (uint32_t)g->rax;
		a.arg[0] = (uint32_t)g->rbx;
		a.arg[1] = (uint32_t)g->rcx;
		a.arg[2] = (uint32_t)g->rdx;
		a.arg[3] = (uint32_t)g->rsi;
		a.arg[4] = (uint32_t)g->rdi;
	}
	a.resched = false;
	vmx_skip_insn();
	ret = hypercall_dispatch(v, &a);
	if (v->stopped)
		return EXIT_RESCHED;
	g->rax = is64 ? (uint64_t)ret : (uint32_t)ret;
	return a.resched ? EXIT_RESCHED : EXIT_CONTINUE;
}

enum exit_action vmx_exit_triple_fault(struct vcpu *v, uint64_t qual)
{
	(void)qual;
	domain_crash(v->dom, "triple fault rip=0x%lx", vmread(GUEST_RIP));
	return EXIT_RESCHED;
}

enum exit_action vmx_exit_init(struct vcpu *v, uint64_t qual)
{
	(void)qual;
	/* An INIT to a running single-vCPU boot domain is a reset request
	 * we do not support: treat it like a triple fault. */
	domain_crash(v->dom, "INIT signal rip=0x%lx", vmread(GUEST_RIP));
	return EXIT_RESCHED;
}

enum exit_action vmx_exit_sipi(struct vcpu *v, uint64_t qual)
{
	/* Start the vCPU in real mode at vector << 12. */
	uint64_t base = (qual & 0xff) << 12;

	vmwrite(GUEST_CS_SEL, base >> 4);
	vmwrite(GUEST_CS_BASE, base);
	vmwrite(GUEST_RIP, 0);
	vmwrite(GUEST_ACTIVITY, 0);
	(void)v;
	return EXIT_CONTINUE;
}

enum exit_action vmx_exit_external_int(struct vcpu *v, uint64_t qual)
{
	uint32_t info = (uint32_t)vmread(EXIT_INTR_INFO);

	struct vcpu *d0 = this_cpu()->dom0_vcpu;

	(void)qual;
	/* Acknowledged on exit: route it (dom0's device interrupts, kicks). */
	irq_dispatch((uint8_t)(info & 0xff));
	/* Let dom0 take its interrupt soon if another guest ran. */
	if (d0 && d0 != v && vmx_interrupt_pending(d0))
		return EXIT_RESCHED;
	return EXIT_CONTINUE;
}

enum exit_action vmx_exit_preempt_timer(struct vcpu *v, uint64_t qual)
{
	struct vcpu *d0 = this_cpu()->dom0_vcpu;

	(void)qual;
	/* A virtual timer of this vCPU: deliver and carry on.  Otherwise the
	 * slice ended or dom0's timer is due here: let the scheduler pick. */
	if (v->arch.has_vlapic && (!d0 || d0 == v))
		return EXIT_CONTINUE;
	return EXIT_RESCHED;
}

enum exit_action vmx_exit_xsetbv(struct vcpu *v, uint64_t qual)
{
	struct guest_regs *g = &v->arch.regs;
	uint64_t val = (g->rdx << 32) | (uint32_t)g->rax;
	(void)qual;
	/* XCR0 only; x87 always on; AVX needs SSE; only host-supported bits. */
	if ((uint32_t)g->rcx != 0 || !vmx.xsave || !(val & 1) ||
	    ((val & 4) && !(val & 2)) ||
	    (val & ~vmx.xcr0_all) ||
	    !(vmread(GUEST_CR4) & CR4_OSXSAVE)) {
		vmx_inject_gp();
		return EXIT_CONTINUE;
	}
	xsetbv(0, val);
	v->arch.xcr0 = val;
	vmx_skip_insn();
	return EXIT_CONTINUE;
}

enum exit_action vmx_exit_exception(struct vcpu *v, uint64_t qual)
{
	uint32_t info = (uint32_t)vmread(EXIT_INTR_INFO);

	(void)qual;
	if (((info >> 8) & 7) == 2) {
		/* A host NMI arrived while the guest ran; nothing to do. */
		pr_warn("qhv: NMI on cpu while running %s\n", v->dom->name);
		return EXIT_CONTINUE;
	}
	/* The exception bitmap is empty, so this is unexpected. */
	domain_crash(v->dom, "unexpected exception %u rip=0x%lx", info & 0xff,
		     vmread(GUEST_RIP));
	return EXIT_RESCHED;
}

enum exit_action vmx_exit_ept_violation(struct vcpu *v, uint64_t qual)
{
	uint64_t gpa = vmread(GUEST_PHYS_ADDR);

	/* dom0's view of the machine: its APIC page and unassigned memory
	 * are emulated; any other domain only has its RAM. */
	if (v->dom->arch.privileged ||
	    (v->arch.has_vlapic && (gpa & ~0xfffull) == VLAPIC_BASE) ||
	    (gpa & ~0xfffull) == QHV_PLAT_IOAPIC_BASE)
		return vmx_mmio_access(v, gpa);
	/* Boot domains have no emulated MMIO: any access outside their RAM
	 * is a fault of the guest's own making. */
	domain_crash(v->dom, "EPT violation gpa=0x%lx (%s%s%s) rip=0x%lx qual=0x%lx",
		     vmread(GUEST_PHYS_ADDR), (qual & 1) ? "r" : "",
		     (qual & 2) ? "w" : "", (qual & 4) ? "x" : "",
		     vmread(GUEST_RIP), qual);
	return EXIT_RESCHED;
}

enum exit_action vmx_exit_ept_misconfig(struct vcpu *v, uint64_t qual)
{
	(void)qual;
	/* Our own tables are wrong: an hv bug, but confined to this domain. */
	pr_err("qhv: EPT misconfiguration for gpa 0x%lx: hv bug\n",
	       vmread(GUEST_PHYS_ADDR));
	domain_crash(v->dom, "EPT misconfiguration gpa=0x%lx rip=0x%lx",
		     vmread(GUEST_PHYS_ADDR), vmread(GUEST_RIP));
	return EXIT_RESCHED;
}

enum exit_action vmx_exit_rdpmc(struct vcpu *v, uint64_t qual)
{
	(void)v;
	(void)qual;
	/* No PMU is offered (CPUID leaf 0xA is zero): no counter index is
	 * valid, and a CPU raises #GP for an invalid one, not #UD. */
	vmx_inject_gp();
	return EXIT_CONTINUE;
}

enum exit_action vmx_exit_vmx_insn(struct vcpu *v, uint64_t qual)
{
	(void)v;
	(void)qual;
	/* VMX, SMX and MONITOR/MWAIT are not offered to guests. */
	vmx_inject_ud();
	return EXIT_CONTINUE;
}

enum exit_action vmx_exit_nop_skip(struct vcpu *v, uint64_t qual)
{
	(void)v;
	(void)qual;
	/* INVD/WBINVD: caches are coherent for guests; nothing to do. */
	vmx_skip_insn();
	return EXIT_CONTINUE;
}

enum exit_action vmx_exit_dr(struct vcpu *v, uint64_t qual)
{
	(void)qual;
	domain_crash(v->dom, "debug-register access not virtualised rip=0x%lx",
		     vmread(GUEST_RIP));
	return EXIT_RESCHED;
}

enum exit_action vmx_exit_task_switch(struct vcpu *v, uint64_t qual)
{
	(void)qual;
	domain_crash(v->dom, "hardware task switch not supported rip=0x%lx",
		     vmread(GUEST_RIP));
	return EXIT_RESCHED;
}

enum exit_action vmx_exit_pause(struct vcpu *v, uint64_t qual)
{
	(void)v;
	(void)qual;
	vmx_skip_insn();
	return EXIT_RESCHED;
}
