// SPDX-License-Identifier: MIT
/* Unit tests for hv/arch/x86/acpi.c: synthetic tables, and real tables
 * captured from QEMU and Bochs (tests/unit/data/acpi/<machine>/, one file
 * per table, named <SIG>@<physical address>.bin). */
#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qhv/hypercall.h>

#include "arch/acpi.h"
#include "harness.h"

/* A fake physical address space made of separately allocated regions,
 * each exactly its size, so ASan catches any read past a table. */
struct region {
	uint64_t pa;
	size_t len;
	uint8_t *data;
};

static struct region regions[64];
static unsigned nregions;
static const char *data_dir;
static struct acpi_info ai;

static const void *fake_map(uint64_t pa, size_t len)
{
	for (unsigned i = 0; i < nregions; i++) {
		struct region *r = &regions[i];

		if (pa >= r->pa && pa - r->pa <= r->len && len <= r->len - (pa - r->pa))
			return r->data + (pa - r->pa);
	}
	return NULL;
}

static uint8_t *add_region(uint64_t pa, size_t len)
{
	struct region *r = &regions[nregions++];

	ck_assert_uint_le(nregions, 64);
	r->pa = pa;
	r->len = len;
	r->data = calloc(1, len ? len : 1);
	return r->data;
}

static void free_regions(void)
{
	for (unsigned i = 0; i < nregions; i++)
		free(regions[i].data);
	nregions = 0;
}

static void setup(void)
{
	harness_reset();
	free_regions();
}

static void teardown(void)
{
	free_regions();
}

static void wr16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, v); wr16(p + 2, v >> 16); }
static void wr64(uint8_t *p, uint64_t v) { wr32(p, v); wr32(p + 4, v >> 32); }

static void fix_sum(uint8_t *p, size_t n, size_t at)
{
	uint8_t s = 0;

	p[at] = 0;
	for (size_t i = 0; i < n; i++)
		s += p[i];
	p[at] = -s;
}

static uint8_t *mk_table(uint64_t pa, const char *sig, uint32_t len)
{
	uint8_t *t = add_region(pa, len);

	memcpy(t, sig, 4);
	wr32(t + 4, len);
	t[8] = 2;
	memcpy(t + 10, "QHVTST", 6);
	return t;
}

static void seal(uint8_t *t)
{
	uint32_t len = t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24;

	fix_sum(t, len, 9);
}

/* RSDP v2 at 0xf0000 -> XSDT at 0x1000 and RSDT at 0x2000, both listing
 * MADT 0x3000, FADT 0x4000, DMAR 0x6000.  FADT -> DSDT 0x5000. */
#define RSDP_PA 0xf0000
static uint8_t *rsdp, *xsdt, *rsdtt, *madt, *fadt, *dsdt, *dmar;

static void mk_rsdp(uint8_t rev, uint32_t rsdt_pa, uint64_t xsdt_pa)
{
	rsdp = add_region(RSDP_PA, 36);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "QHVTST", 6);
	rsdp[15] = rev;
	wr32(rsdp + 16, rsdt_pa);
	wr32(rsdp + 20, 36);
	wr64(rsdp + 24, xsdt_pa);
	fix_sum(rsdp, 20, 8);
	fix_sum(rsdp, 36, 32);
}

static const uint8_t s5_aml[] = {
	0x10, 0x0a, '\\', '_', 'S', 'B', '_', /* noise: a Scope */
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x06, 0x00, 0x00,
};

static void mk_system(void)
{
	static const uint64_t tables[] = { 0x3000, 0x4000, 0x6000 };
	uint8_t *e;

	mk_rsdp(2, 0x2000, 0x1000);
	xsdt = mk_table(0x1000, "XSDT", 36 + 8 * 3);
	rsdtt = mk_table(0x2000, "RSDT", 36 + 4 * 3);
	for (int i = 0; i < 3; i++) {
		wr64(xsdt + 36 + 8 * i, tables[i]);
		wr32(rsdtt + 36 + 4 * i, (uint32_t)tables[i]);
	}
	seal(xsdt);
	seal(rsdtt);

	madt = mk_table(0x3000, "APIC", 44 + 8 * 4 + 12 + 16 * 2 + 12);
	wr32(madt + 36, 0xfee00000);
	e = madt + 44;
	for (int i = 0; i < 4; i++, e += 8) {
		e[0] = 0;
		e[1] = 8;
		e[2] = i;
		e[3] = i * 2;
		wr32(e + 4, i == 2 ? 0 : i == 3 ? 2 : 1); /* 2 disabled, 3 online-capable */
	}
	e[0] = 1;
	e[1] = 12;
	e[2] = 9;
	wr32(e + 4, 0xfec00000);
	wr32(e + 8, 0);
	e += 12;
	/* x2APIC: id 0 again (duplicate of the LAPIC entry), id 300 */
	e[0] = 9;
	e[1] = 16;
	wr32(e + 4, 0);
	wr32(e + 8, 1);
	e += 16;
	e[0] = 9;
	e[1] = 16;
	wr32(e + 4, 300);
	wr32(e + 8, 1);
	e += 16;
	e[0] = 5;
	e[1] = 12;
	wr64(e + 4, 0x1fee00000ull);
	seal(madt);

	fadt = mk_table(0x4000, "FACP", 276);
	fadt[8] = 6;
	wr32(fadt + 40, 0x5000);
	wr32(fadt + 64, 0x404);
	wr32(fadt + 68, 0);
	wr32(fadt + 112, 1u << 10);
	fadt[116] = 1;		/* RESET_REG: I/O 0xcf9 */
	fadt[117] = 8;
	wr64(fadt + 120, 0xcf9);
	fadt[128] = 6;
	wr64(fadt + 140, 0);	/* X_DSDT 0: use DSDT */
	fadt[172] = 1;		/* X_PM1a_CNT: I/O 0x604 */
	wr64(fadt + 176, 0x604);
	fadt[184] = 0;		/* X_PM1b_CNT in memory space: ignored */
	wr64(fadt + 188, 0xfed00000);
	seal(fadt);

	dsdt = mk_table(0x5000, "DSDT", 36 + sizeof(s5_aml) + 3);
	memcpy(dsdt + 36, s5_aml, sizeof(s5_aml));
	seal(dsdt);

	dmar = mk_table(0x6000, "DMAR", 48);
	seal(dmar);
}

START_TEST(synthetic_full)
{
	mk_system();
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert_uint_eq(harness_count(LOG_ERR) + harness_count(LOG_WARN), 0);
	ck_assert_uint_eq(ai.rsdp_pa, RSDP_PA);
	ck_assert_uint_eq(ai.revision, 2);
	ck_assert_uint_eq(ai.ncpus, 4);
	ck_assert_uint_eq(ai.cpu_apic_id[0], 0);
	ck_assert_uint_eq(ai.cpu_apic_id[1], 2);
	ck_assert_uint_eq(ai.cpu_apic_id[2], 6);
	ck_assert_uint_eq(ai.cpu_apic_id[3], 300);
	ck_assert_uint_eq(ai.nioapic, 1);
	ck_assert_uint_eq(ai.ioapic[0].id, 9);
	ck_assert_uint_eq(ai.ioapic[0].addr, 0xfec00000);
	ck_assert_uint_eq(ai.lapic_pa, 0x1fee00000ull);
	ck_assert_uint_eq(ai.dmar_pa, 0x6000);
	ck_assert_uint_eq(ai.dmar_len, 48);
	ck_assert_uint_eq(ai.fadt_pa, 0x4000);
	ck_assert_uint_eq(ai.pm1a_cnt, 0x604);
	ck_assert_uint_eq(ai.pm1b_cnt, 0);
	ck_assert(ai.reset_valid);
	ck_assert_uint_eq(ai.reset_reg_port, 0xcf9);
	ck_assert_uint_eq(ai.reset_value, 6);
	ck_assert(ai.s5_valid);
	ck_assert_uint_eq(ai.slp_typa, 5);
	ck_assert_uint_eq(ai.slp_typb, 6);
}
END_TEST

START_TEST(rsdp_bad)
{
	mk_system();
	rsdp[8]++;
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), -QHV_EINVAL);
	ck_assert_str_eq(harness_last(), "qhv: acpi: RSDP at 0xf0000 has a bad checksum\n");
	rsdp[8]--;
	rsdp[32]++;
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), -QHV_EINVAL);
	ck_assert(harness_logged("RSDP at 0xf0000 has a bad extended checksum"));
	rsdp[32]--;
	rsdp[0] = 'X';
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), -QHV_EINVAL);
	ck_assert(harness_logged("no RSDP signature at 0xf0000"));
	rsdp[0] = 'R';
	ck_assert_int_eq(acpi_parse(0x123456, fake_map, &ai), -QHV_EINVAL);
	ck_assert(harness_logged("RSDP at 0x123456 is not accessible"));
	/* Length beyond the mapped 36 bytes. */
	wr32(rsdp + 20, 40);
	fix_sum(rsdp, 20, 8);
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), -QHV_EINVAL);
	ck_assert(harness_logged("RSDP at 0xf0000 has bad length 40"));
}
END_TEST

START_TEST(root_choice)
{
	mk_system();
	/* Revision 0: RSDT is used even though an XSDT pointer is there. */
	rsdp[15] = 0;
	fix_sum(rsdp, 20, 8);
	xsdt[9]++;
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert_uint_eq(ai.ncpus, 4);
	ck_assert_uint_eq(harness_count(LOG_WARN), 0);
	/* Revision 2 with a broken XSDT: fall back to the RSDT. */
	rsdp[15] = 2;
	fix_sum(rsdp, 20, 8);
	fix_sum(rsdp, 36, 32);
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert(harness_logged("XSDT at 0x1000 has a bad checksum; ignored"));
	ck_assert(harness_logged("XSDT unusable, falling back to the RSDT"));
	ck_assert_uint_eq(ai.ncpus, 4);
	/* Both broken. */
	rsdtt[9]++;
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), -QHV_EINVAL);
	ck_assert_str_eq(harness_last(), "qhv: acpi: RSDT at 0x2000 is unusable\n");
	/* Wrong signature at the RSDT address. */
	rsdtt[9]--;
	memcpy(rsdtt, "RSDX", 4);
	seal(rsdtt);
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), -QHV_EINVAL);
	ck_assert(harness_logged("table at 0x2000 has signature 'RSDX', expected RSDT"));
}
END_TEST

START_TEST(table_skipped)
{
	mk_system();
	madt[20]++;
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert(harness_logged("qhv: acpi: APIC at 0x3000 has a bad checksum; ignored"));
	ck_assert_uint_eq(ai.ncpus, 0);
	ck_assert_uint_eq(ai.pm1a_cnt, 0x604); /* others still parsed */
	ck_assert_uint_eq(ai.dmar_pa, 0x6000);
	madt[20]--;
	/* Truncated: header claims more than is there. */
	wr32(madt + 4, 200); /* no seal(): it would read past the table */
	harness_reset();
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert(harness_logged("APIC at 0x3000 (200 bytes) is not accessible; ignored"));
	wr32(madt + 4, 30);
	harness_reset();
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert(harness_logged("APIC at 0x3000 has bad length 30; ignored"));
	wr32(madt + 4, (1u << 20) + 1);
	harness_reset();
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert(harness_logged("APIC at 0x3000 has bad length 1048577; ignored"));
	/* A table pointer to nowhere. */
	wr64(xsdt + 36, 0x99000);
	seal(xsdt);
	harness_reset();
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert(harness_logged("table at 0x99000 is not accessible; ignored"));
	/* DSDT broken: no S5, but the rest is fine. */
	dsdt[9]++;
	harness_reset();
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert(harness_logged("DSDT at 0x5000 has a bad checksum; ignored"));
	ck_assert(!ai.s5_valid);
	ck_assert(ai.reset_valid);
}
END_TEST

START_TEST(madt_bad_entries)
{
	mk_system();
	madt[44 + 8 + 1] = 0; /* second entry length 0 */
	seal(madt);
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert(harness_logged("APIC at 0x3000: entry at offset 52 has bad length 0; table ignored"));
	ck_assert_uint_eq(ai.ncpus, 0);
	ck_assert_uint_eq(ai.nioapic, 0);
	ck_assert_uint_eq(ai.lapic_pa, 0);
	madt[44 + 8 + 1] = 8;
	/* Last entry (LAPIC override, 12 bytes) claims 13. */
	madt[44 + 32 + 12 + 32 + 1] = 13;
	seal(madt);
	harness_reset();
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert(harness_logged("entry at offset 120 has bad length 13; table ignored"));
	ck_assert_uint_eq(ai.ncpus, 0);
}
END_TEST

START_TEST(madt_many_cpus)
{
	uint8_t *m;

	mk_rsdp(0, 0x2000, 0);
	rsdtt = mk_table(0x2000, "RSDT", 40);
	wr32(rsdtt + 36, 0x3000);
	seal(rsdtt);
	m = mk_table(0x3000, "APIC", 44 + 70 * 8 + 9 * 12);
	for (int i = 0; i < 70; i++) {
		m[44 + i * 8] = 0;
		m[45 + i * 8] = 8;
		m[47 + i * 8] = i;
		m[48 + i * 8] = 1;
	}
	for (int i = 0; i < 9; i++) {
		uint8_t *e = m + 44 + 70 * 8 + i * 12;

		e[0] = 1;
		e[1] = 12;
		e[2] = i;
		wr32(e + 4, 0xfec00000 + i * 0x1000);
		wr32(e + 8, i * 24);
	}
	seal(m);
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert_uint_eq(ai.revision, 0);
	ck_assert_uint_eq(ai.ncpus, 64);
	ck_assert_uint_eq(ai.cpu_apic_id[63], 63);
	ck_assert_uint_eq(ai.nioapic, 8);
	ck_assert_uint_eq(ai.ioapic[7].gsi_base, 7 * 24);
	ck_assert(harness_logged("more than 64 CPUs; extra ignored"));
	ck_assert(harness_logged("more than 8 IOAPICs; extra ignored"));
	ck_assert(!ai.reset_valid);
	ck_assert_uint_eq(ai.fadt_pa, 0);
}
END_TEST

START_TEST(fadt_variants)
{
	mk_system();
	/* Reset register not flagged as supported. */
	wr32(fadt + 112, 0);
	/* X_PM1a zero: the 32-bit field stays. */
	wr64(fadt + 176, 0);
	/* X_DSDT preferred over DSDT. */
	wr64(fadt + 140, 0x7000);
	seal(fadt);
	{
		uint8_t *d = mk_table(0x7000, "DSDT", 36 + 8);
		/* \_S5_ with the root prefix, one-element package of OneOp. */
		static const uint8_t aml[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x01 };

		d = realloc(d, 36 + sizeof(aml));
		regions[nregions - 1].data = d;
		regions[nregions - 1].len = 36 + sizeof(aml);
		wr32(d + 4, 36 + sizeof(aml));
		memcpy(d + 36, aml, sizeof(aml));
		seal(d);
	}
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert(!ai.reset_valid);
	ck_assert_uint_eq(ai.pm1a_cnt, 0x404);
	ck_assert(ai.s5_valid);
	ck_assert_uint_eq(ai.slp_typa, 1);
	ck_assert_uint_eq(ai.slp_typb, 1);
	/* Reset register in memory space: not usable. */
	wr32(fadt + 112, 1u << 10);
	fadt[116] = 0;
	seal(fadt);
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert(!ai.reset_valid);
	/* An ACPI 1.0 FADT (116 bytes): only the 32-bit fields. */
	wr32(fadt + 4, 116);
	seal(fadt);
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert_uint_eq(ai.pm1a_cnt, 0x404);
	ck_assert(ai.s5_valid);
	ck_assert_uint_eq(ai.slp_typa, 5); /* DSDT at 0x5000 again */
	/* Too short to hold PM1 control blocks. */
	wr32(fadt + 4, 60);
	seal(fadt);
	harness_reset();
	ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
	ck_assert(harness_logged("FACP at 0x4000 is too short; ignored"));
	ck_assert_uint_eq(ai.fadt_pa, 0);
	ck_assert(!ai.s5_valid);
}
END_TEST

START_TEST(s5_patterns)
{
	static const struct {
		uint8_t aml[16];
		size_t len;
		bool valid;
		uint8_t a, b;
	} cases[] = {
		/* Name without NameOp: not a definition */
		{ { 0x00, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0a, 0x07, 0x00 }, 11, false, 0, 0 },
		/* cut off inside the package */
		{ { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a }, 9, false, 0, 0 },
		{ { 0x08, '_', 'S', '5', '_', 0x12 }, 6, false, 0, 0 },
		{ { 0x08, '_', 'S', '5', '_' }, 5, false, 0, 0 },
		/* out of range */
		{ { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x09, 0x00 }, 11, false, 0, 0 },
		/* 2-byte PkgLength, WordPrefix */
		{ { 0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x00, 0x02, 0x0b, 0x03, 0x00, 0x0a, 0x04 }, 14, true, 3, 4 },
		/* zero elements */
		{ { 0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00 }, 8, false, 0, 0 },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint8_t *d;

		free_regions();
		mk_system();
		d = realloc(dsdt, 36 + cases[c].len);
		regions[nregions - 2].data = d; /* DSDT is before DMAR */
		regions[nregions - 2].len = 36 + cases[c].len;
		wr32(d + 4, 36 + cases[c].len);
		memcpy(d + 36, cases[c].aml, cases[c].len);
		seal(d);
		ck_assert_int_eq(acpi_parse(RSDP_PA, fake_map, &ai), 0);
		ck_assert_msg(ai.s5_valid == cases[c].valid, "case %zu", c);
		if (cases[c].valid) {
			ck_assert_uint_eq(ai.slp_typa, cases[c].a);
			ck_assert_uint_eq(ai.slp_typb, cases[c].b);
		}
	}
}
END_TEST

START_TEST(find_rsdp)
{
	uint8_t *low = add_region(0, 0x100000), *r;

	ck_assert_uint_eq(acpi_find_rsdp_bios(fake_map), 0);
	/* In the BIOS area, with a decoy with a bad checksum before it. */
	memcpy(low + 0xe1000, "RSD PTR ", 8);
	r = low + 0xf5a10;
	memcpy(r, "RSD PTR ", 8);
	fix_sum(r, 20, 8);
	memcpy(low + 0xf5a28, "RSD PTR ", 8); /* not 16-aligned */
	fix_sum(low + 0xf5a28, 20, 8);
	ck_assert_uint_eq(acpi_find_rsdp_bios(fake_map), 0xf5a10);
	/* The EBDA wins, but only its first KiB counts. */
	wr16(low + 0x40e, 0x9fc0);
	r = low + 0x9fc00 + 0x400;
	memcpy(r, "RSD PTR ", 8);
	fix_sum(r, 20, 8);
	ck_assert_uint_eq(acpi_find_rsdp_bios(fake_map), 0xf5a10);
	r = low + 0x9fc00 + 0x3e0;
	memcpy(r, "RSD PTR ", 8);
	fix_sum(r, 20, 8);
	ck_assert_uint_eq(acpi_find_rsdp_bios(fake_map), 0x9ffe0);
	/* A nonsense EBDA segment is not followed. */
	wr16(low + 0x40e, 0xffff);
	ck_assert_uint_eq(acpi_find_rsdp_bios(fake_map), 0xf5a10);
}
END_TEST

/* Load tests/unit/data/acpi/<machine>/ into the fake address space. */
static uint64_t load_machine(const char *machine)
{
	char path[4096];
	struct dirent *de;
	uint64_t rsdp_pa = 0;
	DIR *d;

	ck_assert_msg(data_dir, "no data directory given");
	snprintf(path, sizeof(path), "%s/%s", data_dir, machine);
	d = opendir(path);
	ck_assert_msg(d, "cannot open %s", path);
	while ((de = readdir(d))) {
		char sig[8], file[8192];
		uint64_t pa;
		long len;
		FILE *f;

		if (sscanf(de->d_name, "%4[A-Za-z0-9_]@%" SCNx64 ".bin", sig, &pa) != 2)
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		f = fopen(file, "rb");
		ck_assert(f);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		ck_assert_uint_eq(fread(add_region(pa, (size_t)len), 1, (size_t)len, f), (size_t)len);
		fclose(f);
		if (!strcmp(sig, "RSDP"))
			rsdp_pa = pa;
	}
	closedir(d);
	ck_assert_msg(rsdp_pa, "no RSDP in %s", path);
	return rsdp_pa;
}

START_TEST(real_qemu_q35_iommu)
{
	uint64_t rsdp_pa = load_machine("qemu-q35-iommu");

	ck_assert_int_eq(acpi_parse(rsdp_pa, fake_map, &ai), 0);
	ck_assert_uint_eq(harness_count(LOG_ERR) + harness_count(LOG_WARN), 0);
	ck_assert_uint_eq(ai.ncpus, 2); /* captured with -smp 2 */
	ck_assert_uint_eq(ai.cpu_apic_id[0], 0);
	ck_assert_uint_eq(ai.cpu_apic_id[1], 1);
	ck_assert_uint_eq(ai.nioapic, 1);
	ck_assert_uint_eq(ai.ioapic[0].addr, 0xfec00000);
	ck_assert_uint_eq(ai.ioapic[0].gsi_base, 0);
	ck_assert_uint_eq(ai.lapic_pa, 0xfee00000);
	ck_assert_uint_eq(ai.dmar_pa, 0xffe2314);
	ck_assert_uint_eq(ai.dmar_len, 0x78);
	ck_assert_uint_eq(ai.fadt_pa, 0xffe212c);
	ck_assert_uint_eq(ai.pm1a_cnt, 0x604); /* ICH9 PM base 0x600 */
	ck_assert_uint_eq(ai.pm1b_cnt, 0);
	ck_assert(ai.reset_valid);
	ck_assert_uint_eq(ai.reset_reg_port, 0xcf9);
	ck_assert_uint_eq(ai.reset_value, 0xf); /* FADT bytes: ...f9 0c ... 0f */
	ck_assert(ai.s5_valid);
	ck_assert_uint_eq(ai.slp_typa, 0);
	ck_assert_uint_eq(ai.slp_typb, 0);
}
END_TEST

START_TEST(real_qemu_pc)
{
	uint64_t rsdp_pa = load_machine("qemu-pc");

	ck_assert_int_eq(acpi_parse(rsdp_pa, fake_map, &ai), 0);
	ck_assert_uint_eq(harness_count(LOG_ERR) + harness_count(LOG_WARN), 0);
	ck_assert_uint_eq(ai.revision, 0);
	ck_assert_uint_eq(ai.ncpus, 1);
	ck_assert_uint_eq(ai.nioapic, 1);
	ck_assert_uint_eq(ai.ioapic[0].addr, 0xfec00000);
	ck_assert_uint_eq(ai.dmar_pa, 0);
	ck_assert_uint_eq(ai.pm1a_cnt, 0x604); /* SeaBIOS puts PIIX4 PM at 0x600 */
	ck_assert(!ai.reset_valid); /* ACPI 1.0 FADT: no RESET_REG */
	ck_assert(ai.s5_valid);
	ck_assert_uint_eq(ai.slp_typa, 0);
	ck_assert_uint_eq(ai.slp_typb, 0);
}
END_TEST

START_TEST(real_bochs)
{
	uint64_t rsdp_pa = load_machine("bochs");

	ck_assert_int_eq(acpi_parse(rsdp_pa, fake_map, &ai), 0);
	ck_assert_uint_eq(harness_count(LOG_ERR) + harness_count(LOG_WARN), 0);
	ck_assert_uint_eq(ai.ncpus, 2); /* captured with cpu: count=2 */
	ck_assert_uint_eq(ai.cpu_apic_id[1], 1);
	ck_assert_uint_eq(ai.nioapic, 1);
	ck_assert_uint_eq(ai.ioapic[0].id, 2); /* Bochs: IOAPIC ID = CPU count */
	ck_assert_uint_eq(ai.ioapic[0].addr, 0xfec00000);
	ck_assert_uint_eq(ai.lapic_pa, 0xfee00000);
	ck_assert_uint_eq(ai.dmar_pa, 0);
	ck_assert_uint_eq(ai.pm1a_cnt, 0xb004); /* rombios PM base 0xb000 */
	ck_assert(!ai.reset_valid);
	ck_assert(ai.s5_valid);
	ck_assert_uint_eq(ai.slp_typa, 0);
	ck_assert_uint_eq(ai.slp_typb, 0);
}
END_TEST

/* Flip bits in copies of the real q35 tables: never a crash or an
 * out-of-bounds read (each region is an exact-size heap block). */
START_TEST(real_mutations)
{
	uint64_t rsdp_pa = load_machine("qemu-q35-iommu");
	unsigned n = nregions;
	uint8_t *orig[64];

	for (unsigned i = 0; i < n; i++) {
		orig[i] = malloc(regions[i].len);
		memcpy(orig[i], regions[i].data, regions[i].len);
	}
	srandom(5);
	for (int it = 0; it < 3000; it++) {
		unsigned r = (unsigned)random() % n;

		for (unsigned i = 0; i < n; i++)
			memcpy(regions[i].data, orig[i], regions[i].len);
		for (int k = 0; k < 1 + random() % 3; k++) {
			size_t at = (size_t)random() % (regions[r].len < 64 ? regions[r].len : 64);

			if (random() % 2)
				at = (size_t)random() % regions[r].len;
			regions[r].data[at] ^= (uint8_t)(1u << (random() % 8));
		}
		/* Half the time, fix the checksum so the parsers see it. */
		if (random() % 2 && regions[r].len >= 36 && memcmp(regions[r].data, "RSD ", 4))
			fix_sum(regions[r].data, regions[r].len, 9);
		if (acpi_parse(rsdp_pa, fake_map, &ai) == 0) {
			ck_assert_uint_le(ai.ncpus, ACPI_MAX_CPUS);
			ck_assert_uint_le(ai.nioapic, ACPI_MAX_IOAPICS);
		}
	}
	for (unsigned i = 0; i < n; i++)
		free(orig[i]);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("acpi");
	TCase *tc = tcase_create("arch");
	SRunner *sr;
	int failed;

	data_dir = argc > 1 ? argv[1] : NULL;
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, synthetic_full);
	tcase_add_test(tc, rsdp_bad);
	tcase_add_test(tc, root_choice);
	tcase_add_test(tc, table_skipped);
	tcase_add_test(tc, madt_bad_entries);
	tcase_add_test(tc, madt_many_cpus);
	tcase_add_test(tc, fadt_variants);
	tcase_add_test(tc, s5_patterns);
	tcase_add_test(tc, find_rsdp);
	tcase_add_test(tc, real_qemu_q35_iommu);
	tcase_add_test(tc, real_qemu_pc);
	tcase_add_test(tc, real_bochs);
	tcase_add_test(tc, real_mutations);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
