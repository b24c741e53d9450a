/* SPDX-License-Identifier: MIT */
/* TSC calibration against PIT channel 2 (gate through port 0x61). */
#include "arch/platform.h"
#include "arch/vcpu.h"
#include "arch/setup.h"
#include "arch/x86.h"
#include "lib/printk.h"

uint64_t tsc_khz = 1000000; /* 1 GHz until calibrated */

#define PIT_HZ 1193182u

void tsc_calibrate(void)
{
	/* 10 ms: PIT_HZ / 100 ticks in mode 0 on channel 2. */
	uint16_t count = PIT_HZ / 100;
	uint64_t start, end;
	unsigned spins = 0;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	start = rdtsc();
	/* OUT2 goes high at terminal count; bounded in case there is no PIT. */
	while (!(inb(0x61) & 0x20) && ++spins < 50000000)
		;
	end = rdtsc();
	if (!(inb(0x61) & 0x20) || end <= start) {
		pr_warn("qhv: no PIT: assuming a 1 GHz TSC\n");
		return;
	}
	tsc_khz = (end - start) / 10;
	pr_info("qhv: tsc: %lu kHz\n", tsc_khz);
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_khz / 1000;

	while (rdtsc() < end)
		cpu_relax();
}

uint64_t arch_read_tsc(void)
{
	return rdtsc();
}

uint64_t arch_tsc_to_ns(uint64_t ticks)
{
	uint64_t khz = tsc_khz ? tsc_khz : 1;

	/* Split so ticks * 10^6 cannot overflow. */
	return ticks / khz * 1000000 + ticks % khz * 1000000 / khz;
}
