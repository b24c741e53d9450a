/* SPDX-License-Identifier: MIT */
/* Host tests of the virtual local APIC (hv/arch/x86/vlapic.c, unchanged):
 * xAPIC registers, timer, IPIs, and x2APIC mode with its transitions. */
#include <check.h>
#include <stdlib.h>
#include "arch/vlapic.h"

static struct vlapic l;

static void setup(void)
{
	vlapic_reset(&l, 3);
}

static void wr(uint32_t off, uint32_t val)
{
	struct vlapic_ipi ipi;
	int eoi;

	ck_assert(!vlapic_write(&l, off, val, 0, &ipi, &eoi));
}

static int eoi(void)
{
	struct vlapic_ipi ipi;
	int v;

	vlapic_write(&l, 0xb0, 0, 0, &ipi, &v);
	return v;
}

START_TEST(reset_state)
{
	ck_assert_uint_eq(vlapic_read(&l, 0x20, 0), 3u << 24);
	ck_assert_uint_eq(vlapic_read(&l, 0x30, 0) & 0xff, 0x14);
	ck_assert_uint_eq(vlapic_read(&l, 0x320, 0), 1u << 16); /* masked */
	/* software-disabled after reset: nothing is delivered */
	vlapic_set_irq(&l, 0x40, false, false);
	ck_assert_int_eq(vlapic_deliverable(&l), -1);
	wr(0xf0, 0x1ff);
	ck_assert_int_eq(vlapic_deliverable(&l), 0x40);
}
END_TEST

START_TEST(priorities_and_eoi)
{
	wr(0xf0, 0x1ff);
	vlapic_set_irq(&l, 0x41, false, true);
	vlapic_set_irq(&l, 0x62, false, false);
	ck_assert_int_eq(vlapic_deliverable(&l), 0x62);
	vlapic_ack(&l, 0x62);
	/* same priority class as the one in service: blocked */
	vlapic_set_irq(&l, 0x61, false, false);
	ck_assert_int_eq(vlapic_deliverable(&l), -1);
	ck_assert_uint_eq(vlapic_read(&l, 0xa0, 0), 0x60); /* PPR */
	ck_assert_int_eq(eoi(), -1);	/* 0x62 was not physical */
	ck_assert_int_eq(vlapic_deliverable(&l), 0x61);
	vlapic_ack(&l, 0x61);
	ck_assert_int_eq(eoi(), -1);
	/* TPR masks its class and below */
	wr(0x80, 0x40);
	ck_assert_int_eq(vlapic_deliverable(&l), -1);
	wr(0x80, 0x30);
	ck_assert_int_eq(vlapic_deliverable(&l), 0x41);
	vlapic_ack(&l, 0x41);
	ck_assert_uint_eq(vlapic_read(&l, 0x100 + 0x20, 0), 1u << 1); /* ISR */
	ck_assert_int_eq(eoi(), 0x41);	/* forwarded to hardware */
	ck_assert_int_eq(eoi(), -1);	/* nothing in service any more */
}
END_TEST

/* The IRR summary: acknowledging one vector of a 32-vector word keeps
 * the others of that word and of other words deliverable, and the
 * summary is empty only once the whole IRR is. */
START_TEST(irr_summary_tracks_words)
{
	static const uint8_t vec[] = { 0xfe, 0xe1, 0xe0, 0x80, 0x5f, 0x21 };
	unsigned i;

	wr(0xf0, 0x1ff);
	ck_assert_uint_eq(l.irr_words, 0);
	for (i = 0; i < sizeof(vec); i++)
		vlapic_set_irq(&l, vec[i], false, false);
	ck_assert_uint_eq(l.irr_words, 0x96);	/* words 1, 2, 4 and 7 */
	for (i = 0; i < sizeof(vec); i++) {
		ck_assert_int_eq(vlapic_deliverable(&l), vec[i]);
		vlapic_ack(&l, vec[i]);
		ck_assert_int_eq(eoi(), -1);
	}
	ck_assert_uint_eq(l.irr_words, 0);
	ck_assert_int_eq(vlapic_deliverable(&l), -1);
	/* posted again after the word emptied: seen again */
	vlapic_set_irq(&l, 0x21, false, false);
	ck_assert_int_eq(vlapic_deliverable(&l), 0x21);
}
END_TEST

START_TEST(illegal_vector_sets_esr)
{
	wr(0xf0, 0x1ff);
	vlapic_set_irq(&l, 5, false, false);
	ck_assert_int_eq(vlapic_deliverable(&l), -1);
	ck_assert_uint_eq(vlapic_read(&l, 0x280, 0), 1u << 6);
	wr(0x280, 0);
	ck_assert_uint_eq(vlapic_read(&l, 0x280, 0), 0);
}
END_TEST

START_TEST(one_shot_and_periodic_timer)
{
	wr(0xf0, 0x1ff);
	wr(0x3e0, 0xb);			/* divide by 1 */
	wr(0x320, 0x30);		/* one-shot, vector 0x30 */
	{
		struct vlapic_ipi ipi;
		int e;

		vlapic_write(&l, 0x380, 1000, 5000, &ipi, &e);
	}
	ck_assert_uint_eq(vlapic_next_event(&l), 6000);
	ck_assert_uint_eq(vlapic_read(&l, 0x390, 5400), 600);
	vlapic_timer_tick(&l, 5999);
	ck_assert_int_eq(vlapic_deliverable(&l), -1);
	vlapic_timer_tick(&l, 6000);
	ck_assert_int_eq(vlapic_deliverable(&l), 0x30);
	ck_assert_uint_eq(vlapic_next_event(&l), 0);
	ck_assert_uint_eq(vlapic_read(&l, 0x390, 7000), 0);
	vlapic_ack(&l, 0x30);
	eoi();
	/* periodic, divide by 2: period 2000 ticks; missed periods skipped */
	wr(0x3e0, 0x0);
	wr(0x320, 0x20031);
	{
		struct vlapic_ipi ipi;
		int e;

		vlapic_write(&l, 0x380, 1000, 10000, &ipi, &e);
	}
	ck_assert_uint_eq(vlapic_next_event(&l), 12000);
	vlapic_timer_tick(&l, 17000);
	ck_assert_uint_eq(vlapic_next_event(&l), 18000);
	ck_assert_int_eq(vlapic_deliverable(&l), 0x31);
}
END_TEST

START_TEST(tsc_deadline_timer)
{
	wr(0xf0, 0x1ff);
	vlapic_write_tsc_deadline(&l, 500, 0);	/* not in deadline mode: ignored */
	ck_assert_uint_eq(vlapic_next_event(&l), 0);
	wr(0x320, 0x40032);
	vlapic_write_tsc_deadline(&l, 500, 0);
	ck_assert_uint_eq(vlapic_next_event(&l), 500);
	vlapic_write_tsc_deadline(&l, 0, 0);	/* 0 disarms */
	ck_assert_uint_eq(vlapic_next_event(&l), 0);
	vlapic_write_tsc_deadline(&l, 800, 0);
	vlapic_timer_tick(&l, 900);
	ck_assert_int_eq(vlapic_deliverable(&l), 0x32);
	ck_assert_uint_eq(l.tsc_deadline, 0);
	/* a masked timer fires nothing */
	vlapic_ack(&l, 0x32);
	eoi();
	wr(0x320, 0x50032);
	vlapic_write_tsc_deadline(&l, 1000, 0);
	vlapic_timer_tick(&l, 1000);
	ck_assert_int_eq(vlapic_deliverable(&l), -1);
}
END_TEST

START_TEST(icr_decoding)
{
	struct vlapic_ipi ipi;
	int e;

	wr(0x310, 2u << 24);
	ck_assert(vlapic_write(&l, 0x300, 0x4500, 0, &ipi, &e));	/* INIT */
	ck_assert_uint_eq(ipi.mode, 5);
	ck_assert_uint_eq(ipi.dest, 2);
	ck_assert(!ipi.level_deassert);
	ck_assert(vlapic_write(&l, 0x300, 0x8500, 0, &ipi, &e));	/* de-assert */
	ck_assert(ipi.level_deassert);
	ck_assert(vlapic_write(&l, 0x300, 0x4608, 0, &ipi, &e));	/* SIPI */
	ck_assert_uint_eq(ipi.mode, 6);
	ck_assert_uint_eq(ipi.vector, 8);
	ck_assert(vlapic_write(&l, 0x300, 0xc00fd, 0, &ipi, &e));	/* all but self */
	ck_assert_uint_eq(ipi.shorthand, 3);
	ck_assert_uint_eq(ipi.vector, 0xfd);
	ck_assert_uint_eq(vlapic_read(&l, 0x300, 0) & (1u << 12), 0); /* never busy */
}
END_TEST

START_TEST(destination_matching)
{
	ck_assert(vlapic_match(&l, false, 3, false));
	ck_assert(vlapic_match(&l, false, 0xff, false));
	ck_assert(!vlapic_match(&l, false, 2, false));
	wr(0xd0, 0x04000000);			/* flat, bit 2 */
	ck_assert(vlapic_match(&l, true, 0x05, false));
	ck_assert(!vlapic_match(&l, true, 0x02, false));
	wr(0xe0, 0x0fffffff);			/* cluster model */
	wr(0xd0, 0x21000000);			/* cluster 2, member 1 */
	ck_assert(vlapic_match(&l, true, 0x23, false));
	ck_assert(!vlapic_match(&l, true, 0x13, false));
}
END_TEST

START_TEST(software_disable_masks_lvts)
{
	wr(0xf0, 0x1ff);
	wr(0x350, 0x700);			/* LINT0 ExtINT, unmasked */
	ck_assert_uint_eq(vlapic_read(&l, 0x350, 0), 0x700);
	wr(0xf0, 0x0ff);			/* disable */
	ck_assert_uint_eq(vlapic_read(&l, 0x350, 0), 0x10700);
	wr(0x350, 0x700);			/* stays masked while disabled */
	ck_assert_uint_eq(vlapic_read(&l, 0x350, 0), 0x10700);
}
END_TEST


#define BASE_XAPIC (VLAPIC_BASE | APIC_BASE_EN)
#define BASE_X2APIC (VLAPIC_BASE | APIC_BASE_EN | APIC_BASE_EXTD)

static void to_x2apic(void)
{
	ck_assert(vlapic_set_base(&l, BASE_X2APIC, true));
}

static int mwr(uint32_t msr, uint64_t val, struct vlapic_ipi *ipi)
{
	int eoi_vec;

	return vlapic_msr_write(&l, msr, val, 0, ipi, &eoi_vec);
}

START_TEST(apic_base_transitions)
{
	ck_assert_uint_eq(vlapic_base(&l, true), BASE_XAPIC | APIC_BASE_BSP);
	/* EXTD is reserved where x2APIC is not offered */
	ck_assert(!vlapic_set_base(&l, BASE_X2APIC, false));
	ck_assert(!l.x2apic);
	/* the base does not move; reserved bits #GP */
	ck_assert(!vlapic_set_base(&l, 0xfed00000ull | APIC_BASE_EN, true));
	ck_assert(!vlapic_set_base(&l, BASE_XAPIC | (1ull << 9), true));
	/* EXTD without EN is the invalid state */
	ck_assert(!vlapic_set_base(&l, VLAPIC_BASE | APIC_BASE_EXTD, true));
	to_x2apic();
	ck_assert_uint_eq(vlapic_base(&l, false), BASE_X2APIC);
	/* x2APIC -> xAPIC directly is illegal, and changes nothing */
	ck_assert(!vlapic_set_base(&l, BASE_XAPIC, true));
	ck_assert(l.x2apic && l.enabled);
	/* x2APIC -> disabled -> (not x2APIC) -> xAPIC */
	ck_assert(vlapic_set_base(&l, VLAPIC_BASE, true));
	ck_assert(!l.x2apic && !l.enabled);
	ck_assert(!vlapic_set_base(&l, BASE_X2APIC, true));
	ck_assert(vlapic_set_base(&l, BASE_XAPIC, true));
	ck_assert(l.enabled && !l.x2apic);
	/* the BSP bit is ignored on write */
	ck_assert(vlapic_set_base(&l, BASE_XAPIC | APIC_BASE_BSP, true));
}
END_TEST

START_TEST(x2apic_msrs_only_in_x2apic_mode)
{
	struct vlapic_ipi ipi;
	uint64_t v;

	ck_assert(!vlapic_msr_read(&l, 0x802, 0, &v));
	ck_assert_int_eq(mwr(0x808, 0x20, &ipi), -1);
	to_x2apic();
	ck_assert(vlapic_msr_read(&l, 0x802, 0, &v));
	ck_assert_uint_eq(v, 3);			/* 32-bit id, not << 24 */
	ck_assert(vlapic_msr_read(&l, 0x80d, 0, &v));
	ck_assert_uint_eq(v, 1u << 3);			/* cluster 0, bit 3 */
	ck_assert(vlapic_msr_read(&l, 0x803, 0, &v));
	ck_assert_uint_eq(v & 0xff, 0x14);
	/* no register there: DFR, ICR high, APR, CMCI, beyond 0x83f */
	ck_assert(!vlapic_msr_read(&l, 0x80e, 0, &v));
	ck_assert(!vlapic_msr_read(&l, 0x831, 0, &v));
	ck_assert(!vlapic_msr_read(&l, 0x809, 0, &v));
	ck_assert(!vlapic_msr_read(&l, 0x82f, 0, &v));
	ck_assert(!vlapic_msr_read(&l, 0x840, 0, &v));
	/* write-only: EOI, SELF IPI */
	ck_assert(!vlapic_msr_read(&l, 0x80b, 0, &v));
	ck_assert(!vlapic_msr_read(&l, 0x83f, 0, &v));
	/* read-only: ID, VER, LDR, PPR, ISR, IRR, TMCCT */
	ck_assert_int_eq(mwr(0x802, 5, &ipi), -1);
	ck_assert_int_eq(mwr(0x803, 0, &ipi), -1);
	ck_assert_int_eq(mwr(0x80d, 0, &ipi), -1);
	ck_assert_int_eq(mwr(0x80a, 0, &ipi), -1);
	ck_assert_int_eq(mwr(0x810, 0, &ipi), -1);
	ck_assert_int_eq(mwr(0x820, 0, &ipi), -1);
	ck_assert_int_eq(mwr(0x839, 0, &ipi), -1);
	ck_assert(vlapic_msr_read(&l, 0x80d, 0, &v));
	ck_assert_uint_eq(v, 1u << 3);			/* unchanged */
	/* after a disable the MSRs #GP again */
	ck_assert(vlapic_set_base(&l, VLAPIC_BASE, true));
	ck_assert(!vlapic_msr_read(&l, 0x802, 0, &v));
}
END_TEST

START_TEST(x2apic_reserved_bits_gp)
{
	struct vlapic_ipi ipi;
	uint64_t v;

	to_x2apic();
	ck_assert_int_eq(mwr(0x808, 0x1ff, &ipi), -1);		/* TPR 31:8 */
	ck_assert_int_eq(mwr(0x808, 1ull << 32, &ipi), -1);	/* 63:32 */
	ck_assert_int_eq(mwr(0x808, 0x30, &ipi), 0);
	ck_assert(vlapic_msr_read(&l, 0x808, 0, &v));
	ck_assert_uint_eq(v, 0x30);
	ck_assert_int_eq(mwr(0x80b, 1, &ipi), -1);		/* EOI != 0 */
	ck_assert_int_eq(mwr(0x828, 1, &ipi), -1);		/* ESR != 0 */
	ck_assert_int_eq(mwr(0x80f, 0x11ff, &ipi), -1);	/* no EOI suppr. */
	ck_assert_int_eq(mwr(0x80f, 0x1ff, &ipi), 0);
	ck_assert_int_eq(mwr(0x83e, 0x4, &ipi), -1);		/* TDCR bit 2 */
	ck_assert_int_eq(mwr(0x832, 0x800ff, &ipi), -1);	/* LVT timer bit 19 */
	ck_assert_int_eq(mwr(0x832, 0x400ef, &ipi), 0);	/* TSC deadline */
	ck_assert_int_eq(mwr(0x83f, 0x100, &ipi), -1);		/* SELF IPI 31:8 */
	ck_assert_int_eq(mwr(0x830, 1u << 12, &ipi), -1);	/* ICR status */
	ck_assert_int_eq(mwr(0x830, 1u << 20, &ipi), -1);
}
END_TEST

START_TEST(x2apic_ipis)
{
	struct vlapic_ipi ipi;
	uint64_t v;

	to_x2apic();
	/* 64-bit ICR: 32-bit destination in bits 63:32, read back whole */
	ck_assert_int_eq(mwr(0x830, (0x12345ull << 32) | 0x4041, &ipi), 1);
	ck_assert(ipi.wide && !ipi.logical);
	ck_assert_uint_eq(ipi.dest, 0x12345);
	ck_assert_uint_eq(ipi.vector, 0x41);
	ck_assert_uint_eq(ipi.mode, 0);
	ck_assert(vlapic_msr_read(&l, 0x830, 0, &v));
	ck_assert_uint_eq(v, (0x12345ull << 32) | 0x4041);
	/* SELF IPI: fixed, edge, to self */
	ck_assert_int_eq(mwr(0x83f, 0x52, &ipi), 1);
	ck_assert_uint_eq(ipi.shorthand, 1);
	ck_assert_uint_eq(ipi.mode, 0);
	ck_assert_uint_eq(ipi.vector, 0x52);
	/* EOI through the MSR */
	ck_assert_int_eq(mwr(0x80f, 0x1ff, &ipi), 0);
	vlapic_set_irq(&l, 0x60, false, false);
	ck_assert_int_eq(vlapic_deliverable(&l), 0x60);
	vlapic_ack(&l, 0x60);
	ck_assert(vlapic_msr_read(&l, 0x813, 0, &v));		/* ISR 0x60-0x7f */
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(mwr(0x80b, 0, &ipi), 0);
	ck_assert(vlapic_msr_read(&l, 0x813, 0, &v));
	ck_assert_uint_eq(v, 0);
}
END_TEST

START_TEST(x2apic_destination_matching)
{
	struct vlapic m;

	vlapic_reset(&m, 0x13);				/* cluster 1, bit 3 */
	ck_assert(vlapic_set_base(&m, BASE_X2APIC, true));
	ck_assert(vlapic_match(&m, false, 0x13, true));
	ck_assert(!vlapic_match(&m, false, 0x113, true));	/* all 32 bits */
	ck_assert(vlapic_match(&m, false, 0xffffffffu, true));	/* broadcast */
	ck_assert(vlapic_match(&m, true, 0x10008, true));
	ck_assert(vlapic_match(&m, true, 0x1000c, true));
	ck_assert(!vlapic_match(&m, true, 0x00008, true));	/* cluster 0 */
	ck_assert(!vlapic_match(&m, true, 0x10004, true));
	/* 8-bit messages (IOAPIC, MSI): ids, and 0xff broadcast */
	ck_assert(vlapic_match(&m, false, 0x13, false));
	ck_assert(vlapic_match(&m, false, 0xff, false));
	/* a wide destination to an xAPIC-mode vCPU: only ids that fit */
	ck_assert(vlapic_match(&l, false, 3, true));
	ck_assert(vlapic_match(&l, false, 0xffffffffu, true));
	ck_assert(!vlapic_match(&l, false, 0x103, true));
}
END_TEST

/* INIT: registers back to reset, the id and the mode kept. */
START_TEST(init_signal_keeps_id_and_mode)
{
	uint64_t v;

	wr(0xf0, 0x1ff);
	wr(0x80, 0x40);
	vlapic_set_irq(&l, 0x50, false, true);		/* also physical */
	vlapic_ack(&l, 0x50);
	ck_assert_uint_eq(vlapic_init_signal(&l), 1);
	ck_assert_uint_eq(vlapic_read(&l, 0xf0, 0), 0xff);	/* SVR reset */
	ck_assert_uint_eq(vlapic_read(&l, 0x80, 0), 0);
	ck_assert_uint_eq(vlapic_read(&l, 0x100 + 0x20, 0), 0);	/* ISR */
	ck_assert_uint_eq(vlapic_read(&l, 0x20, 0), 3u << 24);
	ck_assert(l.enabled && !l.x2apic);
	to_x2apic();
	ck_assert_uint_eq(vlapic_init_signal(&l), 0);
	ck_assert(l.enabled && l.x2apic);			/* stays x2APIC */
	ck_assert(vlapic_msr_read(&l, 0x802, 0, &v));
	ck_assert_uint_eq(v, 3);
	ck_assert(vlapic_set_base(&l, VLAPIC_BASE, true));	/* disabled */
	vlapic_init_signal(&l);
	ck_assert(!l.enabled && !l.x2apic);			/* stays disabled */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vlapic");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, reset_state);
	tcase_add_test(tc, priorities_and_eoi);
	tcase_add_test(tc, irr_summary_tracks_words);
	tcase_add_test(tc, illegal_vector_sets_esr);
	tcase_add_test(tc, one_shot_and_periodic_timer);
	tcase_add_test(tc, tsc_deadline_timer);
	tcase_add_test(tc, icr_decoding);
	tcase_add_test(tc, destination_matching);
	tcase_add_test(tc, software_disable_masks_lvts);
	tcase_add_test(tc, apic_base_transitions);
	tcase_add_test(tc, x2apic_msrs_only_in_x2apic_mode);
	tcase_add_test(tc, x2apic_reserved_bits_gp);
	tcase_add_test(tc, x2apic_ipis);
	tcase_add_test(tc, x2apic_destination_matching);
	tcase_add_test(tc, init_signal_keeps_id_and_mode);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
