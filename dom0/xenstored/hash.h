/* SPDX-License-Identifier: MIT */
/*
 * hash.h - string-keyed chained hash table with incremental growth.
 *
 * Entries embed a struct hnode; the table never owns keys.  Lookups take
 * (key, length) so callers can probe prefixes of a path without copying.
 */
#ifndef QHV_XSD_HASH_H
#define QHV_XSD_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode *next;
	const char *key;
	size_t klen;
	uint64_t hash;
};

struct htable {
	struct hnode **b;
	size_t mask;		/* nbuckets - 1, nbuckets a power of two */
	size_t count;
};

/**
 * ht_hash() - hash @len bytes of @key.
 *
 * Seeded per process (see ht_seed()) so that a guest choosing paths
 * cannot precompute colliding keys offline.
 */
uint64_t ht_hash(const char *key, size_t len);

/** ht_seed() - set the process-wide hash seed; call before any insert. */
void ht_seed(uint64_t seed);

/** ht_init() - initialise an empty table. Returns 0 or -ENOMEM. */
int ht_init(struct htable *t);

/** ht_destroy() - free the bucket array (entries are the caller's). */
void ht_destroy(struct htable *t);

/** ht_find() - find the entry whose key equals @key[0..@len). */
struct hnode *ht_find(const struct htable *t, const char *key, size_t len);

/**
 * ht_insert() - insert @n (key and klen already set); computes n->hash.
 *
 * The caller guarantees the key is not present.  Growth failure is not
 * fatal: the table just gets longer chains.
 */
void ht_insert(struct htable *t, struct hnode *n);

/** ht_remove() - unlink @n, which must be in @t. */
void ht_remove(struct htable *t, struct hnode *n);

/**
 * ht_first() / ht_next() - iterate over all entries in unspecified order.
 * Do not modify the table while iterating, except to remove the entry
 * last returned after having fetched its successor.
 */
struct hnode *ht_first(const struct htable *t);
struct hnode *ht_next(const struct htable *t, const struct hnode *n);

#endif /* QHV_XSD_HASH_H */
