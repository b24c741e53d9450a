/* SPDX-License-Identifier: MIT */
/* Platform services core asks of the architecture layer. */
#ifndef QHV_ARCH_PLATFORM_H
#define QHV_ARCH_PLATFORM_H

#include <stdint.h>

/* Start every other CPU the firmware lists; each enters VMX operation and
 * its scheduler.  Returns the number of CPUs online (>= 1). */
unsigned arch_smp_boot(void);

/* Power the machine off (ACPI S5, then emulator-specific fallbacks). */
__attribute__((noreturn)) void arch_power_off(void);

/* Reset the machine (reset control register, keyboard controller). */
__attribute__((noreturn)) void arch_reset(void);

/* Print per-CPU VM-exit counts (observability; one line per CPU). */
void arch_report_stats(void);

/* The CPU's time-stamp counter (for reports and benchmarks). */
uint64_t arch_read_tsc(void);

/* Microseconds delay (TSC-calibrated). */
void udelay(uint64_t us);

#endif
