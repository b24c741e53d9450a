// SPDX-License-Identifier: MIT
/*
 * UART output and a small printf.  Under qhv the UART is emulated and
 * every port access is a VM exit, so the transmit path polls the line
 * status register only once per byte and never loops forever on it.
 */
#include "guest.h"

#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

void serial_init(void)
{
	/* 115200 8N1, FIFOs on; harmless where the UART is transmit-only. */
	outb(QHV_PORT_UART + UART_IER, 0);
	outb(QHV_PORT_UART + UART_LCR, 0x80);
	outb(QHV_PORT_UART + 0, 1);
	outb(QHV_PORT_UART + 1, 0);
	outb(QHV_PORT_UART + UART_LCR, 0x03);
	outb(QHV_PORT_UART + UART_FCR, 0x07);
	outb(QHV_PORT_UART + UART_MCR, 0x03);
}

void serial_putc(char c)
{
	unsigned int spins = 100000;

	while (!(inb(QHV_PORT_UART + UART_LSR) & UART_LSR_THRE) && --spins)
		;
	outb(QHV_PORT_UART + UART_THR, (uint8_t)c);
}

void serial_flush(void)
{
	unsigned int spins = 1000000;

	while (!(inb(QHV_PORT_UART + UART_LSR) & UART_LSR_TEMT) && --spins)
		;
}

void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

/* Output sink: either the UART or a bounded buffer. */
struct sink {
	char *buf;
	size_t size, len;
};

static void sink_put(struct sink *s, char c)
{
	if (!s->buf)
		serial_putc(c);
	else if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

struct spec {
	bool left, zero, alt;
	int width;
	int size;	/* 0: int, 1: long, 2: long long */
};

static void put_padded(struct sink *s, const char *str, size_t len,
		       const struct spec *sp, const char *prefix)
{
	size_t plen = strlen(prefix);
	int pad = sp->width - (int)(len + plen);

	if (!sp->left && !sp->zero)
		for (; pad > 0; pad--)
			sink_put(s, ' ');
	while (*prefix)
		sink_put(s, *prefix++);
	if (!sp->left && sp->zero)
		for (; pad > 0; pad--)
			sink_put(s, '0');
	while (len--)
		sink_put(s, *str++);
	for (; pad > 0; pad--)
		sink_put(s, ' ');
}

static void put_number(struct sink *s, uint64_t v, bool neg, unsigned int base,
		       bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = sizeof(tmp);
	const char *prefix = "";

	do {
		tmp[--n] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		prefix = "-";
	else if (sp->alt && base == 16)
		prefix = "0x";
	put_padded(s, tmp + n, sizeof(tmp) - n, sp, prefix);
}

static uint64_t arg_unsigned(va_list *ap, int size)
{
	if (size == 2)
		return va_arg(*ap, unsigned long long);
	if (size == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, int size)
{
	if (size == 2)
		return va_arg(*ap, long long);
	if (size == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){ 0 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	while (*f == 'l' || *f == 'z') {
		sp->size = *f == 'z' ? 1 : sp->size + 1;
		f++;
	}
	return f;
}

static void format(struct sink *s, const char *f, va_list ap_in)
{
	va_list ap;

	va_copy(ap, ap_in);
	for (; *f; f++) {
		struct spec sp;
		const char *str;
		int64_t sv;

		if (*f != '%') {
			sink_put(s, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp);
		switch (*f) {
		case 'd':
		case 'i':
			sv = arg_signed(&ap, sp.size);
			put_number(s, sv < 0 ? -(uint64_t)sv : (uint64_t)sv,
				   sv < 0, 10, false, &sp);
			break;
		case 'u':
			put_number(s, arg_unsigned(&ap, sp.size), false, 10,
				   false, &sp);
			break;
		case 'x':
		case 'X':
			put_number(s, arg_unsigned(&ap, sp.size), false, 16,
				   *f == 'X', &sp);
			break;
		case 'p':
			sp.alt = true;
			put_number(s, (uintptr_t)va_arg(ap, void *), false, 16,
				   false, &sp);
			break;
		case 'c':
			sink_put(s, (char)va_arg(ap, int));
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			put_padded(s, str, strlen(str), &sp, "");
			break;
		case '\0':
			f--;
			break;
		default:
			sink_put(s, *f);
			break;
		}
	}
	va_end(ap);
}

int vprintf(const char *fmt, va_list ap)
{
	struct sink s = { 0 };

	format(&s, fmt, ap);
	return (int)s.len;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct sink s = { .buf = buf, .size = size };
	va_list ap;

	va_start(ap, fmt);
	format(&s, fmt, ap);
	va_end(ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}
