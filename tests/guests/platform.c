// SPDX-License-Identifier: MIT
/*
 * platform: the domU platform of docs/platform.md, seen from a guest.
 * CMOS RTC (BCD, 24 h, a sane date), PCI mechanism 1 with no device, the
 * IOAPIC's identification registers, the 16550A as Linux's 8250 driver
 * probes it, the UART's THR-empty interrupt arriving through IOAPIC pin 4
 * at the vector programmed there, and finally the ACPI S5 write to the
 * sleep control port, which powers the domain off (the test's expected
 * end: "(poweroff)" in the summary).  Needs qhv (expect-qhv).
 */
#include <qhv/platform.h>
#include "guest.h"

#define APIC ((volatile uint32_t *)(uintptr_t)QHV_PLAT_LAPIC_BASE)
#define IOAPIC ((volatile uint32_t *)(uintptr_t)QHV_PLAT_IOAPIC_BASE)
#define R_EOI (0xb0 / 4)
#define R_SVR (0xf0 / 4)
#define UART_VEC 0x44
#define SPIN_TSC 400000000ull
#define U(r) (QHV_PLAT_UART_PORT + (r))

static volatile unsigned uart_hits;
static volatile uint8_t uart_iir;

void platform_uart_handler(void);
extern void platform_uart_stub(void);

asm(".text\n.globl platform_uart_stub\nplatform_uart_stub:\n"
    "push %rax\npush %rcx\npush %rdx\npush %rsi\npush %rdi\n"
    "push %r8\npush %r9\npush %r10\npush %r11\n"
    "call platform_uart_handler\n"
    "pop %r11\npop %r10\npop %r9\npop %r8\npop %rdi\n"
    "pop %rsi\npop %rdx\npop %rcx\npop %rax\niretq\n");

void platform_uart_handler(void)
{
	uart_iir = inb(U(2));	/* acknowledges THR empty */
	outb(U(1), 0);		/* and no more of it */
	uart_hits++;
	APIC[R_EOI] = 0;
}

static uint8_t cmos(uint8_t reg)
{
	outb(QHV_PLAT_RTC_INDEX_PORT, reg);
	return inb(QHV_PLAT_RTC_DATA_PORT);
}

static bool bcd_ok(uint8_t v, unsigned lo, unsigned hi)
{
	unsigned d = (v >> 4) * 10 + (v & 0xf);

	return (v & 0xf) < 10 && (v >> 4) < 10 && d >= lo && d <= hi;
}

static void check_rtc(void)
{
	uint8_t b = cmos(0x0b), d = cmos(0x0d), y = cmos(0x09), c = cmos(0x32);
	uint8_t mon = cmos(0x08), day = cmos(0x07), h = cmos(0x04);
	uint8_t m = cmos(0x02), s = cmos(0x00);

	check("rtc-mode-bcd-24h", b == 0x02, "reg B %#x", b);
	check("rtc-valid", d == 0x80, "reg D %#x", d);
	check("rtc-date", bcd_ok(c, 19, 99) && bcd_ok(y, 0, 99) &&
	      bcd_ok(mon, 1, 12) && bcd_ok(day, 1, 31),
	      "%02x%02x-%02x-%02x", c, y, mon, day);
	check("rtc-time", bcd_ok(h, 0, 23) && bcd_ok(m, 0, 59) && bcd_ok(s, 0, 59),
	      "%02x:%02x:%02x", h, m, s);
	/* NVRAM bytes keep what the guest writes; the clock does not. */
	outb(QHV_PLAT_RTC_INDEX_PORT, 0x40);
	outb(QHV_PLAT_RTC_DATA_PORT, 0x5a);
	check("rtc-nvram", cmos(0x40) == 0x5a, "got %#x", cmos(0x40));
}

static void check_pci(void)
{
	uint32_t latch, id;

	outl(QHV_PLAT_PCI_ADDR_PORT, 0x80000000u);
	latch = inl(QHV_PLAT_PCI_ADDR_PORT);
	id = inl(QHV_PLAT_PCI_DATA_PORT);
	check("pci-conf1-latch", latch == 0x80000000u, "read %#x", latch);
	check("pci-no-device", id == 0xffffffffu, "vendor/device %#x", id);
}

static void check_ioapic_regs(void)
{
	uint32_t ver, id;

	IOAPIC[0] = 1;
	ver = IOAPIC[4];
	IOAPIC[0] = 0;
	id = IOAPIC[4];
	check("ioapic-version", ver == (0x11u | ((QHV_PLAT_IOAPIC_PINS - 1) << 16)),
	      "ver %#x", ver);
	check("ioapic-id", id >> 24 == QHV_PLAT_IOAPIC_ID, "id %#x", id);
	IOAPIC[0] = 0x10 + 2 * QHV_PLAT_UART_IRQ;
	check("ioapic-pin-masked-at-reset", IOAPIC[4] & (1u << 16), "rte %#x",
	      IOAPIC[4]);
}

static void check_uart_probe(void)
{
	uint8_t msr, iir;

	outb(U(1), 0xff);
	check("uart-ier-low-nibble", inb(U(1)) == 0x0f, "ier %#x", inb(U(1)));
	outb(U(1), 0);
	outb(U(4), 0x1a);	/* loopback, RTS, OUT2 */
	msr = inb(U(6)) & 0xf0;
	outb(U(4), 0);
	check("uart-loopback-msr", msr == 0x90, "msr %#x", msr);
	outb(U(2), 0x07);	/* FIFOs on, cleared */
	iir = inb(U(2));
	check("uart-16550a-fifos", (iir & 0xc0) == 0xc0 && (iir & 0x0f) == 0x01,
	      "iir %#x", iir);
}

static void check_uart_irq(void)
{
	uint64_t end = rdtsc() + SPIN_TSC;

	trap_set_gate(UART_VEC, platform_uart_stub);
	APIC[R_SVR] = 0x1ff;
	/* Pin 4: fixed, physical, edge, to APIC 0, vector UART_VEC. */
	IOAPIC[0] = 0x11 + 2 * QHV_PLAT_UART_IRQ;
	IOAPIC[4] = 0;
	IOAPIC[0] = 0x10 + 2 * QHV_PLAT_UART_IRQ;
	IOAPIC[4] = UART_VEC;
	outb(U(4), 0x08);	/* OUT2: the PC's interrupt gate */
	asm volatile("sti");
	outb(U(1), 0x02);	/* THR empty: due at once */
	while (!uart_hits && rdtsc() < end)
		;
	asm volatile("cli");
	check("uart-thre-irq-via-ioapic", uart_hits == 1 && (uart_iir & 0x0f) == 0x02,
	      "hits %u iir %#x", uart_hits, uart_iir);
}

int main(uint32_t magic, uint32_t info)
{
	(void)magic;
	(void)info;
	if (!on_qhv()) {
		check("on-qhv", false, "this guest needs qhv's domU platform");
		return check_summary("platform");
	}
	check_rtc();
	check_pci();
	check_ioapic_regs();
	check_uart_probe();
	check_uart_irq();
	if (check_summary("platform"))
		return 1;
	/* ACPI S5: SLP_TYP 5 | SLP_EN. */
	outb(QHV_PLAT_SLEEP_CTL_PORT,
	     (QHV_PLAT_SLP_TYP_S5 << QHV_PLAT_SLP_TYP_SHIFT) | QHV_PLAT_SLP_EN);
	for (;;)
		asm volatile("hlt");
}
