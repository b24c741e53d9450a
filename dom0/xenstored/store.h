/* SPDX-License-Identifier: MIT */
/*
 * store.h - the qhv-xenstored tree: nodes, permissions, transactions and
 * per-domain quota accounting.  Pure logic: no I/O, no knowledge of
 * connections.  Watch notification is delegated to a callback so the
 * store can be unit-tested and benchmarked on its own.
 */
#ifndef QHV_XSD_STORE_H
#define QHV_XSD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XS_PERM_NONE	0u
#define XS_PERM_READ	1u
#define XS_PERM_WRITE	2u
#define XS_PERM_BOTH	(XS_PERM_READ | XS_PERM_WRITE)

/* Domain ids are 16 bit on the wire (0..65535). */
#define XS_DOMID_MAX	65535u
#define XS_NO_TARGET	UINT32_MAX

/**
 * struct xs_perm - one permission entry.
 * @domid: domain the entry applies to.  In entry 0 this is the owner.
 * @perm:  XS_PERM_* bits.  In entry 0 this is the default for domains
 *         not listed in the ACL (entries 1..n-1).
 */
struct xs_perm {
	uint32_t domid;
	uint32_t perm;
};

/**
 * struct xs_quota - limits; 0 means "unlimited".
 * @nodes:        nodes one unprivileged domain may own.
 * @node_size:    bytes in one value written by an unprivileged domain.
 * @watches:      watches one unprivileged domain may hold.
 * @transactions: concurrently open transactions, per connection (all
 *                domains) and per unprivileged domain.
 * @outstanding:  replies/events queued to one connection before the
 *                daemon stops reading its requests (flow control).
 * @perms:        entries in one SET_PERMS list.
 */
struct xs_quota {
	uint32_t nodes;
	uint32_t node_size;
	uint32_t watches;
	uint32_t transactions;
	uint32_t outstanding;
	uint32_t perms;
};

/**
 * struct xs_ctx - who performs an operation.
 * @domid:  caller's domain id.
 * @target: domain the caller was SET_TARGET on, or XS_NO_TARGET.
 * @priv:   privileged (dom0): bypasses permission checks and quotas.
 */
struct xs_ctx {
	uint32_t domid;
	uint32_t target;
	bool priv;
};

struct xs_store;
struct xs_tx;

/**
 * typedef xs_fire_fn - called for every committed change.
 * @arg:     cookie given to store_new().
 * @path:    absolute path of the changed node (NUL terminated).
 * @perms:   permissions of the node (before removal for RM).
 * @subtree: true for a recursive removal: watches *below* @path fire too.
 */
typedef void (*xs_fire_fn)(void *arg, const char *path,
			   const struct xs_perm *perms, uint32_t nperms,
			   bool subtree);

/**
 * typedef xs_child_fn - directory iterator callback.
 * Return 0 to continue, >0 to stop before consuming @name, <0 on error.
 */
typedef int (*xs_child_fn)(void *arg, const char *name, size_t len);

/** store_new() - create a store holding just "/" (owner 0, "n0"). */
struct xs_store *store_new(const struct xs_quota *q, xs_fire_fn fire,
			   void *arg);
/** store_free() - free the store and every open transaction. */
void store_free(struct xs_store *s);
/** store_set_quota() - replace the quota set (takes effect at once). */
void store_set_quota(struct xs_store *s, const struct xs_quota *q);
/** store_quota() - current quota set. */
const struct xs_quota *store_quota(const struct xs_store *s);
/** store_nodes() - number of nodes in the committed tree. */
size_t store_nodes(const struct xs_store *s);
/** store_domain_nodes() - committed nodes owned by @domid. */
uint32_t store_domain_nodes(const struct xs_store *s, uint32_t domid);

/*
 * Operations.  @path is an absolute, already validated path (see
 * proto_check_path()).  @tx is NULL outside a transaction.  All return 0
 * or a negative errno: -ENOENT, -EACCES, -EPERM, -ENOSPC, -EINVAL,
 * -ENOMEM, -E2BIG.
 */

/**
 * store_read() - read a value.  *@val stays valid until the next
 * modifying call on the store or on @tx.
 */
int store_read(struct xs_store *s, struct xs_tx *tx, const struct xs_ctx *c,
	       const char *path, const char **val, uint32_t *vlen);
/** store_write() - set a value, creating missing parents. */
int store_write(struct xs_store *s, struct xs_tx *tx, const struct xs_ctx *c,
		const char *path, const void *val, uint32_t vlen);
/** store_mkdir() - create @path (and parents) unless it exists. */
int store_mkdir(struct xs_store *s, struct xs_tx *tx, const struct xs_ctx *c,
		const char *path);
/** store_rm() - remove @path and its subtree; ok if absent but parent exists. */
int store_rm(struct xs_store *s, struct xs_tx *tx, const struct xs_ctx *c,
	     const char *path);
/** store_get_perms() - permissions of @path; valid like store_read(). */
int store_get_perms(struct xs_store *s, struct xs_tx *tx,
		    const struct xs_ctx *c, const char *path,
		    const struct xs_perm **perms, uint32_t *n);
/** store_set_perms() - replace permissions; caller must own the node. */
int store_set_perms(struct xs_store *s, struct xs_tx *tx,
		    const struct xs_ctx *c, const char *path,
		    const struct xs_perm *perms, uint32_t n);
/**
 * store_directory() - list children of @path starting at byte offset
 * @off of the NUL-separated child list; *@gen receives the node's
 * generation count (changes whenever the node or its child list does).
 * Sequential DIRECTORY_PART reads resume in O(1) via a cursor cache.
 */
int store_directory(struct xs_store *s, struct xs_tx *tx,
		    const struct xs_ctx *c, const char *path, uint32_t off,
		    xs_child_fn fn, void *arg, uint64_t *gen);

/**
 * store_tx_start() - open a transaction owned by @owner for @c.
 * Returns -ENOSPC when the domain's transaction quota is exhausted.
 */
int store_tx_start(struct xs_store *s, void *owner, const struct xs_ctx *c,
		   struct xs_tx **out);
/** store_tx_find() - look up transaction @id; NULL unless owned by @owner. */
struct xs_tx *store_tx_find(struct xs_store *s, void *owner, uint32_t id);
/** store_tx_id() - the id clients use in the tx_id header field. */
uint32_t store_tx_id(const struct xs_tx *tx);
/**
 * store_tx_end() - commit (@commit true) or abort, then free @tx.
 * Returns -EAGAIN if a path the transaction read changed since, or a
 * path it touched appeared/disappeared; nothing is applied then.
 */
int store_tx_end(struct xs_store *s, struct xs_tx *tx, bool commit);
/** store_tx_drop_owner() - abort every transaction owned by @owner. */
void store_tx_drop_owner(struct xs_store *s, void *owner);
/** store_tx_count() - open transactions of @domid. */
uint32_t store_tx_count(const struct xs_store *s, uint32_t domid);

/** store_perm_of() - XS_PERM_* granted to @c by permission list @p. */
uint32_t store_perm_of(const struct xs_ctx *c, const struct xs_perm *p,
		       uint32_t n);

#endif /* QHV_XSD_STORE_H */
