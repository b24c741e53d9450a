/* SPDX-License-Identifier: MIT */
/*
 * Moving boot modules out of memory that is about to be given away (dom0's
 * 1:1 RAM), and copying boot data without ever writing over bytes that are
 * still needed.  Pure logic: physical memory is reached through a map
 * callback, so host unit tests run it over a buffer.
 */
#ifndef QHV_CORE_BOOTMOVE_H
#define QHV_CORE_BOOTMOVE_H

#include <stdbool.h>
#include <stdint.h>
#include "core/frames.h"
#include "core/mbinfo.h"

/**
 * struct phys_range - half-open physical range [base, end).
 */
struct phys_range {
	uint64_t base, end;
};

/* Do [a, a_end) and [b, b_end) share a byte? */
static inline bool ranges_overlap(uint64_t a, uint64_t a_end, uint64_t b,
				  uint64_t b_end)
{
	return a < b_end && b < a_end;
}

/**
 * bootmove_evacuate() - move modules out of the @keep ranges.
 * @pool: frame pool; every module's frames and the @keep ranges must be
 *   reserved in it (so no destination can fall on them).
 * @mods, @nmods: the modules; start/end are updated for those moved.
 * @keep, @nkeep: ranges that must hold no module afterwards.
 * @limit: destinations end at or below this address (0: anywhere).
 * @map: physical address -> pointer.
 *
 * Every destination is allocated before any old range is released, is
 * checked against every module's current range and the @keep ranges
 * (an overlap would be an allocator bug: refused, nothing copied), and is
 * written with memmove.  Once all are moved, the old frames outside @keep
 * that no other module still occupies go back to @pool.
 *
 * Return: 0, or -QHV_ENOMEM (no room: message printed, modules moved so
 * far stay valid where they now are) or -QHV_EINVAL.
 */
int bootmove_evacuate(struct frame_pool *pool, struct boot_module *mods,
		      unsigned nmods, const struct phys_range *keep,
		      unsigned nkeep, uint64_t limit,
		      void *(*map)(uint64_t pa));

/**
 * bootmove_copy() - copy boot data to its final place, checked.
 * @dst, @src, @len: physical addresses and length.
 * @busy, @nbusy: ranges that must stay intact (other modules, tables
 *   already built); @src itself may be among them.
 * @map: physical address -> pointer.
 *
 * Overlap of source and destination is fine (memmove); a destination that
 * overlaps any busy range other than the source's own is refused.
 *
 * Return: 0 or -QHV_EINVAL (message printed, nothing copied).
 */
int bootmove_copy(uint64_t dst, uint64_t src, uint64_t len,
		  const struct phys_range *busy, unsigned nbusy,
		  void *(*map)(uint64_t pa));

#endif
