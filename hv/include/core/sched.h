/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_SCHED_H
#define QHV_CORE_SCHED_H

#include <stdbool.h>

struct vcpu;

/* Queue @v on its CPU (v->pcpu), from any CPU.  -QHV_ENOSPC if full. */
int sched_add(struct vcpu *v);

/* Take @v back off its queue (a start that failed half-way). */
void sched_remove_vcpu(struct vcpu *v);

/* True when another runnable vCPU waits on this CPU. */
bool sched_others_waiting(void);

/* This CPU's scheduler loop: round-robin over its vCPUs; never returns. */
__attribute__((noreturn)) void sched_run(void);

/* Released by the boot CPU once every boot domain exists. */
void sched_release_cpus(void);

#endif
