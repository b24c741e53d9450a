/* SPDX-License-Identifier: MIT */
/*
 * A domU's PC ports besides the UART and the reset requests (those are
 * in core/domain.c): the CMOS RTC, PCI configuration mechanism 1 with no
 * device, and the ACPI hardware-reduced sleep control register.  Reasons
 * for each in docs/platform.md.
 */
#include <qhv/domctl.h>
#include <qhv/platform.h>
#include "arch/setup.h"
#include "arch/vcpu.h"
#include "arch/x86.h"
#include "core/domain.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "arch/vpc.h"

/* The time of day at hv boot (read from the host's CMOS before dom0
 * runs, so nobody else is using the index port) and the TSC then. */
static uint64_t boot_epoch;
static uint64_t boot_tsc;

#define CMOS_SEC 0x00
#define CMOS_MIN 0x02
#define CMOS_HOUR 0x04
#define CMOS_WDAY 0x06
#define CMOS_MDAY 0x07
#define CMOS_MON 0x08
#define CMOS_YEAR 0x09
#define CMOS_A 0x0a
#define CMOS_B 0x0b
#define CMOS_C 0x0c
#define CMOS_D 0x0d
#define CMOS_CENTURY 0x32
#define B_24H 0x02
#define B_BINARY 0x04
#define A_UIP 0x80

static uint8_t bcd(unsigned v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static unsigned unbcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
uint64_t vpc_days_from_civil(unsigned y, unsigned m, unsigned d)
{
	unsigned yy = m <= 2 ? y - 1 : y;
	unsigned era = yy / 400, yoe = yy - era * 400;
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (uint64_t)era * 146097 + doe - 719468;
}

void vpc_civil_from_epoch(uint64_t t, struct vpc_tm *tm)
{
	uint64_t days = t / 86400, z = days + 719468;
	unsigned secs = (unsigned)(t % 86400);
	unsigned era = (unsigned)(z / 146097), doe = (unsigned)(z - era * 146097ull);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	tm->mday = doy - (153 * mp + 2) / 5 + 1;
	tm->mon = mp < 10 ? mp + 3 : mp - 9;
	tm->year = yoe + era * 400 + (tm->mon <= 2);
	tm->hour = secs / 3600;
	tm->min = secs / 60 % 60;
	tm->sec = secs % 60;
	tm->wday = (unsigned)((days + 4) % 7);	/* 1970-01-01 was a Thursday */
}

static uint8_t host_cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

void vpc_clock_init(void)
{
	unsigned spins = 0, y, mo, d, h, mi, s;
	uint8_t b;

	while ((host_cmos(CMOS_A) & A_UIP) && ++spins < 1000000)
		cpu_relax();
	b = host_cmos(CMOS_B);
	s = host_cmos(CMOS_SEC);
	mi = host_cmos(CMOS_MIN);
	h = host_cmos(CMOS_HOUR);
	d = host_cmos(CMOS_MDAY);
	mo = host_cmos(CMOS_MON);
	y = host_cmos(CMOS_YEAR);
	if (!(b & B_BINARY)) {
		s = unbcd((uint8_t)s);
		mi = unbcd((uint8_t)mi);
		h = unbcd((uint8_t)(h & 0x7f)) | (h & 0x80);
		d = unbcd((uint8_t)d);
		mo = unbcd((uint8_t)mo);
		y = unbcd((uint8_t)y);
	}
	if (!(b & B_24H) && (h & 0x80))
		h = (h & 0x7f) % 12 + 12;
	h &= 0x7f;
	boot_tsc = rdtsc();
	/* Untrusted hardware answers: a nonsense clock gives 2000-01-01. */
	if (s > 59 || mi > 59 || h > 23 || d < 1 || d > 31 || mo < 1 || mo > 12 || y > 99) {
		pr_warn("qhv: rtc: host clock unreadable; domUs start at 2000-01-01\n");
		boot_epoch = vpc_days_from_civil(2000, 1, 1) * 86400;
		return;
	}
	boot_epoch = vpc_days_from_civil(2000 + y, mo, d) * 86400 +
		     h * 3600 + mi * 60 + s;
}

static uint8_t cmos_read(struct domain *d, uint8_t reg)
{
	struct vpc_tm tm;
	uint64_t khz = tsc_khz ? tsc_khz : 1;

	vpc_civil_from_epoch(boot_epoch + (rdtsc() - boot_tsc) / (khz * 1000), &tm);
	switch (reg) {
	case CMOS_SEC: return bcd(tm.sec);
	case CMOS_MIN: return bcd(tm.min);
	case CMOS_HOUR: return bcd(tm.hour);
	case CMOS_WDAY: return bcd(tm.wday + 1);
	case CMOS_MDAY: return bcd(tm.mday);
	case CMOS_MON: return bcd(tm.mon);
	case CMOS_YEAR: return bcd(tm.year % 100);
	case CMOS_CENTURY: return bcd(tm.year / 100);
	case CMOS_A: return 0x26;	/* 32.768 kHz, 1024 Hz rate, no update */
	case CMOS_B: return B_24H;	/* BCD, 24 hours, no interrupts */
	case CMOS_C: return 0;
	case CMOS_D: return 0x80;	/* valid RAM and time */
	case 0x01: case 0x03: case 0x05:
		return 0;	/* alarms: none set */
	default:
		return d->arch.cmos[reg & 0x7f];
	}
}

static void cmos_write(struct domain *d, uint8_t reg, uint8_t val)
{
	/* The clock is the host's, read-only for a guest (setting it
	 * would need a per-domain offset nobody asked for yet); the status
	 * registers are fixed; the rest is plain NVRAM. */
	if (reg <= CMOS_D || reg == CMOS_CENTURY)
		return;
	d->arch.cmos[reg & 0x7f] = val;
}

static void sleep_write(struct domain *d, uint8_t val)
{
	unsigned typ = (val & QHV_PLAT_SLP_TYP_MASK) >> QHV_PLAT_SLP_TYP_SHIFT;

	/* Only S5 is offered (the DSDT has no other \_Sx_ package). */
	if ((val & QHV_PLAT_SLP_EN) && typ == QHV_PLAT_SLP_TYP_S5) {
		pr_info("qhv: dom %s: ACPI power-off (S5)\n", d->name);
		domain_shutdown(d, QHV_SHUTDOWN_POWEROFF, 0);
	}
}

void vpc_domain_init(struct domain *d)
{
	vioapic_reset(&d->arch.ioapic);
	d->arch.pci_addr = 0;
	d->arch.cmos_index = 0;
	memset(d->arch.cmos, 0, sizeof(d->arch.cmos));
}

bool vpc_pio(struct vcpu *v, uint16_t port, unsigned size, bool in,
	     uint32_t *val)
{
	struct domain *d = v->dom;

	if (d->arch.privileged)
		return false;
	switch (port) {
	case QHV_PLAT_RTC_INDEX_PORT:
		if (size != 1)
			return false;
		if (in)
			*val = 0xff;	/* the index port is write-only */
		else
			d->arch.cmos_index = (uint8_t)(*val & 0x7f);
		return true;
	case QHV_PLAT_RTC_DATA_PORT:
		if (size != 1)
			return false;
		if (in)
			*val = cmos_read(d, d->arch.cmos_index);
		else
			cmos_write(d, d->arch.cmos_index, (uint8_t)*val);
		return true;
	case QHV_PLAT_PCI_ADDR_PORT:
		/* A 32-bit latch, so Linux finds mechanism 1 ... */
		if (size != 4)
			return false;
		if (in)
			*val = d->arch.pci_addr;
		else
			d->arch.pci_addr = *val & 0x80fffffcu;
		return true;
	case QHV_PLAT_SLEEP_CTL_PORT:
		if (size != 1)
			return false;
		if (in)
			*val = 0;
		else
			sleep_write(d, (uint8_t)*val);
		return true;
	case QHV_PLAT_SLEEP_STS_PORT:
		if (size != 1)
			return false;
		if (in)
			*val = 0;
		return true;
	default:
		/* ... and the data port floats (all-ones: no device). */
		return false;
	}
}
