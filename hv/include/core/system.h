/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_SYSTEM_H
#define QHV_CORE_SYSTEM_H

/**
 * system_finish() - every domain has ended: report and power off.
 * @status: 0 if all domains exited 0, else non-zero.
 *
 * Prints the frame accounting and "qhv: shutdown status=N", then powers
 * the machine off.
 */
__attribute__((noreturn)) void system_finish(int status);

/* dom0 asked for a reset: report, then reset the machine. */
__attribute__((noreturn)) void system_reset(void);

#endif
