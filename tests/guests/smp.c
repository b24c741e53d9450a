// SPDX-License-Identifier: MIT
/*
 * smp: a multi-vCPU domain (module option cpus=N, guest option aps=N-1).
 * The BSP starts each AP with INIT-SIPI through its local APIC (xAPIC MMIO
 * at 0xfee00000), waits for every AP to report, sends each a fixed IPI and
 * one to itself, and checks every handler ran.  Runs bare too (QEMU -smp).
 * With "x2apic" every vCPU works in x2APIC mode (the BSP before INIT-SIPI,
 * each AP as it arrives): 64-bit ICR with 32-bit destinations, a logical
 * (cluster) IPI to every AP at once, the SELF IPI register, EOI by MSR.
 * With "reinit" AP 1 then goes down (cli; hlt, as Linux's offline CPU) and
 * is started again by INIT-SIPI, as Linux onlines a CPU: it must arrive.
 */
#include "guest.h"

#define APIC ((volatile uint32_t *)(uintptr_t)0xfee00000u)
#define APIC_ID (0x20 / 4)
#define APIC_EOI (0xb0 / 4)
#define APIC_SVR (0xf0 / 4)
#define APIC_LVT_LINT0 (0x350 / 4)
#define LVT_MASKED 0x10000u
#define APIC_ICR_LO (0x300 / 4)
#define APIC_ICR_HI (0x310 / 4)
#define IPI_VECTOR 0x40
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_EXTD (1ull << 10)
#define X2_ID 0x802
#define X2_EOI 0x80b
#define X2_LDR 0x80d
#define X2_SVR 0x80f
#define X2_ICR 0x830
#define X2_LVT_LINT0 0x835
#define X2_SELF_IPI 0x83f
#define ICR_LOGICAL 0x800u
#define TRAMP_BASE 0x8000
#define SPIN_LIMIT 200000000ull

extern const char smp_tramp[], smp_tramp_end[];
extern void smp_ipi_stub(void);

static volatile unsigned int aps_up;
static volatile unsigned int ipi_hits;
static volatile unsigned int ap_seen[16];
static volatile uint32_t ap_ldr[16];
static bool x2;	/* set by the BSP before any AP starts */
static volatile unsigned int go_down;	/* AP id told to go down */
static volatile unsigned int down_ack;

void smp_ap_main(void);
void smp_ipi_handler(void);

static unsigned int apic_id(void)
{
	return x2 ? (unsigned int)rdmsr(X2_ID) : APIC[APIC_ID] >> 24;
}

static void apic_enable(void)
{
	if (x2) {
		wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EXTD);
		wrmsr(X2_SVR, 0x1ff);
		wrmsr(X2_LVT_LINT0, LVT_MASKED);
		return;
	}
	APIC[APIC_SVR] = 0x1ff;
	/*
	 * Bare, the firmware leaves the 8259 wired to LINT0 as ExtINT with
	 * the PIT at vector 8: a timer tick during "sti; hlt" would look like
	 * a double fault.  Only IPIs are under test here.
	 */
	APIC[APIC_LVT_LINT0] = LVT_MASKED;
}

static void send_ipi(unsigned int dest, uint32_t icr)
{
	if (x2) {
		wrmsr(X2_ICR, ((uint64_t)dest << 32) | icr);
		return;
	}
	APIC[APIC_ICR_HI] = dest << 24;
	APIC[APIC_ICR_LO] = icr;
}

void smp_ipi_handler(void)
{
	__atomic_fetch_add(&ipi_hits, 1, __ATOMIC_SEQ_CST);
	if (x2)
		wrmsr(X2_EOI, 0);
	else
		APIC[APIC_EOI] = 0;
}

void smp_ap_main(void)
{
	unsigned int id;

	trap_load();	/* the BSP's IDT: exceptions and the IPI vector */
	apic_enable();
	id = apic_id();
	if (id < 16) {
		if (x2)
			ap_ldr[id] = (uint32_t)rdmsr(X2_LDR);
		ap_seen[id] = 1;
	}
	printf("smp: ap %u up\n", id);
	__atomic_fetch_add(&aps_up, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		asm volatile("sti; hlt" ::: "memory");
		if (go_down == id) {	/* an offline CPU: only INIT wakes it */
			go_down = 0;
			down_ack = 1;
			for (;;)
				asm volatile("cli; hlt" ::: "memory");
		}
	}
}

static bool wait_for(volatile unsigned int *v, unsigned int want)
{
	uint64_t i;

	for (i = 0; i < SPIN_LIMIT && *v < want; i++)
		asm volatile("pause");
	return *v >= want;
}

static void init_sipi(unsigned int dest)
{
	send_ipi(dest, 0x4500);				/* INIT */
	send_ipi(dest, 0x8500);				/* INIT de-assert */
	send_ipi(dest, 0x4600 | (TRAMP_BASE >> 12));	/* SIPI */
	send_ipi(dest, 0x4600 | (TRAMP_BASE >> 12));	/* SIPI again */
}

/* AP 1 down (cli; hlt), then INIT-SIPI: it starts over and reports. */
static int reinit_check(unsigned int aps)
{
	unsigned int hits = ipi_hits;

	ap_seen[1] = 0;
	go_down = 1;
	send_ipi(1, IPI_VECTOR);	/* wake it from sti; hlt to see go_down */
	if (!wait_for(&down_ack, 1)) {
		printf("FAIL smp-ap-down: ap 1 did not go down\n");
		return 1;
	}
	(void)wait_for(&ipi_hits, hits + 1);
	init_sipi(1);
	if (!wait_for(&aps_up, aps + 1) || !ap_seen[1]) {
		printf("FAIL smp-ap-reinit: ap 1 did not start again (%u up)\n",
		       aps_up);
		return 1;
	}
	printf("PASS smp-ap-reinit\n");
	return 0;
}

/* Each AP's derived LDR, and one logical IPI that reaches all of them. */
static int x2apic_checks(unsigned int aps)
{
	uint32_t bits = 0;
	unsigned int i, before = ipi_hits;
	int fails = 0;

	for (i = 1; i <= aps; i++) {
		uint32_t want = ((i >> 4) << 16) | (1u << (i & 0xf));

		if (ap_ldr[i] != want) {
			printf("FAIL smp-x2apic-ldr: ap %u ldr %#x, want %#x\n", i,
			       ap_ldr[i], want);
			fails++;
		}
		bits |= ap_ldr[i] & 0xffff;	/* all APs are in cluster 0 */
	}
	send_ipi(bits, ICR_LOGICAL | IPI_VECTOR);
	if (wait_for(&ipi_hits, before + aps) && ipi_hits == before + aps) {
		printf("PASS smp-x2apic-logical-ipi %u\n", aps);
	} else {
		printf("FAIL smp-x2apic-logical-ipi %u of %u\n", ipi_hits - before,
		       aps);
		fails++;
	}
	return fails;
}

int main(uint32_t magic, uint32_t info)
{
	const char *arg = cmdline_value("aps");
	unsigned int aps = arg ? (unsigned int)parse_u64(arg) : 1, i, hits;
	int fails = 0;

	(void)magic;
	(void)info;
	if (aps < 1 || aps > 8) {
		printf("FAIL smp: aps=%u out of 1..8\n", aps);
		return 1;
	}
	x2 = cmdline_has("x2apic");
	if (x2 && !(cpuid(1, 0).ecx & (1u << 21))) {
		printf("FAIL smp-x2apic: CPUID.1:ECX.x2APIC clear\n");
		return 1;
	}
	trap_set_gate(IPI_VECTOR, smp_ipi_stub);
	memcpy((void *)(uintptr_t)TRAMP_BASE, smp_tramp,
	       (size_t)(smp_tramp_end - smp_tramp));
	apic_enable();
	printf("smp: bsp apic id %u, starting %u AP(s)%s\n", apic_id(), aps,
	       x2 ? " in x2APIC mode" : "");
	for (i = 1; i <= aps; i++)
		init_sipi(i);
	if (!wait_for(&aps_up, aps)) {
		printf("FAIL smp-aps-up %u of %u\n", aps_up, aps);
		return 1;
	}
	for (i = 1; i <= aps; i++) {
		if (!ap_seen[i]) {
			printf("FAIL smp-ap-ids: apic id %u never reported\n", i);
			fails++;
		}
	}
	printf("PASS smp-aps-up %u\n", aps);
	for (i = 1; i <= aps; i++)
		send_ipi(i, IPI_VECTOR);		/* fixed, physical */
	if (wait_for(&ipi_hits, aps)) {
		printf("PASS smp-ipi %u\n", aps);
	} else {
		printf("FAIL smp-ipi %u of %u\n", ipi_hits, aps);
		fails++;
	}
	if (x2)
		fails += x2apic_checks(aps);
	/* To itself, then wait for it in HLT with interrupts on. */
	hits = ipi_hits;
	if (x2)
		wrmsr(X2_SELF_IPI, IPI_VECTOR);
	else
		send_ipi(0, 0x40000 | IPI_VECTOR);	/* shorthand: self */
	asm volatile("sti; hlt; cli" ::: "memory");
	if (ipi_hits == hits + 1) {
		printf("PASS smp-self-ipi\n");
	} else {
		printf("FAIL smp-self-ipi hits %u\n", ipi_hits);
		fails++;
	}
	if (cmdline_has("reinit"))
		fails += reinit_check(aps);
	printf("smp: %d failed\n", fails);
	return fails ? 1 : 0;
}
