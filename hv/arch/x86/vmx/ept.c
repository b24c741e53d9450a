/* SPDX-License-Identifier: MIT */
/*
 * Extended page tables: 4-level, 4 KiB and 2 MiB leaves.  Pure table
 * manipulation on hv memory (no VMX instructions), so host unit tests run
 * it unchanged on ordinary memory.
 */
#include <qhv/hypercall.h>
#include "vmx.h"
#include "core/mm.h"

#define EPT_LEAF_2M (1ull << 7)
#define EPT_ADDR_MASK 0x000ffffffffff000ull
#define EPT_PRESENT_MASK EPT_RWX
#define EPT_MAX_GPA (1ull << 48)

static uint64_t *table(uint64_t pa)
{
	return phys_to_virt(pa);
}

static unsigned idx(uint64_t gpa, unsigned level)
{
	return (gpa >> (12 + 9 * level)) & 511;
}

int ept_init(uint64_t *root_pa)
{
	return mm_alloc_pages(1, PAGE_SIZE, root_pa);
}

/* Walk to the table at @level (0 = PT, 1 = PD) for @gpa, creating tables.
 * -QHV_EEXIST when a large leaf is in the way, -QHV_ENOMEM without memory. */
static int walk_create(uint64_t root, uint64_t gpa, unsigned level,
		       uint64_t **out)
{
	uint64_t *t = table(root);
	unsigned l;

	for (l = 3; l > level; l--) {
		uint64_t *e = &t[idx(gpa, l)];

		if (!(*e & EPT_PRESENT_MASK)) {
			uint64_t pa;

			if (mm_alloc_pages(1, PAGE_SIZE, &pa))
				return -QHV_ENOMEM;
			*e = pa | EPT_RWX;
		} else if (*e & EPT_LEAF_2M) {
			return -QHV_EEXIST;
		}
		t = table(*e & EPT_ADDR_MASK);
	}
	*out = t;
	return 0;
}

int ept_map_range(uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t len,
		  uint64_t flags, bool allow_2m)
{
	uint64_t end = gpa + len;

	if ((gpa | hpa | len) & (PAGE_SIZE - 1) || end < gpa ||
	    end > EPT_MAX_GPA || !(flags & EPT_R) ||
	    ((flags & EPT_W) && !(flags & EPT_R)))
		return -QHV_EINVAL;
	while (gpa < end) {
		bool big = allow_2m && !((gpa | hpa) & (LARGE_PAGE_SIZE - 1)) &&
			   end - gpa >= LARGE_PAGE_SIZE;
		uint64_t *t, *e;
		int rc = walk_create(root, gpa, big ? 1 : 0, &t);

		if (rc)
			return rc;
		e = &t[idx(gpa, big ? 1 : 0)];
		if (*e & EPT_PRESENT_MASK)
			return -QHV_EEXIST;
		/* Memory type: write-back RAM, or uncached MMIO that the
		 * guest's PAT cannot override (IPAT, bit 6). */
		*e = hpa | flags |
		     ((flags & EPT_UC) ? (1ull << 6) : EPT_MT_WB) |
		     (big ? EPT_LEAF_2M : 0);
		gpa += big ? LARGE_PAGE_SIZE : PAGE_SIZE;
		hpa += big ? LARGE_PAGE_SIZE : PAGE_SIZE;
	}
	return 0;
}

/* Find the leaf entry for @gpa; *size receives its page size. */
static uint64_t *find_leaf(uint64_t root, uint64_t gpa, uint64_t *size)
{
	uint64_t *t = table(root);
	unsigned l;

	if (gpa >= EPT_MAX_GPA)
		return 0;
	for (l = 3;; l--) {
		uint64_t *e = &t[idx(gpa, l)];

		if (!(*e & EPT_PRESENT_MASK))
			return 0;
		if (l == 0 || (l == 1 && (*e & EPT_LEAF_2M))) {
			*size = l ? LARGE_PAGE_SIZE : PAGE_SIZE;
			return e;
		}
		if (l > 1 && (*e & EPT_LEAF_2M))
			return 0; /* 1 GiB leaves are never created */
		t = table(*e & EPT_ADDR_MASK);
	}
}

/* Replace the 2 MiB leaf @e with a table of 512 4 KiB leaves. */
static int split_2m(uint64_t *e)
{
	uint64_t pa, base = *e & EPT_ADDR_MASK & ~(LARGE_PAGE_SIZE - 1);
	uint64_t attrs = *e & ~EPT_ADDR_MASK & ~EPT_LEAF_2M;
	uint64_t *t;
	unsigned i;

	if (mm_alloc_pages(1, PAGE_SIZE, &pa))
		return -QHV_ENOMEM;
	t = table(pa);
	for (i = 0; i < 512; i++)
		t[i] = (base + i * PAGE_SIZE) | attrs;
	*e = pa | EPT_RWX;
	return 0;
}

/* Apply @fn to every 4 KiB-or-larger leaf in [gpa, gpa+len), splitting 2 MiB
 * leaves that are only partly covered. */
static int for_range(uint64_t root, uint64_t gpa, uint64_t len,
		     uint64_t perms, bool unmap)
{
	uint64_t end = gpa + len;

	if ((gpa | len) & (PAGE_SIZE - 1) || end < gpa || end > EPT_MAX_GPA)
		return -QHV_EINVAL;
	while (gpa < end) {
		uint64_t size, *e = find_leaf(root, gpa, &size);

		if (!e)
			return -QHV_ENOENT;
		if (size == LARGE_PAGE_SIZE &&
		    ((gpa & (LARGE_PAGE_SIZE - 1)) || end - gpa < size)) {
			int rc = split_2m(e);

			if (rc)
				return rc;
			continue;
		}
		if (unmap)
			*e = 0;
		else
			*e = (*e & ~EPT_RWX) | perms;
		gpa += size;
	}
	return 0;
}

int ept_unmap_range(uint64_t root, uint64_t gpa, uint64_t len)
{
	return for_range(root, gpa, len, 0, true);
}

int ept_protect_range(uint64_t root, uint64_t gpa, uint64_t len,
		      uint64_t perms)
{
	if ((perms & ~EPT_RWX) || ((perms & EPT_W) && !(perms & EPT_R)))
		return -QHV_EINVAL;
	return for_range(root, gpa, len, perms, false);
}

int ept_lookup(uint64_t root, uint64_t gpa, uint64_t *hpa, uint64_t *flags,
	       uint64_t *contig)
{
	uint64_t size, *e = find_leaf(root, gpa, &size);

	if (!e)
		return -QHV_EFAULT;
	*hpa = (*e & EPT_ADDR_MASK & ~(size - 1)) + (gpa & (size - 1));
	if (flags)
		*flags = *e & ~EPT_ADDR_MASK;
	if (contig)
		*contig = size - (gpa & (size - 1));
	return 0;
}

static void destroy_level(uint64_t pa, unsigned level, ept_leaf_fn fn)
{
	uint64_t *t = table(pa);
	unsigned i;

	for (i = 0; i < 512; i++) {
		uint64_t e = t[i];

		if (!(e & EPT_PRESENT_MASK))
			continue;
		if (level == 0 || (e & EPT_LEAF_2M)) {
			if (fn)
				fn(e & EPT_ADDR_MASK,
				   level ? LARGE_PAGE_SIZE : PAGE_SIZE,
				   e & ~EPT_ADDR_MASK);
			continue;
		}
		destroy_level(e & EPT_ADDR_MASK, level - 1, fn);
	}
	mm_free_pages(pa, 1);
}

void ept_destroy(uint64_t root, ept_leaf_fn fn)
{
	destroy_level(root, 3, fn);
}
