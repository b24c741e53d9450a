/* SPDX-License-Identifier: MIT */
/*
 * log.h - levelled logging to stderr, a file or syslog.
 */
#ifndef QHV_XSD_LOG_H
#define QHV_XSD_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum xlog_level {
	XLOG_ERROR,
	XLOG_WARN,
	XLOG_INFO,
	XLOG_DEBUG,
};

/** xlog_parse_level() - "error", "warn", "info", "debug" → level, or -1. */
int xlog_parse_level(const char *s);
/** xlog_level_name() - inverse of xlog_parse_level(). */
const char *xlog_level_name(int level);
/** xlog_set_level() - messages above @level are discarded. */
void xlog_set_level(int level);
/** xlog_get_level() - current threshold. */
int xlog_get_level(void);
/** xlog_to_syslog() - send messages to syslog(3) instead of the stream. */
void xlog_to_syslog(bool on);
/** xlog_to_file() - send messages to @f (stderr by default). */
void xlog_to_file(FILE *f);
/** xlog() - log one message at @level. */
void xlog(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define xlog_enabled(l) ((l) <= xlog_get_level())

#endif /* QHV_XSD_LOG_H */
