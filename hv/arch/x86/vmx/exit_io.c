/* SPDX-License-Identifier: MIT */
/* Port I/O: decode the exit and hand it to the core device model.  String
 * and REP forms are not emulated yet: a domain that uses them on a trapped
 * port is crashed, since silently dropping its data would be worse. */
#include "vmx.h"
#include "core/domain.h"
#include "arch/dom0_io.h"

enum exit_action vmx_exit_io(struct vcpu *v, uint64_t qual)
{
	unsigned size = (unsigned)(qual & 7) + 1;
	bool in = qual & (1u << 3);
	uint16_t port = (uint16_t)(qual >> 16);
	uint32_t mask = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	uint32_t val;

	if (qual & (1u << 4)) {
		domain_crash(v->dom, "string I/O on port 0x%x not emulated rip=0x%lx",
			     port, vmread(GUEST_RIP));
		return EXIT_RESCHED;
	}
	val = in ? mask : (uint32_t)v->arch.regs.rax & mask;
	if (vdev_pio(v, port, size, in, &val))
		;
	else if (v->dom->arch.privileged)
		dom0_pio(v, port, size, in, &val);
	else if (!vpc_pio(v, port, size, in, &val))
		val = mask; /* unassigned port: reads float high, writes drop */
	if (v->stopped)
		return EXIT_RESCHED;
	/* IN to EAX zero-extends into RAX; AL/AX keep the upper bits. */
	if (in && size == 4)
		v->arch.regs.rax = val;
	else if (in)
		v->arch.regs.rax = (v->arch.regs.rax & ~(uint64_t)mask) |
				   (val & mask);
	vmx_skip_insn();
	return EXIT_CONTINUE;
}
