// SPDX-License-Identifier: MIT
/*
 * cpu_model: the guest CPU tells one story (docs/cpu-model.md).  Every
 * feature CPUID shows has working MSRs; writes real CPUs accept are
 * accepted (IA32_MISC_ENABLE's writable bits, IA32_TSC); the hv's
 * injected exceptions look like the CPU's own (RF pushed for a fault,
 * RDPMC without a PMU is #GP); architecturally illegal CR0 writes are
 * #GP in the guest, not a failed VM entry.  Checks whose bare-emulator
 * answer differs from hardware are SKIPs off qhv.
 */
#include "guest.h"

#define MSR_IA32_TSC 0x10
#define MSR_TSC_ADJUST 0x3b
#define MSR_MCG_CAP 0x179
#define MSR_MISC_ENABLE 0x1a0
#define MSR_PERF_CAPABILITIES 0x345
#define MSR_PERF_GLOBAL_CTRL 0x38f
#define MSR_DS_AREA 0x600
#define MSR_U_CET 0x6a0
#define MSR_BOGUS 0xdeadbeef
#define RFLAGS_RF (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PCIDE (1ull << 17)


static void feature_msr(const char *name, bool shown, uint32_t msr)
{
	char d[64];

	if (!shown) {
		snprintf(d, sizeof(d), "feature hidden: MSR %#x need not work", msr);
		check(name, true, "%s", d);
		return;
	}
	snprintf(d, sizeof(d), "feature shown, MSR %#x", msr);
	check(name, msr_readable(msr), "%s #GPs", d);
}

static void check_cpuid_msrs(void)
{
	struct cpuid_regs l1 = cpuid(1, 0), l7 = cpuid(7, 0), la = cpuid(0xa, 0);

	feature_msr("cpuid-ds-has-ds-area", l1.edx & (1u << 21), MSR_DS_AREA);
	feature_msr("cpuid-pdcm-has-perf-caps", l1.ecx & (1u << 15),
		    MSR_PERF_CAPABILITIES);
	feature_msr("cpuid-mce-has-mcg-cap", l1.edx & (1u << 7), MSR_MCG_CAP);
	feature_msr("cpuid-cet-has-u-cet",
		    (l7.ecx & (1u << 7)) || (l7.edx & (1u << 20)), MSR_U_CET);
	feature_msr("cpuid-tsc-adjust-has-msr", l7.ebx & (1u << 1),
		    MSR_TSC_ADJUST);
	feature_msr("cpuid-pmu-has-global-ctrl", (la.eax & 0xff) >= 2,
		    MSR_PERF_GLOBAL_CTRL);
}

static void check_misc_enable(void)
{
	uint64_t v, got;

	if (!msr_readable(MSR_MISC_ENABLE)) {
		check_qhv("misc-enable-read", false, "rdmsr #GPs");
		return;
	}
	v = rdmsr(MSR_MISC_ENABLE);
	trap_expect(13, 2);
	wrmsr(MSR_MISC_ENABLE, v);		/* unchanged */
	wrmsr(MSR_MISC_ENABLE, v ^ 1);		/* fast strings */
	got = rdmsr(MSR_MISC_ENABLE);
	wrmsr(MSR_MISC_ENABLE, v);
	trap_expect_none();
	check("misc-enable-writable-bits", trap_hits == 0 && got == (v ^ 1),
	      "value %#lx, wrote %#lx, read %#lx, %u #GP", v, v ^ 1, got,
	      trap_hits);
}

/* |a - b| below 10^8 cycles: "about equal" across a few exits. */
static bool near(uint64_t a, uint64_t b)
{
	return (a > b ? a - b : b - a) < 100000000ull;
}

/* TSC_ADJUST (Linux's test of a TSC it may trust): a write moves the TSC
 * by the change; a write of IA32_TSC moves TSC_ADJUST by as much. */
static bool check_tsc_adjust(void)
{
	const uint64_t delta = 1ull << 36;
	uint64_t a0, a1, t0, t1;
	char d[128];

	if (!(cpuid(7, 0).ebx & (1u << 1))) {
		check_qhv("tsc-adjust-moves-tsc", false, "TSC_ADJUST not shown");
		return false;
	}
	trap_expect(13, 2);
	a0 = rdmsr(MSR_TSC_ADJUST);
	t0 = rdtsc();
	wrmsr(MSR_TSC_ADJUST, a0 + delta);
	t1 = rdtsc();
	a1 = rdmsr(MSR_TSC_ADJUST);
	trap_expect_none();
	snprintf(d, sizeof(d), "adjust %#lx -> %#lx, tsc moved %#lx, %u #GP",
		 a0, a1, t1 - t0, trap_hits);
	check_qhv("tsc-adjust-moves-tsc", trap_hits == 0 && a0 == 0 &&
		  a1 == delta && t1 - t0 >= delta && near(t1 - t0, delta), d);
	return true;
}

static void check_tsc_write(void)
{
	const uint64_t set = 1ull << 40;
	bool adj = check_tsc_adjust();
	uint64_t t, before, a0 = 0, a1 = 0;
	char d[128];

	trap_expect(13, 2);
	if (adj)
		a0 = rdmsr(MSR_TSC_ADJUST);
	before = rdtsc();
	wrmsr(MSR_IA32_TSC, set);
	t = rdtsc();
	if (adj)
		a1 = rdmsr(MSR_TSC_ADJUST);
	trap_expect_none();
	snprintf(d, sizeof(d), "wrote %#lx, rdtsc %#lx, %u #GP", set, t,
		 trap_hits);
	check_qhv("tsc-write-sets-tsc",
		  trap_hits == 0 && t >= set && t - set < 100000000ull, d);
	if (!adj)
		return;
	snprintf(d, sizeof(d), "tsc %#lx -> %#lx, adjust %#lx -> %#lx",
		 before, set, a0, a1);
	check_qhv("tsc-write-moves-adjust", near(a1 - a0, set - before), d);
}

static void check_fault_rf(void)
{
	char d[64];

	trap_rflags = 0;
	trap_expect(13, 2);
	(void)rdmsr(MSR_BOGUS);
	trap_expect_none();
	snprintf(d, sizeof(d), "%u #GP, pushed rflags %#lx", trap_hits,
		 trap_rflags);
	check_qhv("fault-pushes-rf", trap_hits == 1 && (trap_rflags & RFLAGS_RF), d);
}

static void check_rdpmc(void)
{
	struct cpuid_regs la = cpuid(0xa, 0);

	/* QEMU TCG raises #UD for every RDPMC: only meaningful on qhv. */
	if (!on_qhv()) {
		skip("rdpmc-no-pmu-gp", "not on qhv");
		return;
	}
	if (la.eax & 0xff) {
		skip("rdpmc-no-pmu-gp", "a PMU is offered");
		return;
	}
	trap_expect(13, 2);
	asm volatile("rdpmc" : : "c"(0) : "rax", "rdx");
	trap_expect_none();
	check("rdpmc-no-pmu-gp", trap_hits == 1, "%u #GP", trap_hits);
}

static uint64_t read_cr0(void)
{
	uint64_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static uint64_t read_cr4(void)
{
	uint64_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void write_cr4(uint64_t v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* MOV to CR0 with PG clear from 64-bit code: #GP (3 bytes: 0f 22 c0). */
static unsigned clear_pg(void)
{
	uint64_t cr0 = read_cr0() & ~CR0_PG;

	trap_expect(13, 3);
	asm volatile("mov %0, %%cr0" : : "a"(cr0) : "memory");
	trap_expect_none();
	return trap_hits;
}

static void check_cr0(void)
{
	unsigned hits;

	/* A bare emulator may not model these #GPs: qhv only. */
	if (!on_qhv()) {
		skip("cr0-clear-pg-64bit-gp", "not on qhv");
		return;
	}
	hits = clear_pg();
	check("cr0-clear-pg-64bit-gp", hits == 1 && (read_cr0() & CR0_PG),
	      "%u #GP", hits);
	if (!(cpuid(1, 0).ecx & (1u << 17))) {
		skip("cr0-clear-pg-pcide-gp", "no PCID");
		return;
	}
	write_cr4(read_cr4() | CR4_PCIDE);
	hits = clear_pg();
	write_cr4(read_cr4() & ~CR4_PCIDE);
	check("cr0-clear-pg-pcide-gp", hits == 1 && (read_cr0() & CR0_PG),
	      "%u #GP", hits);
}

int main(uint32_t magic, uint32_t info)
{
	(void)magic;
	(void)info;
	check_cpuid_msrs();
	check_misc_enable();
	check_fault_rf();
	check_rdpmc();
	check_cr0();
	check_tsc_write();	/* last: the TSC jumps */
	return check_summary("cpu_model");
}
