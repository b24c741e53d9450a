// SPDX-License-Identifier: MIT
/*
 * Physical frame allocator over a caller-provided bitmap (1 bit per 4 KiB
 * frame, 1 = used).  Searches skip whole 64-bit words, so even a scan of
 * a fragmented pool costs O(nframes / 64) word reads.
 *
 * Invariant kept by every function: no frame below p->next_hint is free.
 * Single-frame allocations therefore start exactly where the last one
 * stopped, and no search ever has to wrap around.
 *
 * The bits past nframes in the last word are set at init and never
 * cleared (every clear is clamped to nframes), so the scans need no
 * special case for a partial last word.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qhv/hypercall.h>

#include "core/frames.h"
#include "lib/printk.h"
#include "lib/string.h"

#define FRAME_MASK (FRAME_SIZE - 1)

/* Open-coded: __builtin_popcountll may become a libgcc call, which the
 * freestanding hv does not link. */
static unsigned popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* Bits [lo, hi) of a word, 0 <= lo < hi <= 64. */
static uint64_t word_mask(unsigned lo, unsigned hi)
{
	uint64_t m = hi == 64 ? ~0ull : (1ull << hi) - 1;

	return m & ~((1ull << lo) - 1);
}

/*
 * Set (used = true) or clear frames [first, end); returns how many frames
 * actually changed state, so the free count stays exact even when the
 * range overlaps frames already in the target state.
 */
static uint64_t change_bits(struct frame_pool *p, uint64_t first, uint64_t end,
			    bool used)
{
	uint64_t changed = 0;

	while (first < end) {
		uint64_t w = first / 64;
		unsigned lo = first % 64;
		unsigned hi = end - w * 64 >= 64 ? 64 : (unsigned)(end - w * 64);
		uint64_t m = word_mask(lo, hi);
		uint64_t old = p->bitmap[w];

		if (used) {
			changed += popcount64(~old & m);
			p->bitmap[w] = old | m;
		} else {
			changed += popcount64(old & m);
			p->bitmap[w] = old & ~m;
		}
		first = w * 64 + hi;
	}
	return changed;
}

/* First frame in [from, end) whose bit equals @used, or @end if none. */
static uint64_t find_bit(const struct frame_pool *p, uint64_t from,
			 uint64_t end, bool used)
{
	while (from < end) {
		uint64_t w = from / 64;
		uint64_t bits = used ? p->bitmap[w] : ~p->bitmap[w];

		bits &= ~0ull << (from % 64);
		if (bits) {
			uint64_t f = w * 64 + (unsigned)__builtin_ctzll(bits);

			return f < end ? f : end;
		}
		from = (w + 1) * 64;
	}
	return end;
}

size_t frames_bitmap_bytes(uint64_t nframes)
{
	return (size_t)((nframes / 64 + (nframes % 64 != 0)) * sizeof(uint64_t));
}

void frames_init(struct frame_pool *p, void *bitmap, uint64_t nframes)
{
	p->bitmap = bitmap;
	p->nframes = nframes;
	p->nfree = 0;
	p->next_hint = 0;
	memset(bitmap, 0xff, frames_bitmap_bytes(nframes));
}

void frames_release_range(struct frame_pool *p, uint64_t base, uint64_t len)
{
	uint64_t first, end;

	/* Round the start up: a partial first frame is not released. */
	if (base > UINT64_MAX - FRAME_MASK)
		return;
	first = (base + FRAME_MASK) >> FRAME_SHIFT;
	/* Round the end down; a range running past 2^64 stops there. */
	end = (len > UINT64_MAX - base ? UINT64_MAX : base + len) >> FRAME_SHIFT;
	if (end > p->nframes)
		end = p->nframes;
	if (first >= end)
		return;
	p->nfree += change_bits(p, first, end, false);
	if (first < p->next_hint)
		p->next_hint = first;
}

void frames_reserve_range(struct frame_pool *p, uint64_t base, uint64_t len)
{
	uint64_t first, end;

	if (len == 0)
		return;
	first = base >> FRAME_SHIFT;
	if (len > UINT64_MAX - base) {
		end = p->nframes;
	} else {
		uint64_t e = base + len;

		end = (e >> FRAME_SHIFT) + ((e & FRAME_MASK) != 0);
	}
	if (end > p->nframes)
		end = p->nframes;
	if (first >= end)
		return;
	p->nfree -= change_bits(p, first, end, true);
	/* Reserving only adds used frames: the hint invariant still holds. */
}

int frames_alloc(struct frame_pool *p, uint64_t count, uint64_t align,
		 uint64_t limit, uint64_t *pa_out)
{
	uint64_t af, flimit, pos, first_free = UINT64_MAX;

	if (count == 0) {
		pr_err("qhv: frames: allocation of 0 frames\n");
		return -QHV_EINVAL;
	}
	if (align == 0)
		align = FRAME_SIZE;
	if (align < FRAME_SIZE || (align & (align - 1))) {
		pr_err("qhv: frames: bad alignment 0x%llx\n",
		       (unsigned long long)align);
		return -QHV_EINVAL;
	}
	af = align >> FRAME_SHIFT;
	flimit = p->nframes;
	/* Frame i ends at (i + 1) * 4096, which must be <= limit. */
	if (limit && (limit >> FRAME_SHIFT) < flimit)
		flimit = limit >> FRAME_SHIFT;
	if (count > flimit)
		return -QHV_ENOMEM;

	pos = p->next_hint;
	for (;;) {
		uint64_t f, s, u;

		f = find_bit(p, pos, flimit, false);
		if (f >= flimit)
			return -QHV_ENOMEM;
		if (first_free == UINT64_MAX)
			first_free = f;
		/* f < 2^52 and af <= 2^51, so this cannot overflow. */
		s = (f + af - 1) & ~(af - 1);
		if (s > flimit - count)
			return -QHV_ENOMEM;
		u = find_bit(p, s, s + count, true);
		if (u == s + count) {
			change_bits(p, s, s + count, true);
			p->nfree -= count;
			/* [hint, first_free) was used already, and so is
			 * [s, s + count) now. */
			p->next_hint = first_free == s ? s + count : first_free;
			*pa_out = s << FRAME_SHIFT;
			return 0;
		}
		/* No run can start at or before the used frame u. */
		pos = u + 1;
	}
}

int frames_free(struct frame_pool *p, uint64_t pa, uint64_t count)
{
	uint64_t f = pa >> FRAME_SHIFT, bad;

	if ((pa & FRAME_MASK) || count == 0) {
		pr_err("qhv: frames: bad free of %llu frames at 0x%llx\n",
		       (unsigned long long)count, (unsigned long long)pa);
		return -QHV_EINVAL;
	}
	if (f >= p->nframes || count > p->nframes - f) {
		pr_err("qhv: frames: free of %llu frames at 0x%llx is beyond the pool\n",
		       (unsigned long long)count, (unsigned long long)pa);
		return -QHV_EINVAL;
	}
	/* Check everything before touching anything: a double free must
	 * leave the pool intact. */
	bad = find_bit(p, f, f + count, false);
	if (bad < f + count) {
		pr_err("qhv: frames: double free of frame 0x%llx\n",
		       (unsigned long long)(bad << FRAME_SHIFT));
		return -QHV_EINVAL;
	}
	change_bits(p, f, f + count, false);
	p->nfree += count;
	if (f < p->next_hint)
		p->next_hint = f;
	return 0;
}

uint64_t frames_free_count(const struct frame_pool *p)
{
	return p->nfree;
}
