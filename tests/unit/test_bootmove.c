// SPDX-License-Identifier: MIT
/* Unit tests for hv/core/bootmove.c: module evacuation and checked copies,
 * over a buffer standing in for physical memory. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <qhv/hypercall.h>

#include "core/bootmove.h"
#include "harness.h"

#define MIB (1ull << 20)
#define MEM (8 * MIB)
#define NF (MEM / 4096)

static uint8_t *mem;
static uint64_t bm[NF / 64];
static struct frame_pool pool;
/* "dom0's RAM": modules must leave it. */
static const struct phys_range keep[] = { { 1 * MIB, 4 * MIB } };

static void *map(uint64_t pa)
{
	ck_assert_uint_lt(pa, MEM);
	return mem + pa;
}

static void setup(void)
{
	harness_reset();
	mem = calloc(1, MEM);
	ck_assert_ptr_nonnull(mem);
	frames_init(&pool, bm, NF);
	frames_release_range(&pool, 0, MEM);
}

static void teardown(void)
{
	free(mem);
}

static void fill(struct boot_module *m, uint64_t start, uint64_t len,
		 unsigned seed)
{
	uint64_t i;

	m->start = start;
	m->end = start + len;
	snprintf(m->string, sizeof(m->string), "mod%u", seed);
	for (i = 0; i < len; i++)
		mem[start + i] = (uint8_t)(i * 7 + seed);
}

static void check_content(const struct boot_module *m, uint64_t len,
			  unsigned seed)
{
	uint64_t i;

	ck_assert_uint_eq(m->end - m->start, len);
	for (i = 0; i < len; i++)
		ck_assert_uint_eq(mem[m->start + i], (uint8_t)(i * 7 + seed));
}

/* What setup.c does: modules and dom0's RAM reserved before the move. */
static void reserve(const struct boot_module *mods, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		frames_reserve_range(&pool, mods[i].start,
				     mods[i].end - mods[i].start);
	frames_reserve_range(&pool, keep[0].base, keep[0].end - keep[0].base);
}

static bool used(uint64_t pa)
{
	uint64_t f = pa / 4096;

	return (bm[f / 64] >> (f % 64)) & 1;
}

/* The reported bug: a big module (the kernel) and then the initrd, both in
 * dom0's RAM.  Releasing the first one's old frames before moving the
 * second made the second land in dom0's RAM, where the kernel then went. */
START_TEST(two_modules_in_keep_leave_it)
{
	struct boot_module m[3];
	unsigned i, j;

	fill(&m[0], 1 * MIB + 0x3000, 1 * MIB + 0x123, 1);	/* kernel */
	fill(&m[1], 2 * MIB + 0x4000, 0x40777, 2);	/* initrd, smaller */
	fill(&m[2], 5 * MIB, 0x2000, 3);			/* elsewhere */
	reserve(m, 3);
	ck_assert_int_eq(bootmove_evacuate(&pool, m, 3, keep, 1, 0, map), 0);
	check_content(&m[0], 1 * MIB + 0x123, 1);
	check_content(&m[1], 0x40777, 2);
	check_content(&m[2], 0x2000, 3);
	ck_assert_uint_eq(m[2].start, 5 * MIB);
	for (i = 0; i < 3; i++) {
		ck_assert(!ranges_overlap(m[i].start, m[i].end, keep[0].base,
					  keep[0].end));
		for (j = 0; j < 3; j++)
			ck_assert(i == j || !ranges_overlap(m[i].start, m[i].end,
							    m[j].start, m[j].end));
	}
	/* Frames in dom0's RAM stay reserved: they are dom0's now. */
	for (i = 0; i < 3 * MIB / 4096; i++)
		ck_assert(used(keep[0].base + i * 4096ull));
	/* A new allocation cannot fall into dom0's RAM either. */
	{
		uint64_t pa;

		ck_assert_int_eq(frames_alloc(&pool, 1, 0, 0, &pa), 0);
		ck_assert(!ranges_overlap(pa, pa + 4096, keep[0].base, keep[0].end));
	}
}
END_TEST

/* A module straddling dom0's RAM end moves; its old frames outside dom0's
 * RAM come back, except the page it shares with a neighbour that stays. */
START_TEST(straddling_module_and_shared_page)
{
	struct boot_module m[2];
	uint64_t before, shared = 4 * MIB + 0x2000;

	fill(&m[0], 4 * MIB - 0x2000, 0x4800, 4);	/* ends mid-page */
	fill(&m[1], 4 * MIB + 0x2800, 0x1000, 5);	/* starts in that page */
	reserve(m, 2);
	before = frames_free_count(&pool);
	ck_assert_int_eq(bootmove_evacuate(&pool, m, 2, keep, 1, 0, map), 0);
	check_content(&m[0], 0x4800, 4);
	check_content(&m[1], 0x1000, 5);
	ck_assert_uint_eq(m[1].start, 4 * MIB + 0x2800);
	ck_assert(used(shared));
	ck_assert(!used(4 * MIB));
	ck_assert(!used(4 * MIB + 0x1000));
	/* 5 new frames for m[0], 2 old ones (4 MiB, 4 MiB + 4 KiB) back. */
	ck_assert_uint_eq(frames_free_count(&pool), before - 5 + 2);
}
END_TEST

/* No room: an error naming the module; nothing lost. */
START_TEST(no_room)
{
	struct boot_module m[2];
	uint64_t pa;

	fill(&m[0], 1 * MIB, 0x10000, 6);
	fill(&m[1], 2 * MIB, 3 * MIB, 7);	/* bigger than what is left */
	reserve(m, 2);
	/* Leave only 2 MiB free outside dom0's RAM. */
	while (frames_free_count(&pool) > 2 * MIB / 4096)
		ck_assert_int_eq(frames_alloc(&pool, 1, 0, 0, &pa), 0);
	ck_assert_int_eq(bootmove_evacuate(&pool, m, 2, keep, 1, 0, map),
			 -QHV_ENOMEM);
	ck_assert(harness_logged("no room to move module 'mod7'"));
	check_content(&m[0], 0x10000, 6);
	check_content(&m[1], 3 * MIB, 7);
	ck_assert(!ranges_overlap(m[0].start, m[0].end, keep[0].base, keep[0].end));
}
END_TEST

START_TEST(limit_respected)
{
	struct boot_module m[1];

	fill(&m[0], 1 * MIB, 0x8000, 8);
	reserve(m, 1);
	/* Only [4 MiB, 5 MiB) is below the limit and outside dom0's RAM. */
	frames_reserve_range(&pool, 0, 1 * MIB);
	ck_assert_int_eq(bootmove_evacuate(&pool, m, 1, keep, 1, 5 * MIB, map), 0);
	ck_assert_uint_ge(m[0].start, 4 * MIB);
	ck_assert_uint_le(m[0].end, 5 * MIB);
	check_content(&m[0], 0x8000, 8);
}
END_TEST

START_TEST(copy_overlapping_source)
{
	struct boot_module m[1];
	struct phys_range busy[2] = { { 0x100000, 0x110000 }, { 0x200000, 0x201000 } };
	unsigned i;

	fill(&m[0], 0x100000, 0x10000, 9);
	/* Destination overlaps its own source: memmove semantics. */
	ck_assert_int_eq(bootmove_copy(0x100800, 0x100000, 0x10000, busy, 2, map), 0);
	for (i = 0; i < 0x10000; i++)
		ck_assert_uint_eq(mem[0x100800 + i], (uint8_t)(i * 7 + 9));
	/* Backwards too. */
	fill(&m[0], 0x100800, 0x10000, 10);
	busy[0].base = 0x100800;
	busy[0].end = 0x110800;
	ck_assert_int_eq(bootmove_copy(0x100000, 0x100800, 0x10000, busy, 2, map), 0);
	for (i = 0; i < 0x10000; i++)
		ck_assert_uint_eq(mem[0x100000 + i], (uint8_t)(i * 7 + 10));
}
END_TEST

START_TEST(copy_refuses_busy)
{
	struct phys_range busy[2] = { { 0x300000, 0x301000 }, { 0x200000, 0x201000 } };

	memset(mem + 0x200000, 0xab, 0x1000);
	memset(mem + 0x300000, 0xcd, 0x1000);
	/* The last byte of the destination is the first busy byte. */
	ck_assert_int_eq(bootmove_copy(0x1ff001, 0x300000, 0x1000, busy, 2, map),
			 -QHV_EINVAL);
	ck_assert(harness_logged("would overwrite 0x200000-0x201000"));
	ck_assert_uint_eq(mem[0x200000], 0xab);
	ck_assert_uint_eq(mem[0x1ff001], 0);
	/* One byte short of it is fine. */
	ck_assert_int_eq(bootmove_copy(0x1ff000, 0x300000, 0x1000, busy, 2, map), 0);
	ck_assert_uint_eq(mem[0x1fffff], 0xcd);
	ck_assert_uint_eq(mem[0x200000], 0xab);
	/* Wrapping ranges are refused. */
	ck_assert_int_eq(bootmove_copy(UINT64_MAX - 10, 0x300000, 0x1000, busy, 2, map),
			 -QHV_EINVAL);
}
END_TEST

START_TEST(bad_module)
{
	struct boot_module m[1];

	fill(&m[0], 1 * MIB, 0x1000, 11);
	m[0].end = m[0].start - 1;
	ck_assert_int_eq(bootmove_evacuate(&pool, m, 1, keep, 1, 0, map), -QHV_EINVAL);
	ck_assert_int_eq(bootmove_evacuate(&pool, m, BOOT_MAX_MODS + 1, keep, 1, 0, map),
			 -QHV_EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bootmove");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, two_modules_in_keep_leave_it);
	tcase_add_test(tc, straddling_module_and_shared_page);
	tcase_add_test(tc, no_room);
	tcase_add_test(tc, limit_respected);
	tcase_add_test(tc, copy_overlapping_source);
	tcase_add_test(tc, copy_refuses_busy);
	tcase_add_test(tc, bad_module);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
