/* SPDX-License-Identifier: MIT */
/*
 * VM-exit dispatch: one table from basic exit reason to handler.  Any exit
 * without a handler is unexpected for the controls we set: the domain is
 * crashed with a diagnostic, the hv and other domains carry on.
 */
#include "vmx.h"
#include "core/domain.h"
#include "lib/printk.h"
#include "core/percpu.h"
#include "arch/platform.h"
#include "arch/cpu_policy.h"

static exit_handler_t *const handlers[VMX_EXIT_REASONS] = {
	[EXIT_EXCEPTION_NMI] = vmx_exit_exception,
	[EXIT_EXTERNAL_INT] = vmx_exit_external_int,
	[EXIT_TRIPLE_FAULT] = vmx_exit_triple_fault,
	[EXIT_INIT] = vmx_exit_init,
	[EXIT_SIPI] = vmx_exit_sipi,
	[EXIT_INTR_WINDOW] = vmx_exit_intr_window,
	[EXIT_NMI_WINDOW] = vmx_exit_nmi_window,
	[EXIT_TASK_SWITCH] = vmx_exit_task_switch,
	[EXIT_CPUID] = vmx_exit_cpuid,
	[EXIT_GETSEC] = vmx_exit_vmx_insn,
	[EXIT_HLT] = vmx_exit_hlt,
	[EXIT_INVD] = vmx_exit_nop_skip,
	[EXIT_RDPMC] = vmx_exit_rdpmc,
	[EXIT_VMCALL] = vmx_exit_vmcall,
	[EXIT_VMCLEAR] = vmx_exit_vmx_insn,
	[EXIT_VMLAUNCH] = vmx_exit_vmx_insn,
	[EXIT_VMPTRLD] = vmx_exit_vmx_insn,
	[EXIT_VMPTRST] = vmx_exit_vmx_insn,
	[EXIT_VMREAD] = vmx_exit_vmx_insn,
	[EXIT_VMRESUME] = vmx_exit_vmx_insn,
	[EXIT_VMWRITE] = vmx_exit_vmx_insn,
	[EXIT_VMXOFF] = vmx_exit_vmx_insn,
	[EXIT_VMXON] = vmx_exit_vmx_insn,
	[EXIT_CR_ACCESS] = vmx_exit_cr,
	[EXIT_DR_ACCESS] = vmx_exit_dr,
	[EXIT_IO] = vmx_exit_io,
	[EXIT_RDMSR] = vmx_exit_rdmsr,
	[EXIT_WRMSR] = vmx_exit_wrmsr,
	[EXIT_MWAIT] = vmx_exit_vmx_insn,
	[EXIT_MONITOR] = vmx_exit_vmx_insn,
	[EXIT_PAUSE] = vmx_exit_pause,
	[EXIT_EPT_VIOLATION] = vmx_exit_ept_violation,
	[EXIT_EPT_MISCONFIG] = vmx_exit_ept_misconfig,
	[EXIT_INVEPT] = vmx_exit_vmx_insn,
	[EXIT_PREEMPT_TIMER] = vmx_exit_preempt_timer,
	[EXIT_INVVPID] = vmx_exit_vmx_insn,
	[EXIT_WBINVD] = vmx_exit_nop_skip,
	[EXIT_XSETBV] = vmx_exit_xsetbv,
	[EXIT_VMFUNC] = vmx_exit_vmx_insn,
};

enum exit_action vmx_handle_exit(struct vcpu *v, unsigned reason)
{
	exit_handler_t *h = reason < VMX_EXIT_REASONS ? handlers[reason] : 0;

	if (!h) {
		/* Unexpected for our controls: the guest state cannot be
		 * trusted any more, so the domain goes, not the hv. */
		domain_crash(v->dom, "unexpected VM exit reason %u rip=0x%lx qual=0x%lx",
			     reason, vmread(GUEST_RIP), vmread(EXIT_QUAL));
		return EXIT_RESCHED;
	}
	return h(v, vmread(EXIT_QUAL));
}

void vmx_skip_insn(void)
{
	uint64_t intr = vmread(GUEST_INTERRUPTIBILITY);

	vmwrite(GUEST_RIP, vmread(GUEST_RIP) + vmread(EXIT_INSN_LEN));
	/* An emulated instruction ends STI / MOV SS blocking. */
	if (intr & 3)
		vmwrite(GUEST_INTERRUPTIBILITY, intr & ~3ull);
}

void vmx_inject_exception(unsigned vector, bool has_error, uint32_t error)
{
	uint32_t info = vector | INTR_TYPE_HW_EXCEPTION | INTR_VALID;

	/* The CPU pushes RFLAGS.RF=1 for faults; entry does not add it. */
	if (exception_is_fault(vector))
		vmwrite(GUEST_RFLAGS, vmread(GUEST_RFLAGS) | RFLAGS_RF);

	if (has_error) {
		info |= INTR_ERROR_VALID;
		vmwrite(ENTRY_EXC_ERROR, error);
	}
	vmwrite(ENTRY_INTR_INFO, info);
}

uint64_t *vmx_gpr(struct vcpu *v, unsigned n, uint64_t *rsp)
{
	struct guest_regs *g = &v->arch.regs;
	uint64_t *map[16] = { &g->rax, &g->rcx, &g->rdx, &g->rbx, rsp,
			      &g->rbp, &g->rsi, &g->rdi, &g->r8, &g->r9,
			      &g->r10, &g->r11, &g->r12, &g->r13, &g->r14,
			      &g->r15 };

	return map[n & 15];
}

bool vmx_guest_64bit(void)
{
	/* CS.L with EFER.LMA: 64-bit code segment. */
	return (vmread(GUEST_EFER) & EFER_LMA) &&
	       (vmread(GUEST_CS_AR) & (1u << 13));
}

static const char *const exit_names[VMX_EXIT_REASONS] = {
	[EXIT_EXCEPTION_NMI] = "exception", [EXIT_EXTERNAL_INT] = "extint",
	[EXIT_TRIPLE_FAULT] = "triple", [EXIT_INIT] = "init",
	[EXIT_SIPI] = "sipi", [EXIT_INTR_WINDOW] = "intwin",
	[EXIT_NMI_WINDOW] = "nmiwin",
	[EXIT_CPUID] = "cpuid", [EXIT_HLT] = "hlt",
	[EXIT_VMCALL] = "vmcall", [EXIT_CR_ACCESS] = "cr", [EXIT_IO] = "io",
	[EXIT_RDMSR] = "rdmsr", [EXIT_WRMSR] = "wrmsr",
	[EXIT_PAUSE] = "pause", [EXIT_EPT_VIOLATION] = "ept",
	[EXIT_EPT_MISCONFIG] = "eptmisc", [EXIT_PREEMPT_TIMER] = "timer",
	[EXIT_XSETBV] = "xsetbv",
};

void arch_report_stats(void)
{
	unsigned c, r;

	for (c = 0; c < nr_cpus; c++) {
		char line[256];
		int n = 0;

		for (r = 0; r < VMX_EXIT_REASONS && n < (int)sizeof(line); r++) {
			uint64_t cnt = percpu_area[c].arch.exits[r];

			if (!cnt)
				continue;
			if (exit_names[r])
				n += snprintf(line + n, sizeof(line) - n, " %s=%lu",
					      exit_names[r], cnt);
			else
				n += snprintf(line + n, sizeof(line) - n, " r%u=%lu",
					      r, cnt);
		}
		if (n)
			pr_info("qhv: cpu%u exits:%s\n", c, line);
	}
}
