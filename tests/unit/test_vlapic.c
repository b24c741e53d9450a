/* SPDX-License-Identifier: MIT */
/* Host tests of dom0's virtual local APIC (hv/arch/x86/vlapic.c, unchanged). */
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
	ck_assert(vlapic_match(&l, false, 3));
	ck_assert(vlapic_match(&l, false, 0xff));
	ck_assert(!vlapic_match(&l, false, 2));
	wr(0xd0, 0x04000000);			/* flat, bit 2 */
	ck_assert(vlapic_match(&l, true, 0x05));
	ck_assert(!vlapic_match(&l, true, 0x02));
	wr(0xe0, 0x0fffffff);			/* cluster model */
	wr(0xd0, 0x21000000);			/* cluster 2, member 1 */
	ck_assert(vlapic_match(&l, true, 0x23));
	ck_assert(!vlapic_match(&l, true, 0x13));
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
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
