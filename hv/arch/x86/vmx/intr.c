/* SPDX-License-Identifier: MIT */
/*
 * Virtual interrupt delivery for vCPUs with a virtual local APIC (dom0),
 * by plain event injection (no posted interrupts, no virtual-interrupt
 * delivery: Bochs' is unreliable and older CPUs lack it).
 */
#include "vmx.h"
#include "arch/x86.h"
#include "arch/apic.h"
#include "core/domain.h"
#include "core/percpu.h"

#define PROC_INTR_WINDOW (1u << 2)
#define ACTIVITY_ACTIVE 0
#define INTR_TYPE_EXT 0
#define INTR_TYPE_NMI (2u << 8)

/* An event whose delivery a VM exit interrupted must be delivered again. */
void vmx_reinject_vectoring(void)
{
	uint32_t info = (uint32_t)vmread(IDT_VECTORING_INFO);
	uint32_t type = (info >> 8) & 7;

	if (!(info & INTR_VALID))
		return;
	vmwrite(ENTRY_INTR_INFO, info & ~(1u << 12));
	if (info & INTR_ERROR_VALID)
		vmwrite(ENTRY_EXC_ERROR, vmread(IDT_VECTORING_ERROR));
	/* Software interrupts and exceptions need their instruction length. */
	if (type == 4 || type == 5 || type == 6)
		vmwrite(ENTRY_INSN_LEN, vmread(EXIT_INSN_LEN));
}

static void set_intr_window(bool on)
{
	uint32_t proc = (uint32_t)vmread(PROC_CTLS);
	uint32_t want = on ? proc | PROC_INTR_WINDOW : proc & ~PROC_INTR_WINDOW;

	if (want != proc)
		vmwrite(PROC_CTLS, want);
}

static void set_nmi_window(bool on)
{
	uint32_t proc = (uint32_t)vmread(PROC_CTLS);
	uint32_t want = on ? proc | PROC_NMI_WINDOW : proc & ~PROC_NMI_WINDOW;

	if (!vmx.nmi_window)
		return;	/* then a blocked NMI waits for the next exit */
	if (want != proc)
		vmwrite(PROC_CTLS, want);
}

/* After an INIT: no window exits are wanted. */
void vmx_intr_windows_off(void)
{
	set_intr_window(false);
	set_nmi_window(false);
}

/* Blocking by STI, MOV SS or NMI (interruptibility bits 0, 1, 3), or an
 * event already being injected. */
static bool nmi_blocked(void)
{
	return (vmread(ENTRY_INTR_INFO) & INTR_VALID) ||
	       (vmread(GUEST_INTERRUPTIBILITY) & 0xb);
}

/*
 * A pending NMI is injected when nothing blocks it; while the guest is in
 * its NMI handler (blocking by NMI, tracked by the CPU with virtual NMIs)
 * it stays pending, one deep, as on hardware, and the NMI window brings
 * an exit at the guest's IRET.  (An IRET that unblocks NMIs and then
 * faults into an EPT violation is never re-executed here: MMIO emulation
 * does not decode IRET, and the domain is crashed.)
 */
static void deliver_nmi(struct arch_vcpu *a)
{
	/* The window is only ever on while an NMI is pending: nothing to
	 * switch off here (this runs before every entry). */
	if (!a->nmi_pending)
		return;
	if (nmi_blocked()) {
		set_nmi_window(true);
		return;
	}
	a->nmi_pending = false;
	vmwrite(ENTRY_INTR_INFO, 2 | INTR_TYPE_NMI | INTR_VALID);
	vmwrite(GUEST_ACTIVITY, ACTIVITY_ACTIVE);
	__atomic_store_n(&a->down, false, __ATOMIC_RELEASE);
	set_nmi_window(false);
}

static bool can_inject(void)
{
	return (vmread(GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmread(GUEST_INTERRUPTIBILITY) & 3) &&
	       !(vmread(ENTRY_INTR_INFO) & INTR_VALID);
}

/* Before VM entry: inject the highest-priority pending interrupt if the
 * guest can take it now, else ask for an exit as soon as it can. */
void vmx_deliver_interrupts(struct vcpu *v, uint64_t now)
{
	struct arch_vcpu *a = &v->arch;
	int vec;

	vlapic_timer_tick(&a->lapic, now);
	deliver_nmi(a);
	vec = a->extint_vector >= 0 ? a->extint_vector :
				      vlapic_deliverable(&a->lapic);
	if (vec < 0) {
		set_intr_window(false);
		return;
	}
	if (!can_inject()) {
		set_intr_window(true);
		return;
	}
	if (a->extint_vector >= 0)
		a->extint_vector = -1; /* virtual wire: no in-service bit */
	else
		vlapic_ack(&a->lapic, (uint8_t)vec);
	vmwrite(ENTRY_INTR_INFO, (uint32_t)vec | INTR_TYPE_EXT | INTR_VALID);
	vmwrite(GUEST_ACTIVITY, ACTIVITY_ACTIVE);
	set_intr_window(false);
}

/* Something for the guest to take (used to decide whether HLT waits). */
bool vmx_interrupt_pending(const struct vcpu *v)
{
	return v->arch.extint_vector >= 0 || v->arch.nmi_pending ||
	       vlapic_deliverable(&v->arch.lapic) >= 0;
}

enum exit_action vmx_exit_intr_window(struct vcpu *v, uint64_t qual)
{
	(void)v;
	(void)qual;
	set_intr_window(false);
	return EXIT_CONTINUE;
}

enum exit_action vmx_exit_nmi_window(struct vcpu *v, uint64_t qual)
{
	(void)v;
	(void)qual;
	set_nmi_window(false);	/* deliver_nmi() injects it before entry */
	return EXIT_CONTINUE;
}

/* HLT with a virtual APIC: wait in the guest's own HLT state, so that a
 * physical interrupt (VM exit) or the preemption timer (set to the
 * virtual timer's deadline) ends the wait. */
enum exit_action vmx_halt_vlapic(struct vcpu *v)
{
	vmx_skip_insn();
	if (vmx_interrupt_pending(v) &&
	    (vmread(GUEST_RFLAGS) & RFLAGS_IF))
		return EXIT_CONTINUE;
	vmwrite(GUEST_ACTIVITY, ACTIVITY_HLT);
	__atomic_store_n(&v->arch.halted, true, __ATOMIC_RELEASE);
	return EXIT_RESCHED; /* let other vCPUs here run meanwhile */
}
