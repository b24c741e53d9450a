/* SPDX-License-Identifier: MIT */
/* Host tests of the domU's 16550A (hv/core/vuart.c, unchanged): what
 * Linux's 8250 driver probes, both directions, the interrupt sources and
 * the line's edges. */
#include <check.h>
#include <stdlib.h>
#include "core/vuart.h"

enum { DATA, IER, IIR, LCR, MCR, LSR, MSR, SCR };

static struct vuart u;

static void setup(void)
{
	vuart_reset(&u);
}

/* serial8250's autoconfig for a PC port, in its order. */
START_TEST(linux_probe_finds_16550a)
{
	/* IER read-back: only the low nibble exists. */
	vuart_write(&u, IER, 0);
	ck_assert_uint_eq(vuart_read(&u, IER), 0);
	vuart_write(&u, IER, 0xff);
	ck_assert_uint_eq(vuart_read(&u, IER), 0x0f);
	vuart_write(&u, IER, 0);
	/* Scratch register. */
	vuart_write(&u, SCR, 0xa5);
	ck_assert_uint_eq(vuart_read(&u, SCR), 0xa5);
	/* Loopback: MSR's top nibble follows RTS/OUT2 (0x90). */
	vuart_write(&u, MCR, 0x10 | 0x0a);
	ck_assert_uint_eq(vuart_read(&u, MSR) & 0xf0, 0x90);
	vuart_write(&u, MCR, 0);
	/* FIFOs: IIR's top bits say 16550A; bit 5 (64-byte FIFO) stays 0. */
	vuart_write(&u, IIR, 0x01);
	ck_assert_uint_eq(vuart_read(&u, IIR) & 0xc0, 0xc0);
	vuart_write(&u, IIR, 0x21);
	ck_assert_uint_eq(vuart_read(&u, IIR) & 0x20, 0);
	/* The divisor latch reads back under DLAB, and hides IER. */
	vuart_write(&u, LCR, 0x80);
	vuart_write(&u, DATA, 0x0c);
	vuart_write(&u, IER, 0x00);
	ck_assert_uint_eq(vuart_read(&u, DATA), 0x0c);
	ck_assert_uint_eq(vuart_read(&u, IER), 0x00);
	vuart_write(&u, LCR, 0x03);
	ck_assert_uint_eq(vuart_read(&u, LCR), 0x03);
	ck_assert_uint_eq(vuart_read(&u, IER), 0);
	/* Transmitter always empty. */
	ck_assert_uint_eq(vuart_read(&u, LSR) & 0x60, 0x60);
}
END_TEST

START_TEST(both_directions)
{
	const uint8_t in[] = "ls\n";

	ck_assert(vuart_write(&u, DATA, 'x'));	/* transmitted */
	ck_assert_uint_eq(vuart_read(&u, LSR) & 1, 0);
	ck_assert_uint_eq(vuart_rx_push(&u, in, 3), 3);
	ck_assert_uint_eq(vuart_read(&u, LSR) & 1, 1);
	ck_assert_uint_eq(vuart_read(&u, DATA), 'l');
	ck_assert_uint_eq(vuart_read(&u, DATA), 's');
	ck_assert_uint_eq(vuart_read(&u, DATA), '\n');
	ck_assert_uint_eq(vuart_read(&u, LSR) & 1, 0);
	ck_assert_uint_eq(vuart_read(&u, DATA), 0);	/* empty: no byte */
	/* Loopback keeps bytes off the console and receives them. */
	vuart_write(&u, MCR, 0x10);
	ck_assert(!vuart_write(&u, DATA, 'q'));
	ck_assert_uint_eq(vuart_read(&u, DATA), 'q');
	/* FCR clears the receive FIFO. */
	vuart_write(&u, MCR, 0);
	vuart_rx_push(&u, in, 3);
	vuart_write(&u, IIR, 0x03);
	ck_assert_uint_eq(vuart_read(&u, LSR) & 1, 0);
}
END_TEST

START_TEST(fifo_bounded)
{
	uint8_t big[VUART_RX_MAX + 10];

	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	ck_assert_uint_eq(vuart_rx_push(&u, big, sizeof(big)), VUART_RX_MAX);
	ck_assert_uint_eq(vuart_rx_push(&u, big, 1), 0);
	for (unsigned i = 0; i < VUART_RX_MAX; i++)
		ck_assert_uint_eq(vuart_read(&u, DATA), i);
	ck_assert_uint_eq(vuart_rx_push(&u, big, 1), 1);
}
END_TEST

START_TEST(interrupts_and_edges)
{
	const uint8_t c = 'a';

	/* No OUT2: sources pend, the line stays low (PC gating). */
	vuart_write(&u, IER, 0x03);
	ck_assert(!vuart_irq_line(&u));
	ck_assert(!vuart_irq_edge(&u));
	vuart_write(&u, MCR, 0x08);
	/* Enabling THRI raised THRE; OUT2 lets it out: one rising edge. */
	ck_assert(vuart_irq_edge(&u));
	ck_assert(!vuart_irq_edge(&u));
	ck_assert_uint_eq(vuart_read(&u, IIR) & 0x0f, 0x02);
	/* Reading IIR acknowledged THRE. */
	ck_assert_uint_eq(vuart_read(&u, IIR) & 0x0f, 0x01);
	ck_assert(!vuart_irq_line(&u));
	vuart_irq_edge(&u);
	/* Received data outranks THRE and lasts until the FIFO is empty. */
	vuart_rx_push(&u, &c, 1);
	ck_assert(vuart_irq_edge(&u));
	vuart_write(&u, DATA, 'z');	/* THRE pending again too */
	ck_assert_uint_eq(vuart_read(&u, IIR) & 0x0f, 0x04);
	ck_assert_uint_eq(vuart_read(&u, IIR) & 0x0f, 0x04);
	ck_assert_uint_eq(vuart_read(&u, DATA), 'a');
	ck_assert_uint_eq(vuart_read(&u, IIR) & 0x0f, 0x02);
	ck_assert_uint_eq(vuart_read(&u, IIR) & 0x0f, 0x01);
	ck_assert(!vuart_irq_edge(&u));
	/* Linux's THRE re-assertion test: IER off, on -> THRE again. */
	vuart_write(&u, IER, 0);
	vuart_write(&u, IER, 0x02);
	ck_assert_uint_eq(vuart_read(&u, IIR) & 0x0f, 0x02);
	/* Disabled sources do not interrupt. */
	vuart_write(&u, IER, 0);
	vuart_rx_push(&u, &c, 1);
	ck_assert(!vuart_irq_line(&u));
	ck_assert_uint_eq(vuart_read(&u, IIR) & 0x0f, 0x01);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vuart");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, linux_probe_finds_16550a);
	tcase_add_test(tc, both_directions);
	tcase_add_test(tc, fifo_bounded);
	tcase_add_test(tc, interrupts_and_edges);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
