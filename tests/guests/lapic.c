// SPDX-License-Identifier: MIT
/*
 * lapic: a one-vCPU domain has a local APIC, as every PC does.  CPUID and
 * IA32_APIC_BASE say so; the timer (TSC-deadline where offered, else
 * one-shot) fires on time while the guest spins without a single exit; a
 * self-IPI arrives; a global disable through IA32_APIC_BASE clears
 * CPUID.1:EDX.APIC and stops the page decoding (reads ~0, nothing is
 * sent), and re-enabling brings the APIC back in its reset state.
 */
#include "guest.h"

#define APIC ((volatile uint32_t *)(uintptr_t)0xfee00000u)
#define R_ID (0x20 / 4)
#define R_VER (0x30 / 4)
#define R_EOI (0xb0 / 4)
#define R_SVR (0xf0 / 4)
#define R_ICR_LO (0x300 / 4)
#define R_ICR_HI (0x310 / 4)
#define R_LVT_TIMER (0x320 / 4)
#define R_TMICT (0x380 / 4)
#define R_TDCR (0x3e0 / 4)
#define R_LVT_LINT0 (0x350 / 4)
#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define APIC_BASE_EN (1ull << 11)
#define TIMER_VEC 0x41
#define IPI_VEC 0x42
#define SPIN_TSC 400000000ull

static volatile unsigned timer_hits, ipi_hits;
static volatile uint64_t timer_tsc;

void lapic_timer_handler(void);
void lapic_ipi_handler(void);
extern void lapic_timer_stub(void), lapic_ipi_stub(void);

/* Interrupt entry: caller-saved registers around a C handler. */
#define STUB(name, fn)                                                   \
	asm(".text\n.globl " #name "\n" #name ":\n"                       \
	    "push %rax\npush %rcx\npush %rdx\npush %rsi\npush %rdi\n"      \
	    "push %r8\npush %r9\npush %r10\npush %r11\n"                   \
	    "call " #fn "\n"                                              \
	    "pop %r11\npop %r10\npop %r9\npop %r8\npop %rdi\n"             \
	    "pop %rsi\npop %rdx\npop %rcx\npop %rax\niretq\n")
STUB(lapic_timer_stub, lapic_timer_handler);
STUB(lapic_ipi_stub, lapic_ipi_handler);

void lapic_timer_handler(void)
{
	timer_tsc = rdtsc();
	timer_hits++;
	APIC[R_EOI] = 0;
}

void lapic_ipi_handler(void)
{
	ipi_hits++;
	APIC[R_EOI] = 0;
}

/* Spin without exits (no I/O, no MSR, no CPUID) until @v moves. */
static bool spin_until(volatile unsigned *v, unsigned want)
{
	uint64_t end = rdtsc() + SPIN_TSC;

	while (*v < want)
		if (rdtsc() > end)
			return false;
	return true;
}

static void check_present(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	uint64_t base = rdmsr(MSR_APIC_BASE);

	check("apic-cpuid", r.edx & (1u << 9), "cpuid.1 edx=%#x", r.edx);
	check("apic-base-enabled", (base & APIC_BASE_EN) &&
	      (base & ~0xfffull) == 0xfee00000ull, "apic_base=%#lx", base);
	check("apic-id-0", (APIC[R_ID] >> 24) == 0, "id reg %#x", APIC[R_ID]);
	check("apic-version", (APIC[R_VER] & 0xff) >= 0x10, "ver %#x",
	      APIC[R_VER]);
}

static void check_timer(void)
{
	bool tscdl = cpuid(1, 0).ecx & (1u << 24);
	uint64_t deadline;

	APIC[R_SVR] = 0x1ff;
	timer_hits = 0;
	asm volatile("sti");
	if (tscdl) {
		APIC[R_LVT_TIMER] = TIMER_VEC | (2u << 17);
		deadline = rdtsc() + 2000000;
		wrmsr(MSR_TSC_DEADLINE, deadline);
	} else {
		APIC[R_TDCR] = 0xb;		/* divide by 1 */
		APIC[R_LVT_TIMER] = TIMER_VEC;	/* one-shot */
		deadline = rdtsc();
		APIC[R_TMICT] = 100000;
	}
	check(tscdl ? "timer-tsc-deadline-while-spinning" : "timer-oneshot-while-spinning",
	      spin_until(&timer_hits, 1) && timer_tsc >= deadline,
	      "hits %u, fired at %#lx, deadline %#lx", timer_hits, timer_tsc,
	      deadline);
	asm volatile("cli");
}

static void self_ipi(void)
{
	APIC[R_ICR_HI] = 0;
	APIC[R_ICR_LO] = 0x40000 | IPI_VEC;	/* shorthand self, fixed */
}

static void check_self_ipi(void)
{
	ipi_hits = 0;
	asm volatile("sti");
	self_ipi();
	check("self-ipi", spin_until(&ipi_hits, 1), "hits %u", ipi_hits);
	asm volatile("cli");
}

static void check_disable(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t id, svr;
	bool cpuid_off;

	wrmsr(MSR_APIC_BASE, base & ~APIC_BASE_EN);
	cpuid_off = !(cpuid(1, 0).edx & (1u << 9));
	id = APIC[R_ID];
	ipi_hits = 0;
	asm volatile("sti");
	self_ipi();				/* the page does not decode */
	(void)spin_until(&ipi_hits, 1);
	asm volatile("cli");
	if (on_qhv()) {
		check("apic-disabled-cpuid-clear", cpuid_off, "cpuid.1 edx=%#x",
		      cpuid(1, 0).edx);
		check("apic-disabled-page-reads-ones", id == 0xffffffffu,
		      "id reg %#x", id);
		check("apic-disabled-sends-nothing", ipi_hits == 0, "hits %u",
		      ipi_hits);
	} else {
		skip("apic-disabled-cpuid-clear", "bare emulator");
	}
	wrmsr(MSR_APIC_BASE, base);
	svr = APIC[R_SVR];
	/* QEMU TCG leaves CPUID.1:EDX.APIC clear after re-enabling. */
	if (on_qhv())
		check("apic-reenabled-cpuid", cpuid(1, 0).edx & (1u << 9),
		      "edx=%#x", cpuid(1, 0).edx);
	check("apic-reenabled-reset-state", (svr & 0x100) == 0, "svr %#x", svr);
	APIC[R_SVR] = 0x1ff;
	check_self_ipi();
}

int main(uint32_t magic, uint32_t info)
{
	(void)magic;
	(void)info;
	trap_set_gate(TIMER_VEC, lapic_timer_stub);
	trap_set_gate(IPI_VEC, lapic_ipi_stub);
	/* Bare, the firmware's 8259 (PIT at vector 8) reaches LINT0, and
	 * the CPU directly while the APIC is disabled: mask it at the PIC.
	 * (On qhv a domU has no PIC; the writes go nowhere.) */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	APIC[R_LVT_LINT0] = 0x10000;
	check_present();
	check_timer();
	check_self_ipi();
	check_disable();
	return check_summary("lapic");
}
