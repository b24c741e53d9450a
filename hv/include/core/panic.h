/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_PANIC_H
#define QHV_CORE_PANIC_H

/**
 * panic() - the hv cannot continue: report and power the machine off.
 * @why: one-line reason.
 *
 * Only for broken hv invariants; a misbehaving guest is crashed alone
 * (domain_crash()), never a reason to panic.
 */
__attribute__((noreturn)) void panic(const char *why);

#endif
