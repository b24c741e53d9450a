/* SPDX-License-Identifier: MIT */
/* The domU's 16550A (see core/vuart.h); register semantics after the
 * 16550D data sheet, checked against what Linux's 8250 driver probes. */
#include "core/vuart.h"

#define R_DATA 0	/* RBR / THR, DLL with DLAB */
#define R_IER 1		/* DLM with DLAB */
#define R_IIR 2		/* FCR on write */
#define R_LCR 3
#define R_MCR 4
#define R_LSR 5
#define R_MSR 6
#define R_SCR 7

#define LCR_DLAB 0x80
#define IER_RDI 0x01
#define IER_THRI 0x02
#define IER_MASK 0x0f
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFOS 0xc0
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

void vuart_reset(struct vuart *u)
{
	*u = (struct vuart){ .dll = 1 };
}

static bool rx_ready(const struct vuart *u)
{
	return u->rx_len > 0;
}

/* The highest-priority pending source (no line-status or modem
 * interrupts: no errors happen and the modem lines never change). */
static uint8_t iir_id(const struct vuart *u)
{
	if ((u->ier & IER_RDI) && rx_ready(u))
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return IIR_THRI;
	return IIR_NONE;
}

bool vuart_irq_line(const struct vuart *u)
{
	return (u->mcr & MCR_OUT2) && iir_id(u) != IIR_NONE;
}

bool vuart_irq_edge(struct vuart *u)
{
	bool now = vuart_irq_line(u), rose = now && !u->line;

	u->line = now;
	return rose;
}

static void rx_put(struct vuart *u, uint8_t c)
{
	if (u->rx_len < VUART_RX_MAX)
		u->rx[(u->rx_head + u->rx_len++) % VUART_RX_MAX] = c;
}

bool vuart_write(struct vuart *u, unsigned reg, uint8_t val)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg & 7) {
	case R_DATA:
		if (dlab) {
			u->dll = val;
			return false;
		}
		/* Sent at once: THR is empty again, its interrupt due. */
		u->thre_pending = true;
		if (u->mcr & MCR_LOOP) {
			rx_put(u, val);
			return false;
		}
		return true;
	case R_IER:
		if (dlab) {
			u->dlm = val;
			return false;
		}
		/* Enabling THRI with THR empty raises it (16550D, IER). */
		if ((val & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;
		u->ier = val & IER_MASK;
		return false;
	case R_IIR:	/* FCR */
		u->fifo_on = val & FCR_ENABLE;
		if (val & FCR_CLEAR_RX)
			u->rx_len = 0;
		return false;
	case R_LCR:
		u->lcr = val;
		return false;
	case R_MCR:
		u->mcr = val & MCR_MASK;
		return false;
	case R_SCR:
		u->scr = val;
		return false;
	default:	/* LSR, MSR: read-only */
		return false;
	}
}

static uint8_t msr(const struct vuart *u)
{
	/* Loopback ties the outputs to the inputs; otherwise a cable with
	 * the far end ready (Linux's probe checks the loopback case). */
	if (u->mcr & MCR_LOOP)
		return (uint8_t)(((u->mcr & MCR_RTS) ? MSR_CTS : 0) |
				 ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
				 ((u->mcr & MCR_OUT1) ? MSR_RI : 0) |
				 ((u->mcr & MCR_OUT2) ? MSR_DCD : 0));
	return MSR_CTS | MSR_DSR | MSR_DCD;
}

uint8_t vuart_read(struct vuart *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v, id;

	switch (reg & 7) {
	case R_DATA:
		if (dlab)
			return u->dll;
		if (!rx_ready(u))
			return 0;
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % VUART_RX_MAX;
		u->rx_len--;
		return v;
	case R_IER:
		return dlab ? u->dlm : u->ier;
	case R_IIR:
		id = iir_id(u);
		/* Reading IIR acknowledges a THR-empty interrupt. */
		if (id == IIR_THRI)
			u->thre_pending = false;
		return (uint8_t)(id | (u->fifo_on ? IIR_FIFOS : 0));
	case R_LCR:
		return u->lcr;
	case R_MCR:
		return u->mcr;
	case R_LSR:
		return (uint8_t)(LSR_THRE | LSR_TEMT | (rx_ready(u) ? LSR_DR : 0));
	case R_MSR:
		return msr(u);
	default:
		return u->scr;
	}
}

unsigned vuart_rx_push(struct vuart *u, const uint8_t *s, unsigned n)
{
	unsigned i;

	for (i = 0; i < n && u->rx_len < VUART_RX_MAX; i++)
		rx_put(u, s[i]);
	return i;
}
