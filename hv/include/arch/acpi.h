/* SPDX-License-Identifier: MIT */
/**
 * DOC: ACPI table parsing
 *
 * Reads the firmware's ACPI tables (untrusted input) through a map
 * callback and extracts what the hv needs: CPUs and IOAPICs (MADT), the
 * local APIC address, PM1 control ports and the reset register (FADT),
 * the S5 sleep type values (DSDT's \_S5_ package) and where the DMAR
 * table is.  Every table's length is bounded (at most 1 MiB) and its
 * checksum verified; a bad table is skipped with a pr_warn naming it.
 * No AML interpreter: \_S5_ is found by a bounded byte-pattern scan.
 */
#ifndef QHV_ARCH_ACPI_H
#define QHV_ARCH_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_TABLE_LEN (1u << 20)

/**
 * struct acpi_info - what the hv learns from ACPI.
 * @rsdp_pa: physical address of the RSDP used.
 * @revision: RSDP revision (0 = ACPI 1.0, 2 = ACPI 2.0+).
 * @ncpus: number of usable CPUs in @cpu_apic_id (MADT entries that are
 *         enabled or online-capable; duplicates listed as both local APIC
 *         and x2APIC are counted once).
 * @cpu_apic_id: their (x2)APIC IDs, in MADT order.
 * @nioapic: number of valid entries in @ioapic.
 * @ioapic: IOAPICs: APIC ID, MMIO address, first GSI.
 * @lapic_pa: local APIC MMIO address (MADT, or its type 5 override).
 * @dmar_pa: physical address of the DMAR table, 0 if none.
 * @dmar_len: its length.
 * @fadt_pa: physical address of the FADT, 0 if none.
 * @pm1a_cnt: PM1a control block I/O port, 0 if none.
 * @pm1b_cnt: PM1b control block I/O port, 0 if none.
 * @s5_valid: @slp_typa/@slp_typb were found in the DSDT.
 * @slp_typa: SLP_TYP value for S5 to write to PM1a_CNT.
 * @slp_typb: SLP_TYP value for S5 to write to PM1b_CNT.
 * @reset_reg_port: I/O port of the FADT reset register.
 * @reset_value: value to write there.
 * @reset_valid: the FADT has a supported reset register in I/O space.
 */
struct acpi_info {
	uint64_t rsdp_pa;
	uint8_t revision;
	unsigned ncpus;
	uint32_t cpu_apic_id[ACPI_MAX_CPUS];
	unsigned nioapic;
	struct {
		uint8_t id;
		uint32_t addr;
		uint32_t gsi_base;
	} ioapic[ACPI_MAX_IOAPICS];
	uint64_t lapic_pa;
	uint64_t dmar_pa;
	uint32_t dmar_len;
	uint64_t fadt_pa;
	uint32_t pm1a_cnt, pm1b_cnt;
	bool s5_valid;
	uint8_t slp_typa, slp_typb;
	uint32_t reset_reg_port;
	uint8_t reset_value;
	bool reset_valid;
};

/**
 * acpi_find_rsdp_bios() - find the RSDP the legacy BIOS way.
 * @map: returns a readable pointer for [pa, pa + len), or NULL.
 *
 * Scans the first KiB of the EBDA (segment in the BDA word at 0x40E) and
 * then 0xE0000-0xFFFFF, on 16-byte boundaries, for "RSD PTR " with a
 * valid 20-byte checksum.
 *
 * Return: the RSDP's physical address, or 0 if none was found.
 */
uint64_t acpi_find_rsdp_bios(const void *(*map)(uint64_t, size_t));

/**
 * acpi_parse() - parse the ACPI tables reachable from an RSDP.
 * @rsdp_pa: physical address of the RSDP.
 * @map: returns a readable pointer for [pa, pa + len), or NULL.
 * @out: receives the result (zeroed first).
 *
 * Verifies the RSDP checksum (and the extended checksum when revision
 * >= 2); uses the XSDT when revision >= 2 and its address is nonzero,
 * falling back to the RSDT (with a pr_warn) if the XSDT is unusable.
 * Tables with a bad checksum, a length below the header or above 1 MiB,
 * or that cannot be mapped are skipped with a pr_warn.  A MADT with a
 * malformed entry (length < 2 or overrunning the table) is ignored as a
 * whole.  FADT: PM1a/PM1b_CNT_BLK (X_ variants when present, nonzero and
 * in I/O space), RESET_REG when flagged supported and in I/O space, the
 * DSDT (X_DSDT preferred).
 *
 * Return: 0; -QHV_EINVAL (with a pr_err) if the RSDP or the root table
 * (RSDT/XSDT) is bad.
 */
int acpi_parse(uint64_t rsdp_pa, const void *(*map)(uint64_t pa, size_t len),
	       struct acpi_info *out);

#endif /* QHV_ARCH_ACPI_H */
