/* SPDX-License-Identifier: MIT */
#ifndef QHV_ARCH_SETUP_H
#define QHV_ARCH_SETUP_H

#include <stdint.h>
#include "arch/acpi.h"

#ifndef QHV_VERSION_STRING
#define QHV_VERSION_STRING "0.1.0"
#endif

extern struct acpi_info acpi;
extern uint64_t tsc_khz;
extern int dom0_error;	/* dom0_reserve() result */

void cpu_early_init(unsigned id);
void tsc_calibrate(void);
void boot_main(uint32_t magic, uint32_t info_pa);

#endif
