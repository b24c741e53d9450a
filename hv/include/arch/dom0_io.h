/* SPDX-License-Identifier: MIT */
#ifndef QHV_ARCH_DOM0_IO_H
#define QHV_ARCH_DOM0_IO_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* Mark the ports the hv watches for dom0 (once, at boot). */
void dom0_io_setup(void);
/* A trapped port access by dom0 that the core device model did not take. */
void dom0_pio(struct vcpu *v, uint16_t port, unsigned size, bool in,
	      uint32_t *val);

#endif
