/* SPDX-License-Identifier: MIT */
/* Host tests of the MMIO instruction decoder (hv/arch/x86/insn.c). */
#include <check.h>
#include <stdlib.h>
#include "arch/insn.h"

#define DEC(ok, lm, ...)                                                  \
	do {                                                              \
		static const uint8_t bytes[] = { __VA_ARGS__ };           \
		ck_assert_int_eq(insn_decode_mmio(bytes, sizeof(bytes),   \
						  lm, &d), ok);           \
	} while (0)

static struct mmio_insn d;

START_TEST(linux_apic_accessors)
{
	/* mov %eax,(%rdx): native_apic_mem_write */
	DEC(true, true, 0x89, 0x02);
	ck_assert(d.write);
	ck_assert_uint_eq(d.len, 2);
	ck_assert_uint_eq(d.size, 4);
	ck_assert_uint_eq(d.reg, 0);
	/* mov 0x300(%rdi),%eax: native_apic_mem_read with disp32 */
	DEC(true, true, 0x8b, 0x87, 0x00, 0x03, 0x00, 0x00);
	ck_assert(!d.write);
	ck_assert_uint_eq(d.len, 6);
	/* mov %r13d,0xb0(%rax): REX.R picks r13 */
	DEC(true, true, 0x44, 0x89, 0xa8, 0xb0, 0x00, 0x00, 0x00);
	ck_assert_uint_eq(d.reg, 13);
	ck_assert_uint_eq(d.len, 7);
	/* xchg %eax,(%rdx): the 11AP erratum path */
	DEC(true, true, 0x87, 0x02);
	ck_assert(d.write && d.xchg);
}
END_TEST

START_TEST(addressing_forms)
{
	/* SIB with no base: mov %eax,0xfee00300(,%riz,1) */
	DEC(true, true, 0x89, 0x04, 0x25, 0x00, 0x03, 0xe0, 0xfe);
	ck_assert_uint_eq(d.len, 7);
	/* SIB with disp8: mov %ecx,0x10(%rax,%rbx,4) */
	DEC(true, true, 0x89, 0x4c, 0x98, 0x10);
	ck_assert_uint_eq(d.len, 4);
	ck_assert_uint_eq(d.reg, 1);
	/* RIP-relative: mov 0x1234(%rip),%edx */
	DEC(true, true, 0x8b, 0x15, 0x34, 0x12, 0x00, 0x00);
	ck_assert_uint_eq(d.len, 6);
	ck_assert_uint_eq(d.reg, 2);
	/* 64-bit load with REX.W: mov (%rsi),%rax */
	DEC(true, true, 0x48, 0x8b, 0x06);
	ck_assert_uint_eq(d.size, 8);
	/* 16-bit store with 0x66: mov %ax,(%rbx) */
	DEC(true, true, 0x66, 0x89, 0x03);
	ck_assert_uint_eq(d.size, 2);
	/* byte load: mov (%rbx),%al */
	DEC(true, true, 0x8a, 0x03);
	ck_assert_uint_eq(d.size, 1);
}
END_TEST

START_TEST(immediates_and_moffs)
{
	/* movl $0x4500,(%rcx) */
	DEC(true, true, 0xc7, 0x01, 0x00, 0x45, 0x00, 0x00);
	ck_assert(d.has_imm && d.write);
	ck_assert_uint_eq(d.imm, 0x4500);
	ck_assert_uint_eq(d.len, 6);
	/* movw $0x1234,(%rcx): a 16-bit immediate */
	DEC(true, true, 0x66, 0xc7, 0x01, 0x34, 0x12);
	ck_assert_uint_eq(d.imm, 0x1234);
	ck_assert_uint_eq(d.len, 5);
	/* movb $0x7,0x8(%rdx) */
	DEC(true, true, 0xc6, 0x42, 0x08, 0x07);
	ck_assert_uint_eq(d.imm, 7);
	ck_assert_uint_eq(d.size, 1);
	/* movabs 0xfee00020,%eax: moffs64 */
	DEC(true, true, 0xa1, 0x20, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00);
	ck_assert(!d.write);
	ck_assert_uint_eq(d.len, 9);
	/* 32-bit code: mov %eax,0xfee000b0 (moffs32) */
	DEC(true, false, 0xa3, 0xb0, 0x00, 0xe0, 0xfe);
	ck_assert(d.write);
	ck_assert_uint_eq(d.len, 5);
	/* in 32-bit code 0x48 is "dec eax", not REX: not a MOV */
	DEC(false, false, 0x48, 0x8b, 0x06);
}
END_TEST

START_TEST(refused)
{
	DEC(false, true, 0x89, 0xc0);		/* register to register */
	DEC(false, true, 0xf3, 0xa4);		/* rep movsb: not emulated */
	DEC(false, true, 0x0f, 0x10, 0x00);	/* movups: SSE */
	DEC(false, true, 0x89);			/* truncated before ModRM */
	DEC(false, true, 0x8b, 0x87, 0x00, 0x03);	/* truncated disp32 */
	DEC(false, true, 0xc7, 0x01, 0x00, 0x45);	/* truncated imm32 */
	DEC(false, true, 0xa1, 0x20, 0x00, 0xe0);	/* truncated moffs */
	ck_assert_int_eq(insn_decode_mmio((const uint8_t *)"", 0, true, &d),
			 false);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("insn");
	TCase *tc = tcase_create("decode");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, linux_apic_accessors);
	tcase_add_test(tc, addressing_forms);
	tcase_add_test(tc, immediates_and_moffs);
	tcase_add_test(tc, refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
