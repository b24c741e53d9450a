/* SPDX-License-Identifier: MIT */
/* The physical local APIC, owned by the hv. */
#ifndef QHV_ARCH_APIC_H
#define QHV_ARCH_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define KICK_VECTOR 0xf0	/* hv-internal IPI: "look at your run queue" */
#define SPURIOUS_VECTOR 0xff

void apic_cpu_init(bool bsp);
void apic_eoi(void);
bool apic_in_service(uint8_t vector);
void apic_send_ipi(uint32_t apic_id, uint32_t icr);
void apic_set_logical(uint32_t ldr, uint32_t dfr);

/* A physical interrupt arrived (VM exit with ack, or in root mode while
 * idle): route it to this CPU's dom0 vCPU, or acknowledge it. */
void irq_dispatch(uint8_t vector);

#endif
