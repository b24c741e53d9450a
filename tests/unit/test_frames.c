// SPDX-License-Identifier: MIT
/* Unit tests for hv/core/frames.c. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <qhv/hypercall.h>

#include "core/frames.h"
#include "harness.h"

#define NF 1000 /* deliberately not a multiple of 64 */

static uint64_t bm[(NF + 63) / 64 + 1];
static struct frame_pool pool;

static void setup(void)
{
	harness_reset();
	frames_init(&pool, bm, NF);
}

static bool is_used(const struct frame_pool *p, uint64_t f)
{
	return (p->bitmap[f / 64] >> (f % 64)) & 1;
}

START_TEST(bitmap_bytes)
{
	ck_assert_uint_eq(frames_bitmap_bytes(0), 0);
	ck_assert_uint_eq(frames_bitmap_bytes(1), 8);
	ck_assert_uint_eq(frames_bitmap_bytes(64), 8);
	ck_assert_uint_eq(frames_bitmap_bytes(65), 16);
	ck_assert_uint_eq(frames_bitmap_bytes(1u << 20), (1u << 20) / 8);
}
END_TEST

START_TEST(starts_used)
{
	uint64_t pa;

	ck_assert_uint_eq(frames_free_count(&pool), 0);
	ck_assert_int_eq(frames_alloc(&pool, 1, 0, 0, &pa), -QHV_ENOMEM);
	for (uint64_t f = 0; f < NF; f++)
		ck_assert(is_used(&pool, f));
}
END_TEST

START_TEST(release_rounds_inward)
{
	/* 0x1001..0x4001 wholly contains frames 2 and 3 only. */
	frames_release_range(&pool, 0x1001, 0x3000);
	ck_assert_uint_eq(frames_free_count(&pool), 2);
	ck_assert(is_used(&pool, 1));
	ck_assert(!is_used(&pool, 2));
	ck_assert(!is_used(&pool, 3));
	ck_assert(is_used(&pool, 4));
	/* Less than a frame: nothing. */
	frames_release_range(&pool, 0x10000, 0xfff);
	ck_assert_uint_eq(frames_free_count(&pool), 2);
	/* Releasing twice does not double count. */
	frames_release_range(&pool, 0x1000, 0x4000);
	ck_assert_uint_eq(frames_free_count(&pool), 4);
}
END_TEST

START_TEST(reserve_rounds_outward)
{
	frames_release_range(&pool, 0, (uint64_t)NF << 12);
	ck_assert_uint_eq(frames_free_count(&pool), NF);
	/* Two bytes straddling frames 2 and 3. */
	frames_reserve_range(&pool, 0x2fff, 2);
	ck_assert_uint_eq(frames_free_count(&pool), NF - 2);
	ck_assert(is_used(&pool, 2));
	ck_assert(is_used(&pool, 3));
	ck_assert(!is_used(&pool, 4));
	frames_reserve_range(&pool, 0x2000, 0x1000); /* already used */
	ck_assert_uint_eq(frames_free_count(&pool), NF - 2);
	frames_reserve_range(&pool, 0x9000, 0); /* empty */
	ck_assert_uint_eq(frames_free_count(&pool), NF - 2);
}
END_TEST

START_TEST(ranges_clamp)
{
	frames_release_range(&pool, 0, UINT64_MAX);
	ck_assert_uint_eq(frames_free_count(&pool), NF);
	frames_reserve_range(&pool, (uint64_t)(NF - 1) << 12, UINT64_MAX);
	ck_assert_uint_eq(frames_free_count(&pool), NF - 1);
	frames_reserve_range(&pool, (uint64_t)NF << 12, 0x100000);
	ck_assert_uint_eq(frames_free_count(&pool), NF - 1);
	frames_reserve_range(&pool, UINT64_MAX - 5, 100);
	frames_release_range(&pool, UINT64_MAX - 5, 100);
	frames_release_range(&pool, UINT64_MAX - 0x1000, 0x1000);
	ck_assert_uint_eq(frames_free_count(&pool), NF - 1);
	/* The padding bits past NF must never become free. */
	for (uint64_t f = NF; f < 64 * ((NF + 63) / 64); f++)
		ck_assert(is_used(&pool, f));
}
END_TEST

START_TEST(alignment)
{
	uint64_t pa;

	frames_release_range(&pool, 0, (uint64_t)NF << 12);
	frames_reserve_range(&pool, 0, 0x1000);
	ck_assert_int_eq(frames_alloc(&pool, 1, 0x200000, 0, &pa), 0);
	ck_assert_uint_eq(pa, 0x200000);
	ck_assert_int_eq(frames_alloc(&pool, 3, 0x4000, 0, &pa), 0);
	ck_assert_uint_eq(pa, 0x4000);
	ck_assert_int_eq(frames_alloc(&pool, 1, 0x1000, 0, &pa), 0);
	ck_assert_uint_eq(pa, 0x1000);
	ck_assert_int_eq(frames_alloc(&pool, 1, 0, 0, &pa), 0);
	ck_assert_uint_eq(pa, 0x2000);
	ck_assert_int_eq(frames_alloc(&pool, 1, 0x1000, 0, &pa), 0);
	ck_assert_uint_eq(pa, 0x3000);
	ck_assert_int_eq(frames_alloc(&pool, 1, 0x1000, 0, &pa), 0);
	ck_assert_uint_eq(pa, 0x7000);
	/* Only 1000 frames: no second 2 MiB-aligned frame below 4000 KiB
	 * other than 0x200000, which is taken. */
	ck_assert_int_eq(frames_alloc(&pool, 1, 0x200000, 0, &pa), -QHV_ENOMEM);
	ck_assert_uint_eq(frames_free_count(&pool), NF - 9);
}
END_TEST

START_TEST(bad_args)
{
	uint64_t pa = 0x1234;

	frames_release_range(&pool, 0, (uint64_t)NF << 12);
	ck_assert_int_eq(frames_alloc(&pool, 0, 0, 0, &pa), -QHV_EINVAL);
	ck_assert(harness_logged("allocation of 0 frames"));
	ck_assert_int_eq(frames_alloc(&pool, 1, 0x800, 0, &pa), -QHV_EINVAL);
	ck_assert(harness_logged("bad alignment 0x800"));
	ck_assert_int_eq(frames_alloc(&pool, 1, 0x3000, 0, &pa), -QHV_EINVAL);
	/* Address 0 is aligned to anything; above it nothing is. */
	ck_assert_int_eq(frames_alloc(&pool, 1, 1ull << 63, 0, &pa), 0);
	ck_assert_uint_eq(pa, 0);
	ck_assert_int_eq(frames_alloc(&pool, 1, 1ull << 63, 0, &pa), -QHV_ENOMEM);
	ck_assert_int_eq(frames_free(&pool, 0, 1), 0);
	pa = 0x1234;
	ck_assert_int_eq(frames_alloc(&pool, UINT64_MAX, 0, 0, &pa), -QHV_ENOMEM);
	ck_assert_uint_eq(pa, 0x1234);
	ck_assert_uint_eq(frames_free_count(&pool), NF);
}
END_TEST

START_TEST(limit)
{
	uint64_t pa;

	frames_release_range(&pool, 0, (uint64_t)NF << 12);
	/* Ends exactly at the limit: allowed. */
	ck_assert_int_eq(frames_alloc(&pool, 5, 0, 0x5000, &pa), 0);
	ck_assert_uint_eq(pa, 0);
	ck_assert_int_eq(frames_free(&pool, 0, 5), 0);
	/* One byte less: only 4 whole frames fit. */
	ck_assert_int_eq(frames_alloc(&pool, 5, 0, 0x4fff, &pa), -QHV_ENOMEM);
	ck_assert_int_eq(frames_alloc(&pool, 4, 0, 0x4fff, &pa), 0);
	ck_assert_uint_eq(pa, 0);
	/* Below a limit that is already full. */
	ck_assert_int_eq(frames_alloc(&pool, 1, 0, 0x4000, &pa), -QHV_ENOMEM);
	ck_assert_int_eq(frames_alloc(&pool, 1, 0, 0x5000, &pa), 0);
	ck_assert_uint_eq(pa, 0x4000);
	/* A limit above the pool is the pool. */
	ck_assert_int_eq(frames_alloc(&pool, NF - 5, 0, UINT64_MAX, &pa), 0);
	ck_assert_uint_eq(pa, 0x5000);
	ck_assert_uint_eq(frames_free_count(&pool), 0);
}
END_TEST

START_TEST(exhaustion)
{
	uint64_t pa, n = 0, prev = 0;

	frames_release_range(&pool, 0x100000, (uint64_t)NF << 12);
	while (frames_alloc(&pool, 1, 0, 0, &pa) == 0) {
		ck_assert(n == 0 || pa == prev + 0x1000);
		prev = pa;
		n++;
	}
	ck_assert_uint_eq(n, NF - 256);
	ck_assert_uint_eq(frames_free_count(&pool), 0);
	ck_assert_int_eq(frames_alloc(&pool, 1, 0, 0, &pa), -QHV_ENOMEM);
	ck_assert_int_eq(frames_free(&pool, 0x180000, 1), 0);
	ck_assert_int_eq(frames_alloc(&pool, 1, 0, 0, &pa), 0);
	ck_assert_uint_eq(pa, 0x180000);
}
END_TEST

START_TEST(double_free)
{
	uint64_t pa, snap[sizeof(bm) / 8];
	struct frame_pool saved;

	frames_release_range(&pool, 0, (uint64_t)NF << 12);
	ck_assert_int_eq(frames_alloc(&pool, 4, 0, 0, &pa), 0);
	ck_assert_int_eq(frames_free(&pool, pa + 0x2000, 2), 0);
	memcpy(snap, bm, sizeof(bm));
	saved = pool;
	harness_reset();
	/* Whole range free already. */
	ck_assert_int_eq(frames_free(&pool, pa + 0x2000, 2), -QHV_EINVAL);
	ck_assert(harness_logged("double free of frame 0x2000"));
	/* Partly free: frames 0-1 used, 2 free: nothing may change. */
	ck_assert_int_eq(frames_free(&pool, pa, 3), -QHV_EINVAL);
	ck_assert(harness_logged("double free of frame 0x2000"));
	ck_assert_mem_eq(snap, bm, sizeof(bm));
	ck_assert_uint_eq(pool.nfree, saved.nfree);
	ck_assert_uint_eq(pool.next_hint, saved.next_hint);
	ck_assert_int_eq(frames_free(&pool, pa, 2), 0);
	ck_assert_uint_eq(frames_free_count(&pool), NF);
}
END_TEST

START_TEST(bad_free)
{
	frames_release_range(&pool, 0, 0x10000);
	frames_reserve_range(&pool, 0, 0x10000);
	ck_assert_int_eq(frames_free(&pool, 0x1800, 1), -QHV_EINVAL);
	ck_assert(harness_logged("bad free of 1 frames at 0x1800"));
	ck_assert_int_eq(frames_free(&pool, 0x1000, 0), -QHV_EINVAL);
	ck_assert_int_eq(frames_free(&pool, (uint64_t)NF << 12, 1), -QHV_EINVAL);
	ck_assert(harness_logged("beyond the pool"));
	ck_assert_int_eq(frames_free(&pool, (uint64_t)(NF - 1) << 12, 2), -QHV_EINVAL);
	ck_assert_int_eq(frames_free(&pool, 0x1000, UINT64_MAX), -QHV_EINVAL);
	ck_assert_int_eq(frames_free(&pool, 0xfffffffffffff000ull, 1), -QHV_EINVAL);
	ck_assert_uint_eq(frames_free_count(&pool), 0);
}
END_TEST

START_TEST(fragmentation)
{
	uint64_t pa;

	frames_release_range(&pool, 0, (uint64_t)NF << 12);
	frames_reserve_range(&pool, 0, (uint64_t)NF << 12);
	for (uint64_t f = 0; f < NF; f += 2)
		ck_assert_int_eq(frames_free(&pool, f << 12, 1), 0);
	ck_assert_uint_eq(frames_free_count(&pool), NF / 2);
	ck_assert_int_eq(frames_alloc(&pool, 2, 0, 0, &pa), -QHV_ENOMEM);
	ck_assert_int_eq(frames_free(&pool, 701ull << 12, 1), 0);
	ck_assert_int_eq(frames_alloc(&pool, 2, 0, 0, &pa), 0);
	ck_assert_uint_eq(pa, 700ull << 12);
	ck_assert_int_eq(frames_alloc(&pool, 3, 0, 0, &pa), -QHV_ENOMEM);
	/* Single frames still come lowest first. */
	ck_assert_int_eq(frames_alloc(&pool, 1, 0, 0, &pa), 0);
	ck_assert_uint_eq(pa, 0);
	ck_assert_int_eq(frames_alloc(&pool, 1, 0, 0, &pa), 0);
	ck_assert_uint_eq(pa, 0x2000);
}
END_TEST

/* Reference model: a byte per frame, brute-force lowest-fit search. */
static uint8_t model[NF];

static int model_alloc(uint64_t count, uint64_t align, uint64_t limit,
		       uint64_t *pa)
{
	uint64_t af = align >> 12, fl = NF;

	if (limit && limit / 4096 < fl)
		fl = limit / 4096;
	for (uint64_t s = 0; s + count <= fl; s += af) {
		uint64_t i;

		for (i = 0; i < count && !model[s + i]; i++)
			;
		if (i == count) {
			memset(&model[s], 1, count);
			*pa = s << 12;
			return 0;
		}
	}
	return -QHV_ENOMEM;
}

static uint64_t model_free_count(void)
{
	uint64_t n = 0;

	for (int i = 0; i < NF; i++)
		n += !model[i];
	return n;
}

START_TEST(random_vs_model)
{
	struct { uint64_t pa, n; } live[4096];
	unsigned nlive = 0;

	srandom(1234 + (unsigned)_i);
	memset(model, 1, sizeof(model));
	for (int op = 0; op < 20000; op++) {
		int r = (int)(random() % 100);

		if (r < 3) {
			/* Release a random range (may overlap allocations
			 * only in the model sense of "becomes free": skip
			 * those to keep live[] honest). */
			uint64_t b = (uint64_t)random() % (NF * 4096ull + 8192);
			uint64_t l = (uint64_t)random() % (64 * 4096);
			uint64_t f0 = (b + 4095) / 4096, f1 = (b + l) / 4096;
			bool clash = false;

			for (unsigned i = 0; i < nlive; i++) {
				uint64_t a = live[i].pa / 4096;

				if (a < f1 && f0 < a + live[i].n)
					clash = true;
			}
			if (clash)
				continue;
			frames_release_range(&pool, b, l);
			for (uint64_t f = f0; f < f1 && f < NF; f++)
				model[f] = 0;
		} else if (r < 5) {
			uint64_t b = (uint64_t)random() % (NF * 4096ull + 8192);
			uint64_t l = (uint64_t)random() % (8 * 4096);
			uint64_t f0 = b / 4096, f1 = (b + l + 4095) / 4096;

			if (!l)
				continue;
			frames_reserve_range(&pool, b, l);
			for (uint64_t f = f0; f < f1 && f < NF; f++)
				model[f] = 1;
		} else if (r < 55 && nlive < 4096) {
			uint64_t count = 1 + (uint64_t)random() % (r < 30 ? 1 : 9);
			uint64_t align = 4096ull << (random() % 5);
			uint64_t limit = random() % 4 ? 0 :
					 (uint64_t)random() % (NF * 4096ull + 4096);
			uint64_t pa = 0, mpa = 0;
			int rc = frames_alloc(&pool, count, align, limit, &pa);
			int mrc = model_alloc(count, align, limit, &mpa);

			ck_assert_int_eq(rc, mrc);
			if (!rc) {
				ck_assert_uint_eq(pa, mpa);
				live[nlive].pa = pa;
				live[nlive++].n = count;
			}
		} else if (nlive) {
			unsigned i = (unsigned)random() % nlive;

			ck_assert_int_eq(frames_free(&pool, live[i].pa, live[i].n), 0);
			memset(&model[live[i].pa / 4096], 0, live[i].n);
			live[i] = live[--nlive];
		}
		ck_assert_uint_eq(frames_free_count(&pool), model_free_count());
	}
	for (uint64_t f = 0; f < NF; f++)
		ck_assert_int_eq(is_used(&pool, f), model[f]);
	for (uint64_t f = 0; f < pool.next_hint; f++)
		ck_assert(is_used(&pool, f));
}
END_TEST

START_TEST(large_pool_fast)
{
	/* 16 GiB of frames; 200k single-frame allocations must be quick
	 * thanks to the hint (a linear rescan each time would take ages). */
	uint64_t n = 4ull << 20, pa;
	uint64_t *big = malloc(frames_bitmap_bytes(n));
	struct frame_pool p;

	ck_assert_ptr_nonnull(big);
	frames_init(&p, big, n);
	frames_release_range(&p, 0, n << 12);
	for (int i = 0; i < 200000; i++) {
		ck_assert_int_eq(frames_alloc(&p, 1, 0, 0, &pa), 0);
		ck_assert_uint_eq(pa, (uint64_t)i << 12);
	}
	/* A big aligned block far up the pool. */
	ck_assert_int_eq(frames_alloc(&p, 512, 1ull << 30, 0, &pa), 0);
	ck_assert_uint_eq(pa, 1ull << 30);
	ck_assert_uint_eq(frames_free_count(&p), n - 200000 - 512);
	free(big);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("frames");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, bitmap_bytes);
	tcase_add_test(tc, starts_used);
	tcase_add_test(tc, release_rounds_inward);
	tcase_add_test(tc, reserve_rounds_outward);
	tcase_add_test(tc, ranges_clamp);
	tcase_add_test(tc, alignment);
	tcase_add_test(tc, bad_args);
	tcase_add_test(tc, limit);
	tcase_add_test(tc, exhaustion);
	tcase_add_test(tc, double_free);
	tcase_add_test(tc, bad_free);
	tcase_add_test(tc, fragmentation);
	tcase_add_loop_test(tc, random_vs_model, 0, 4);
	tcase_add_test(tc, large_pool_fast);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
