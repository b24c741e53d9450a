/* SPDX-License-Identifier: MIT */
/* Capture of the hv parsers' first error message (printk.c). */
#ifndef QHVBUILD_PRINTK_CAPTURE_H
#define QHVBUILD_PRINTK_CAPTURE_H

#include <stddef.h>

/* From now on, this thread's first pr_err() goes to @buf. */
void qhvbuild_capture_begin(char *buf, size_t len);
/* Stop capturing. */
void qhvbuild_capture_end(void);

#endif
