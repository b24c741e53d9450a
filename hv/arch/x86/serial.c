/* SPDX-License-Identifier: MIT */
/* COM1 16550 (polled) and the 0xe9 debug port as console sinks. */
#include "arch/serial.h"
#include "arch/x86.h"

#define COM1 0x3f8

void serial_init(void)
{
	outb(COM1 + 1, 0x00);	/* no interrupts */
	outb(COM1 + 3, 0x80);	/* DLAB */
	outb(COM1 + 0, 0x01);	/* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);	/* 8N1 */
	outb(COM1 + 2, 0xc7);	/* FIFO on, cleared */
	outb(COM1 + 4, 0x03);	/* DTR, RTS */
}

void serial_putc(char c)
{
	unsigned spins = 0;

	/* Bounded wait: a missing UART must not hang the hv. */
	while (!(inb(COM1 + 5) & 0x20) && ++spins < 100000)
		cpu_relax();
	outb(COM1, (uint8_t)c);
}

void debugcon_putc(char c)
{
	outb(0xe9, (uint8_t)c);
}
