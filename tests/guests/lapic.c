// SPDX-License-Identifier: MIT
/*
 * lapic: a one-vCPU domain has a local APIC, as every PC does.  CPUID and
 * IA32_APIC_BASE say so; the timer (TSC-deadline where offered, else
 * one-shot) fires on time while the guest spins without a single exit; a
 * self-IPI arrives; a global disable through IA32_APIC_BASE clears
 * CPUID.1:EDX.APIC and stops the page decoding (reads ~0, nothing is
 * sent), and re-enabling brings the APIC back in its reset state.
 * Self-NMIs through the ICR; an NMI sent from inside the NMI handler stays
 * pending until its IRET and arrives right after it, never nested.
 * x2APIC mode (where CPUID offers it; required on qhv): the MSR interface
 * (32-bit id equal to CPUID.0BH:EDX, the derived LDR, 64-bit ICR, SELF IPI,
 * timer, EOI), #GP for registers it does not have, read-only ones and
 * reserved bits, and IA32_APIC_BASE's legal and illegal transitions.
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
#define APIC_BASE_EXTD (1ull << 10)
#define X2_ID 0x802
#define X2_TPR 0x808
#define X2_EOI 0x80b
#define X2_LDR 0x80d
#define X2_DFR 0x80e			/* xAPIC only: no MSR */
#define X2_SVR 0x80f
#define X2_ICR 0x830
#define X2_LVT_TIMER 0x832
#define X2_LVT_LINT0 0x835
#define X2_TMICT 0x838
#define X2_TDCR 0x83e
#define X2_SELF_IPI 0x83f
#define TIMER_VEC 0x41
#define IPI_VEC 0x42
#define SPIN_TSC 400000000ull

static volatile unsigned timer_hits, ipi_hits;
static volatile bool x2mode;	/* EOI through the MSR, not the page */
static volatile unsigned nmi_hits, nmi_depth, nmi_max_depth;
static volatile uint64_t timer_tsc;

void lapic_timer_handler(void);
void lapic_ipi_handler(void);
void lapic_nmi_handler(void);
extern void lapic_timer_stub(void), lapic_ipi_stub(void), lapic_nmi_stub(void);

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
STUB(lapic_nmi_stub, lapic_nmi_handler);

static void apic_eoi(void)
{
	if (x2mode)
		wrmsr(X2_EOI, 0);
	else
		APIC[R_EOI] = 0;
}

void lapic_timer_handler(void)
{
	timer_tsc = rdtsc();
	timer_hits++;
	apic_eoi();
}

void lapic_ipi_handler(void)
{
	ipi_hits++;
	apic_eoi();
}

static void self_nmi(void)
{
	APIC[R_ICR_HI] = 0;
	APIC[R_ICR_LO] = 0x40000 | 0x400;	/* shorthand self, NMI */
}

/* The first NMI sends a second one: it must wait for this IRET. */
void lapic_nmi_handler(void)
{
	unsigned d = ++nmi_depth;

	if (d > nmi_max_depth)
		nmi_max_depth = d;
	if (++nmi_hits == 1) {
		self_nmi();
		/* a little work with the second one pending */
		for (volatile int i = 0; i < 1000; i++)
			;
	}
	nmi_depth--;
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

static void check_nmi(void)
{
	unsigned seen;

	nmi_hits = nmi_depth = nmi_max_depth = 0;
	self_nmi();
	seen = nmi_hits;	/* the first instruction after the ICR write */
	(void)spin_until(&nmi_hits, 2);
	check("self-nmi", nmi_hits >= 1, "hits %u", nmi_hits);
	check("nmi-not-nested", nmi_max_depth == 1 && nmi_hits == 2,
	      "hits %u, depth %u", nmi_hits, nmi_max_depth);
	/* Both handlers ran before the instruction after the ICR write:
	 * the second at the first one's IRET (NMI-window exiting), not at
	 * some later exit.  TCG delivers at block ends: judged on qhv. */
	check_qhv("nmi-delivered-at-iret", seen == 2, "late");
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

static void check_x2apic_ipis(uint32_t id, uint32_t ldr)
{
	uint64_t icr;

	ipi_hits = 0;
	asm volatile("sti");
	wrmsr(X2_SELF_IPI, IPI_VEC);
	check("x2apic-self-ipi-register", spin_until(&ipi_hits, 1), "hits %u",
	      ipi_hits);
	/* 64-bit ICR: the destination is bits 63:32, physical then logical */
	wrmsr(X2_ICR, ((uint64_t)id << 32) | 0x4000 | IPI_VEC);
	check("x2apic-icr-physical", spin_until(&ipi_hits, 2), "hits %u",
	      ipi_hits);
	icr = rdmsr(X2_ICR);
	check("x2apic-icr-readback", (icr >> 32) == id && (icr & 0xff) == IPI_VEC,
	      "icr %#lx", icr);
	wrmsr(X2_ICR, ((uint64_t)ldr << 32) | 0x4800 | IPI_VEC);
	/* Bochs 2.7 leaves the LDR 0 in x2APIC mode (SDM 10.12.10.2 derives
	 * it), so logical delivery is judged on qhv only. */
	check_qhv("x2apic-icr-logical", spin_until(&ipi_hits, 3),
		  "not delivered");
	/* another cluster: nobody */
	wrmsr(X2_ICR, ((uint64_t)(ldr + 0x10000) << 32) | 0x4800 | IPI_VEC);
	(void)spin_until(&ipi_hits, 4);
	check_qhv("x2apic-icr-other-cluster-not-delivered", ipi_hits == 3,
		  "hit count off");
	asm volatile("cli");
}

static void check_x2apic_timer(void)
{
	uint64_t deadline;

	timer_hits = 0;
	asm volatile("sti");
	wrmsr(X2_LVT_TIMER, TIMER_VEC | (2u << 17));	/* TSC deadline */
	deadline = rdtsc() + 2000000;
	wrmsr(MSR_TSC_DEADLINE, deadline);
	check("x2apic-timer-tsc-deadline", spin_until(&timer_hits, 1) &&
	      timer_tsc >= deadline, "hits %u", timer_hits);
	wrmsr(X2_LVT_TIMER, TIMER_VEC);			/* one-shot */
	wrmsr(X2_TDCR, 0xb);
	deadline = rdtsc();
	wrmsr(X2_TMICT, 100000);
	check("x2apic-timer-oneshot", spin_until(&timer_hits, 2) &&
	      timer_tsc >= deadline, "hits %u", timer_hits);
	asm volatile("cli");
}

/* What the x2APIC refuses with #GP (SDM 10.12.1.2-3). */
static void check_x2apic_gp(void)
{
	check("x2apic-no-dfr", !msr_readable(X2_DFR), "rdmsr 0x80e worked");
	check("x2apic-eoi-write-only", !msr_readable(X2_EOI), "rdmsr 0x80b worked");
	check("x2apic-self-ipi-write-only", !msr_readable(X2_SELF_IPI),
	      "rdmsr 0x83f worked");
	check("x2apic-id-read-only", !msr_writable(X2_ID, 5), "wrmsr 0x802 worked");
	check("x2apic-ldr-read-only", !msr_writable(X2_LDR, 0), "wrmsr 0x80d worked");
	check("x2apic-tpr-reserved-bits", !msr_writable(X2_TPR, 0x100),
	      "TPR 0x100 accepted");
	check("x2apic-high-half-reserved", !msr_writable(X2_TPR, 1ull << 32),
	      "TPR bit 32 accepted");
	check("x2apic-eoi-nonzero", !msr_writable(X2_EOI, 1), "EOI 1 accepted");
	check("x2apic-tpr-writable", msr_writable(X2_TPR, 0x20) &&
	      rdmsr(X2_TPR) == 0x20, "tpr %#lx", rdmsr(X2_TPR));
	wrmsr(X2_TPR, 0);
}

static void check_x2apic(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t id, ldr, page, topo_id;
	bool ok;

	if (!(cpuid(1, 0).ecx & (1u << 21))) {
		check_qhv("x2apic-cpuid", false, "CPUID.1:ECX.x2APIC clear");
		return;
	}
	check("x2apic-msrs-gp-in-xapic-mode", !msr_readable(X2_ID),
	      "rdmsr 0x802 worked in xAPIC mode");
	check("x2apic-enable", msr_writable(MSR_APIC_BASE, base | APIC_BASE_EXTD) &&
	      (rdmsr(MSR_APIC_BASE) & (APIC_BASE_EXTD | APIC_BASE_EN)) ==
	      (APIC_BASE_EXTD | APIC_BASE_EN), "apic_base %#lx",
	      rdmsr(MSR_APIC_BASE));
	x2mode = true;
	id = (uint32_t)rdmsr(X2_ID);
	topo_id = cpuid(0xb, 0).edx;
	check("x2apic-id-32bit", id == 0 && id == topo_id,
	      "x2apic id %#x, cpuid.0b edx %#x", id, topo_id);
	ldr = (uint32_t)rdmsr(X2_LDR);
	check_qhv("x2apic-ldr-derived",
		  ldr == (((id >> 4) << 16) | (1u << (id & 0xf))),
		  "LDR not derived from the id");
	page = APIC[R_ID];
	check_qhv("x2apic-page-does-not-decode", page == 0xffffffffu,
		  "id via the page");
	wrmsr(X2_SVR, 0x1ff);
	wrmsr(X2_LVT_LINT0, 0x10000);
	check_x2apic_ipis(id, ldr);
	check_x2apic_timer();
	check_x2apic_gp();
	/* Leaving x2APIC mode: not straight to xAPIC, only via disabled. */
	check("x2apic-to-xapic-gp", !msr_writable(MSR_APIC_BASE, base) &&
	      (rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD), "apic_base %#lx",
	      rdmsr(MSR_APIC_BASE));
	check("x2apic-disable", msr_writable(MSR_APIC_BASE,
					   base & ~(APIC_BASE_EN | APIC_BASE_EXTD)),
	      "disable refused");
	x2mode = false;
	/* SDM 10.12.5.1: from disabled only to xAPIC (Bochs accepts it). */
	check_qhv("x2apic-from-disabled-gp",
		  !msr_writable(MSR_APIC_BASE, base | APIC_BASE_EXTD),
		  "disabled -> x2APIC accepted");
	if (rdmsr(MSR_APIC_BASE) & APIC_BASE_EN)	/* it was: undo */
		wrmsr(MSR_APIC_BASE, base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
	ok = msr_writable(MSR_APIC_BASE, base);
	page = APIC[R_ID];
	check("x2apic-back-to-xapic", ok && (page >> 24) == id && !msr_readable(X2_ID),
	      "write %s, id reg %#x", ok ? "taken" : "refused", page);
	APIC[R_SVR] = 0x1ff;
	check_self_ipi();
}

int main(uint32_t magic, uint32_t info)
{
	(void)magic;
	(void)info;
	trap_set_gate(TIMER_VEC, lapic_timer_stub);
	trap_set_gate(IPI_VEC, lapic_ipi_stub);
	trap_set_gate(2, lapic_nmi_stub);
	/* Bare, the firmware's 8259 (PIT at vector 8) reaches LINT0, and
	 * the CPU directly while the APIC is disabled: mask it at the PIC.
	 * (On qhv a domU has no PIC; the writes go nowhere.) */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	APIC[R_LVT_LINT0] = 0x10000;
	check_present();
	check_timer();
	check_self_ipi();
	check_nmi();
	check_x2apic();
	check_disable();
	return check_summary("lapic");
}
