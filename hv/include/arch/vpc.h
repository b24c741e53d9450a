/* SPDX-License-Identifier: MIT */
/* A domU's PC ports (arch/x86/vpc.c) and the calendar arithmetic of its
 * RTC (pure; host unit-tested). */
#ifndef QHV_ARCH_VPC_H
#define QHV_ARCH_VPC_H

#include <stdint.h>

struct domain;

struct vpc_tm {
	unsigned year, mon, mday, hour, min, sec, wday;	/* wday 0 = Sunday */
};

/* Read the host's time of day once, at boot, before dom0 runs. */
void vpc_clock_init(void);
/* A new domain's device state. */
void vpc_domain_init(struct domain *d);
uint64_t vpc_days_from_civil(unsigned y, unsigned m, unsigned d);
void vpc_civil_from_epoch(uint64_t t, struct vpc_tm *tm);

#endif
