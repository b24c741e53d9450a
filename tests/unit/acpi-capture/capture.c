// SPDX-License-Identifier: MIT
/*
 * Throwaway-but-kept ACPI capture kernel: finds the RSDP in the BIOS
 * areas, then hex-dumps the RSDP, RSDT/XSDT, every table they list, and
 * the DSDT/FACS the FADT points to, over COM1.  It also dumps the
 * Multiboot1 information it was given.  log2fixtures.py turns the log
 * into binary fixture files for tests/unit/test_acpi.
 *
 * Runs in 32-bit protected mode without paging, so it can read any
 * table below 4 GiB; tables above 4 GiB are reported and skipped.
 */
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#define COM1 0x3f8

static void putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void puthex(uint64_t v, int digits)
{
	for (int i = digits - 1; i >= 0; i--)
		putc("0123456789abcdef"[(v >> (i * 4)) & 0xf]);
}

static uint32_t rd32(uintptr_t pa)
{
	return *(volatile uint32_t *)pa;
}

static uint64_t rd64(uintptr_t pa)
{
	return rd32(pa) | (uint64_t)rd32(pa + 4) << 32;
}

/* "T <kind> <pa> <len>", then "D <hex>" lines of 32 bytes, then "E". */
static void dump(char kind, uint64_t pa, uint32_t len)
{
	puts("T ");
	putc(kind);
	putc(' ');
	puthex(pa, 16);
	putc(' ');
	puthex(len, 8);
	putc('\n');
	if (pa >> 32 || pa + len > (1ull << 32) || len > (1u << 20)) {
		puts("S skipped\n");
		return;
	}
	for (uint32_t i = 0; i < len; i += 32) {
		puts("D ");
		for (uint32_t j = i; j < len && j < i + 32; j++)
			puthex(*(volatile uint8_t *)(uintptr_t)(pa + j), 2);
		putc('\n');
	}
	puts("E\n");
}

static uint32_t table_len(uint64_t pa)
{
	if (!pa || pa >> 32)
		return 0;
	return rd32((uintptr_t)pa + 4);
}

static void dump_table(uint64_t pa)
{
	uint32_t len = table_len(pa);

	if (!len)
		return;
	dump('A', pa, len);
	if (rd32((uintptr_t)pa) == 0x50434146) { /* "FACP" */
		uint64_t dsdt = rd32((uintptr_t)pa + 40);
		uint64_t facs = rd32((uintptr_t)pa + 36);

		if (len >= 148 && rd64((uintptr_t)pa + 140))
			dsdt = rd64((uintptr_t)pa + 140);
		if (len >= 140 && rd64((uintptr_t)pa + 132))
			facs = rd64((uintptr_t)pa + 132);
		if (table_len(dsdt))
			dump('A', dsdt, table_len(dsdt));
		/* FACS has no checksum and its length is at offset 4 too. */
		if (table_len(facs))
			dump('A', facs, table_len(facs));
	}
}

static int csum_ok(uintptr_t p, uint32_t n)
{
	uint8_t s = 0;

	for (uint32_t i = 0; i < n; i++)
		s += *(volatile uint8_t *)(p + i);
	return s == 0;
}

static uintptr_t scan(uintptr_t from, uintptr_t to)
{
	for (uintptr_t p = from; p + 20 <= to; p += 16)
		if (rd32(p) == 0x20445352 && rd32(p + 4) == 0x20525450 && csum_ok(p, 20))
			return p;
	return 0;
}

static void dump_mbinfo(uint32_t magic, uint32_t info)
{
	uint32_t flags;

	puts("M ");
	puthex(magic, 8);
	putc(' ');
	puthex(info, 8);
	putc('\n');
	if (magic != 0x2BADB002)
		return;
	flags = rd32(info);
	dump('B', info, 120);
	if (flags & 4) {
		uint32_t s = rd32(info + 16), n = 0;

		while (*(volatile char *)(uintptr_t)(s + n) && n < 4096)
			n++;
		dump('B', s, n + 1);
	}
	if (flags & 8 && rd32(info + 20))
		dump('B', rd32(info + 24), rd32(info + 20) * 16);
	if (flags & 64)
		dump('B', rd32(info + 48), rd32(info + 44));
}

void kmain(uint32_t magic, uint32_t info);

void kmain(uint32_t magic, uint32_t info)
{
	uintptr_t rsdp, ebda;

	outb(COM1 + 1, 0);
	outb(COM1 + 3, 0x80);
	outb(COM1 + 0, 1);
	outb(COM1 + 1, 0);
	outb(COM1 + 3, 3);
	outb(COM1 + 2, 0xc7);
	outb(COM1 + 4, 0x0b);
	puts("\nACPI-CAPTURE-BEGIN\n");
	dump_mbinfo(magic, info);

	ebda = (uintptr_t)(rd32(0x40c) >> 16) << 4;
	rsdp = scan(ebda, ebda + 1024);
	if (!rsdp)
		rsdp = scan(0xe0000, 0x100000);
	if (!rsdp) {
		puts("X no RSDP\n");
	} else {
		uint8_t rev = *(volatile uint8_t *)(rsdp + 15);
		uint32_t rsdt = rd32(rsdp + 16);
		uint64_t xsdt = rev >= 2 ? rd64(rsdp + 24) : 0;

		dump('R', rsdp, rev >= 2 ? rd32(rsdp + 20) : 20);
		if (table_len(rsdt)) {
			uint32_t n = (table_len(rsdt) - 36) / 4;

			dump('A', rsdt, table_len(rsdt));
			for (uint32_t i = 0; i < n; i++)
				dump_table(rd32(rsdt + 36 + 4 * i));
		}
		if (table_len(xsdt)) {
			uint32_t n = (table_len(xsdt) - 36) / 8;

			dump('A', xsdt, table_len(xsdt));
			for (uint32_t i = 0; i < n; i++)
				dump_table(rd64((uintptr_t)xsdt + 36 + 8 * i));
		}
	}
	puts("ACPI-CAPTURE-DONE\n\n");
	/* Let the UART drain: Bochs exits on the shutdown port at once. */
	while (!(inb(COM1 + 5) & 0x40))
		;
	for (volatile int i = 0; i < 1000000; i++)
		;
	/* QEMU isa-debug-exit, then Bochs' shutdown port. */
	outb(0xf4, 0);
	for (const char *s = "Shutdown"; *s; s++)
		outb(0x8900, (uint8_t)*s);
	for (;;)
		__asm__ volatile("cli; hlt");
}
