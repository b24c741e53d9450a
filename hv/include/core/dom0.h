/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_DOM0_H
#define QHV_CORE_DOM0_H

#include <stdbool.h>
#include <stdint.h>
#include "core/mbinfo.h"

/**
 * dom0_reserve() - set dom0's RAM aside before the hv allocates anything.
 * @bi: boot information; modules inside dom0's RAM are moved out of it
 *      and their addresses updated.
 * @hv_start: first byte of the hv image.
 * @hv_end: end of the hv image.
 *
 * dom0 is mapped 1:1 (guest-physical == host-physical), so devices it
 * programs for DMA reach its memory without an IOMMU.  It gets the lowest
 * dom0_mem of RAM above 1 MiB, less the hv image; the rest stays the hv's
 * pool.  Does nothing when no module is marked "dom0".
 *
 * Return: 0, or a negative errno after printing why dom0 cannot be had.
 */
int dom0_reserve(struct boot_info *bi, uint64_t hv_start, uint64_t hv_end);

/* Is this module string one of dom0's ("dom0" or "dom0-initrd")? */
bool dom0_module(const char *s);

/**
 * dom0_build() - create dom0 and queue its vCPUs (after SMP bring-up).
 * @bi: boot information.
 * @ncpus: CPUs online; dom0 gets min(dom0_cpus=, ncpus) vCPUs.
 *
 * Return: 1 if dom0 was created, 0 if there is none, negative on error.
 */
int dom0_build(const struct boot_info *bi, unsigned ncpus);

#endif
