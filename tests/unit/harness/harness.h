/* SPDX-License-Identifier: MIT */
/*
 * Host-side stand-in for the hv's printk, so that hv/core files compile
 * unchanged in unit tests.  Every message is kept in a log so that tests
 * can assert on the text of an error, not just on the return value.
 */
#ifndef QHV_UNIT_HARNESS_H
#define QHV_UNIT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/printk.h"

/**
 * harness_reset() - forget every message logged so far.
 */
void harness_reset(void);

/**
 * harness_last() - the most recent message (with its level prefix removed).
 *
 * Return: "" when nothing was logged since the last harness_reset().
 */
const char *harness_last(void);

/**
 * harness_count() - number of messages at @level since the last reset.
 * @level: LOG_ERR .. LOG_DEBUG.
 */
unsigned harness_count(enum log_level level);

/**
 * harness_log() - every message since the last reset, one per line.
 */
const char *harness_log(void);

/**
 * harness_logged() - whether any message since the last reset contains
 * @needle.
 * @needle: substring to look for.
 */
bool harness_logged(const char *needle);

#endif
