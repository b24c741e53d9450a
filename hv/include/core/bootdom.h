/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_BOOTDOM_H
#define QHV_CORE_BOOTDOM_H

#include "core/mbinfo.h"

/**
 * bootdoms_create() - build a domain for every module marked dom=.
 * @bi: the hv's boot information (modules and their strings).
 * @ncpus: CPUs to spread the domains over (round-robin).
 *
 * Return: number of domains created; *@errors counts modules that were
 * marked as domains but could not be built (each reported on the console).
 */
unsigned bootdoms_create(const struct boot_info *bi, unsigned ncpus,
			 unsigned *errors);

/* A boot domain restarts at most this often (on_reboot=restart), so a
 * kernel that resets on every boot cannot hold the machine for ever. */
#define BOOTDOM_MAX_RESTARTS 4

struct domain;

/**
 * bootdom_restart() - build @old's boot module again as a new domain of
 * the same name and start it (on_reboot=restart after a reset request).
 * @old: the boot domain that ended; torn down already (its slot keeps the
 *   summary), so its name and memory are free.
 *
 * Runs on the CPU where @old's last vCPU went; boot domains restart one at
 * a time (the builder's scratch buffers are static).
 *
 * Return: 0 when the new domain started; negative errno when it did not
 * (restart limit reached, or the build failed: each said on the console).
 */
int bootdom_restart(struct domain *old);

#endif
