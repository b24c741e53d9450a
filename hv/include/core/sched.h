/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_SCHED_H
#define QHV_CORE_SCHED_H

#include <stdbool.h>

struct vcpu;

/* Queue @v on its CPU (v->pcpu), from any CPU.  -QHV_ENOSPC if full. */
int sched_add(struct vcpu *v);

/* Take @v back off its queue (a start that failed half-way). */
void sched_remove_vcpu(struct vcpu *v);

/*
 * Choose CPUs for @n vCPUs of one domain: each goes to the CPU with the
 * fewest of the domain's vCPUs chosen so far, then the fewest vCPUs
 * queued (ties: the highest-numbered, away from dom0's boot CPU), so
 * siblings share a CPU only when there are more of them than CPUs.  A
 * snapshot: queues may change before the vCPUs are added.
 */
void sched_spread(unsigned *pcpu, unsigned n);

/* True when another runnable vCPU waits on this CPU. */
bool sched_others_waiting(void);

/* True when another vCPU on this CPU than @v wants it now
 * (arch_vcpu_wants_cpu()): a halted @v should let it run. */
bool sched_others_want_cpu(const struct vcpu *v);

/*
 * @v (queued) was just stopped: its CPU is to tear it down at its next
 * return to the scheduler, which the vCPU running there makes at its next
 * exit (sched_reap_pending()) rather than at a slice end that may never
 * come (a busy dom0 alone on its CPU).  Call before kicking that CPU.
 */
void sched_vcpu_stopped(struct vcpu *v);

/* True when a stopped vCPU waits on this CPU to be torn down. */
bool sched_reap_pending(void);

/* This CPU's scheduler loop: round-robin over its vCPUs; never returns. */
__attribute__((noreturn)) void sched_run(void);

/* Released by the boot CPU once every boot domain exists. */
void sched_release_cpus(void);

#endif
