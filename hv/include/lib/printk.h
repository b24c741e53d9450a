/* SPDX-License-Identifier: MIT */
#ifndef QHV_LIB_PRINTK_H
#define QHV_LIB_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

/* Log levels, as on the hv command line: loglvl=err|warn|info|debug.
 * LOG_ALWAYS is for the few lines a run's outcome is read from (the
 * summary, the shutdown status): no loglvl hides them. */
enum log_level { LOG_ALWAYS = -1, LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2,
		 LOG_DEBUG = 3 };

/**
 * printk() - print a formatted message on the hv console.
 * @level: message level; dropped when above the configured loglvl.
 * @fmt: printf-style format: %d %i %u %x %X %p %s %c %%, with the l, ll
 *       and z length modifiers, '0' padding, width and '-'.
 */
void printk(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like snprintf(); always NUL-terminates when size > 0. */
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

#endif
