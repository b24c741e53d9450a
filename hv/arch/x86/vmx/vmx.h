/* SPDX-License-Identifier: MIT */
/* Internal interface of the VMX backend (not for core). */
#ifndef QHV_VMX_VMX_H
#define QHV_VMX_VMX_H

#define ACTIVITY_HLT 1 /* GUEST_ACTIVITY: halted */

#include <stdbool.h>
#include <stdint.h>
#include "core/domain.h"
#include "vmcs.h"
#include "arch/asm.h"
#include "arch/cpu.h"

struct vmx_caps {
	uint32_t revision;
	uint32_t pin, proc, proc2, exit, entry;
	bool nmi_window;	/* virtual NMIs with NMI-window exiting */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_cap;
	unsigned preempt_shift;
	bool ept_2m;
	bool xsave;
	uint64_t xcr0_all;	/* components switched between vCPUs */
};

extern struct vmx_caps vmx;

enum exit_action {
	EXIT_CONTINUE,	/* re-enter the same vCPU */
	EXIT_RESCHED,	/* give the CPU to the scheduler */
};

typedef enum exit_action exit_handler_t(struct vcpu *v, uint64_t qual);

enum exit_action vmx_handle_exit(struct vcpu *v, unsigned reason);

/* Helpers for exit handlers. */
void vmx_skip_insn(void);
void vmx_inject_exception(unsigned vector, bool has_error, uint32_t error);
static inline void vmx_inject_gp(void)
{
	vmx_inject_exception(13, true, 0);
}
static inline void vmx_inject_ud(void)
{
	vmx_inject_exception(6, false, 0);
}
bool vmx_guest_64bit(void);
/* Register @n in instruction encoding order (0 = RAX ... 15 = R15); RSP
 * is not in the saved set, so the caller passes a copy of it in @rsp. */
uint64_t *vmx_gpr(struct vcpu *v, unsigned n, uint64_t *rsp);

/* Per-concern handlers (exit_*.c). */
exit_handler_t vmx_exit_cpuid, vmx_exit_rdmsr, vmx_exit_wrmsr, vmx_exit_io,
	vmx_exit_cr, vmx_exit_hlt, vmx_exit_vmcall, vmx_exit_triple_fault,
	vmx_exit_init, vmx_exit_sipi, vmx_exit_external_int,
	vmx_exit_preempt_timer, vmx_exit_xsetbv, vmx_exit_exception,
	vmx_exit_ept_violation, vmx_exit_ept_misconfig, vmx_exit_vmx_insn,
	vmx_exit_nop_skip, vmx_exit_dr, vmx_exit_task_switch, vmx_exit_pause,
	vmx_exit_rdpmc;

/* CR0 as the guest should see it, and the value hardware must hold. */
uint64_t vmx_cr0_real(uint64_t guest_cr0);
uint64_t vmx_cr4_real(uint64_t guest_cr4);

/* EPT (ept.c). */
#define EPT_R (1ull << 0)
#define EPT_W (1ull << 1)
#define EPT_X (1ull << 2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MT_WB (6ull << 3)
#define EPT_OWNED (1ull << 58) /* software bit: frame belongs to the domain */
#define EPT_UC (1ull << 59)	/* ask for an uncached (MMIO) mapping */
int ept_init(uint64_t *root_pa);
int ept_map_range(uint64_t root_pa, uint64_t gpa, uint64_t hpa, uint64_t len,
		  uint64_t flags, bool allow_2m);
int ept_unmap_range(uint64_t root_pa, uint64_t gpa, uint64_t len);
int ept_protect_range(uint64_t root_pa, uint64_t gpa, uint64_t len,
		      uint64_t perms);
int ept_lookup(uint64_t root_pa, uint64_t gpa, uint64_t *hpa, uint64_t *flags,
	       uint64_t *contig);
typedef void (*ept_leaf_fn)(uint64_t hpa, uint64_t size, uint64_t flags);
void ept_destroy(uint64_t root_pa, ept_leaf_fn fn);
void ept_invalidate(uint64_t root_pa);

/* Interrupt delivery (intr.c) and the local APIC page (lapic_mmio.c). */
void vmx_reinject_vectoring(void);
void vmx_deliver_interrupts(struct vcpu *v, uint64_t now);
bool vmx_interrupt_pending(const struct vcpu *v);
enum exit_action vmx_halt_vlapic(struct vcpu *v);
enum exit_action vmx_mmio_access(struct vcpu *v, uint64_t gpa);
exit_handler_t vmx_exit_intr_window;
exit_handler_t vmx_exit_nmi_window;
void vmx_intr_windows_off(void);
void vmx_trap_dom0_port(uint16_t port);

/* Guest page-table walk (guest_mem.c). */
int vmx_gva_to_gpa(struct vcpu *v, uint64_t gva, uint64_t *gpa);

#endif
