/* SPDX-License-Identifier: MIT */
/*
 * Boot module placement.  GRUB puts modules wherever it likes, often just
 * above the hv image, which is where dom0's 1:1 RAM and its kernel's load
 * address are.  The rule here: no byte a module, the kernel or the hv
 * still needs is overwritten, whatever the order of the moves.  Old
 * frames are given back only after every move is done, so a later
 * destination can never be an earlier module's just-vacated source.
 */
#include <qhv/hypercall.h>
#include "core/bootmove.h"
#include "lib/printk.h"
#include "lib/string.h"

#define PAGE 4096ull

static bool overlaps_any(uint64_t base, uint64_t end,
			 const struct phys_range *r, unsigned n, int skip)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if ((int)i != skip && ranges_overlap(base, end, r[i].base, r[i].end))
			return true;
	return false;
}

static bool module_overlaps(const struct boot_module *mods, unsigned nmods,
			    uint64_t base, uint64_t end, int skip)
{
	unsigned i;

	for (i = 0; i < nmods; i++)
		if ((int)i != skip &&
		    ranges_overlap(base, end, mods[i].start, mods[i].end))
			return true;
	return false;
}

/* Page-rounded extent of a module: frames it occupies. */
static void module_pages(const struct boot_module *m, uint64_t *base,
			 uint64_t *end)
{
	*base = m->start & ~(PAGE - 1);
	*end = (m->end + PAGE - 1) & ~(PAGE - 1);
}

/* Give back the frames of an old module range that nothing uses now. */
static void release_old(struct frame_pool *pool, uint64_t base, uint64_t end,
			const struct boot_module *mods, unsigned nmods,
			const struct phys_range *keep, unsigned nkeep)
{
	uint64_t pa;

	for (pa = base; pa < end; pa += PAGE) {
		unsigned i;
		bool used = overlaps_any(pa, pa + PAGE, keep, nkeep, -1);

		for (i = 0; !used && i < nmods; i++) {
			uint64_t mb, me;

			module_pages(&mods[i], &mb, &me);
			used = ranges_overlap(pa, pa + PAGE, mb, me);
		}
		if (!used)
			frames_release_range(pool, pa, PAGE);
	}
}

int bootmove_evacuate(struct frame_pool *pool, struct boot_module *mods,
		      unsigned nmods, const struct phys_range *keep,
		      unsigned nkeep, uint64_t limit,
		      void *(*map)(uint64_t pa))
{
	struct phys_range old[BOOT_MAX_MODS];
	unsigned i, nold = 0;
	int rc = 0;

	if (nmods > BOOT_MAX_MODS)
		return -QHV_EINVAL;
	for (i = 0; i < nmods && !rc; i++) {
		struct boot_module *m = &mods[i];
		uint64_t len = m->end - m->start;
		uint64_t pages = len ? (len + PAGE - 1) / PAGE : 1, pa;

		if (m->end < m->start) {
			pr_err("qhv: module '%s': end before start\n", m->string);
			rc = -QHV_EINVAL;
			break;
		}
		if (!overlaps_any(m->start, m->end, keep, nkeep, -1))
			continue;
		if (frames_alloc(pool, pages, PAGE, limit, &pa)) {
			pr_err("qhv: dom0: no room to move module '%s' (%lu KiB) out of dom0's RAM\n",
			       m->string, len >> 10);
			rc = -QHV_ENOMEM;
			break;
		}
		/* Reserved frames are never handed out, so this is an hv bug;
		 * refuse rather than corrupt a module. */
		if (overlaps_any(pa, pa + pages * PAGE, keep, nkeep, -1) ||
		    module_overlaps(mods, nmods, pa, pa + pages * PAGE, -1)) {
			pr_err("qhv: dom0: destination 0x%lx for module '%s' overlaps needed memory\n",
			       pa, m->string);
			frames_free(pool, pa, pages);
			rc = -QHV_EINVAL;
			break;
		}
		memmove(map(pa), map(m->start), len);
		module_pages(m, &old[nold].base, &old[nold].end);
		nold++;
		m->start = pa;
		m->end = pa + len;
	}
	/* Only now: no destination above could land on these. */
	for (i = 0; i < nold; i++)
		release_old(pool, old[i].base, old[i].end, mods, nmods, keep,
			    nkeep);
	return rc;
}

int bootmove_copy(uint64_t dst, uint64_t src, uint64_t len,
		  const struct phys_range *busy, unsigned nbusy,
		  void *(*map)(uint64_t pa))
{
	unsigned i;

	if (dst + len < dst || src + len < src)
		return -QHV_EINVAL;
	for (i = 0; i < nbusy; i++) {
		bool is_src = busy[i].base == src && busy[i].end == src + len;

		if (!is_src && ranges_overlap(dst, dst + len, busy[i].base,
					      busy[i].end)) {
			pr_err("qhv: copy to 0x%lx-0x%lx would overwrite 0x%lx-0x%lx, still needed\n",
			       dst, dst + len, busy[i].base, busy[i].end);
			return -QHV_EINVAL;
		}
	}
	if (len)
		memmove(map(dst), map(src), len);
	return 0;
}
