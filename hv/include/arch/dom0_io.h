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

/* Do dom0's port access on the real port. */
void port_forward(uint16_t port, unsigned size, bool in, uint32_t *val);

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
/* The hv's virtual PCI function in dom0's configuration space (dom0_pci.c):
 * set-up at boot, and the config-port accesses it claims. */
void dom0_pci_setup(void);
bool dom0_pci_pio(uint16_t port, unsigned size, bool in, uint32_t *val);

#endif
