// SPDX-License-Identifier: MIT
/*
 * hypercall: the hypercall ABI from a well-behaved 64-bit guest, plus the
 * round-trip cost figures bench/hypercall reads:
 *   hypercall-roundtrip tsc_per_call=N tsc_total=T n=1000   null hypercall
 *   cpuid-roundtrip tsc_per_call=N tsc_total=T n=1000       CPUID (exits)
 *   exitfree-loop tsc_per_iter=N tsc_total=T n=1000         no exit at all
 *   xapic-self-ipi tsc_per_ipi=N tsc_total=T n=1000   ICR write, handler, EOI
 *   x2apic-self-ipi tsc_per_ipi=N tsc_total=T n=1000  the same by MSRs
 * (the last two also bare, against the emulator's own APIC).
 * Under Bochs with `clock: sync=none` TSC ticks count instructions.
 */
#include "guest.h"

#define ROUNDS 1000

static const char msg[] = "hypercall: console_write works\n";

#define APIC ((volatile uint32_t *)(uintptr_t)0xfee00000u)
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_EXTD (1ull << 10)
#define IPI_VEC 0x42

static volatile unsigned ipi_hits;
static bool x2mode;

void bench_ipi_handler(void);
extern void bench_ipi_stub(void);
asm(".text\n.globl bench_ipi_stub\nbench_ipi_stub:\n"
    "push %rax\npush %rcx\npush %rdx\npush %rsi\npush %rdi\n"
    "push %r8\npush %r9\npush %r10\npush %r11\n"
    "call bench_ipi_handler\n"
    "pop %r11\npop %r10\npop %r9\npop %r8\npop %rdi\n"
    "pop %rsi\npop %rdx\npop %rcx\npop %rax\niretq\n");

void bench_ipi_handler(void)
{
	ipi_hits++;
	if (x2mode)
		wrmsr(0x80b, 0);	/* EOI */
	else
		APIC[0xb0 / 4] = 0;
}

/* ROUNDS self-IPIs, each taken (handler, EOI) before the next is sent. */
static uint64_t time_self_ipi(void)
{
	uint64_t t0;
	unsigned int i;

	ipi_hits = 0;
	asm volatile("sti");
	t0 = rdtsc();
	for (i = 0; i < ROUNDS; i++) {
		if (x2mode)
			wrmsr(0x83f, IPI_VEC);		/* SELF IPI */
		else
			APIC[0x300 / 4] = 0x40000 | IPI_VEC;	/* self */
		while (ipi_hits <= i)
			asm volatile("pause");
	}
	t0 = rdtsc() - t0;
	asm volatile("cli");
	return t0;
}

static void report(const char *what, uint64_t total);

/* The same self-IPI loop through the xAPIC page and, where offered, the
 * x2APIC MSRs: what an interrupt's sending and EOI cost in each mode. */
static void time_apic_modes(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	trap_set_gate(IPI_VEC, bench_ipi_stub);
	outb(0x21, 0xff);	/* bare: the firmware's 8259 stays quiet */
	outb(0xa1, 0xff);
	APIC[0xf0 / 4] = 0x1ff;
	APIC[0x350 / 4] = 0x10000;	/* LINT0 masked */
	report("xapic-self-ipi tsc_per_ipi", time_self_ipi());
	if (!(cpuid(1, 0).ecx & (1u << 21)))
		return;
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	x2mode = true;
	wrmsr(0x80f, 0x1ff);
	report("x2apic-self-ipi tsc_per_ipi", time_self_ipi());
	/* back to xAPIC, through disabled */
	wrmsr(MSR_APIC_BASE, base & ~((1ull << 11) | APIC_BASE_EXTD));
	x2mode = false;
	wrmsr(MSR_APIC_BASE, base);
}

/* Same loop shape as the timed hypercall loop, minus the VMCALL. */
static uint64_t time_exitfree(void)
{
	uint64_t t0 = rdtsc();
	unsigned long i;

	for (i = 0; i < ROUNDS; i++)
		asm volatile("" : : "r"(i) : "memory");
	return rdtsc() - t0;
}

static uint64_t time_version(void)
{
	uint64_t t0 = rdtsc();
	unsigned int i;

	for (i = 0; i < ROUNDS; i++)
		(void)qhv_version();
	return rdtsc() - t0;
}

static uint64_t time_cpuid(void)
{
	uint64_t t0 = rdtsc();
	unsigned int i;

	for (i = 0; i < ROUNDS; i++)
		(void)cpuid(0, 0);
	return rdtsc() - t0;
}

/* The total keeps the precision the per-call integer loses. */
static void report(const char *what, uint64_t total)
{
	printf("%s=%lu tsc_total=%lu n=%u\n", what, total / ROUNDS, total,
	       ROUNDS);
}

static void check_abi(void)
{
	long v = qhv_version();
	long r;

	check("hc-version-64", v == QHV_ABI_VERSION, "got %#lx want %#x", v,
	      QHV_ABI_VERSION);
	check("hc-version-32", qhv_present32 && qhv_version32 == (uint32_t)v,
	      "32-bit probe present=%u version=%#x", qhv_present32,
	      qhv_version32);
	r = qhv_console_write(msg, sizeof(msg) - 1);
	check("hc-console-write", r == (long)sizeof(msg) - 1, "returned %ld",
	      r);
	r = qhv_yield();
	check("hc-yield", r == 0, "returned %ld", r);
	r = qhv_hypercall(999, 0, 0, 0);
	check("hc-unknown-enosys", r == -QHV_ENOSYS, "returned %ld", r);
}

int main(uint32_t magic, uint32_t info)
{
	(void)magic;
	(void)info;
	if (!qhv_present()) {
		if (cmdline_has("expect-qhv")) {
			check("hc-qhv-present", false, "no qhv CPUID signature");
			return check_summary("hypercall");
		}
		skip("hypercall", "not running on qhv");
		report("exitfree-loop tsc_per_iter", time_exitfree());
		if (cmdline_has("apic-bench"))
			time_apic_modes();
		return check_summary("hypercall");
	}
	check_abi();
	report("exitfree-loop tsc_per_iter", time_exitfree());
	report("hypercall-roundtrip tsc_per_call", time_version());
	report("cpuid-roundtrip tsc_per_call", time_cpuid());
	if (cmdline_has("apic-bench"))
		time_apic_modes();
	return check_summary("hypercall");
}
