/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_PERCPU_H
#define QHV_CORE_PERCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/cpu.h"
#include "lib/spinlock.h"

#define MAX_CPUS 8
#define MAX_RUNQ 256

struct vcpu;

/**
 * struct percpu - state of one physical CPU.
 * @self: points to itself; read through %gs:0 by this_cpu().
 * @id: logical CPU number (0 = boot CPU).
 * @apic_id: local APIC id from the MADT.
 * @online: set once the CPU runs its scheduler.
 * @runq_lock: protects @runq, @nrun and @cursor; other CPUs add to the
 *   queue (domain start), this CPU removes and picks.
 * @runq: vCPUs pinned to this CPU, in round-robin order.
 * @nrun: number of entries in @runq.
 * @cursor: index of the vCPU that ran last.
 * @current: the vCPU whose state is loaded (VMCS current), or NULL.
 * @arch: architecture state (descriptor tables, VMX regions, statistics).
 */
struct percpu {
	struct percpu *self;
	unsigned id;
	uint32_t apic_id;
	volatile bool online;
	spinlock_t runq_lock;
	struct vcpu *runq[MAX_RUNQ];
	unsigned nrun;
	unsigned cursor;
	struct vcpu *current;
	struct vcpu *dom0_vcpu;	/* dom0's vCPU pinned here, if any */
	bool reap_pending;	/* a queued vCPU stopped: reap it soon */
	struct arch_cpu arch;
};

extern struct percpu percpu_area[MAX_CPUS];
extern unsigned nr_cpus;

#ifdef QHV_FAKE_ARCH
/* Host unit tests: the fake arch says which CPU a call comes from. */
struct percpu *this_cpu(void);
#else
static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}
#endif

#endif
