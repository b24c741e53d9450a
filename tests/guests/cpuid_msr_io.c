// SPDX-License-Identifier: MIT
/*
 * cpuid_msr_io: what a domain sees of the CPU and the I/O space.
 * Checks that need qhv are skipped bare unless "expect-qhv" is given on
 * the command line, in which case a missing qhv signature is a failure.
 */
#include "guest.h"

#define MSR_IA32_TSC 0x10
#define MSR_SYSENTER_CS 0x174
#define MSR_PAT 0x277
#define MSR_EFER 0xc0000080
#define MSR_BOGUS 0xdeadbeef
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
/* COM2: neither qhv nor a default QEMU or Bochs machine provides it. */
#define PORT_UNASSIGNED 0x2f8
#define UART_LSR (QHV_PORT_UART + 5)

static void check_cpuid(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	bool expect_qhv = cmdline_has("expect-qhv");

	check("cpuid-hypervisor-bit", r.ecx & (1u << 31), "ecx=%#x", r.ecx);
	check("cpuid-vmx-hidden", !(r.ecx & (1u << 5)), "ecx=%#x", r.ecx);

	if (!qhv_present() && !expect_qhv) {
		skip("cpuid-qhv-signature", "not running on qhv");
		return;
	}
	r = cpuid(QHV_CPUID_BASE, 0);
	check("cpuid-qhv-signature",
	      r.ebx == QHV_CPUID_SIG_EBX && r.ecx == QHV_CPUID_SIG_ECX &&
	      r.edx == QHV_CPUID_SIG_EDX,
	      "ebx=%#x ecx=%#x edx=%#x", r.ebx, r.ecx, r.edx);
	check("cpuid-qhv-max-leaf", r.eax >= QHV_CPUID_VERSION, "eax=%#x",
	      r.eax);
	r = cpuid(QHV_CPUID_VERSION, 0);
	check("cpuid-qhv-abi-version", r.eax == QHV_ABI_VERSION,
	      "eax=%#x want %#x", r.eax, QHV_ABI_VERSION);
}

static void check_msr_rw(const char *name, uint32_t msr, uint64_t val)
{
	uint64_t old = rdmsr(msr);
	uint64_t got;

	wrmsr(msr, val);
	got = rdmsr(msr);
	wrmsr(msr, old);
	check(name, got == val, "wrote %#lx read %#lx", val, got);
}

/* Bare emulators are not the reference here: QEMU TCG reads IA32_TSC as 0
 * and returns 0 for unknown MSRs instead of raising #GP, Bochs ignores bad
 * MSRs with ignore_bad_msrs=1.  Off qhv such results are SKIPs
 * (check_qhv). */

static void check_msrs(void)
{
	char detail[80];

	uint64_t t0 = rdmsr(MSR_IA32_TSC);
	uint64_t t1 = rdmsr(MSR_IA32_TSC);
	uint64_t efer = rdmsr(MSR_EFER);

	snprintf(detail, sizeof(detail), "t0=%#lx t1=%#lx", t0, t1);
	check_qhv("msr-tsc-monotonic", t1 > t0, detail);
	check_msr_rw("msr-sysenter-cs", MSR_SYSENTER_CS, 0x10);
	/* PA1 becomes WC; our page tables only use PA0 (WB). */
	check_msr_rw("msr-pat", MSR_PAT, 0x0007040600070106ull);
	check("msr-efer-long-mode",
	      (efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA),
	      "efer=%#lx", efer);

	/* RDMSR is 2 bytes (0f 32): the #GP handler resumes after it. */
	trap_expect(13, 2);
	(void)rdmsr(MSR_BOGUS);
	trap_expect_none();
	snprintf(detail, sizeof(detail), "#GP count %u", trap_hits);
	check_qhv("msr-bogus-gp", trap_hits == 1, detail);
}

static void check_io(void)
{
	uint8_t b = inb(PORT_UNASSIGNED);
	uint16_t w = inw(PORT_UNASSIGNED);
	uint32_t l = inl(PORT_UNASSIGNED);
	uint8_t lsr = inb(UART_LSR);

	check("io-unassigned-inb", b == 0xff, "read %#x", b);
	check("io-unassigned-inw", w == 0xffff, "read %#x", w);
	check("io-unassigned-inl", l == 0xffffffff, "read %#x", l);
	check("io-uart-lsr-thre", lsr & 0x20, "lsr=%#x", lsr);
}

int main(uint32_t magic, uint32_t info)
{
	(void)magic;
	(void)info;
	check_cpuid();
	check_msrs();
	check_io();
	return check_summary("cpuid_msr_io");
}
