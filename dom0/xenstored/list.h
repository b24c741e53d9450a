/* SPDX-License-Identifier: MIT */
/*
 * list.h - minimal intrusive doubly linked list for qhv-xenstored.
 *
 * Circular list with a sentinel head, in the style of the Linux kernel
 * list; written from scratch so the daemon has no external dependencies.
 */
#ifndef QHV_XSD_LIST_H
#define QHV_XSD_LIST_H

#include <stddef.h>
#include <stdbool.h>

struct list_head {
	struct list_head *next, *prev;
};

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline void list_init(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

/* Insert @n before @pos (so at the tail when @pos is the head). */
static inline void list_add_before(struct list_head *n, struct list_head *pos)
{
	n->prev = pos->prev;
	n->next = pos;
	pos->prev->next = n;
	pos->prev = n;
}

static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	list_add_before(n, h);
}

static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n;
	n->prev = n;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)

#define list_for_each_safe(pos, tmp, head) \
	for (pos = (head)->next, tmp = pos->next; pos != (head); \
	     pos = tmp, tmp = pos->next)

#define list_for_each(pos, head) \
	for (pos = (head)->next; pos != (head); pos = pos->next)

#endif /* QHV_XSD_LIST_H */
