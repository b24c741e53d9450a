// SPDX-License-Identifier: MIT
/*
 * ACPI table parsing.  Firmware tables are untrusted: each one is mapped
 * only after its header says how long it is, that length is bounded, the
 * checksum is verified over exactly that length, and every field read is
 * inside it.  A bad table is skipped rather than fatal, because the hv
 * can still run (with fewer features) without, say, a usable DMAR.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qhv/hypercall.h>

#include "arch/acpi.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/unaligned.h"

typedef const void *(*map_fn)(uint64_t pa, size_t len);
typedef unsigned long long ull;

#define HDR_LEN 36	/* the common System Description Table header */
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

#define FADT_RESET_REG_SUP (1u << 10)
#define GAS_SPACE_IO 1

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* A signature fit for a log message: non-printable bytes become '?'. */
static const char *sig_str(const uint8_t *p, char buf[5])
{
	for (int i = 0; i < 4; i++)
		buf[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	buf[4] = '\0';
	return buf;
}

static bool rsdp_at(map_fn map, uint64_t pa)
{
	const uint8_t *r = map(pa, RSDP_V1_LEN);

	return r && !memcmp(r, "RSD PTR ", 8) && sum8(r, RSDP_V1_LEN) == 0;
}

static uint64_t scan_rsdp(map_fn map, uint64_t from, uint64_t to)
{
	for (uint64_t pa = from; pa + RSDP_V1_LEN <= to; pa += 16)
		if (rsdp_at(map, pa))
			return pa;
	return 0;
}

uint64_t acpi_find_rsdp_bios(map_fn map)
{
	const uint8_t *bda = map(0x40e, 2);
	uint64_t pa;

	if (bda) {
		uint64_t ebda = (uint64_t)rd16(bda) << 4;

		/* Only trust a segment that points into conventional memory. */
		if (ebda >= 0x400 && ebda + 1024 <= 0xa0000) {
			pa = scan_rsdp(map, ebda, ebda + 1024);
			if (pa)
				return pa;
		}
	}
	return scan_rsdp(map, 0xe0000, 0x100000);
}

/*
 * Map and validate a whole table.  @expect is the signature it must have
 * (NULL: any).  Returns NULL, after a pr_warn, for anything unusable.
 */
static const uint8_t *get_table(map_fn map, uint64_t pa, const char *expect,
				uint32_t *len_out)
{
	const uint8_t *t = map(pa, HDR_LEN);
	char sig[5];
	uint32_t len;

	if (!t) {
		pr_warn("qhv: acpi: table at 0x%llx is not accessible; ignored\n", (ull)pa);
		return NULL;
	}
	sig_str(t, sig);
	if (expect && memcmp(t, expect, 4)) {
		pr_warn("qhv: acpi: table at 0x%llx has signature '%s', expected %s; ignored\n",
			(ull)pa, sig, expect);
		return NULL;
	}
	len = rd32(t + 4);
	if (len < HDR_LEN || len > ACPI_MAX_TABLE_LEN) {
		pr_warn("qhv: acpi: %s at 0x%llx has bad length %u; ignored\n",
			sig, (ull)pa, len);
		return NULL;
	}
	t = map(pa, len);
	if (!t) {
		pr_warn("qhv: acpi: %s at 0x%llx (%u bytes) is not accessible; ignored\n",
			sig, (ull)pa, len);
		return NULL;
	}
	if (sum8(t, len)) {
		pr_warn("qhv: acpi: %s at 0x%llx has a bad checksum; ignored\n",
			sig, (ull)pa);
		return NULL;
	}
	*len_out = len;
	return t;
}

static void add_cpu(struct acpi_info *out, uint32_t apic_id, bool *overflow)
{
	for (unsigned i = 0; i < out->ncpus; i++)
		if (out->cpu_apic_id[i] == apic_id)
			return;
	if (out->ncpus == ACPI_MAX_CPUS) {
		*overflow = true;
		return;
	}
	out->cpu_apic_id[out->ncpus++] = apic_id;
}

static void parse_madt(const uint8_t *t, uint32_t len, uint64_t pa,
		       struct acpi_info *out)
{
	unsigned ncpus = out->ncpus, nioapic = out->nioapic;
	uint64_t lapic = out->lapic_pa;
	bool overflow = false;
	uint32_t off;

	if (len < 44) {
		pr_warn("qhv: acpi: APIC at 0x%llx is too short; ignored\n", (ull)pa);
		return;
	}
	out->lapic_pa = rd32(t + 36);
	for (off = 44; len - off >= 2;) {
		uint8_t type = t[off], elen = t[off + 1];
		const uint8_t *e = t + off;

		if (elen < 2 || elen > len - off) {
			pr_warn("qhv: acpi: APIC at 0x%llx: entry at offset %u has bad length %u; table ignored\n",
				(ull)pa, off, elen);
			/* Undo: a half-parsed MADT is worse than none. */
			out->ncpus = ncpus;
			out->nioapic = nioapic;
			out->lapic_pa = lapic;
			return;
		}
		switch (type) {
		case 0: /* processor local APIC */
			/* flags bit 0: enabled; bit 1: online capable */
			if (elen >= 8 && (rd32(e + 4) & 3))
				add_cpu(out, e[3], &overflow);
			break;
		case 9: /* processor local x2APIC */
			if (elen >= 16 && (rd32(e + 8) & 3) && rd32(e + 4) != 0xffffffffu)
				add_cpu(out, rd32(e + 4), &overflow);
			break;
		case 1: /* I/O APIC */
			if (elen < 12)
				break;
			if (out->nioapic == ACPI_MAX_IOAPICS) {
				pr_warn("qhv: acpi: more than %u IOAPICs; extra ignored\n",
					ACPI_MAX_IOAPICS);
				break;
			}
			out->ioapic[out->nioapic].id = e[2];
			out->ioapic[out->nioapic].addr = rd32(e + 4);
			out->ioapic[out->nioapic].gsi_base = rd32(e + 8);
			out->nioapic++;
			break;
		case 5: /* local APIC address override */
			if (elen >= 12)
				out->lapic_pa = rd64(e + 4);
			break;
		default:
			break;
		}
		off += elen;
	}
	if (overflow)
		pr_warn("qhv: acpi: more than %u CPUs; extra ignored\n", ACPI_MAX_CPUS);
}

/* An I/O port from a Generic Address Structure, 0 if not I/O space. */
static uint32_t gas_io_port(const uint8_t *gas)
{
	uint64_t addr = rd64(gas + 4);

	if (gas[0] != GAS_SPACE_IO || addr == 0 || addr > 0xffff)
		return 0;
	return (uint32_t)addr;
}

static uint64_t parse_fadt(const uint8_t *t, uint32_t len, uint64_t pa,
			   struct acpi_info *out)
{
	uint64_t dsdt;
	uint32_t port;

	/* PM1b_CNT_BLK at 68 is the last field we need from ACPI 1.0. */
	if (len < 72) {
		pr_warn("qhv: acpi: FACP at 0x%llx is too short; ignored\n", (ull)pa);
		return 0;
	}
	out->fadt_pa = pa;
	dsdt = rd32(t + 40);
	out->pm1a_cnt = rd32(t + 64);
	out->pm1b_cnt = rd32(t + 68);
	if (len >= 129 && (rd32(t + 112) & FADT_RESET_REG_SUP)) {
		port = gas_io_port(t + 116);
		if (port) {
			out->reset_reg_port = port;
			out->reset_value = t[128];
			out->reset_valid = true;
		}
	}
	if (len >= 148 && rd64(t + 140))
		dsdt = rd64(t + 140);
	if (len >= 184 && (port = gas_io_port(t + 172)))
		out->pm1a_cnt = port;
	if (len >= 196 && (port = gas_io_port(t + 184)))
		out->pm1b_cnt = port;
	return dsdt;
}

/* One package element: ZeroOp, OneOp, or BytePrefix/WordPrefix value. */
static bool aml_small_int(const uint8_t *p, uint32_t n, uint32_t *used,
			  uint32_t *val)
{
	if (n < 1)
		return false;
	switch (p[0]) {
	case 0x00: /* ZeroOp */
	case 0x01: /* OneOp */
		*val = p[0];
		*used = 1;
		return true;
	case 0x0a: /* BytePrefix */
		if (n < 2)
			return false;
		*val = p[1];
		*used = 2;
		return true;
	case 0x0b: /* WordPrefix */
		if (n < 3)
			return false;
		*val = rd16(p + 1);
		*used = 3;
		return true;
	default:
		return false;
	}
}

/*
 * Find "Name(_S5_, Package(){a, b, ...})": NameOp (0x08), optionally the
 * root prefix '\', "_S5_", PackageOp (0x12), PkgLength (1-4 bytes: the
 * top two bits of the first byte count the extra bytes), NumElements.
 */
static void parse_s5(const uint8_t *t, uint32_t len, struct acpi_info *out)
{
	for (uint32_t i = HDR_LEN; i + 4 <= len; i++) {
		uint32_t p, used, a, b, nelem;

		if (memcmp(t + i, "_S5_", 4))
			continue;
		if (!(t[i - 1] == 0x08) && !(t[i - 1] == '\\' && t[i - 2] == 0x08))
			continue;
		p = i + 4;
		if (p >= len || t[p] != 0x12)
			continue;
		p++;
		if (p >= len)
			continue;
		p += 1 + (t[p] >> 6);	/* skip PkgLength */
		if (p >= len)
			continue;
		nelem = t[p++];
		if (nelem < 1 || !aml_small_int(t + p, len - p, &used, &a))
			continue;
		p += used;
		b = a;	/* a one-element package serves both registers */
		if (nelem >= 2 && !aml_small_int(t + p, len - p, &used, &b))
			continue;
		if (a > 7 || b > 7) {
			pr_warn("qhv: acpi: \\_S5_ values %u/%u out of range; ignored\n", a, b);
			return;
		}
		out->slp_typa = (uint8_t)a;
		out->slp_typb = (uint8_t)b;
		out->s5_valid = true;
		return;
	}
}

/* Validate the RSDT or XSDT; NULL (after a pr_warn) if unusable. */
static const uint8_t *get_root(map_fn map, uint64_t pa, bool xsdt, uint32_t *len)
{
	return get_table(map, pa, xsdt ? "XSDT" : "RSDT", len);
}

int acpi_parse(uint64_t rsdp_pa, map_fn map, struct acpi_info *out)
{
	const uint8_t *r, *root = NULL;
	uint64_t xsdt = 0, dsdt = 0;
	uint32_t rsdt, rlen = 0;
	unsigned esz;

	memset(out, 0, sizeof(*out));
	out->rsdp_pa = rsdp_pa;
	r = map(rsdp_pa, RSDP_V1_LEN);
	if (!r) {
		pr_err("qhv: acpi: RSDP at 0x%llx is not accessible\n", (ull)rsdp_pa);
		return -QHV_EINVAL;
	}
	if (memcmp(r, "RSD PTR ", 8)) {
		pr_err("qhv: acpi: no RSDP signature at 0x%llx\n", (ull)rsdp_pa);
		return -QHV_EINVAL;
	}
	if (sum8(r, RSDP_V1_LEN)) {
		pr_err("qhv: acpi: RSDP at 0x%llx has a bad checksum\n", (ull)rsdp_pa);
		return -QHV_EINVAL;
	}
	out->revision = r[15];
	rsdt = rd32(r + 16);
	if (out->revision >= 2) {
		uint32_t len;

		r = map(rsdp_pa, RSDP_V2_LEN);
		len = r ? rd32(r + 20) : 0;
		if (len < RSDP_V2_LEN || len > 4096 || !(r = map(rsdp_pa, len))) {
			pr_err("qhv: acpi: RSDP at 0x%llx has bad length %u\n",
			       (ull)rsdp_pa, len);
			return -QHV_EINVAL;
		}
		if (sum8(r, len)) {
			pr_err("qhv: acpi: RSDP at 0x%llx has a bad extended checksum\n",
			       (ull)rsdp_pa);
			return -QHV_EINVAL;
		}
		xsdt = rd64(r + 24);
	}

	esz = 8;
	if (xsdt) {
		root = get_root(map, xsdt, true, &rlen);
		if (!root && rsdt)
			pr_warn("qhv: acpi: XSDT unusable, falling back to the RSDT\n");
	}
	if (!root) {
		esz = 4;
		if (!rsdt) {
			pr_err("qhv: acpi: RSDP at 0x%llx gives no usable root table\n",
			       (ull)rsdp_pa);
			return -QHV_EINVAL;
		}
		root = get_root(map, rsdt, false, &rlen);
		if (!root) {
			pr_err("qhv: acpi: RSDT at 0x%x is unusable\n", rsdt);
			return -QHV_EINVAL;
		}
	}

	for (uint32_t off = HDR_LEN; rlen - off >= esz; off += esz) {
		uint64_t pa = esz == 8 ? rd64(root + off) : rd32(root + off);
		const uint8_t *t;
		uint32_t len;

		if (!pa)
			continue;
		t = get_table(map, pa, NULL, &len);
		if (!t)
			continue;
		if (!memcmp(t, "APIC", 4)) {
			if (out->lapic_pa)
				pr_warn("qhv: acpi: second APIC table at 0x%llx ignored\n", (ull)pa);
			else
				parse_madt(t, len, pa, out);
		} else if (!memcmp(t, "FACP", 4)) {
			if (out->fadt_pa)
				pr_warn("qhv: acpi: second FACP table at 0x%llx ignored\n", (ull)pa);
			else
				dsdt = parse_fadt(t, len, pa, out);
		} else if (!memcmp(t, "DMAR", 4) && !out->dmar_pa) {
			out->dmar_pa = pa;
			out->dmar_len = len;
		}
	}

	if (dsdt) {
		const uint8_t *t;
		uint32_t len;

		t = get_table(map, dsdt, "DSDT", &len);
		if (t)
			parse_s5(t, len, out);
	}
	return 0;
}
