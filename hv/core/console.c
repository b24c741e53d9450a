/* SPDX-License-Identifier: MIT */
/*
 * The hv console: printk with log levels, a lock so that lines from several
 * CPUs never interleave, and "[domain] line" output for guest text.
 */
#include <stdbool.h>
#include <stdint.h>
#include <qhv/domctl.h>
#include "core/console.h"
#include "core/cmdline.h"
#include "arch/serial.h"
#include "lib/spinlock.h"
#include "lib/string.h"

static enum log_level console_level = LOG_INFO;
static bool to_com1 = true;
static bool to_e9;
/* protects: the UART/0xe9 output order and the log ring below */
static spinlock_t console_lock = SPINLOCK_INIT;
/* Everything the hv prints, for dom0's `qhv dmesg` (QHV_SYSCTL_LOG_READ). */
static char log_ring[QHV_LOG_RING_SIZE];
static uint64_t log_head;

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return true;
	return false;
}

static void emit(char c)
{
	log_ring[log_head++ % QHV_LOG_RING_SIZE] = c;
	if (to_com1) {
		if (c == '\n')
			serial_putc('\r');
		serial_putc(c);
	}
	if (to_e9)
		debugcon_putc(c);
}

void console_write(const char *s, size_t n)
{
	spin_lock(&console_lock);
	while (n--)
		emit(*s++);
	spin_unlock(&console_lock);
}

void console_configure(const char *cmdline)
{
	static const char *const names[] = { "err", "warn", "info", "debug" };
	char v[16];
	unsigned i;

	if (cmdline_get(cmdline, "loglvl", v, sizeof(v))) {
		for (i = 0; i < 4; i++)
			if (!strcmp(v, names[i]))
				console_level = (enum log_level)i;
		if (strcmp(v, names[console_level]))
			pr_warn("qhv: unknown loglvl '%s', keeping '%s'\n", v,
				names[console_level]);
	}
	if (cmdline_get(cmdline, "console", v, sizeof(v))) {
		bool com1 = contains(v, "com1"), e9 = contains(v, "e9");

		if (!com1 && !e9) {
			pr_warn("qhv: unknown console '%s', keeping com1\n", v);
			return;
		}
		to_com1 = com1;
		to_e9 = e9;
	}
}

void printk(enum log_level level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (level > console_level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_write(buf, (size_t)n);
}

void console_write_tagged(const char *tag, const char *s, size_t n)
{
	size_t i;

	spin_lock(&console_lock);
	emit('[');
	while (*tag)
		emit(*tag++);
	emit(']');
	emit(' ');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Guest bytes are untrusted: never pass control characters
		 * (escape sequences could forge hv lines on a terminal). */
		if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
			emit((char)c);
		} else if (c != '\r' && c != '\n') {
			static const char hex[] = "0123456789abcdef";

			emit('\\');
			emit('x');
			emit(hex[c >> 4]);
			emit(hex[c & 15]);
		}
	}
	emit('\n');
	spin_unlock(&console_lock);
}

void console_forward_byte(uint8_t c)
{
	/* dom0's own serial output, kept whole against hv lines. */
	spin_lock(&console_lock);
	serial_putc((char)c);
	spin_unlock(&console_lock);
}

void console_log_read(struct qhv_domctl_console *c, char *out)
{
	uint64_t oldest, cur = c->cursor;
	uint32_t n = 0;

	spin_lock(&console_lock);
	oldest = log_head > QHV_LOG_RING_SIZE ? log_head - QHV_LOG_RING_SIZE : 0;
	c->lost = cur < oldest ? oldest - cur : 0;
	if (cur < oldest)
		cur = oldest;
	if (cur > log_head)
		cur = log_head;
	while (n < c->len && cur < log_head)
		out[n++] = log_ring[cur++ % QHV_LOG_RING_SIZE];
	c->produced = log_head;
	spin_unlock(&console_lock);
	c->cursor = cur;
	c->done = n;
}
