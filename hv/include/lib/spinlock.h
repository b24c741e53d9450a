/* SPDX-License-Identifier: MIT */
#ifndef QHV_LIB_SPINLOCK_H
#define QHV_LIB_SPINLOCK_H

#include <stdint.h>

/* Ticket lock: FIFO fairness between CPUs.  The hv runs with interrupts
 * off, so no irq-save variants are needed. */
typedef struct {
	volatile uint16_t next;
	volatile uint16_t owner;
} spinlock_t;

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock(spinlock_t *l)
{
	uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		__asm__ volatile("pause");
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

#endif
