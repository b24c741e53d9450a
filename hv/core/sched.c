/* SPDX-License-Identifier: MIT */
/*
 * Scheduler: each vCPU is pinned to one physical CPU; each CPU runs its
 * vCPUs round-robin, a time slice each (VMX preemption timer), or until
 * one yields or stops.  Simple on purpose: no migration, no priorities.
 */
#include <qhv/hypercall.h>
#include "core/sched.h"
#include "core/domain.h"
#include "core/percpu.h"
#include "arch/x86.h"
#include "lib/printk.h"
#include "lib/spinlock.h"

static spinlock_t runq_lock = SPINLOCK_INIT;
static volatile bool cpus_released;

int sched_add(struct vcpu *v)
{
	struct percpu *pc = &percpu_area[v->pcpu];
	int rc = 0;

	spin_lock(&runq_lock);
	if (pc->nrun >= sizeof(pc->runq) / sizeof(pc->runq[0]))
		rc = -QHV_ENOSPC;
	else
		pc->runq[pc->nrun++] = v;
	spin_unlock(&runq_lock);
	return rc;
}

static void sched_remove(struct percpu *pc, unsigned i)
{
	spin_lock(&runq_lock);
	for (; i + 1 < pc->nrun; i++)
		pc->runq[i] = pc->runq[i + 1];
	pc->nrun--;
	if (pc->cursor >= pc->nrun)
		pc->cursor = 0;
	spin_unlock(&runq_lock);
}

bool sched_others_waiting(void)
{
	struct percpu *pc = this_cpu();
	unsigned i, n = 0;

	for (i = 0; i < pc->nrun; i++)
		if (arch_vcpu_runnable(pc->runq[i]))
			n++;
	return n > 1;
}

void sched_release_cpus(void)
{
	__atomic_store_n(&cpus_released, true, __ATOMIC_RELEASE);
}

/* Drop stopped vCPUs from this CPU's queue; their domains may go. */
static void reap_stopped(struct percpu *pc)
{
	unsigned i = 0;

	while (i < pc->nrun) {
		struct vcpu *v = pc->runq[i];

		if (v->stopped) {
			sched_remove(pc, i);
			domain_vcpu_gone(v);
		} else {
			i++;
		}
	}
}

/* Round-robin: the next runnable vCPU after the one that ran last. */
static struct vcpu *pick_next(struct percpu *pc)
{
	unsigned k;

	for (k = 1; k <= pc->nrun; k++) {
		unsigned i = (pc->cursor + k) % pc->nrun;

		if (arch_vcpu_runnable(pc->runq[i])) {
			pc->cursor = i;
			return pc->runq[i];
		}
	}
	return 0;
}

void sched_run(void)
{
	struct percpu *pc = this_cpu();

	while (!__atomic_load_n(&cpus_released, __ATOMIC_ACQUIRE))
		cpu_relax();
	for (;;) {
		struct vcpu *v;

		reap_stopped(pc);
		v = pick_next(pc);
		if (!v) {
			/* Woken by a kick (SIPI to a waiting vCPU, a domain
			 * stopping) or by a device interrupt. */
			arch_cpu_idle();
			continue;
		}
		arch_vcpu_run(v);
	}
}
