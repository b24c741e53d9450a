// SPDX-License-Identifier: MIT
/*
 * hostile: a domain that tries what a guest must not get away with, each
 * time expecting the fault a real CPU without those features would give,
 * and checking that the machine is still there afterwards:
 *   VMX and SMX instructions, MONITOR/MWAIT -> #UD;
 *   CR4.VMXE, the VMX capability MSRs, IA32_FEATURE_CONTROL, reserved
 *   EFER bits, an invalid XCR -> #GP;
 *   the platform's reset and ACPI power-off ports -> nothing happens;
 *   terminal escape sequences and a forged "qhv:" line on its UART -> shown
 *   tagged and escaped on the hv console, never as hv output.
 * Needs qhv (bare, the reset ports would really reset the machine).
 */
#include "guest.h"

#define MSR_FEATURE_CONTROL 0x3a
#define MSR_VMX_BASIC 0x480
#define MSR_EFER 0xc0000080

static void expect_fault(const char *name, unsigned int vector,
			 unsigned int len, void (*op)(void))
{
	char detail[48];

	trap_expect(vector, len);
	op();
	trap_expect_none();
	snprintf(detail, sizeof(detail), "vector %u hits %u", vector, trap_hits);
	check(name, trap_hits == 1, "%s", detail);
}

static uint64_t vmxon_region __attribute__((aligned(4096)));

static void op_vmxon(void)
{
	uint64_t pa = (uintptr_t)&vmxon_region;

	/* f3 0f c7 30: vmxon (%rax) */
	asm volatile(".byte 0xf3, 0x0f, 0xc7, 0x30" : : "a"(&pa) : "memory");
}

static void op_vmlaunch(void) { asm volatile(".byte 0x0f, 0x01, 0xc2"); }
static void op_getsec(void) { asm volatile(".byte 0x0f, 0x37" : : "a"(0)); }
static void op_monitor(void)
{
	asm volatile(".byte 0x0f, 0x01, 0xc8" : : "a"(&vmxon_region), "c"(0), "d"(0));
}
static void op_mwait(void) { asm volatile(".byte 0x0f, 0x01, 0xc9" : : "a"(0), "c"(0)); }

static void op_cr4_vmxe(void)
{
	uint64_t cr4;

	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= 1ull << 13;
	/* 0f 22 e0: mov %rax, %cr4 */
	asm volatile(".byte 0x0f, 0x22, 0xe0" : : "a"(cr4));
}

static void op_rdmsr_vmx_basic(void) { (void)rdmsr(MSR_VMX_BASIC); }
static void op_wrmsr_feature_control(void) { wrmsr(MSR_FEATURE_CONTROL, 5); }
static void op_wrmsr_efer_reserved(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | (1ull << 15));
}

static void op_xsetbv_xcr1(void)
{
	/* 0f 01 d1: xsetbv with ECX=1 (no such register here) */
	asm volatile(".byte 0x0f, 0x01, 0xd1" : : "a"(1), "c"(1), "d"(0));
}

static void op_xsetbv_no_x87(void)
{
	/* XCR0 without x87 (bit 0) is invalid */
	asm volatile(".byte 0x0f, 0x01, 0xd1" : : "a"(2), "c"(0), "d"(0));
}

/* XSETBV only reaches the hv with CR4.OSXSAVE on (else the CPU #UDs). */
static bool enable_osxsave(void)
{
	uint64_t cr4;

	if (!(cpuid(1, 0).ecx & (1u << 26)))
		return false;
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= 1ull << 18;
	asm volatile("mov %0, %%cr4" : : "r"(cr4));
	return true;
}

int main(uint32_t magic, uint32_t info)
{
	(void)magic;
	(void)info;
	if (!qhv_present()) {
		printf("FAIL hostile: needs qhv (would reset a bare machine)\n");
		return 1;
	}
	/* Instruction lengths: the #UD/#GP handler resumes after them. */
	expect_fault("vmxon-ud", 6, 4, op_vmxon);
	expect_fault("vmlaunch-ud", 6, 3, op_vmlaunch);
	expect_fault("getsec-ud", 6, 2, op_getsec);
	expect_fault("monitor-ud", 6, 3, op_monitor);
	expect_fault("mwait-ud", 6, 3, op_mwait);
	expect_fault("cr4-vmxe-gp", 13, 3, op_cr4_vmxe);
	expect_fault("rdmsr-vmx-basic-gp", 13, 2, op_rdmsr_vmx_basic);
	expect_fault("wrmsr-feature-control-gp", 13, 2, op_wrmsr_feature_control);
	expect_fault("wrmsr-efer-reserved-gp", 13, 2, op_wrmsr_efer_reserved);
	if (enable_osxsave()) {
		expect_fault("xsetbv-xcr1-gp", 13, 3, op_xsetbv_xcr1);
		expect_fault("xsetbv-no-x87-gp", 13, 3, op_xsetbv_no_x87);
	} else {
		skip("xsetbv", "no XSAVE on this cpu model");
	}

	/* The machine's power-off doors are closed to a domU (Bochs' and
	 * QEMU's ACPI PM1a control ports with SLP_EN and S5).  Its reset
	 * requests (0xcf9, 0x64) end only the domain itself: tests/hv
	 * allgood's rkbc/rcf9 domains, while the machine runs on. */
	asm volatile("outw %0, %1" : : "a"((uint16_t)0x2000), "Nd"((uint16_t)0xb004));
	asm volatile("outw %0, %1" : : "a"((uint16_t)0x2000), "Nd"((uint16_t)0x604));
	check("platform-doors-closed", 1, "still running");

	/* Escape sequences and a forged status line: the hv must tag and
	 * escape them. */
	printf("\x1b[31mred\x1b[0m\n");
	printf("qhv: shutdown status=0\n");
	return check_summary("hostile");
}
