/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_MM_H
#define QHV_CORE_MM_H

#include <stdint.h>
#include "core/frames.h"

#define PAGE_SIZE ((uint64_t)4096)
#define PAGE_SHIFT 12
#define LARGE_PAGE_SIZE ((uint64_t)2 << 20)

/* The hv's one frame pool (all RAM the hv may hand out). */
extern struct frame_pool hv_frames;

/**
 * mm_alloc_pages() - allocate zeroed, contiguous, aligned frames.
 * @count: number of 4 KiB frames.
 * @align: alignment in bytes (power of two, >= PAGE_SIZE).
 * @pa: receives the physical address.
 *
 * Return: 0 or -QHV_ENOMEM.  Frames are always zeroed: memory moves
 * between domains and must never carry another domain's data.
 */
int mm_alloc_pages(uint64_t count, uint64_t align, uint64_t *pa);
void mm_free_pages(uint64_t pa, uint64_t count);

/* Free frames when the hv finished booting (the pool domains draw on). */
extern uint64_t frames_at_boot;

/* The hv maps all of RAM 1:1, so physical and virtual addresses agree. */
static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline uint64_t virt_to_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

#endif
