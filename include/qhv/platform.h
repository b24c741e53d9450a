/* SPDX-License-Identifier: MIT */
/**
 * DOC: the domU virtual platform (what the hv emulates, where)
 *
 * One source of truth for the addresses and ports that the hv's device
 * models decode and that the dom0 builder describes to a guest (ACPI
 * tables, e820).  docs/platform.md gives the reason for each piece.
 *
 * A domU (any domain but dom0) sees:
 *
 *  - RAM from guest-physical 0 to its size; nothing of the host.
 *  - A local APIC per vCPU at QHV_PLAT_LAPIC_BASE (xAPIC, TSC-deadline
 *    timer), INIT-SIPI for the vCPUs after the first.
 *  - One IOAPIC at QHV_PLAT_IOAPIC_BASE, id QHV_PLAT_IOAPIC_ID,
 *    QHV_PLAT_IOAPIC_PINS pins from GSI 0 (ISA IRQ n is GSI n, edge,
 *    active high; no 8259 PIC).
 *  - A 16550A at QHV_PLAT_UART_PORT on ISA IRQ QHV_PLAT_UART_IRQ: the
 *    transmit side feeds the domain's console ring, the receive side is
 *    filled by QHV_DOMCTL_CONSOLE_WRITE (`qhv console`).
 *  - A CMOS RTC at ports 0x70/0x71 (time of day, BCD, 24 h).
 *  - PCI configuration mechanism 1 at 0xcf8/0xcfc with no device.
 *  - ACPI hardware-reduced sleep control at QHV_PLAT_SLEEP_CTL_PORT (S5
 *    with SLP_TYP QHV_PLAT_SLP_TYP_S5 powers off), the reset register
 *    0xcf9 (value 6), the keyboard controller's reset (0xfe to 0x64) and
 *    port 0x92's fast reset.
 *  - At the reset vector QHV_PLAT_RESET_VECTOR (F000:FFF0), where a PC's
 *    firmware starts, a stub that writes QHV_PLAT_RESET_VALUE to
 *    QHV_PLAT_RESET_PORT: a guest that jumps to the BIOS to reboot
 *    (Linux's BOOT_BIOS, its next method after EFI on a hardware-reduced
 *    ACPI platform) is reset, not left running zeros.
 *  - Every other port reads all-ones and ignores writes; every other
 *    guest-physical address outside RAM is a fault (the domain is
 *    crashed).
 *
 * This header is freestanding: it needs only <stdint.h>.
 */
#ifndef QHV_PLATFORM_H
#define QHV_PLATFORM_H

#define QHV_PLAT_LAPIC_BASE 0xfee00000u
#define QHV_PLAT_IOAPIC_BASE 0xfec00000u
#define QHV_PLAT_IOAPIC_ID 0u	/* vCPUs have APIC ids 0..n-1: see MADT */
#define QHV_PLAT_IOAPIC_PINS 24u

#define QHV_PLAT_UART_PORT 0x3f8u
#define QHV_PLAT_UART_IRQ 4u

#define QHV_PLAT_RTC_INDEX_PORT 0x70u
#define QHV_PLAT_RTC_DATA_PORT 0x71u

#define QHV_PLAT_PCI_ADDR_PORT 0xcf8u
#define QHV_PLAT_PCI_DATA_PORT 0xcfcu

/* ACPI (hardware-reduced): FADT SLEEP_CONTROL_REG / SLEEP_STATUS_REG. */
#define QHV_PLAT_SLEEP_CTL_PORT 0x600u
#define QHV_PLAT_SLEEP_STS_PORT 0x601u
#define QHV_PLAT_SLP_TYP_S5 5u	/* the DSDT's \_S5_ package */
#define QHV_PLAT_SLP_EN 0x20u	/* SLP_EN, bit 5 */
#define QHV_PLAT_SLP_TYP_SHIFT 2u
#define QHV_PLAT_SLP_TYP_MASK 0x1cu
/* FADT RESET_REG: the PC's reset control register. */
#define QHV_PLAT_RESET_PORT 0xcf9u
#define QHV_PLAT_RESET_VALUE 0x06u
/* The real-mode reset vector (physical 0xffff0, 16 bytes to 1 MiB). */
#define QHV_PLAT_RESET_VECTOR 0xffff0u

/* Highest RAM size a domU may have below the APIC pages. */
#define QHV_PLAT_RAM_LIMIT 0xc0000000ull	/* 3 GiB */

#endif /* QHV_PLATFORM_H */
