// SPDX-License-Identifier: MIT
/*
 * hash.c - chained hash table used for the node, transaction and watch
 * indexes.  Keeps the load factor <= 1 by doubling, so lookups stay O(1)
 * on average as the store grows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define HT_MIN_BUCKETS 16

static uint64_t ht_seed_val = 0x9e3779b97f4a7c15ULL;

void ht_seed(uint64_t seed)
{
	ht_seed_val ^= seed;
}

/* FNV-1a over the bytes, then a murmur-style finaliser to spread bits. */
uint64_t ht_hash(const char *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ ht_seed_val;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

int ht_init(struct htable *t)
{
	t->b = calloc(HT_MIN_BUCKETS, sizeof(*t->b));
	if (!t->b)
		return -ENOMEM;
	t->mask = HT_MIN_BUCKETS - 1;
	t->count = 0;
	return 0;
}

void ht_destroy(struct htable *t)
{
	free(t->b);
	t->b = NULL;
	t->count = 0;
}

struct hnode *ht_find(const struct htable *t, const char *key, size_t len)
{
	uint64_t h = ht_hash(key, len);
	struct hnode *n;

	for (n = t->b[h & t->mask]; n; n = n->next)
		if (n->hash == h && n->klen == len && !memcmp(n->key, key, len))
			return n;
	return NULL;
}

static void ht_grow(struct htable *t)
{
	size_t nb = (t->mask + 1) * 2, i;
	struct hnode **b = calloc(nb, sizeof(*b));
	struct hnode *n, *next;

	if (!b)
		return;
	for (i = 0; i <= t->mask; i++) {
		for (n = t->b[i]; n; n = next) {
			next = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	}
	free(t->b);
	t->b = b;
	t->mask = nb - 1;
}

void ht_insert(struct htable *t, struct hnode *n)
{
	struct hnode **slot;

	n->hash = ht_hash(n->key, n->klen);
	if (t->count + 1 > t->mask + 1)
		ht_grow(t);
	slot = &t->b[n->hash & t->mask];
	n->next = *slot;
	*slot = n;
	t->count++;
}

void ht_remove(struct htable *t, struct hnode *n)
{
	struct hnode **pp = &t->b[n->hash & t->mask];

	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = n->next;
		t->count--;
	}
	n->next = NULL;
}

static struct hnode *ht_scan(const struct htable *t, size_t from)
{
	size_t i;

	for (i = from; i <= t->mask; i++)
		if (t->b[i])
			return t->b[i];
	return NULL;
}

struct hnode *ht_first(const struct htable *t)
{
	return ht_scan(t, 0);
}

struct hnode *ht_next(const struct htable *t, const struct hnode *n)
{
	if (n->next)
		return n->next;
	return ht_scan(t, (n->hash & t->mask) + 1);
}
