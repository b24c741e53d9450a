/* SPDX-License-Identifier: MIT */
#include <qhv/hypercall.h>
#include "core/mm.h"
#include "core/panic.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "lib/printk.h"

struct frame_pool hv_frames;
static spinlock_t frames_lock = SPINLOCK_INIT;

int mm_alloc_pages(uint64_t count, uint64_t align, uint64_t *pa)
{
	int rc;

	spin_lock(&frames_lock);
	rc = frames_alloc(&hv_frames, count, align, 0, pa);
	spin_unlock(&frames_lock);
	if (rc == 0)
		memset(phys_to_virt(*pa), 0, count * PAGE_SIZE);
	return rc;
}

void mm_free_pages(uint64_t pa, uint64_t count)
{
	int rc;

	spin_lock(&frames_lock);
	rc = frames_free(&hv_frames, pa, count);
	spin_unlock(&frames_lock);
	/* A bad free means the hv's own bookkeeping is corrupt. */
	if (rc)
		panic("freeing frames that are not allocated");
}
