/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Big enough for every message a single test case provokes. */
#define LOG_CAP 65536

static char log_buf[LOG_CAP];
static size_t log_len;
static char last[1024];
static unsigned counts[4];

void harness_reset(void)
{
	log_len = 0;
	log_buf[0] = '\0';
	last[0] = '\0';
	memset(counts, 0, sizeof(counts));
}

const char *harness_last(void)
{
	return last;
}

unsigned harness_count(enum log_level level)
{
	return (unsigned)level < 4 ? counts[level] : 0;
}

const char *harness_log(void)
{
	return log_buf;
}

bool harness_logged(const char *needle)
{
	return strstr(log_buf, needle) != NULL;
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(last, sizeof(last), fmt, ap);
	va_end(ap);
	if (n < 0)
		last[0] = '\0';
	if ((unsigned)level < 4)
		counts[level]++;
	/* Keep the whole log; drop what does not fit rather than wrap. */
	n = snprintf(log_buf + log_len, LOG_CAP - log_len, "%s\n", last);
	if (n > 0)
		log_len += (size_t)n < LOG_CAP - log_len ? (size_t)n : LOG_CAP - log_len - 1;
	if (getenv("QHV_UNIT_VERBOSE"))
		fprintf(stderr, "[%d] %s\n", (int)level, last);
}
