// SPDX-License-Identifier: MIT
/*
 * The ACPI tables of a domU (docs/platform.md): RSDP, XSDT, FADT
 * (hardware-reduced), MADT and a DSDT with \_S5_ and the two ISA
 * devices an unmodified Linux must be told about (the COM1 UART and its
 * IRQ, the CMOS RTC).  Written by the builder into guest memory; the hv
 * holds no ACPI of its own for a domU.
 *
 * The AML is a handful of Name/Scope/Device objects, so it is emitted by
 * the small encoder below rather than compiled from ASL at build time.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <qhv/domctl.h>
#include <qhv/platform.h>

#include "lib/unaligned.h"
#include "qhvbuild.h"

#define HDR_LEN 36u
#define RSDP_LEN 36u
#define FADT_LEN 276u
#define FADT_REVISION 6u
#define MADT_REVISION 4u
#define DSDT_REVISION 2u	/* 64-bit integers */

#define FADT_F_WBINVD (1u << 0)
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_F_HW_REDUCED (1u << 20)
#define IAPC_VGA_NOT_PRESENT (1u << 2)
#define IAPC_MSI_NOT_SUPPORTED (1u << 3)
#define GAS_IO 1u
#define CMOS_CENTURY_INDEX 0x32u

/* The emitter: bytes appended to a bounded buffer; overflow sticks. */
struct out {
	uint8_t *b;
	size_t len, pos;
	bool overflow;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->overflow || n > o->len - o->pos) {
		o->overflow = true;
		return;
	}
	memcpy(o->b + o->pos, p, n);
	o->pos += n;
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return (uint8_t)(0x100 - s);
}

static void table_header(uint8_t *t, const char *sig, uint32_t len,
			 uint8_t rev)
{
	memcpy(t, sig, 4);
	wr32(t + 4, len);
	t[8] = rev;
	t[9] = 0;
	memcpy(t + 10, "QHV   ", 6);
	memcpy(t + 16, "QHVDOMU ", 8);
	wr32(t + 24, 1);
	memcpy(t + 28, "QHV ", 4);
	wr32(t + 32, 1);
}

static void table_finish(uint8_t *t)
{
	t[9] = 0;
	t[9] = checksum(t, rd32(t + 4));
}

static void gas_io(uint8_t *g, uint16_t port)
{
	g[0] = GAS_IO;
	g[1] = 8;	/* bit width */
	g[2] = 0;	/* bit offset */
	g[3] = 1;	/* byte access */
	wr64(g + 4, port);
}

/*
 * AML.  A PkgLength counts itself and what follows it: one byte up to
 * 63, else a lead byte (bits 7-6 = extra bytes, bits 3-0 = low nibble)
 * and 1-3 more bytes of the length shifted right by 4.
 */
static size_t aml_pkglen(uint8_t *p, size_t body)
{
	size_t total;

	if (body + 1 < 0x40) {
		p[0] = (uint8_t)(body + 1);
		return 1;
	}
	if (body + 2 < 0x1000) {
		total = body + 2;
		p[0] = (uint8_t)(0x40 | (total & 0xf));
		p[1] = (uint8_t)(total >> 4);
		return 2;
	}
	total = body + 3;
	p[0] = (uint8_t)(0x80 | (total & 0xf));
	p[1] = (uint8_t)(total >> 4);
	p[2] = (uint8_t)(total >> 12);
	return 3;
}

/* OP PkgLength BODY, where OP is 1 or 2 bytes. */
static void aml_pkg(struct out *o, const uint8_t *op, size_t oplen,
		    const uint8_t *body, size_t len)
{
	uint8_t pl[3];

	put(o, op, oplen);
	put(o, pl, aml_pkglen(pl, len));
	put(o, body, len);
}

/* Name(NAME, EisaId(...)): the 32-bit compressed id. */
static void aml_name_eisa(struct out *o, const char name[4], uint32_t id)
{
	uint8_t b[10] = { 0x08 };

	memcpy(b + 1, name, 4);
	b[5] = 0x0c;	/* DWordPrefix */
	wr32(b + 6, id);
	put(o, b, sizeof(b));
}

/* Name(_CRS, Buffer(){ RESOURCES }) with the end tag appended. */
static void aml_name_crs(struct out *o, const uint8_t *res, size_t n)
{
	uint8_t body[64], op = 0x11;	/* BufferOp */
	uint8_t name[5] = { 0x08, '_', 'C', 'R', 'S' };
	size_t len = 0;

	body[len++] = 0x0a;	/* BytePrefix: the buffer size */
	body[len++] = (uint8_t)(n + 2);
	memcpy(body + len, res, n);
	len += n;
	body[len++] = 0x79;	/* end tag */
	body[len++] = 0x00;
	put(o, name, sizeof(name));
	aml_pkg(o, &op, 1, body, len);
}

/* Device(NAME) { Name(_HID, EisaId(ID)) Name(_UID, Zero) Name(_CRS, RES) } */
static void aml_device(struct out *o, const char name[4], uint32_t eisa,
		       const uint8_t *res, size_t n)
{
	uint8_t body[128], op[2] = { 0x5b, 0x82 };	/* DeviceOp */
	uint8_t uid[6] = { 0x08, '_', 'U', 'I', 'D', 0x00 };
	struct out d = { body, sizeof(body), 0, false };

	put(&d, name, 4);
	aml_name_eisa(&d, "_HID", eisa);
	put(&d, uid, sizeof(uid));
	aml_name_crs(&d, res, n);
	if (d.overflow) {
		o->overflow = true;
		return;
	}
	aml_pkg(o, op, 2, body, d.pos);
}

#define EISA_PNP0501 0x0105d041u	/* 16550A-compatible COM port */
#define EISA_PNP0B00 0x000bd041u	/* AT real-time clock */

static void write_dsdt_body(struct out *o)
{
	/* Name(\_S5_, Package(){ 5, 5 }): SLP_TYP for S5. */
	const uint8_t s5[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x02,
			       0x0a, QHV_PLAT_SLP_TYP_S5,
			       0x0a, QHV_PLAT_SLP_TYP_S5 };
	/* IO(Decode16, 0x3f8, 0x3f8, 1, 8), IRQNoFlags(){4} */
	const uint8_t com1[] = { 0x47, 0x01,
				 QHV_PLAT_UART_PORT & 0xff, QHV_PLAT_UART_PORT >> 8,
				 QHV_PLAT_UART_PORT & 0xff, QHV_PLAT_UART_PORT >> 8,
				 0x01, 0x08,
				 0x22, 1u << QHV_PLAT_UART_IRQ, 0x00 };
	/* IO(Decode16, 0x70, 0x70, 1, 2): no IRQ (no alarm interrupt) */
	const uint8_t rtc[] = { 0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01, 0x02 };
	uint8_t sb[256], op = 0x10;	/* ScopeOp */
	struct out s = { sb, sizeof(sb), 0, false };

	put(o, s5, sizeof(s5));
	put(&s, "\\_SB_", 5);
	aml_device(&s, "COM1", EISA_PNP0501, com1, sizeof(com1));
	aml_device(&s, "RTC_", EISA_PNP0B00, rtc, sizeof(rtc));
	if (s.overflow) {
		o->overflow = true;
		return;
	}
	aml_pkg(o, &op, 1, sb, s.pos);
}

/* Reserve N bytes at a 16-byte boundary; NULL when they do not fit. */
static uint8_t *take(struct out *o, size_t n)
{
	size_t at = (o->pos + 15) & ~(size_t)15;

	if (o->overflow || at > o->len || n > o->len - at) {
		o->overflow = true;
		return NULL;
	}
	memset(o->b + o->pos, 0, at - o->pos + n);
	o->pos = at + n;
	return o->b + at;
}

int qhv_build_acpi(uint8_t *buf, size_t len, uint64_t gpa, unsigned nr_vcpus,
		   size_t *used)
{
	struct out o = { buf, len, 0, false };
	uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt;
	uint64_t dsdt_gpa;
	size_t madt_len = 44 + 8u * nr_vcpus + 12, dsdt_start;

	if (!buf || nr_vcpus < 1 || nr_vcpus > QHV_MAX_VCPUS || gpa % 16 ||
	    gpa > UINT32_MAX - len)
		return -EINVAL;
	rsdp = take(&o, RSDP_LEN);
	xsdt = take(&o, HDR_LEN + 2 * 8);
	fadt = take(&o, FADT_LEN);
	madt = take(&o, madt_len);
	if (o.overflow)
		return -ENOSPC;

	/* DSDT: header, then the AML appended after it. */
	dsdt = take(&o, HDR_LEN);
	if (!dsdt)
		return -ENOSPC;
	dsdt_start = (size_t)(dsdt - buf);
	write_dsdt_body(&o);
	if (o.overflow)
		return -ENOSPC;
	table_header(dsdt, "DSDT", (uint32_t)(o.pos - dsdt_start), DSDT_REVISION);
	table_finish(dsdt);
	dsdt_gpa = gpa + dsdt_start;

	table_header(madt, "APIC", (uint32_t)madt_len, MADT_REVISION);
	wr32(madt + 36, QHV_PLAT_LAPIC_BASE);
	wr32(madt + 40, 0);	/* no 8259 pair (PCAT_COMPAT clear) */
	for (unsigned i = 0; i < nr_vcpus; i++) {
		uint8_t *e = madt + 44 + 8 * i;

		e[0] = 0;	/* processor local APIC */
		e[1] = 8;
		e[2] = (uint8_t)i;	/* ACPI processor UID */
		e[3] = (uint8_t)i;	/* APIC id: vCPU i */
		wr32(e + 4, 1);	/* enabled */
	}
	{
		uint8_t *e = madt + 44 + 8 * nr_vcpus;

		e[0] = 1;	/* I/O APIC */
		e[1] = 12;
		e[2] = QHV_PLAT_IOAPIC_ID;
		wr32(e + 4, QHV_PLAT_IOAPIC_BASE);
		wr32(e + 8, 0);	/* GSI base */
	}
	table_finish(madt);

	table_header(fadt, "FACP", FADT_LEN, FADT_REVISION);
	wr32(fadt + 40, (uint32_t)dsdt_gpa);
	fadt[108] = CMOS_CENTURY_INDEX;
	wr16(fadt + 109, IAPC_VGA_NOT_PRESENT | IAPC_MSI_NOT_SUPPORTED);
	wr32(fadt + 112, FADT_F_WBINVD | FADT_F_RESET_REG_SUP | FADT_F_HW_REDUCED);
	gas_io(fadt + 116, QHV_PLAT_RESET_PORT);
	fadt[128] = QHV_PLAT_RESET_VALUE;
	fadt[131] = 0;	/* FADT minor version: ACPI 6.0 */
	wr64(fadt + 140, dsdt_gpa);
	gas_io(fadt + 244, QHV_PLAT_SLEEP_CTL_PORT);
	gas_io(fadt + 256, QHV_PLAT_SLEEP_STS_PORT);
	memcpy(fadt + 268, "QHV\0\0\0\0\0", 8);	/* hypervisor vendor */
	table_finish(fadt);

	table_header(xsdt, "XSDT", HDR_LEN + 2 * 8, 1);
	wr64(xsdt + HDR_LEN, gpa + (uint64_t)(fadt - buf));
	wr64(xsdt + HDR_LEN + 8, gpa + (uint64_t)(madt - buf));
	table_finish(xsdt);

	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "QHV   ", 6);
	rsdp[15] = 2;	/* ACPI 2.0+: XSDT */
	wr32(rsdp + 16, 0);	/* no RSDT */
	wr32(rsdp + 20, RSDP_LEN);
	wr64(rsdp + 24, gpa + (uint64_t)(xsdt - buf));
	rsdp[8] = checksum(rsdp, 20);
	rsdp[32] = checksum(rsdp, RSDP_LEN);

	if (used)
		*used = o.pos;
	return 0;
}
