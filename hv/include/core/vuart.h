/* SPDX-License-Identifier: MIT */
/**
 * DOC: the domU's 16550A UART model (pure: no locks, no domain)
 *
 * Registers as a 16550A with FIFOs has them (DLAB, IER, IIR/FCR, LCR,
 * MCR with loopback, LSR, MSR, SCR); the transmitter is infinitely fast
 * (every byte goes to the console at once, THR is always empty) and the
 * receiver holds what dom0 wrote (QHV_DOMCTL_CONSOLE_WRITE).  Interrupt
 * sources: received data (IER bit 0) and THR empty (IER bit 1, set again
 * when the guest enables it, as Linux's THRE test expects); the line to
 * the interrupt controller is gated by MCR.OUT2 as on a PC.  The caller
 * (hv/core/domain.c) serialises calls and turns a rising edge of
 * vuart_irq_line() into an interrupt.
 */
#ifndef QHV_CORE_VUART_H
#define QHV_CORE_VUART_H

#include <stdbool.h>
#include <stdint.h>

#define VUART_RX_MAX 64

struct vuart {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	bool fifo_on;
	bool thre_pending;	/* THR-empty interrupt latched */
	bool line;		/* the IRQ line as last reported */
	uint8_t rx[VUART_RX_MAX];
	unsigned rx_head, rx_len;
};

/* Power-on state: divisor 1 (115200 baud), everything off. */
void vuart_reset(struct vuart *u);
/**
 * vuart_write() - a guest OUT to register @reg (0..7).
 * Return: true when @val is a byte to transmit (THR write, no loopback).
 */
bool vuart_write(struct vuart *u, unsigned reg, uint8_t val);
/* A guest IN from register @reg (0..7). */
uint8_t vuart_read(struct vuart *u, unsigned reg);
/* dom0's input: returns how many of the @n bytes fit the FIFO. */
unsigned vuart_rx_push(struct vuart *u, const uint8_t *s, unsigned n);
/* The interrupt line now: OUT2 and an enabled source pending. */
bool vuart_irq_line(const struct vuart *u);
/**
 * vuart_irq_edge() - note the line's level now.
 * Return: true when it rose since the last call (raise the interrupt).
 */
bool vuart_irq_edge(struct vuart *u);

#endif
