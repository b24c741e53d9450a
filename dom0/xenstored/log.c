// SPDX-License-Identifier: MIT
/*
 * log.c - levelled logging.
 */
#include <stdarg.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int cur_level = XLOG_INFO;
static bool use_syslog;
static FILE *log_file;

static const char *const names[] = { "error", "warn", "info", "debug" };

int xlog_parse_level(const char *s)
{
	int i;

	for (i = 0; i <= XLOG_DEBUG; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

const char *xlog_level_name(int level)
{
	return level >= 0 && level <= XLOG_DEBUG ? names[level] : "?";
}

void xlog_set_level(int level)
{
	cur_level = level;
}

int xlog_get_level(void)
{
	return cur_level;
}

void xlog_to_syslog(bool on)
{
	use_syslog = on;
	if (on)
		openlog("qhv-xenstored", LOG_PID, LOG_DAEMON);
}

void xlog_to_file(FILE *f)
{
	log_file = f;
}

void xlog(int level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
				    LOG_DEBUG };
	FILE *f = log_file ? log_file : stderr;
	char ts[32];
	struct tm tm;
	time_t now;
	va_list ap;

	if (level > cur_level)
		return;
	va_start(ap, fmt);
	if (use_syslog) {
		vsyslog(prio[level], fmt, ap);
	} else {
		now = time(NULL);
		localtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(f, "%s qhv-xenstored[%s]: ", ts, names[level]);
		vfprintf(f, fmt, ap);
		fputc('\n', f);
		fflush(f);
	}
	va_end(ap);
}
