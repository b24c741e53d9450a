/* SPDX-License-Identifier: MIT */
/*
 * The hv's virtual PCI function in dom0's configuration space, so dom0's
 * driver gets its management-event interrupt the ordinary Linux way (a PCI
 * driver with one MSI vector), as Xen's platform device and Jailhouse's
 * ivshmem do.  Configuration mechanism #1 is trapped: the address latch
 * (0xcf8, dword) is kept per machine, and data accesses (0xcfc-0xcff) to
 * any other function are replayed on the hardware under pci_lock.
 *
 * The function: vendor QHV_PCI_VENDOR, device QHV_PCI_DEVICE, class
 * 0x088000, no BARs, no INTx, one 32-bit MSI capability at 0x40.  It sits
 * at the highest free device number on bus 0.  ECAM (MMCONFIG) is not
 * emulated: dom0 is given no MCFG-reachable view of it (docs/dom0.md).
 */
#include <qhv/domctl.h>
#include "arch/dom0_io.h"
#include "arch/vcpu.h"
#include "arch/x86.h"
#include "core/domain.h"
#include "core/percpu.h"
#include "lib/printk.h"
#include "lib/spinlock.h"

#define CONF_ENABLE (1u << 31)
#define MSI_CAP 0x40
#define MSI_CTRL_ENABLE 1u

/* protects: latch and the hardware's 0xcf8/0xcfc pair; the MSI fields */
static spinlock_t pci_lock = SPINLOCK_INIT;
static uint32_t latch;
static int our_dev = -1;	/* device number on bus 0, or -1 */
static uint16_t command;
static uint16_t msi_ctrl;
static uint32_t msi_addr;
static uint16_t msi_data;

static uint32_t hw_conf_read(uint32_t addr)
{
	outl(PCI_CONF_ADDR, addr);
	return inl(PCI_CONF_DATA);
}

void dom0_pci_setup(void)
{
	int dev;

	for (dev = 31; dev > 0; dev--)
		if ((hw_conf_read(CONF_ENABLE | ((uint32_t)dev << 11)) & 0xffff) ==
		    0xffff)
			break;
	if (dev <= 0) {
		pr_warn("qhv: pci: no free device number on bus 0: dom0 gets no event interrupt\n");
		return;
	}
	our_dev = dev;
	pr_info("qhv: pci: management function at 00:%02x.0 (%04x:%04x)\n",
		dev, QHV_PCI_VENDOR, QHV_PCI_DEVICE);
}

/* Our function's dword at @reg (dword-aligned). */
static uint32_t conf_read(unsigned reg)
{
	switch (reg) {
	case 0x00:
		return QHV_PCI_VENDOR | (uint32_t)QHV_PCI_DEVICE << 16;
	case 0x04:
		return command | (1u << (16 + 4));	/* status: cap list */
	case 0x08:
		return 0x08800001u;	/* class 08.80.00, revision 1 */
	case 0x2c:
		return QHV_PCI_VENDOR | (uint32_t)QHV_PCI_DEVICE << 16;
	case 0x34:
		return MSI_CAP;
	case MSI_CAP:
		return 0x05u | (uint32_t)msi_ctrl << 16;	/* MSI, last cap */
	case MSI_CAP + 4:
		return msi_addr;
	case MSI_CAP + 8:
		return msi_data;
	default:
		return 0;	/* BARs unimplemented, no INTx pin */
	}
}

static void conf_write(unsigned reg, uint32_t val, uint32_t mask)
{
	val &= mask;
	switch (reg) {
	case 0x04:
		/* INTx disable and bus master are all that mean anything */
		command = (uint16_t)((command & ~mask) | (val & 0x0406));
		break;
	case MSI_CAP:
		if (mask >> 16)
			msi_ctrl = (uint16_t)((msi_ctrl & ~(mask >> 16)) |
					      ((val >> 16) & MSI_CTRL_ENABLE));
		break;
	case MSI_CAP + 4:
		msi_addr = ((msi_addr & ~mask) | val) & ~3u;
		break;
	case MSI_CAP + 8:
		msi_data = (uint16_t)((msi_data & ~mask) | val);
		break;
	default:
		break;	/* read-only or unimplemented: ignored */
	}
}

static bool latch_is_ours(void)
{
	return our_dev >= 0 && (latch & CONF_ENABLE) &&
	       ((latch >> 8) & 0xffff) == (uint32_t)our_dev << 3;
}

bool dom0_pci_pio(uint16_t port, unsigned size, bool in, uint32_t *val)
{
	unsigned off = port - PCI_CONF_DATA;

	if (port == PCI_CONF_ADDR && size == 4) {
		spin_lock(&pci_lock);
		if (in)
			*val = latch;
		else
			latch = *val;
		spin_unlock(&pci_lock);
		return true;
	}
	if (port < PCI_CONF_DATA || port > PCI_CONF_DATA + 3)
		return false;
	spin_lock(&pci_lock);
	if (latch_is_ours()) {
		unsigned reg = latch & 0xfc, shift = off * 8;
		uint32_t mask = (size == 4 ? ~0u : ((1u << (size * 8)) - 1)) << shift;

		if (in)
			*val = (conf_read(reg) & mask) >> shift;
		else
			conf_write(reg, *val << shift, mask);
	} else {
		/* Someone else's function (or a disabled latch): the
		 * hardware answers, with dom0's latch in place. */
		outl(PCI_CONF_ADDR, latch);
		port_forward(port, size, in, val);
	}
	spin_unlock(&pci_lock);
	return true;
}

/* Raise the MSI dom0 programmed: fixed or lowest-priority delivery to the
 * dom0 vCPU(s) its address names. */
void arch_notify_dom0(void)
{
	uint32_t addr, data;
	bool logical;
	uint8_t dest;
	unsigned i;

	spin_lock(&pci_lock);
	addr = msi_addr;
	data = msi_data;
	if (!(msi_ctrl & MSI_CTRL_ENABLE) || (addr >> 20) != 0xfee) {
		spin_unlock(&pci_lock);
		return;
	}
	spin_unlock(&pci_lock);
	logical = addr & (1u << 2);
	dest = (uint8_t)(addr >> 12);
	for (i = 0; i < nr_cpus; i++) {
		struct vcpu *t = percpu_area[i].dom0_vcpu;

		if (!t || !vlapic_match(&t->arch.lapic, logical, dest, false))
			continue;
		vlapic_set_irq(&t->arch.lapic, (uint8_t)data, false, false);
		if (t->pcpu != this_cpu()->id)
			arch_kick_cpu(t->pcpu);
		return;	/* one target, as lowest priority would pick */
	}
}
