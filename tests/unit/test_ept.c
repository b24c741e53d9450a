/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the EPT builder (hv/arch/x86/vmx/ept.c, compiled unchanged).
 * "Physical" addresses are host pointers: mm.h maps 1:1, and the page
 * allocator below hands out aligned host memory, counting every page so
 * leaks and double frees show.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <qhv/hypercall.h>
#include "core/mm.h"
#include "../../hv/arch/x86/vmx/vmx.h"

static long pages_live;
static long alloc_budget = -1; /* < 0: unlimited */

int mm_alloc_pages(uint64_t count, uint64_t align, uint64_t *pa)
{
	void *p;

	if (alloc_budget == 0)
		return -QHV_ENOMEM;
	if (alloc_budget > 0)
		alloc_budget--;
	p = aligned_alloc(align, count * PAGE_SIZE);
	if (!p)
		return -QHV_ENOMEM;
	memset(p, 0, count * PAGE_SIZE);
	pages_live += (long)count;
	*pa = (uint64_t)(uintptr_t)p;
	return 0;
}

void mm_free_pages(uint64_t pa, uint64_t count)
{
	pages_live -= (long)count;
	free((void *)(uintptr_t)pa);
}

void panic(const char *why)
{
	ck_abort_msg("panic: %s", why);
	abort();
}

/* Leaves reported by ept_destroy(). */
static uint64_t leaf_bytes, owned_bytes;

static void count_leaf(uint64_t hpa, uint64_t size, uint64_t flags)
{
	(void)hpa;
	leaf_bytes += size;
	if (flags & EPT_OWNED)
		owned_bytes += size;
}

static uint64_t root;

static void setup(void)
{
	pages_live = 0;
	alloc_budget = -1;
	leaf_bytes = owned_bytes = 0;
	ck_assert_int_eq(ept_init(&root), 0);
}

static void teardown(void)
{
	ept_destroy(root, count_leaf);
	ck_assert_int_eq(pages_live, 0); /* every table freed exactly once */
}

START_TEST(map_4k_lookup)
{
	uint64_t hpa, flags, contig;

	ck_assert_int_eq(ept_map_range(root, 0x5000, 0x1234000, 0x2000, EPT_RWX, true), 0);
	ck_assert_int_eq(ept_lookup(root, 0x5123, &hpa, &flags, &contig), 0);
	ck_assert_uint_eq(hpa, 0x1234123);
	ck_assert_uint_eq(flags & EPT_RWX, EPT_RWX);
	ck_assert_uint_eq(contig, 0x1000 - 0x123);
	ck_assert_int_eq(ept_lookup(root, 0x6000, &hpa, 0, 0), 0);
	ck_assert_uint_eq(hpa, 0x1235000);
	ck_assert_int_eq(ept_lookup(root, 0x7000, &hpa, 0, 0), -QHV_EFAULT);
	ck_assert_int_eq(ept_lookup(root, 0x4fff, &hpa, 0, 0), -QHV_EFAULT);
	/* root + PDPT + PD + PT */
	ck_assert_int_eq(pages_live, 4);
}
END_TEST

START_TEST(map_2m_when_aligned)
{
	uint64_t hpa, contig;

	ck_assert_int_eq(ept_map_range(root, 0x200000, 0x40000000, 0x400000, EPT_RWX | EPT_OWNED, true), 0);
	ck_assert_int_eq(pages_live, 3); /* no PT: two 2 MiB leaves */
	ck_assert_int_eq(ept_lookup(root, 0x3fffff, &hpa, 0, &contig), 0);
	ck_assert_uint_eq(hpa, 0x401fffff);
	ck_assert_uint_eq(contig, 1);
	ept_destroy(root, count_leaf);
	ck_assert_uint_eq(leaf_bytes, 0x400000);
	ck_assert_uint_eq(owned_bytes, 0x400000);
	ck_assert_int_eq(ept_init(&root), 0);
}
END_TEST

START_TEST(map_2m_refused_when_not_allowed_or_misaligned)
{
	ck_assert_int_eq(ept_map_range(root, 0x200000, 0x40000000, 0x200000, EPT_RWX, false), 0);
	ck_assert_int_eq(pages_live, 4); /* a PT was needed */
	/* hpa not 2 MiB aligned: 4 KiB leaves even when allowed */
	ck_assert_int_eq(ept_map_range(root, 0x400000, 0x40001000, 0x200000, EPT_RWX, true), 0);
	ck_assert_int_eq(pages_live, 5);
}
END_TEST

START_TEST(bad_arguments)
{
	ck_assert_int_eq(ept_map_range(root, 0x1001, 0, 0x1000, EPT_RWX, true), -QHV_EINVAL);
	ck_assert_int_eq(ept_map_range(root, 0x1000, 0x10, 0x1000, EPT_RWX, true), -QHV_EINVAL);
	ck_assert_int_eq(ept_map_range(root, 0x1000, 0, 0x100, EPT_RWX, true), -QHV_EINVAL);
	ck_assert_int_eq(ept_map_range(root, 1ull << 48, 0, 0x1000, EPT_RWX, true), -QHV_EINVAL);
	ck_assert_int_eq(ept_map_range(root, ~0xfffull, 0, 0x2000, EPT_RWX, true), -QHV_EINVAL);
	/* write without read is a misconfiguration: refused */
	ck_assert_int_eq(ept_map_range(root, 0x1000, 0, 0x1000, EPT_W, true), -QHV_EINVAL);
	ck_assert_int_eq(ept_protect_range(root, 0, 0x1000, EPT_W | EPT_X), -QHV_EINVAL);
	ck_assert_int_eq(ept_unmap_range(root, 0x1000, 0x1000), -QHV_ENOENT);
}
END_TEST

START_TEST(double_map_is_eexist)
{
	ck_assert_int_eq(ept_map_range(root, 0, 0x100000, 0x3000, EPT_RWX, true), 0);
	ck_assert_int_eq(ept_map_range(root, 0x2000, 0x900000, 0x1000, EPT_RWX, true), -QHV_EEXIST);
	ck_assert_int_eq(ept_map_range(root, 0x200000, 0x400000, 0x200000, EPT_RWX, true), 0);
	/* a 4 KiB map inside an existing 2 MiB leaf */
	ck_assert_int_eq(ept_map_range(root, 0x201000, 0x900000, 0x1000, EPT_RWX, true), -QHV_EEXIST);
}
END_TEST

START_TEST(unmap_splits_large_leaf)
{
	uint64_t hpa, contig;

	ck_assert_int_eq(ept_map_range(root, 0x200000, 0x600000, 0x200000, EPT_RWX | EPT_OWNED, true), 0);
	ck_assert_int_eq(ept_unmap_range(root, 0x201000, 0x1000), 0);
	ck_assert_int_eq(ept_lookup(root, 0x201000, &hpa, 0, 0), -QHV_EFAULT);
	ck_assert_int_eq(ept_lookup(root, 0x200fff, &hpa, 0, &contig), 0);
	ck_assert_uint_eq(hpa, 0x600fff);
	ck_assert_uint_eq(contig, 1);
	ck_assert_int_eq(ept_lookup(root, 0x202000, &hpa, 0, 0), 0);
	ck_assert_uint_eq(hpa, 0x602000);
	ept_destroy(root, count_leaf);
	/* the split kept ownership on the 511 remaining 4 KiB leaves */
	ck_assert_uint_eq(owned_bytes, 0x200000 - 0x1000);
	ck_assert_int_eq(ept_init(&root), 0);
}
END_TEST

START_TEST(protect_changes_permissions)
{
	uint64_t hpa, flags;

	ck_assert_int_eq(ept_map_range(root, 0, 0x800000, 0x400000, EPT_RWX, true), 0);
	ck_assert_int_eq(ept_protect_range(root, 0x1000, 0x1000, EPT_R), 0);
	ck_assert_int_eq(ept_lookup(root, 0x1000, &hpa, &flags, 0), 0);
	ck_assert_uint_eq(flags & EPT_RWX, EPT_R);
	ck_assert_uint_eq(hpa, 0x801000);
	ck_assert_int_eq(ept_lookup(root, 0x2000, &hpa, &flags, 0), 0);
	ck_assert_uint_eq(flags & EPT_RWX, EPT_RWX);
	/* a whole 2 MiB leaf changes without a split */
	ck_assert_int_eq(ept_protect_range(root, 0x200000, 0x200000, EPT_R | EPT_X), 0);
	ck_assert_int_eq(ept_lookup(root, 0x3ff000, &hpa, &flags, 0), 0);
	ck_assert_uint_eq(flags & EPT_RWX, EPT_R | EPT_X);
}
END_TEST

START_TEST(out_of_memory_is_enomem_and_leaks_nothing)
{
	alloc_budget = 1; /* one more table, then nothing */
	ck_assert_int_eq(ept_map_range(root, 0x40000000, 0, 0x1000, EPT_RWX, true), -QHV_ENOMEM);
	alloc_budget = -1;
	/* the partial walk stays valid and reusable */
	ck_assert_int_eq(ept_map_range(root, 0x40000000, 0, 0x1000, EPT_RWX, true), 0);
}
END_TEST

static Suite *ept_suite(void)
{
	Suite *s = suite_create("ept");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, map_4k_lookup);
	tcase_add_test(tc, map_2m_when_aligned);
	tcase_add_test(tc, map_2m_refused_when_not_allowed_or_misaligned);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, double_map_is_eexist);
	tcase_add_test(tc, unmap_splits_large_leaf);
	tcase_add_test(tc, protect_changes_permissions);
	tcase_add_test(tc, out_of_memory_is_enomem_and_leaks_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ept_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
