// SPDX-License-Identifier: MIT
/*
 * hypercall: the hypercall ABI from a well-behaved 64-bit guest, plus the
 * round-trip cost figures bench/hypercall reads:
 *   hypercall-roundtrip tsc_per_call=N tsc_total=T n=1000   null hypercall
 *   cpuid-roundtrip tsc_per_call=N tsc_total=T n=1000       CPUID (exits)
 *   exitfree-loop tsc_per_iter=N tsc_total=T n=1000         no exit at all
 * Under Bochs with `clock: sync=none` TSC ticks count instructions.
 */
#include "guest.h"

#define ROUNDS 1000

static const char msg[] = "hypercall: console_write works\n";

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
		return check_summary("hypercall");
	}
	check_abi();
	report("exitfree-loop tsc_per_iter", time_exitfree());
	report("hypercall-roundtrip tsc_per_call", time_version());
	report("cpuid-roundtrip tsc_per_call", time_cpuid());
	return check_summary("hypercall");
}
