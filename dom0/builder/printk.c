// SPDX-License-Identifier: MIT
/*
 * printk() for the hv files the builder compiles unchanged (image.c,
 * mbinfo.c): the first error message of a call is captured into a
 * per-thread buffer, so qhv_build_multiboot() can hand it back.  Built
 * with -Dprintk=qhvbuild_printk so the symbol never meets another one.
 */
#include <stdarg.h>
#include <stdio.h>

#include "lib/printk.h"
#include "printk_capture.h"

static __thread char *cap_buf;
static __thread size_t cap_len;
static __thread int cap_done;

void qhvbuild_capture_begin(char *buf, size_t len)
{
	cap_buf = buf;
	cap_len = len;
	cap_done = 0;
	if (buf && len)
		buf[0] = '\0';
}

void qhvbuild_capture_end(void)
{
	cap_buf = NULL;
	cap_len = 0;
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level != LOG_ERR || !cap_buf || cap_done)
		return;
	va_start(ap, fmt);
	vsnprintf(cap_buf, cap_len, fmt, ap);
	va_end(ap);
	cap_done = 1;
}
