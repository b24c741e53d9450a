/* SPDX-License-Identifier: MIT */
/*
 * dom0's port I/O.  dom0 drives the platform's ports directly (they are
 * not trapped) except the few the hv must see: COM1's data port (shared
 * with the hv console: each byte goes out under the console lock), the
 * ACPI PM1 control ports and the reset ports (dom0 powering off or
 * resetting ends the machine through the hv, which reports first), and
 * the test-exit port.  Everything trapped but not special is forwarded.
 */
#include "arch/dom0_io.h"
#include "arch/setup.h"
#include "arch/x86.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/system.h"
#include "lib/printk.h"
#include "../x86/vmx/vmx.h"

#define SLP_EN (1u << 13)
#define PORT_RESET_CONTROL 0xcf9
#define PORT_KBD_CMD 0x64

void dom0_io_setup(void)
{
	vmx_trap_dom0_port(0x3f8);
	vmx_trap_dom0_port(0xf4);
	vmx_trap_dom0_port(PORT_RESET_CONTROL);
	vmx_trap_dom0_port(PORT_KBD_CMD);
	if (acpi.pm1a_cnt) {
		vmx_trap_dom0_port((uint16_t)acpi.pm1a_cnt);
		vmx_trap_dom0_port((uint16_t)acpi.pm1a_cnt + 1);
	}
	if (acpi.pm1b_cnt) {
		vmx_trap_dom0_port((uint16_t)acpi.pm1b_cnt);
		vmx_trap_dom0_port((uint16_t)acpi.pm1b_cnt + 1);
	}
	if (acpi.reset_valid && acpi.reset_reg_port)
		vmx_trap_dom0_port((uint16_t)acpi.reset_reg_port);
	/* PCI configuration mechanism #1, for the hv's own function. */
	vmx_trap_dom0_port(PCI_CONF_ADDR);
	for (unsigned p = PCI_CONF_DATA; p < PCI_CONF_DATA + 4; p++)
		vmx_trap_dom0_port((uint16_t)p);
	dom0_pci_setup();
}

void port_forward(uint16_t port, unsigned size, bool in, uint32_t *val)
{
	if (in) {
		uint32_t v = 0;

		if (size == 1)
			v = inb(port);
		else if (size == 2)
			__asm__ volatile("inw %1, %w0" : "=a"(v) : "Nd"(port));
		else
			v = inl(port);
		*val = v;
		return;
	}
	if (size == 1)
		outb(port, (uint8_t)*val);
	else if (size == 2)
		outw(port, (uint16_t)*val);
	else
		outl(port, *val);
}

static bool is_pm1_cnt(uint16_t port)
{
	return (acpi.pm1a_cnt && port == acpi.pm1a_cnt) ||
	       (acpi.pm1b_cnt && port == acpi.pm1b_cnt);
}

void dom0_pio(struct vcpu *v, uint16_t port, unsigned size, bool in,
	      uint32_t *val)
{
	if (dom0_pci_pio(port, size, in, val))
		return;
	if (!in && port == 0x3f8 && size == 1) {
		console_forward_byte((uint8_t)*val);
		return;
	}
	if (!in && is_pm1_cnt(port) && size >= 2 && (*val & SLP_EN)) {
		uint32_t typ = (*val >> 10) & 7;

		if (acpi.s5_valid && typ == acpi.slp_typa) {
			pr_info("qhv: dom0 powered the machine off\n");
			domain_exit(v->dom, 0);
			return;
		}
		/* Sleep states (S3 ...) are not supported yet. */
		pr_warn("qhv: dom0 asked for sleep type %u: not supported\n",
			typ);
		return;
	}
	if (!in && ((port == PORT_RESET_CONTROL && size == 1 && (*val & 4)) ||
		    (port == PORT_KBD_CMD && size == 1 && *val == 0xfe) ||
		    (acpi.reset_valid && port == acpi.reset_reg_port &&
		     (uint8_t)*val == acpi.reset_value))) {
		pr_info("qhv: dom0 reset the machine\n");
		system_reset();
	}
	port_forward(port, size, in, val);
}
