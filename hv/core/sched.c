/* SPDX-License-Identifier: MIT */
/*
 * Scheduler: each vCPU is pinned to one physical CPU; each CPU runs its
 * vCPUs round-robin, a time slice each (VMX preemption timer), or until
 * one yields, blocks or stops.  Any CPU may add to another's queue (a
 * domain starting); only the owner removes (a stopped vCPU is torn down
 * on its own CPU).  Each queue has its own lock, so weights or caps can
 * later change pick_next() without touching the callers.
 */
#include <qhv/hypercall.h>
#include "core/sched.h"
#include "core/domain.h"
#include "core/percpu.h"
#include "arch/x86.h"	/* cpu_relax */
#include "lib/printk.h"
#include "lib/spinlock.h"

static bool cpus_released;

int sched_add(struct vcpu *v)
{
	struct percpu *pc = &percpu_area[v->pcpu];
	int rc = 0;

	spin_lock(&pc->runq_lock);
	if (pc->nrun >= MAX_RUNQ) {
		rc = -QHV_ENOSPC;
	} else {
		pc->runq[pc->nrun++] = v;
		v->queued = true;
	}
	spin_unlock(&pc->runq_lock);
	/* The CPU may be idle: make it look. */
	if (!rc && v->pcpu != this_cpu()->id &&
	    __atomic_load_n(&cpus_released, __ATOMIC_ACQUIRE))
		arch_kick_cpu(v->pcpu);
	return rc;
}

/* Caller holds pc->runq_lock. */
static void remove_at(struct percpu *pc, unsigned i)
{
	for (; i + 1 < pc->nrun; i++)
		pc->runq[i] = pc->runq[i + 1];
	pc->nrun--;
	if (pc->cursor >= pc->nrun)
		pc->cursor = 0;
}

void sched_remove_vcpu(struct vcpu *v)
{
	struct percpu *pc = &percpu_area[v->pcpu];
	unsigned i;

	spin_lock(&pc->runq_lock);
	for (i = 0; i < pc->nrun; i++)
		if (pc->runq[i] == v) {
			remove_at(pc, i);
			v->queued = false;
			break;
		}
	spin_unlock(&pc->runq_lock);
}

void sched_spread(unsigned *pcpu, unsigned n)
{
	unsigned load[MAX_CPUS], own[MAX_CPUS], cpu, i;

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		struct percpu *pc = &percpu_area[cpu];

		spin_lock(&pc->runq_lock);
		load[cpu] = pc->nrun;
		spin_unlock(&pc->runq_lock);
		own[cpu] = 0;
	}
	for (i = 0; i < n; i++) {
		unsigned best = nr_cpus - 1;

		/* Fewest of this domain's vCPUs first (siblings on one CPU
		 * wait for each other's locks and IPIs), then fewest vCPUs;
		 * from the top, so ties go away from CPU 0, where dom0
		 * starts. */
		for (cpu = nr_cpus; cpu-- > 0;)
			if (own[cpu] < own[best] ||
			    (own[cpu] == own[best] && load[cpu] < load[best]))
				best = cpu;
		pcpu[i] = best;
		load[best]++;
		own[best]++;
	}
}

bool sched_others_waiting(void)
{
	struct percpu *pc = this_cpu();
	unsigned i, n = 0;

	spin_lock(&pc->runq_lock);
	for (i = 0; i < pc->nrun && n < 2; i++)
		if (vcpu_runnable(pc->runq[i]))
			n++;
	spin_unlock(&pc->runq_lock);
	return n > 1;
}

bool sched_others_want_cpu(const struct vcpu *v)
{
	struct percpu *pc = this_cpu();
	bool want = false;
	unsigned i;

	spin_lock(&pc->runq_lock);
	for (i = 0; i < pc->nrun && !want; i++) {
		const struct vcpu *o = pc->runq[i];

		want = o != v && vcpu_runnable(o) && arch_vcpu_wants_cpu(o);
	}
	spin_unlock(&pc->runq_lock);
	return want;
}

void sched_release_cpus(void)
{
	__atomic_store_n(&cpus_released, true, __ATOMIC_RELEASE);
}

void sched_vcpu_stopped(struct vcpu *v)
{
	if (__atomic_load_n(&v->queued, __ATOMIC_ACQUIRE))
		__atomic_store_n(&percpu_area[v->pcpu].reap_pending, true,
				 __ATOMIC_RELEASE);
}

bool sched_reap_pending(void)
{
	return __atomic_load_n(&this_cpu()->reap_pending, __ATOMIC_ACQUIRE);
}

/* Take one stopped vCPU off this CPU's queue, or NULL. */
static struct vcpu *take_stopped(struct percpu *pc)
{
	struct vcpu *v = 0;
	unsigned i;

	spin_lock(&pc->runq_lock);
	for (i = 0; i < pc->nrun; i++)
		if (__atomic_load_n(&pc->runq[i]->stopped, __ATOMIC_ACQUIRE)) {
			v = pc->runq[i];
			remove_at(pc, i);
			break;
		}
	spin_unlock(&pc->runq_lock);
	return v;
}

/* Drop stopped vCPUs from this CPU's queue; their domains may go.  The
 * teardown runs without the queue lock: it may take domains_lock. */
static void reap_stopped(struct percpu *pc)
{
	struct vcpu *v;

	/* Cleared first: a vCPU stopped from now on sets it again. */
	__atomic_store_n(&pc->reap_pending, false, __ATOMIC_SEQ_CST);
	while ((v = take_stopped(pc)))
		domain_vcpu_gone(v);
}

/*
 * Round-robin: the next runnable vCPU after the one that ran last that
 * wants the CPU; only when none does, a halted one (it waits in the
 * guest's HLT state for its timer or an interrupt).  A halted vCPU taken
 * in turn would hold the CPU for its slice while another has work: a
 * Linux AppVM sharing a CPU with an idle dom0 ran at half speed.
 */
static struct vcpu *pick_next(struct percpu *pc)
{
	struct vcpu *v = 0;
	unsigned k, idle_i = 0;
	bool idle = false;

	spin_lock(&pc->runq_lock);
	for (k = 1; k <= pc->nrun; k++) {
		unsigned i = (pc->cursor + k) % pc->nrun;
		struct vcpu *c = pc->runq[i];

		if (!vcpu_runnable(c))
			continue;
		if (arch_vcpu_wants_cpu(c)) {
			pc->cursor = i;
			v = c;
			break;
		}
		if (!idle) {
			idle = true;
			idle_i = i;
		}
	}
	if (!v && idle) {
		pc->cursor = idle_i;
		v = pc->runq[idle_i];
	}
	spin_unlock(&pc->runq_lock);
	return v;
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
			 * starting, unpausing or stopping) or by a device
			 * interrupt. */
			arch_cpu_idle();
			continue;
		}
		arch_vcpu_run(v);
	}
}
