/* SPDX-License-Identifier: MIT */
/* Power-off: ACPI S5 through the FADT's PM1 control blocks; then the
 * emulators' own shutdown ports, so a run always ends. */
#include "arch/platform.h"
#include "arch/setup.h"
#include "arch/x86.h"

#define SLP_EN (1u << 13)

void arch_power_off(void)
{
	const char *bochs = "Shutdown";

	if (acpi.s5_valid && acpi.pm1a_cnt) {
		outw((uint16_t)acpi.pm1a_cnt, (uint16_t)((acpi.slp_typa << 10) | SLP_EN));
		if (acpi.pm1b_cnt)
			outw((uint16_t)acpi.pm1b_cnt,
			     (uint16_t)((acpi.slp_typb << 10) | SLP_EN));
		udelay(100000);
	}
	/* Bochs' shutdown port, then QEMU's isa-debug-exit if present. */
	while (*bochs)
		outb(0x8900, (uint8_t)*bochs++);
	outl(0xf4, 0);
	cpu_halt_forever();
}

void arch_reset(void)
{
	if (acpi.reset_valid && acpi.reset_reg_port)
		outb((uint16_t)acpi.reset_reg_port, acpi.reset_value);
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);	/* hard reset through the reset control port */
	udelay(10000);
	outb(0x64, 0xfe);	/* keyboard controller pulse */
	udelay(10000);
	cpu_halt_forever();
}
