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

#endif
