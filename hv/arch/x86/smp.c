/* SPDX-License-Identifier: MIT */
/*
 * SMP bring-up: INIT-SIPI-SIPI to every enabled CPU in the MADT, one at a
 * time; each AP loads its own descriptor tables, enters VMX operation and
 * waits in its scheduler.
 */
#include <qhv/hypercall.h>
#include "arch/platform.h"
#include "arch/setup.h"
#include "arch/x86.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "arch/vcpu.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "arch/apic.h"

#define AP_STACK_PAGES 4

extern const char trampoline_start[], trampoline_end[], trampoline_params[];

struct tramp_params {
	uint64_t cr3, stack, entry, arg;
};

static volatile unsigned ap_ready;

static uint32_t my_apic_id(void)
{
	struct cpuid_regs r;

	cpuid_count(1, 0, &r);
	return r.ebx >> 24;
}

__attribute__((noreturn)) void ap_entry(struct percpu *pc);
void ap_entry(struct percpu *pc)
{
	cpu_early_init(pc->id);
	apic_cpu_init(false);
	if (arch_virt_cpu_init()) {
		pr_err("qhv: cpu%u: cannot enter VMX operation; parked\n",
		       pc->id);
		__atomic_store_n(&ap_ready, 2, __ATOMIC_RELEASE);
		cpu_halt_forever();
	}
	pc->online = true;
	__atomic_store_n(&ap_ready, 1, __ATOMIC_RELEASE);
	sched_run();
}

static bool start_ap(unsigned id, uint32_t apic_id)
{
	struct tramp_params *tp = (struct tramp_params *)phys_to_virt(
		TRAMPOLINE_BASE + ((uintptr_t)trampoline_params -
				   (uintptr_t)trampoline_start));
	uint64_t stack;
	unsigned waited;

	if (mm_alloc_pages(AP_STACK_PAGES, PAGE_SIZE, &stack))
		return false;
	percpu_area[id].id = id;
	percpu_area[id].apic_id = apic_id;
	tp->cr3 = read_cr3();
	tp->stack = stack + AP_STACK_PAGES * PAGE_SIZE;
	tp->entry = (uint64_t)ap_entry;
	tp->arg = (uint64_t)&percpu_area[id];
	ap_ready = 0;
	apic_send_ipi(apic_id, 0x4500);			/* INIT, assert */
	udelay(10000);
	apic_send_ipi(apic_id, 0x4600 | (TRAMPOLINE_BASE >> 12)); /* SIPI */
	udelay(200);
	apic_send_ipi(apic_id, 0x4600 | (TRAMPOLINE_BASE >> 12));
	for (waited = 0; waited < 1000 && !ap_ready; waited++)
		udelay(1000);
	if (ap_ready != 1) {
		pr_err("qhv: cpu%u (apic %u) did not come up\n", id, apic_id);
		return false;
	}
	return true;
}

unsigned arch_smp_boot(void)
{
	uint32_t self = my_apic_id();
	unsigned i;

	percpu_area[0].apic_id = self;
	percpu_area[0].online = true;
	memcpy(phys_to_virt(TRAMPOLINE_BASE), trampoline_start,
	       (uintptr_t)trampoline_end - (uintptr_t)trampoline_start);
	for (i = 0; i < acpi.ncpus; i++) {
		if (acpi.cpu_apic_id[i] == self)
			continue;
		if (nr_cpus == MAX_CPUS) {
			pr_warn("qhv: more than %u CPUs: the rest stay off\n",
				MAX_CPUS);
			break;
		}
		if (start_ap(nr_cpus, acpi.cpu_apic_id[i]))
			nr_cpus++;
	}
	pr_info("qhv: %u cpu(s) online\n", nr_cpus);
	return nr_cpus;
}
