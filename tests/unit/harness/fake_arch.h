/* SPDX-License-Identifier: MIT */
/*
 * A fake arch layer for host tests of hv/core (domain.c, sched.c,
 * domctl.c): the real frame allocator and EPT code over a fixed host
 * mapping that stands in for physical memory, vCPUs that never run, and
 * "guest-virtual" addresses that are host pointers.
 */
#ifndef QHV_UNIT_FAKE_ARCH_H
#define QHV_UNIT_FAKE_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#define FAKE_PHYS_BASE 0x10000000ull	/* 256 MiB */
#define FAKE_PHYS_SIZE (64ull << 20)

struct vcpu;

/* Map the fake RAM, set up the pool and @ncpus CPUs. */
void fake_arch_init(unsigned ncpus);
/* Make calls look as if they came from CPU @cpu. */
void fake_set_cpu(unsigned cpu);
/* What the fake counted. */
extern unsigned fake_vcpu_inits, fake_vcpu_destroys, fake_kicks,
	fake_notifies, fake_finishes;
extern int fake_finish_status;
/* Interrupt edges the core raised: count and the last line. */
extern unsigned fake_irq_edges, fake_last_irq;
/* bootdom_restart() calls, and the domain of the last one. */
struct domain;
extern unsigned fake_restarts;
extern struct domain *fake_restarted;
/* Take every stopped vCPU off its queue and tear it down there, as each
 * CPU's scheduler would. */
void fake_reap_all(void);

#endif
