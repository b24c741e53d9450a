/* SPDX-License-Identifier: MIT */
/**
 * DOC: physical frame allocator
 *
 * Hands out 4 KiB physical frames from a bitmap whose storage the caller
 * provides (the hv carves it out of RAM early in boot, before any
 * allocator exists).  One bit per frame: 1 = used, 0 = free.  Frame i is
 * the physical range [i * 4096, (i + 1) * 4096).
 *
 * Everything starts used; the boot code releases the RAM ranges of the
 * firmware memory map and then reserves what is already taken (the hv
 * image, multiboot info, modules, the bitmap itself).
 *
 * Not thread-safe: callers serialise.
 */
#ifndef QHV_CORE_FRAMES_H
#define QHV_CORE_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_SHIFT 12
#define FRAME_SIZE (1ull << FRAME_SHIFT)

/**
 * struct frame_pool - state of one frame allocator.
 * @bitmap: caller-provided storage, frames_bitmap_bytes(@nframes) bytes,
 *          8-byte aligned.
 * @nframes: number of frames managed (frames 0 .. @nframes - 1).
 * @nfree: number of free frames.
 * @next_hint: no frame below this index is free; searches start here.
 */
struct frame_pool {
	uint64_t *bitmap;
	uint64_t nframes;
	uint64_t nfree;
	uint64_t next_hint;
};

/**
 * frames_bitmap_bytes() - bytes of bitmap storage needed for @nframes.
 * @nframes: number of frames to manage.
 *
 * Return: a multiple of 8 (whole 64-bit words).
 */
size_t frames_bitmap_bytes(uint64_t nframes);

/**
 * frames_init() - set up @p over @bitmap with every frame used.
 * @p: pool to initialise.
 * @bitmap: storage of frames_bitmap_bytes(@nframes) bytes, 8-byte aligned.
 * @nframes: number of frames to manage.
 */
void frames_init(struct frame_pool *p, void *bitmap, uint64_t nframes);

/**
 * frames_release_range() - mark the frames inside a byte range free.
 * @p: pool.
 * @base: physical start address of the range.
 * @len: length of the range in bytes.
 *
 * Only frames lying wholly inside [@base, @base + @len) are released: the
 * range is rounded inward, because a partial frame at either end may
 * share its page with something that is not RAM.  Frames beyond
 * @p->nframes are ignored; a range that wraps past 2^64 is cut at 2^64.
 * Releasing an already free frame is harmless.
 */
void frames_release_range(struct frame_pool *p, uint64_t base, uint64_t len);

/**
 * frames_reserve_range() - mark every frame touching a byte range used.
 * @p: pool.
 * @base: physical start address of the range.
 * @len: length of the range in bytes; 0 reserves nothing.
 *
 * The range is rounded outward so that no byte of it can ever be handed
 * out.  Frames beyond @p->nframes are ignored.  Reserving an already used
 * frame is harmless.
 */
void frames_reserve_range(struct frame_pool *p, uint64_t base, uint64_t len);

/**
 * frames_alloc() - allocate physically contiguous frames.
 * @p: pool.
 * @count: number of frames, >= 1.
 * @align: alignment in bytes of the returned address: a power of two
 *         >= 4096 (0 is taken as 4096).
 * @limit: the allocation must end at or below this physical address
 *         (pa + @count * 4096 <= @limit); 0 means no limit.
 * @pa_out: receives the physical address of the first frame.
 *
 * Returns the lowest suitable run.  The scan starts at @p->next_hint and
 * skips fully used 64-frame words, so a single-frame allocation is
 * usually found in the first word examined.
 *
 * Return: 0; -QHV_ENOMEM when no suitable run exists; -QHV_EINVAL for a
 * zero @count or a bad @align.
 */
int frames_alloc(struct frame_pool *p, uint64_t count, uint64_t align,
		 uint64_t limit, uint64_t *pa_out);

/**
 * frames_free() - return frames obtained from frames_alloc().
 * @p: pool.
 * @pa: physical address of the first frame, 4096-aligned.
 * @count: number of frames, >= 1.
 *
 * The whole range is checked before anything changes, so a bad call
 * (including a double free) leaves the pool exactly as it was.
 *
 * Return: 0; -QHV_EINVAL if @pa is misaligned, the range is empty or
 * beyond the pool, or any frame in it is already free.
 */
int frames_free(struct frame_pool *p, uint64_t pa, uint64_t count);

/**
 * frames_free_count() - number of free frames in @p.
 * @p: pool.
 */
uint64_t frames_free_count(const struct frame_pool *p);

#endif /* QHV_CORE_FRAMES_H */
