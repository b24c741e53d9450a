/* SPDX-License-Identifier: MIT */
/* Host tests of the guest CPU model (hv/arch/x86/cpu_policy.c, unchanged):
 * what CPUID shows, IA32_MISC_ENABLE writes, fault-class exceptions. */
#include <check.h>
#include <stdlib.h>
#include "arch/cpu_policy.h"

static const struct cpuid_ctx plain = {
	.vcpu_id = 3, .xcr0_all = 0x7, .host_max_leaf = 0x1f,
};

/* A host that says yes to everything. */
static struct cpuid_regs all(void)
{
	struct cpuid_regs r = { ~0u, ~0u, ~0u, ~0u };

	return r;
}

static struct cpuid_regs leaf(const struct cpuid_ctx *c, uint32_t l, uint32_t s)
{
	struct cpuid_regs r = all();

	cpuid_policy(c, l, s, &r);
	return r;
}

#define B(n) (1u << (n))

START_TEST(leaf1_hides_what_is_not_virtualised)
{
	struct cpuid_regs r = leaf(&plain, 1, 0);

	/* Each of these implies MSRs or instructions the hv refuses. */
	ck_assert_uint_eq(r.ecx & (B(2) | B(3) | B(4) | B(5) | B(6) | B(7) |
				   B(8) | B(11) | B(14) | B(15) | B(21)), 0);
	ck_assert_uint_eq(r.edx & (B(7) | B(14) | B(21) | B(22) | B(29) | B(31)), 0);
	/* No local APIC in this domain: neither APIC nor TSC deadline. */
	ck_assert_uint_eq(r.edx & B(9), 0);
	ck_assert_uint_eq(r.ecx & B(24), 0);
	ck_assert_uint_eq(r.ecx & B(27), 0);		/* CR4.OSXSAVE clear */
	ck_assert_uint_ne(r.ecx & B(31), 0);		/* hypervisor */
	ck_assert_uint_eq(r.ebx >> 24, 3);		/* initial APIC id */
	/* What works natively stays: SSE3, PCID, XSAVE, AVX; TSC, MSR, PAE. */
	ck_assert_uint_eq(r.ecx & (B(0) | B(17) | B(26) | B(28)),
			  B(0) | B(17) | B(26) | B(28));
	ck_assert_uint_eq(r.edx & (B(4) | B(5) | B(6)), B(4) | B(5) | B(6));
}
END_TEST

START_TEST(leaf1_follows_the_vcpu)
{
	struct cpuid_ctx c = plain;
	struct cpuid_regs r;

	c.has_lapic = true;
	c.osxsave = true;
	r = leaf(&c, 1, 0);
	ck_assert_uint_ne(r.edx & B(9), 0);
	ck_assert_uint_ne(r.ecx & B(24), 0);
	ck_assert_uint_ne(r.ecx & B(27), 0);
	ck_assert_uint_eq(r.ecx & B(21), 0);		/* x2APIC: not offered */
	c.has_x2apic = true;
	r = leaf(&c, 1, 0);
	ck_assert_uint_ne(r.ecx & B(21), 0);
}
END_TEST

/* The x2APIC id in the topology leaves is the vCPU's APIC id, not the
 * host CPU's (SDM 10.12.8.1: it must equal the x2APIC ID register). */
START_TEST(topology_leaves_give_vcpu_x2apic_id)
{
	ck_assert_uint_eq(leaf(&plain, 0xb, 0).edx, 3);
	ck_assert_uint_eq(leaf(&plain, 0xb, 1).edx, 3);
	ck_assert_uint_eq(leaf(&plain, 0x1f, 0).edx, 3);
}
END_TEST

START_TEST(leaf7_hides_msr_backed_features)
{
	struct cpuid_ctx c = plain;
	struct cpuid_regs r = leaf(&c, 7, 0);

	ck_assert_uint_eq(r.eax, 0);	/* sub-leaf 0 only */
	ck_assert_uint_eq(r.ebx & (B(2) | B(10) | B(12) | B(14) | B(15) |
				   B(25)), 0);
	ck_assert_uint_ne(r.ebx & B(1), 0);	/* TSC_ADJUST: virtualised */
	ck_assert_uint_eq(r.ecx & (B(5) | B(7) | B(30) | B(31)), 0);
	ck_assert_uint_eq(r.edx & (B(20) | B(26) | B(27) | B(28) | B(29) | B(31)), 0);
	ck_assert_uint_ne(r.ebx & (B(0) | B(3) | B(5) | B(8)), 0); /* FSGSBASE.. */
	c.invpcid = true;
	r = leaf(&c, 7, 0);
	ck_assert_uint_ne(r.ebx & B(10), 0);
	r = leaf(&c, 7, 1);
	ck_assert(!r.eax && !r.ebx && !r.ecx && !r.edx);
}
END_TEST

START_TEST(ext_power_leaf_keeps_invariant_tsc)
{
	struct cpuid_regs r = { 0x11, 0x22, 0x33, 0x7ff };

	cpuid_policy(&plain, 0x80000007, 0, &r);
	ck_assert_uint_eq(r.eax | r.ebx | r.ecx, 0);
	ck_assert_uint_eq(r.edx, B(8));
	r = (struct cpuid_regs){ 0, 0, 0, 0xff };	/* host: not invariant */
	cpuid_policy(&plain, 0x80000007, 0, &r);
	ck_assert_uint_eq(r.edx, 0);
}
END_TEST

START_TEST(empty_leaves)
{
	static const uint32_t zeroed[] = { 5, 6, 0xa, 0xf, 0x10, 0x12, 0x14 };

	for (unsigned i = 0; i < sizeof(zeroed) / sizeof(zeroed[0]); i++) {
		struct cpuid_regs r = leaf(&plain, zeroed[i], 0);

		ck_assert_msg(!r.eax && !r.ebx && !r.ecx && !r.edx,
			      "leaf %#x not empty", zeroed[i]);
	}
}
END_TEST

START_TEST(xsave_and_extended)
{
	struct cpuid_ctx c = plain;
	struct cpuid_regs r = leaf(&c, 0xd, 0);

	ck_assert_uint_eq(r.eax, 0x7);
	ck_assert_uint_eq(r.edx, 0);
	r = leaf(&c, 0xd, 1);
	ck_assert_uint_eq(r.eax & B(3), 0);	/* XSAVES */
	ck_assert_uint_eq(r.ecx | r.edx, 0);
	r = leaf(&c, 0x80000001, 0);
	ck_assert_uint_eq(r.edx & B(27), 0);	/* RDTSCP off without VMX's */
	c.rdtscp = true;
	r = leaf(&c, 0x80000001, 0);
	ck_assert_uint_ne(r.edx & B(27), 0);
	r = leaf(&c, 0x80000008, 0);		/* untouched */
	ck_assert_uint_eq(r.eax, ~0u);
}
END_TEST

START_TEST(misc_enable_writes)
{
	uint64_t v = MISC_ENABLE_INIT;

	ck_assert(misc_enable_write_ok(v, v));
	ck_assert(misc_enable_write_ok(v, v & ~1ull));		/* fast strings */
	ck_assert(misc_enable_write_ok(v, v | (1ull << 3) | (1ull << 16) |
					  (1ull << 23)));
	ck_assert(!misc_enable_write_ok(v, v & ~(1ull << 11)));	/* BTS: RO */
	ck_assert(!misc_enable_write_ok(v, v | (1ull << 18)));	/* MONITOR */
	ck_assert(!misc_enable_write_ok(v, v | (1ull << 22)));	/* CPUID limit */
	ck_assert(!misc_enable_write_ok(v, v | (1ull << 34)));	/* XD disable */
	ck_assert(!misc_enable_write_ok(v, v | (1ull << 7)));	/* PMU */
}
END_TEST

START_TEST(fault_class)
{
	static const unsigned faults[] = { 0, 5, 6, 7, 10, 11, 12, 13, 14, 16,
					   17, 19, 20, 21 };
	static const unsigned others[] = { 1, 3, 4, 8, 18, 32, 255 };
	unsigned i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		ck_assert_msg(exception_is_fault(faults[i]), "%u", faults[i]);
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		ck_assert_msg(!exception_is_fault(others[i]), "%u", others[i]);
}
END_TEST

START_TEST(tsc_leaf)
{
	struct cpuid_ctx c = plain;
	struct cpuid_regs r;

	/* A host whose basic leaves end at 0xd: 0x15 and 0x16 are still
	 * offered, the leaves between are empty, not the host's last leaf
	 * repeated. */
	c.host_max_leaf = 0xd;
	c.tsc_khz = 2500000;	/* 2.5 GHz */
	r = (struct cpuid_regs){ 0xd, 1, 2, 3 };
	cpuid_policy(&c, 0, 0, &r);
	ck_assert_uint_eq(r.eax, 0x16);
	r = leaf(&c, 0x16, 0);	/* base and maximum MHz: the TSC's */
	ck_assert_uint_eq(r.eax, 2500);
	ck_assert_uint_eq(r.ebx, 2500);
	ck_assert_uint_eq(r.ecx | r.edx, 0);
	r = leaf(&c, 0xe, 0);
	ck_assert_uint_eq(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = leaf(&c, 0x15, 0);
	ck_assert_uint_eq(r.eax, 1);
	ck_assert_uint_eq(r.ebx, 1);
	ck_assert_uint_eq(r.ecx, 2500000000u);
	ck_assert_uint_eq(r.edx, 0);
	/* A TSC faster than 2^32 Hz: the crystal is scaled, the product kept. */
	c.tsc_khz = 5000000;
	r = leaf(&c, 0x15, 0);
	ck_assert_uint_eq(r.eax, 1);
	ck_assert_uint_eq((uint64_t)r.ecx * r.ebx, 5000000000ull);
	/* Unknown frequency: the leaves say nothing (Linux then calibrates). */
	c.tsc_khz = 0;
	r = leaf(&c, 0x15, 0);
	ck_assert_uint_eq(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = leaf(&c, 0x16, 0);
	ck_assert_uint_eq(r.eax | r.ebx | r.ecx | r.edx, 0);
	c.tsc_khz = 500;	/* below 1 MHz: no whole MHz to say */
	r = leaf(&c, 0x16, 0);
	ck_assert_uint_eq(r.eax, 0);
	/* A host with more leaves keeps its own maximum and its leaf 0x16. */
	c.host_max_leaf = 0x1f;
	r = (struct cpuid_regs){ 0x1f, 1, 2, 3 };
	cpuid_policy(&c, 0, 0, &r);
	ck_assert_uint_eq(r.eax, 0x1f);
	r = leaf(&c, 0x16, 0);
	ck_assert_uint_eq(r.eax, ~0u);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cpu_policy");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, leaf1_hides_what_is_not_virtualised);
	tcase_add_test(tc, leaf1_follows_the_vcpu);
	tcase_add_test(tc, topology_leaves_give_vcpu_x2apic_id);
	tcase_add_test(tc, leaf7_hides_msr_backed_features);
	tcase_add_test(tc, empty_leaves);
	tcase_add_test(tc, ext_power_leaf_keeps_invariant_tsc);
	tcase_add_test(tc, xsave_and_extended);
	tcase_add_test(tc, misc_enable_writes);
	tcase_add_test(tc, fault_class);
	tcase_add_test(tc, tsc_leaf);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
