// SPDX-License-Identifier: MIT
/*
 * store.c - the xenstore tree.
 *
 * Committed nodes live in a hash table keyed by absolute path (O(1)
 * lookup) and are linked to their parent's child list in creation order
 * (O(1) insert and unlink, listing is linear in the output only).
 *
 * Transactions are optimistic overlays: the first time a transaction
 * touches a path it copies the committed state and remembers the node's
 * generation.  Reads and writes then go to the overlay.  At commit every
 * touched path must still exist (or not) as it did, and every path whose
 * contents the transaction *observed* (READ, DIRECTORY, GET_PERMS) must
 * still carry the same generation; otherwise the commit fails with
 * EAGAIN.  Blind writes of different children of one parent therefore
 * do not conflict, which avoids the livelock the reference daemons hit
 * on /local/domain during device creation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "list.h"
#include "store.h"

struct xs_node {
	struct hnode h;			/* key: path */
	char *path;
	size_t len;
	size_t name_off;		/* leaf name = path + name_off */
	struct xs_node *parent;
	struct list_head children;	/* creation order */
	struct list_head sibling;
	uint32_t childlen;		/* bytes of "name\0" of all children */
	char *value;
	uint32_t vlen;
	struct xs_perm *perms;
	uint32_t nperms;
	uint64_t gen;
	/* DIRECTORY_PART cursor: valid while dp_gen == gen. */
	uint64_t dp_gen;
	uint32_t dp_off;
	struct xs_node *dp_child;
};

/* A path as seen by one transaction. */
struct tx_ent {
	struct hnode h;			/* key: path */
	struct list_head link;
	char *path;
	size_t len;
	uint64_t base_gen;
	bool base_exists;
	bool observed;			/* contents were read: check gen */
	bool exists;
	bool dirty;
	bool wiped;			/* RM targeted it: wipe base subtree */
	bool hide_base;			/* committed children are not visible */
	bool implicit;			/* only "make sure it exists" (MKDIR,
					 * missing parent): fine if another
					 * client created it meanwhile */
	bool quiet;			/* created as a missing parent: the
					 * leaf's event covers it */
	char *value;
	uint32_t vlen;
	struct xs_perm *perms;
	uint32_t nperms;
	char **added;			/* children created in the tx */
	uint32_t nadded, cap;
	uint64_t gen;
};

struct xs_tx {
	struct hnode h;			/* key: the 4 bytes of id */
	struct list_head link;
	uint32_t id;
	void *owner;
	uint32_t domid;
	bool priv;
	int32_t net_nodes;		/* nodes created minus removed */
	struct htable ents;
	struct list_head ent_list;
};

struct acct {
	uint32_t nodes;
	uint32_t txs;
};

struct xs_store {
	struct htable nodes;
	struct xs_node *root;
	uint64_t gen;
	struct xs_quota q;
	xs_fire_fn fire;
	void *arg;
	struct acct *acct;		/* indexed by domid */
	struct htable txs;
	struct list_head tx_list;
	uint32_t next_txid;
};

/* ---------- helpers ---------- */

static size_t parent_len(const char *path, size_t len)
{
	while (len > 1 && path[len - 1] != '/')
		len--;
	return len > 1 ? len - 1 : 1;
}

static struct acct *acct_of(struct xs_store *s, uint32_t domid)
{
	return &s->acct[domid & XS_DOMID_MAX];
}

uint32_t store_perm_of(const struct xs_ctx *c, const struct xs_perm *p,
		       uint32_t n)
{
	uint32_t i;

	if (c->priv)
		return XS_PERM_BOTH;
	if (!n)
		return XS_PERM_NONE;
	if (p[0].domid == c->domid || p[0].domid == c->target)
		return XS_PERM_BOTH;
	for (i = 1; i < n; i++)
		if (p[i].domid == c->domid)
			return p[i].perm;
	/* A target-privileged domain inherits its target's ACL entries. */
	for (i = 1; c->target != XS_NO_TARGET && i < n; i++)
		if (p[i].domid == c->target)
			return p[i].perm;
	return p[0].perm;
}

static bool may(const struct xs_ctx *c, const struct xs_perm *p, uint32_t n,
		uint32_t want)
{
	return (store_perm_of(c, p, n) & want) == want;
}

static bool is_owner(const struct xs_ctx *c, const struct xs_perm *p)
{
	return c->priv || p[0].domid == c->domid || p[0].domid == c->target;
}

static int dup_mem(const void *src, size_t len, char **out)
{
	char *p = malloc(len + 1);

	if (!p)
		return -ENOMEM;
	if (len)
		memcpy(p, src, len);
	p[len] = '\0';	/* callers may treat values as C strings */
	*out = p;
	return 0;
}

static int dup_perms(const struct xs_perm *p, uint32_t n, struct xs_perm **out)
{
	struct xs_perm *np = malloc(sizeof(*np) * (n ? n : 1));

	if (!np)
		return -ENOMEM;
	if (n)
		memcpy(np, p, sizeof(*np) * n);
	*out = np;
	return 0;
}

/* Permissions of a node created below @p by @c: inherit, take ownership. */
static int inherit_perms(const struct xs_ctx *c, const struct xs_perm *p,
			 uint32_t n, struct xs_perm **out)
{
	int rc = dup_perms(p, n, out);

	if (!rc && !c->priv)
		(*out)[0].domid = c->domid;
	return rc;
}

static bool quota_nodes_ok(struct xs_store *s, const struct xs_ctx *c,
			   int64_t extra)
{
	if (c->priv || !s->q.nodes)
		return true;
	return (int64_t)acct_of(s, c->domid)->nodes + extra <= s->q.nodes;
}

static bool quota_size_ok(struct xs_store *s, const struct xs_ctx *c,
			  uint32_t vlen)
{
	return c->priv || !s->q.node_size || vlen <= s->q.node_size;
}

/* ---------- committed tree ---------- */

static struct xs_node *node_lookup(const struct xs_store *s, const char *path,
				   size_t len)
{
	struct hnode *h = ht_find(&s->nodes, path, len);

	return h ? container_of(h, struct xs_node, h) : NULL;
}

static void node_free(struct xs_node *n)
{
	free(n->path);
	free(n->value);
	free(n->perms);
	free(n);
}

/* Create @path under @parent; takes ownership of @perms. */
static struct xs_node *node_create(struct xs_store *s, struct xs_node *parent,
				   const char *path, size_t len,
				   struct xs_perm *perms, uint32_t nperms)
{
	struct xs_node *n = calloc(1, sizeof(*n));

	if (!n || dup_mem(path, len, &n->path) || dup_mem("", 0, &n->value)) {
		if (n)
			free(n->path);
		free(n);
		free(perms);
		return NULL;
	}
	n->len = len;
	n->name_off = parent_len(path, len) + (len > 1 && parent_len(path, len) > 1);
	n->perms = perms;
	n->nperms = nperms;
	n->h.key = n->path;
	n->h.klen = len;
	list_init(&n->children);
	n->parent = parent;
	n->gen = ++s->gen;
	ht_insert(&s->nodes, &n->h);
	acct_of(s, perms[0].domid)->nodes++;
	if (parent) {
		list_add_tail(&n->sibling, &parent->children);
		parent->childlen += len - n->name_off + 1;
		parent->gen = ++s->gen;
	}
	return n;
}

static void node_destroy_tree(struct xs_store *s, struct xs_node *n)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, &n->children)
		node_destroy_tree(s, list_entry(pos, struct xs_node, sibling));
	ht_remove(&s->nodes, &n->h);
	acct_of(s, n->perms[0].domid)->nodes--;
	node_free(n);
}

/* Remove @n and its subtree, telling watchers first. */
static void node_remove(struct xs_store *s, struct xs_node *n)
{
	struct xs_node *p = n->parent;

	if (s->fire)
		s->fire(s->arg, n->path, n->perms, n->nperms, true);
	list_del(&n->sibling);
	p->childlen -= n->len - n->name_off + 1;
	p->gen = ++s->gen;
	node_destroy_tree(s, n);
}

static void fire_node(struct xs_store *s, struct xs_node *n)
{
	if (s->fire)
		s->fire(s->arg, n->path, n->perms, n->nperms, false);
}

static int node_set_value(struct xs_node *n, const void *val, uint32_t vlen)
{
	char *v;
	int rc = dup_mem(val, vlen, &v);

	if (rc)
		return rc;
	free(n->value);
	n->value = v;
	n->vlen = vlen;
	return 0;
}

static void node_set_perms(struct xs_store *s, struct xs_node *n,
			   struct xs_perm *perms, uint32_t nperms)
{
	acct_of(s, n->perms[0].domid)->nodes--;
	acct_of(s, perms[0].domid)->nodes++;
	free(n->perms);
	n->perms = perms;
	n->nperms = nperms;
}

/*
 * Create the missing nodes between existing ancestor @anc and @path.
 * Each level is created with @perms (copied).  Returns the leaf.
 */
static int base_create_chain(struct xs_store *s, struct xs_node *anc,
			     const char *path, size_t len,
			     const struct xs_perm *perms, uint32_t nperms,
			     struct xs_node **leaf)
{
	size_t end = anc->len == 1 ? 0 : anc->len;
	struct xs_perm *p;
	struct xs_node *n = anc;

	while (end < len) {
		end++;
		while (end < len && path[end] != '/')
			end++;
		if (dup_perms(perms, nperms, &p))
			return -ENOMEM;
		n = node_create(s, n, path, end, p, nperms);
		if (!n)
			return -ENOMEM;
	}
	*leaf = n;
	return 0;
}

/* Nearest existing ancestor of @path; *@missing counts absent levels. */
static struct xs_node *base_ancestor(struct xs_store *s, const char *path,
				     size_t len, int *missing)
{
	struct xs_node *n = NULL;

	*missing = 0;
	while (!n) {
		len = parent_len(path, len);
		(*missing)++;
		n = node_lookup(s, path, len);
	}
	return n;
}

static int base_write(struct xs_store *s, const struct xs_ctx *c,
		      const char *path, size_t len, const void *val,
		      uint32_t vlen, bool mkdir)
{
	struct xs_node *n = node_lookup(s, path, len), *anc;
	struct xs_perm *perms;
	int missing, rc;

	if (n && mkdir)
		return 0;
	if (n) {
		if (!may(c, n->perms, n->nperms, XS_PERM_WRITE))
			return -EACCES;
		rc = node_set_value(n, val, vlen);
		if (rc)
			return rc;
		n->gen = ++s->gen;
		fire_node(s, n);
		return 0;
	}
	anc = base_ancestor(s, path, len, &missing);
	if (!may(c, anc->perms, anc->nperms, XS_PERM_WRITE))
		return -EACCES;
	if (!quota_nodes_ok(s, c, missing))
		return -ENOSPC;
	rc = inherit_perms(c, anc->perms, anc->nperms, &perms);
	if (rc)
		return rc;
	rc = base_create_chain(s, anc, path, len, perms, anc->nperms, &n);
	free(perms);
	if (!rc)
		rc = node_set_value(n, val, vlen);
	if (rc)
		return rc;
	fire_node(s, n);
	return 0;
}

/* ---------- transaction overlay ---------- */

static struct tx_ent *ent_find(struct xs_tx *tx, const char *path, size_t len)
{
	struct hnode *h = ht_find(&tx->ents, path, len);

	return h ? container_of(h, struct tx_ent, h) : NULL;
}

static void ent_clear_added(struct tx_ent *e)
{
	uint32_t i;

	for (i = 0; i < e->nadded; i++)
		free(e->added[i]);
	e->nadded = 0;
}

static void ent_free(struct tx_ent *e)
{
	ent_clear_added(e);
	free(e->added);
	free(e->path);
	free(e->value);
	free(e->perms);
	free(e);
}

/* The transaction's view of @path, copied from the tree on first use. */
static int ent_get(struct xs_store *s, struct xs_tx *tx, const char *path,
		   size_t len, struct tx_ent **out)
{
	struct tx_ent *e = ent_find(tx, path, len);
	struct xs_node *n;

	if (e) {
		*out = e;
		return 0;
	}
	/*
	 * Every path a transaction touches costs an entry (reads too: they
	 * are what conflict detection checks), so bound unprivileged ones.
	 */
	if (!tx->priv && s->q.nodes &&
	    tx->ents.count >= 2 * (size_t)s->q.nodes + 1024)
		return -ENOSPC;
	e = calloc(1, sizeof(*e));
	if (!e || dup_mem(path, len, &e->path))
		goto nomem;
	e->len = len;
	n = node_lookup(s, path, len);
	if (n) {
		e->base_exists = e->exists = true;
		e->base_gen = e->gen = n->gen;
		if (dup_mem(n->value, n->vlen, &e->value) ||
		    dup_perms(n->perms, n->nperms, &e->perms))
			goto nomem;
		e->vlen = n->vlen;
		e->nperms = n->nperms;
	}
	e->h.key = e->path;
	e->h.klen = len;
	ht_insert(&tx->ents, &e->h);
	list_add_tail(&e->link, &tx->ent_list);
	*out = e;
	return 0;
nomem:
	if (e) {
		free(e->path);
		free(e->value);
	}
	free(e);
	return -ENOMEM;
}

static int ent_add_child(struct tx_ent *p, const char *name, size_t len)
{
	char **a;

	if (p->nadded == p->cap) {
		a = realloc(p->added, sizeof(*a) * (p->cap ? p->cap * 2 : 4));
		if (!a)
			return -ENOMEM;
		p->added = a;
		p->cap = p->cap ? p->cap * 2 : 4;
	}
	if (dup_mem(name, len, &p->added[p->nadded]))
		return -ENOMEM;
	p->nadded++;
	return 0;
}

static void ent_del_child(struct tx_ent *p, const char *name)
{
	uint32_t i;

	for (i = 0; i < p->nadded; i++) {
		if (!strcmp(p->added[i], name)) {
			free(p->added[i]);
			p->added[i] = p->added[--p->nadded];
			return;
		}
	}
}

/*
 * Iterate the children of @e as the transaction sees them: committed
 * children not removed in the transaction, then those it created.
 */
static int tx_children(struct xs_store *s, struct xs_tx *tx, struct tx_ent *e,
		       xs_child_fn fn, void *arg)
{
	struct xs_node *n = NULL, *ch;
	struct list_head *pos;
	struct tx_ent *ce;
	uint32_t i;
	int rc;

	if (!e->hide_base)
		n = node_lookup(s, e->path, e->len);
	if (n) {
		list_for_each(pos, &n->children) {
			ch = list_entry(pos, struct xs_node, sibling);
			ce = ent_find(tx, ch->path, ch->len);
			if (ce && !ce->exists)
				continue;
			rc = fn(arg, ch->path + ch->name_off,
				ch->len - ch->name_off);
			if (rc)
				return rc;
		}
	}
	for (i = 0; i < e->nadded; i++) {
		rc = fn(arg, e->added[i], strlen(e->added[i]));
		if (rc)
			return rc;
	}
	return 0;
}

/* Make absent entry @e exist as a child of @p. */
static int tx_make_exist(struct xs_store *s, struct xs_tx *tx,
			 struct tx_ent *p, struct tx_ent *e,
			 const struct xs_perm *perms, uint32_t nperms,
			 bool implicit, bool quiet)
{
	const char *name = e->path + p->len + (p->len > 1);
	int rc;

	free(e->perms);
	e->perms = NULL;
	if (dup_perms(perms, nperms, &e->perms))
		return -ENOMEM;
	e->nperms = nperms;
	free(e->value);
	e->value = NULL;
	rc = dup_mem("", 0, &e->value);
	if (rc)
		return rc;
	e->vlen = 0;
	/* Committed children stay listed via the tree unless hidden. */
	if (p->hide_base || !node_lookup(s, e->path, e->len)) {
		rc = ent_add_child(p, name, strlen(name));
		if (rc)
			return rc;
	}
	e->exists = true;
	e->dirty = true;
	e->implicit = implicit;
	e->quiet = quiet;
	e->gen = ++s->gen;
	p->gen = ++s->gen;
	tx->net_nodes++;
	return 0;
}

static int tx_write(struct xs_store *s, struct xs_tx *tx,
		    const struct xs_ctx *c, const char *path, size_t len,
		    const void *val, uint32_t vlen, bool mkdir)
{
	struct tx_ent *e, *anc, *p, *lvl;
	struct xs_perm *perms;
	size_t alen, end;
	int missing = 0, rc;

	rc = ent_get(s, tx, path, len, &e);
	if (rc)
		return rc;
	if (e->exists && mkdir)
		return 0;
	if (e->exists) {
		if (!may(c, e->perms, e->nperms, XS_PERM_WRITE))
			return -EACCES;
		free(e->value);
		e->value = NULL;
		rc = dup_mem(val, vlen, &e->value);
		if (rc)
			return rc;
		e->vlen = vlen;
		e->dirty = true;
		e->implicit = e->quiet = false;
		e->gen = ++s->gen;
		return 0;
	}
	alen = len;
	do {
		alen = parent_len(path, alen);
		missing++;
		rc = ent_get(s, tx, path, alen, &anc);
		if (rc)
			return rc;
	} while (!anc->exists);
	if (!may(c, anc->perms, anc->nperms, XS_PERM_WRITE))
		return -EACCES;
	if (!quota_nodes_ok(s, c, (int64_t)tx->net_nodes + missing))
		return -ENOSPC;
	rc = inherit_perms(c, anc->perms, anc->nperms, &perms);
	if (rc)
		return rc;
	p = anc;
	end = alen == 1 ? 0 : alen;
	while (!rc && end < len) {
		end++;
		while (end < len && path[end] != '/')
			end++;
		rc = ent_get(s, tx, path, end, &lvl);
		if (!rc)
			rc = tx_make_exist(s, tx, p, lvl, perms, anc->nperms,
					   end < len || mkdir, end < len);
		p = lvl;
	}
	free(perms);
	if (rc || mkdir)
		return rc;
	e->implicit = e->quiet = false;
	free(e->value);
	e->value = NULL;
	rc = dup_mem(val, vlen, &e->value);
	if (!rc)
		e->vlen = vlen;
	return rc;
}

struct name_list {
	char **v;
	size_t n, cap;
};

static int collect_name(void *arg, const char *name, size_t len)
{
	struct name_list *l = arg;
	char **v;

	if (l->n == l->cap) {
		v = realloc(l->v, sizeof(*v) * (l->cap ? l->cap * 2 : 8));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = l->cap ? l->cap * 2 : 8;
	}
	if (dup_mem(name, len, &l->v[l->n]))
		return -ENOMEM;
	l->n++;
	return 0;
}

static void free_names(struct name_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* Mark @e and everything below it (in the tx view) as removed. */
static int tx_wipe(struct xs_store *s, struct xs_tx *tx, struct tx_ent *e)
{
	struct name_list l = { 0 };
	struct tx_ent *ce;
	char *cpath;
	size_t i, clen;
	int rc;

	rc = tx_children(s, tx, e, collect_name, &l);
	for (i = 0; !rc && i < l.n; i++) {
		clen = e->len + (e->len > 1) + strlen(l.v[i]);
		cpath = malloc(clen + 1);
		if (!cpath) {
			rc = -ENOMEM;
			break;
		}
		snprintf(cpath, clen + 1, "%s%s%s", e->len > 1 ? e->path : "",
			 "/", l.v[i]);
		rc = ent_get(s, tx, cpath, clen, &ce);
		free(cpath);
		if (!rc)
			rc = tx_wipe(s, tx, ce);
	}
	free_names(&l);
	if (rc)
		return rc;
	ent_clear_added(e);
	e->exists = false;
	e->dirty = true;
	e->hide_base = true;
	e->implicit = e->quiet = false;
	e->gen = ++s->gen;
	tx->net_nodes--;
	return 0;
}

static int tx_rm(struct xs_store *s, struct xs_tx *tx, const struct xs_ctx *c,
		 const char *path, size_t len)
{
	struct tx_ent *e, *p;
	size_t plen = parent_len(path, len);
	int rc;

	rc = ent_get(s, tx, path, len, &e);
	if (!rc)
		rc = ent_get(s, tx, path, plen, &p);
	if (rc)
		return rc;
	if (!e->exists)
		return p->exists ? 0 : -ENOENT;
	if (!may(c, e->perms, e->nperms, XS_PERM_WRITE))
		return -EACCES;
	rc = tx_wipe(s, tx, e);
	if (rc)
		return rc;
	e->wiped = true;
	ent_del_child(p, path + plen + (plen > 1));
	p->gen = ++s->gen;
	return 0;
}

/* Apply one dirty entry to the tree (commit phase, checks already done). */
static int tx_apply_ent(struct xs_store *s, struct tx_ent *e)
{
	struct xs_node *n = node_lookup(s, e->path, e->len), *p;
	struct xs_perm *perms;

	if (n && (e->wiped || !e->exists)) {
		node_remove(s, n);
		n = NULL;
	}
	if (!e->exists || (n && e->implicit))
		return 0;	/* someone else created it: nothing to do */
	if (dup_perms(e->perms, e->nperms, &perms))
		return -ENOMEM;
	if (!n) {
		p = node_lookup(s, e->path, parent_len(e->path, e->len));
		if (!p) {
			free(perms);
			return -EIO;	/* cannot happen: parents sort first */
		}
		n = node_create(s, p, e->path, e->len, perms, e->nperms);
		if (!n)
			return -ENOMEM;
	} else {
		node_set_perms(s, n, perms, e->nperms);
	}
	if (node_set_value(n, e->value, e->vlen))
		return -ENOMEM;
	n->gen = ++s->gen;
	if (!e->quiet)
		fire_node(s, n);
	return 0;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct tx_ent *x = *(struct tx_ent * const *)a;
	const struct tx_ent *y = *(struct tx_ent * const *)b;

	return strcmp(x->path, y->path);
}

/*
 * A node the transaction only needed to exist (MKDIR, missing parent)
 * may have been created by someone else meanwhile: that is no conflict,
 * provided the transaction may still write there.  This keeps bursts of
 * clients populating a fresh subtree from failing each other.
 */
static bool implicit_ok(const struct xs_tx *tx, const struct tx_ent *e,
			const struct xs_node *n)
{
	struct xs_ctx c = { tx->domid, XS_NO_TARGET, tx->priv };

	return e->implicit && !e->base_exists && n &&
	       may(&c, n->perms, n->nperms, XS_PERM_WRITE);
}

static bool tx_conflicts(struct xs_store *s, struct xs_tx *tx)
{
	struct list_head *pos;
	struct tx_ent *e;
	struct xs_node *n;

	list_for_each(pos, &tx->ent_list) {
		e = list_entry(pos, struct tx_ent, link);
		n = node_lookup(s, e->path, e->len);
		if (implicit_ok(tx, e, n))
			continue;
		if (!!n != e->base_exists)
			return true;
		if (n && e->observed && n->gen != e->base_gen)
			return true;
	}
	return false;
}

static int tx_commit(struct xs_store *s, struct xs_tx *tx)
{
	struct tx_ent **v;
	struct list_head *pos;
	size_t n = 0, i;
	int rc = 0;

	if (tx_conflicts(s, tx))
		return -EAGAIN;
	v = malloc(sizeof(*v) * (tx->ents.count + 1));
	if (!v)
		return -ENOMEM;
	list_for_each(pos, &tx->ent_list) {
		struct tx_ent *e = list_entry(pos, struct tx_ent, link);

		if (e->dirty)
			v[n++] = e;
	}
	/* A parent's path is a prefix of its children's: it sorts first. */
	qsort(v, n, sizeof(*v), ent_cmp);
	for (i = 0; i < n && !rc; i++)
		rc = tx_apply_ent(s, v[i]);
	free(v);
	return rc;
}

static void tx_free(struct xs_store *s, struct xs_tx *tx)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, &tx->ent_list)
		ent_free(list_entry(pos, struct tx_ent, link));
	ht_destroy(&tx->ents);
	ht_remove(&s->txs, &tx->h);
	list_del(&tx->link);
	acct_of(s, tx->domid)->txs--;
	free(tx);
}

int store_tx_start(struct xs_store *s, void *owner, const struct xs_ctx *c,
		   struct xs_tx **out)
{
	struct xs_tx *tx;

	if (!c->priv && s->q.transactions &&
	    acct_of(s, c->domid)->txs >= s->q.transactions)
		return -ENOSPC;
	tx = calloc(1, sizeof(*tx));
	if (!tx || ht_init(&tx->ents)) {
		free(tx);
		return -ENOMEM;
	}
	/* Ids are never 0 and never reused while still open. */
	do {
		tx->id = ++s->next_txid;
	} while (!tx->id || ht_find(&s->txs, (char *)&tx->id, sizeof(tx->id)));
	tx->owner = owner;
	tx->domid = c->domid;
	tx->priv = c->priv;
	list_init(&tx->ent_list);
	tx->h.key = (const char *)&tx->id;
	tx->h.klen = sizeof(tx->id);
	ht_insert(&s->txs, &tx->h);
	list_add_tail(&tx->link, &s->tx_list);
	acct_of(s, c->domid)->txs++;
	*out = tx;
	return 0;
}

struct xs_tx *store_tx_find(struct xs_store *s, void *owner, uint32_t id)
{
	struct hnode *h = ht_find(&s->txs, (const char *)&id, sizeof(id));
	struct xs_tx *tx = h ? container_of(h, struct xs_tx, h) : NULL;

	return tx && tx->owner == owner ? tx : NULL;
}

uint32_t store_tx_id(const struct xs_tx *tx)
{
	return tx->id;
}

void store_tx_drop_owner(struct xs_store *s, void *owner)
{
	struct list_head *pos, *tmp;
	struct xs_tx *tx;

	list_for_each_safe(pos, tmp, &s->tx_list) {
		tx = list_entry(pos, struct xs_tx, link);
		if (tx->owner == owner)
			tx_free(s, tx);
	}
}

uint32_t store_tx_count(const struct xs_store *s, uint32_t domid)
{
	return s->acct[domid & XS_DOMID_MAX].txs;
}

int store_tx_end(struct xs_store *s, struct xs_tx *tx, bool commit)
{
	int rc = commit ? tx_commit(s, tx) : 0;

	tx_free(s, tx);
	return rc;
}

/* ---------- public operations ---------- */

/* What a reader sees of a node: the transaction's copy or the tree's. */
struct node_view {
	const char *value;
	uint32_t vlen;
	const struct xs_perm *perms;
	uint32_t nperms;
};

/* Look @path up for reading (inside @tx if given: that marks it observed
 * for conflict detection) and check read permission. */
static int read_view(struct xs_store *s, struct xs_tx *tx,
		     const struct xs_ctx *c, const char *path,
		     struct node_view *v)
{
	size_t len = strlen(path);

	if (tx) {
		struct tx_ent *e;
		int rc = ent_get(s, tx, path, len, &e);

		if (rc)
			return rc;
		e->observed = true;
		if (!e->exists)
			return -ENOENT;
		*v = (struct node_view){ e->value, e->vlen, e->perms, e->nperms };
	} else {
		struct xs_node *n = node_lookup(s, path, len);

		if (!n)
			return -ENOENT;
		*v = (struct node_view){ n->value, n->vlen, n->perms, n->nperms };
	}
	return may(c, v->perms, v->nperms, XS_PERM_READ) ? 0 : -EACCES;
}

int store_read(struct xs_store *s, struct xs_tx *tx, const struct xs_ctx *c,
	       const char *path, const char **val, uint32_t *vlen)
{
	struct node_view v;
	int rc = read_view(s, tx, c, path, &v);

	if (rc)
		return rc;
	*val = v.value;
	*vlen = v.vlen;
	return 0;
}

int store_write(struct xs_store *s, struct xs_tx *tx, const struct xs_ctx *c,
		const char *path, const void *val, uint32_t vlen)
{
	size_t len = strlen(path);

	if (!quota_size_ok(s, c, vlen))
		return -ENOSPC;
	if (tx)
		return tx_write(s, tx, c, path, len, val, vlen, false);
	return base_write(s, c, path, len, val, vlen, false);
}

int store_mkdir(struct xs_store *s, struct xs_tx *tx, const struct xs_ctx *c,
		const char *path)
{
	size_t len = strlen(path);

	if (tx)
		return tx_write(s, tx, c, path, len, "", 0, true);
	return base_write(s, c, path, len, "", 0, true);
}

int store_rm(struct xs_store *s, struct xs_tx *tx, const struct xs_ctx *c,
	     const char *path)
{
	size_t len = strlen(path);
	struct xs_node *n;

	if (len == 1)
		return -EINVAL;		/* the root cannot be removed */
	if (tx)
		return tx_rm(s, tx, c, path, len);
	n = node_lookup(s, path, len);
	if (!n)
		return node_lookup(s, path, parent_len(path, len)) ? 0 : -ENOENT;
	if (!may(c, n->perms, n->nperms, XS_PERM_WRITE))
		return -EACCES;
	node_remove(s, n);
	return 0;
}

int store_get_perms(struct xs_store *s, struct xs_tx *tx,
		    const struct xs_ctx *c, const char *path,
		    const struct xs_perm **perms, uint32_t *n)
{
	struct node_view v;
	int rc = read_view(s, tx, c, path, &v);

	if (rc)
		return rc;
	*perms = v.perms;
	*n = v.nperms;
	return 0;
}

static int check_set_perms(const struct xs_ctx *c, const struct xs_perm *old,
			   const struct xs_perm *perms)
{
	if (!is_owner(c, old))
		return -EACCES;
	/* Only dom0 may give a node away. */
	if (!c->priv && perms[0].domid != old[0].domid)
		return -EPERM;
	return 0;
}

int store_set_perms(struct xs_store *s, struct xs_tx *tx,
		    const struct xs_ctx *c, const char *path,
		    const struct xs_perm *perms, uint32_t n)
{
	size_t len = strlen(path);
	struct xs_perm *np;
	struct xs_node *nd;
	struct tx_ent *e;
	int rc;

	if (!n || (s->q.perms && n > s->q.perms && !c->priv))
		return n ? -ENOSPC : -EINVAL;
	if (tx) {
		rc = ent_get(s, tx, path, len, &e);
		if (rc)
			return rc;
		if (!e->exists)
			return -ENOENT;
		rc = check_set_perms(c, e->perms, perms);
		if (rc || (rc = dup_perms(perms, n, &np)))
			return rc;
		free(e->perms);
		e->perms = np;
		e->nperms = n;
		e->dirty = true;
		e->implicit = e->quiet = false;
		e->gen = ++s->gen;
		return 0;
	}
	nd = node_lookup(s, path, len);
	if (!nd)
		return -ENOENT;
	rc = check_set_perms(c, nd->perms, perms);
	if (rc || (rc = dup_perms(perms, n, &np)))
		return rc;
	node_set_perms(s, nd, np, n);
	nd->gen = ++s->gen;
	fire_node(s, nd);
	return 0;
}

/* Skip to byte offset @off of the child list, using the cursor cache. */
static struct list_head *dir_seek(struct xs_node *n, uint32_t off,
				  uint32_t *pos_off)
{
	struct list_head *pos;
	struct xs_node *ch;
	uint32_t o = 0;

	if (off && n->dp_child && n->dp_gen == n->gen && n->dp_off == off) {
		*pos_off = off;
		return &n->dp_child->sibling;
	}
	for (pos = n->children.next; pos != &n->children && o < off;
	     pos = pos->next) {
		ch = list_entry(pos, struct xs_node, sibling);
		o += ch->len - ch->name_off + 1;
	}
	*pos_off = o;
	return pos;
}

static int base_directory(struct xs_node *n, uint32_t off, xs_child_fn fn,
			  void *arg)
{
	struct list_head *pos;
	struct xs_node *ch;
	uint32_t o;
	int rc;

	for (pos = dir_seek(n, off, &o); pos != &n->children;
	     pos = pos->next) {
		ch = list_entry(pos, struct xs_node, sibling);
		rc = fn(arg, ch->path + ch->name_off, ch->len - ch->name_off);
		if (rc > 0) {
			n->dp_gen = n->gen;
			n->dp_off = o;
			n->dp_child = ch;
		}
		if (rc)
			return rc < 0 ? rc : 0;
		o += ch->len - ch->name_off + 1;
	}
	return 0;
}

struct skip_ctx {
	uint32_t off, at;
	xs_child_fn fn;
	void *arg;
};

static int skip_child(void *arg, const char *name, size_t len)
{
	struct skip_ctx *k = arg;

	if (k->at < k->off) {
		k->at += len + 1;
		return 0;
	}
	return k->fn(k->arg, name, len);
}

int store_directory(struct xs_store *s, struct xs_tx *tx,
		    const struct xs_ctx *c, const char *path, uint32_t off,
		    xs_child_fn fn, void *arg, uint64_t *gen)
{
	size_t len = strlen(path);
	struct skip_ctx k = { off, 0, fn, arg };
	struct xs_node *n;
	struct tx_ent *e;
	int rc;

	if (tx) {
		rc = ent_get(s, tx, path, len, &e);
		if (rc)
			return rc;
		e->observed = true;
		if (!e->exists)
			return -ENOENT;
		if (!may(c, e->perms, e->nperms, XS_PERM_READ))
			return -EACCES;
		*gen = e->gen;
		rc = tx_children(s, tx, e, skip_child, &k);
		return rc < 0 ? rc : 0;
	}
	n = node_lookup(s, path, len);
	if (!n)
		return -ENOENT;
	if (!may(c, n->perms, n->nperms, XS_PERM_READ))
		return -EACCES;
	*gen = n->gen;
	return base_directory(n, off, fn, arg);
}

/* ---------- lifecycle ---------- */

struct xs_store *store_new(const struct xs_quota *q, xs_fire_fn fire,
			   void *arg)
{
	struct xs_store *s = calloc(1, sizeof(*s));
	struct xs_perm *p;

	if (!s)
		return NULL;
	s->acct = calloc(XS_DOMID_MAX + 1, sizeof(*s->acct));
	if (!s->acct || ht_init(&s->nodes) || ht_init(&s->txs))
		goto fail;
	s->q = *q;
	s->fire = fire;
	s->arg = arg;
	list_init(&s->tx_list);
	p = calloc(1, sizeof(*p));
	if (!p)
		goto fail;
	s->root = node_create(s, NULL, "/", 1, p, 1);
	if (!s->root)
		goto fail;
	return s;
fail:
	ht_destroy(&s->nodes);
	ht_destroy(&s->txs);
	free(s->acct);
	free(s);
	return NULL;
}

void store_free(struct xs_store *s)
{
	struct list_head *pos, *tmp;

	if (!s)
		return;
	list_for_each_safe(pos, tmp, &s->tx_list)
		tx_free(s, list_entry(pos, struct xs_tx, link));
	node_destroy_tree(s, s->root);
	ht_destroy(&s->nodes);
	ht_destroy(&s->txs);
	free(s->acct);
	free(s);
}

void store_set_quota(struct xs_store *s, const struct xs_quota *q)
{
	s->q = *q;
}

const struct xs_quota *store_quota(const struct xs_store *s)
{
	return &s->q;
}

size_t store_nodes(const struct xs_store *s)
{
	return s->nodes.count;
}

uint32_t store_domain_nodes(const struct xs_store *s, uint32_t domid)
{
	return s->acct[domid & XS_DOMID_MAX].nodes;
}
