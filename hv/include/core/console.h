/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_CONSOLE_H
#define QHV_CORE_CONSOLE_H

#include <stddef.h>
#include <stdint.h>
#include "lib/printk.h"

/**
 * console_configure() - apply the hv command line's console options.
 * @cmdline: "loglvl=err|warn|info|debug", "console=com1|e9|com1,e9".
 */
void console_configure(const char *cmdline);

/**
 * console_write_tagged() - print guest text as "[tag] text" lines.
 * @tag: domain name.
 * @s: bytes (not NUL-terminated; non-printable bytes are escaped).
 * @n: number of bytes.
 */
void console_write_tagged(const char *tag, const char *s, size_t n);

/* One byte of dom0's serial output, under the console lock. */
void console_forward_byte(uint8_t c);

/* Raw write under the console lock (used by panic paths). */
void console_write(const char *s, size_t n);

struct qhv_domctl_console;
/* The hv log ring from c->cursor into @out (c->len bytes at most); fills
 * cursor, done, lost and produced as QHV_SYSCTL_LOG_READ describes. */
void console_log_read(struct qhv_domctl_console *c, char *out);

#endif
