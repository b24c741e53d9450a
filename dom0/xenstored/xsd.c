// SPDX-License-Identifier: MIT
/*
 * xsd.c - qhv-xenstored core: connection state machine, request
 * dispatch, watch delivery, domain table and CONTROL commands.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xsd.h"

/* Domain ids from here on are special (DOMID_FIRST_RESERVED in xen.h). */
#define DOMID_FIRST_RESERVED 0x7ff0u

struct xsd_domain {
	uint64_t mfn;
	uint32_t evtchn;
	uint32_t target;
	bool introduced;
};

struct xsd {
	struct xs_store *store;
	struct watch_index wi;
	struct xs_quota q;
	struct list_head conns;
	struct xsd_domain *doms;	/* indexed by domid */
	uint32_t *dom_watches;		/* watches held per domid */
	uint32_t next_conn_id;
	bool trace;
	struct xsd_stats st;
};

struct xs_msg {
	struct list_head link;
	uint32_t len, off;
	unsigned char data[];
};

/* Scratch space for building one reply: header + maximal payload. */
struct outbuf {
	struct xsd_sockmsg hdr;
	char data[XENSTORE_PAYLOAD_MAX];
};

/* ---------- quotas ---------- */

void xsd_default_quota(struct xs_quota *q)
{
	/*
	 * Generous defaults: the reference daemon's 10 transactions per
	 * connection make bursts of legitimate clients fail with EQUOTA.
	 */
	q->nodes = 10000;
	q->node_size = 4096;
	q->watches = 1024;
	q->transactions = 1024;
	q->outstanding = 1024;
	q->perms = 256;
}

static uint32_t *quota_field(struct xs_quota *q, const char *name)
{
	if (!strcmp(name, "nodes"))
		return &q->nodes;
	if (!strcmp(name, "node-size"))
		return &q->node_size;
	if (!strcmp(name, "watches"))
		return &q->watches;
	if (!strcmp(name, "transactions"))
		return &q->transactions;
	if (!strcmp(name, "outstanding"))
		return &q->outstanding;
	if (!strcmp(name, "perms"))
		return &q->perms;
	return NULL;
}

int xsd_quota_set(struct xs_quota *q, const char *name, uint32_t val)
{
	uint32_t *f = quota_field(q, name);

	if (!f)
		return -EINVAL;
	*f = val;
	return 0;
}

/* ---------- output ---------- */

static bool throttled(const struct xs_conn *c)
{
	return c->d->q.outstanding && c->nout >= c->d->q.outstanding;
}

bool xsd_conn_wants_input(const struct xs_conn *c)
{
	return !c->dead && !throttled(c);
}

bool xsd_conn_wants_output(const struct xs_conn *c)
{
	return !c->dead && !list_empty(&c->out);
}

static void conn_update(struct xs_conn *c)
{
	if (c->ops->update)
		c->ops->update(c);
}

void xsd_conn_kill(struct xs_conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	conn_update(c);
}

/*
 * Send one message.  Try to write it straight away when nothing is queued
 * (the common case: no allocation, no extra poll round trip); queue what
 * the transport did not take.
 */
static void conn_send(struct xs_conn *c, uint32_t type, uint32_t req_id,
		      uint32_t tx_id, const void *data, uint32_t len)
{
	struct outbuf ob;
	uint32_t total = sizeof(ob.hdr) + len;
	struct xs_msg *m;
	ssize_t n = 0;

	if (c->dead)
		return;
	ob.hdr.type = type;
	ob.hdr.req_id = req_id;
	ob.hdr.tx_id = tx_id;
	ob.hdr.len = len;
	if (len)
		memcpy(ob.data, data, len);
	if (list_empty(&c->out)) {
		n = c->ops->write(c, &ob, total);
		if (n < 0) {
			xsd_conn_kill(c);
			return;
		}
		if ((uint32_t)n == total)
			return;
	}
	m = malloc(sizeof(*m) + total - (uint32_t)n);
	if (!m) {
		xlog(XLOG_ERROR, "conn %u: out of memory queueing reply",
		     c->id);
		xsd_conn_kill(c);
		return;
	}
	m->len = total - (uint32_t)n;
	m->off = 0;
	memcpy(m->data, (char *)&ob + n, m->len);
	list_add_tail(&m->link, &c->out);
	c->nout++;
	conn_update(c);
}

int xsd_conn_output(struct xs_conn *c)
{
	struct xs_msg *m;
	bool was_throttled = throttled(c);
	ssize_t n;

	while (!c->dead && !list_empty(&c->out)) {
		m = list_entry(c->out.next, struct xs_msg, link);
		n = c->ops->write(c, m->data + m->off, m->len - m->off);
		if (n < 0) {
			xsd_conn_kill(c);
			return (int)n;
		}
		if (!n)
			break;
		m->off += (uint32_t)n;
		if (m->off < m->len)
			break;
		list_del(&m->link);
		free(m);
		c->nout--;
	}
	if (was_throttled != throttled(c) || list_empty(&c->out))
		conn_update(c);
	return c->dead ? -EPIPE : 0;
}

static void reply(struct xs_conn *c, const struct xs_req *r, const void *data,
		  uint32_t len)
{
	conn_send(c, r->hdr.type, r->hdr.req_id, r->hdr.tx_id, data, len);
}

static void reply_str(struct xs_conn *c, const struct xs_req *r,
		      const char *s)
{
	reply(c, r, s, (uint32_t)strlen(s) + 1);
}

static void reply_error(struct xs_conn *c, const struct xsd_sockmsg *h,
			int err)
{
	const char *s = proto_errstr(err);

	c->d->st.errors++;
	conn_send(c, XS_ERROR, h->req_id, h->tx_id, s, (uint32_t)strlen(s) + 1);
}

/* ---------- watches ---------- */

static void send_event(struct xs_conn *c, const char *path, const char *token)
{
	struct xsd *d = c->d;
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t pl = strlen(path), tl = strlen(token);

	if (c->dead || pl + tl + 2 > sizeof(buf))
		return;
	/*
	 * A client that never reads its events must not make the daemon
	 * grow without bound: past 4x the outstanding quota, drop them.
	 */
	if (d->q.outstanding && c->nout >= 4 * d->q.outstanding) {
		if (!c->dropped_events++)
			xlog(XLOG_WARN, "conn %u: not reading, dropping events",
			     c->id);
		d->st.dropped_events++;
		return;
	}
	memcpy(buf, path, pl + 1);
	memcpy(buf + pl + 1, token, tl + 1);
	d->st.events++;
	conn_send(c, XS_WATCH_EVENT, 0, 0, buf, (uint32_t)(pl + tl + 2));
}

struct fire_arg {
	const struct xs_perm *perms;
	uint32_t nperms;
};

static void deliver(void *arg, struct xs_watch *w, const char *epath)
{
	struct fire_arg *fa = arg;
	struct xs_conn *c = w->owner;

	/* Only tell domains about nodes they may read. */
	if (fa->perms &&
	    !(store_perm_of(&c->ctx, fa->perms, fa->nperms) & XS_PERM_READ))
		return;
	send_event(c, epath + w->strip, w->token);
}

static void fire(void *arg, const char *path, const struct xs_perm *perms,
		 uint32_t nperms, bool subtree)
{
	struct xsd *d = arg;
	struct fire_arg fa = { perms, nperms };

	watch_match(&d->wi, path, subtree, deliver, &fa);
}

static void fire_special(struct xsd *d, const char *name)
{
	struct fire_arg fa = { NULL, 0 };

	watch_match(&d->wi, name, false, deliver, &fa);
}

static void conn_drop_watches(struct xs_conn *c)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, &c->watches)
		watch_del(&c->d->wi,
			  list_entry(pos, struct xs_watch, owner_link));
	c->d->dom_watches[c->ctx.domid & XS_DOMID_MAX] -= c->nwatches;
	c->nwatches = 0;
}

/* ---------- request handlers ---------- */

static int canon(struct xs_conn *c, const char *in, char *out)
{
	return proto_canon(in, c->ctx.domid, false, out, NULL);
}

static int do_read(struct xs_conn *c, struct xs_req *r, struct xs_tx *tx)
{
	char path[PROTO_PATH_BUF];
	const char *val;
	uint32_t len;
	int rc = canon(c, r->arg[0], path);

	if (!rc)
		rc = store_read(c->d->store, tx, &c->ctx, path, &val, &len);
	if (!rc)
		reply(c, r, val, len);
	return rc;
}

static int do_write(struct xs_conn *c, struct xs_req *r, struct xs_tx *tx)
{
	char path[PROTO_PATH_BUF];
	int rc = canon(c, r->arg[0], path);

	if (!rc)
		rc = store_write(c->d->store, tx, &c->ctx, path, r->rest,
				 r->rlen);
	if (!rc)
		reply_str(c, r, "OK");
	return rc;
}

static int do_mkdir(struct xs_conn *c, struct xs_req *r, struct xs_tx *tx)
{
	char path[PROTO_PATH_BUF];
	int rc = canon(c, r->arg[0], path);

	if (!rc)
		rc = store_mkdir(c->d->store, tx, &c->ctx, path);
	if (!rc)
		reply_str(c, r, "OK");
	return rc;
}

static int do_rm(struct xs_conn *c, struct xs_req *r, struct xs_tx *tx)
{
	char path[PROTO_PATH_BUF];
	int rc = canon(c, r->arg[0], path);

	if (!rc)
		rc = store_rm(c->d->store, tx, &c->ctx, path);
	if (!rc)
		reply_str(c, r, "OK");
	return rc;
}

struct dirbuf {
	char *p;
	uint32_t len, cap;
	bool full;
};

static int dir_add(void *arg, const char *name, size_t len)
{
	struct dirbuf *b = arg;

	if (b->len + len + 1 > b->cap) {
		b->full = true;
		return 1;	/* stop before this name */
	}
	memcpy(b->p + b->len, name, len);
	b->p[b->len + len] = '\0';
	b->len += (uint32_t)len + 1;
	return 0;
}

static int do_directory(struct xs_conn *c, struct xs_req *r, struct xs_tx *tx)
{
	char path[PROTO_PATH_BUF], buf[XENSTORE_PAYLOAD_MAX];
	struct dirbuf b = { buf, 0, sizeof(buf), false };
	uint64_t gen;
	int rc = canon(c, r->arg[0], path);

	if (!rc)
		rc = store_directory(c->d->store, tx, &c->ctx, path, 0,
				     dir_add, &b, &gen);
	if (rc)
		return rc;
	/* Clients fall back to DIRECTORY_PART on E2BIG. */
	if (b.full)
		return -E2BIG;
	reply(c, r, buf, b.len);
	return 0;
}

/*
 * Reply: "<gen>\0" then whole child names from byte offset <off>; if the
 * list ends in this chunk an extra empty string marks the end (that is
 * what libxenstore's xs_directory_part() loops on).
 */
static int do_directory_part(struct xs_conn *c, struct xs_req *r,
			     struct xs_tx *tx)
{
	enum { GEN_MAX = 24 };	/* 20 digits of uint64 + NUL, rounded */
	char path[PROTO_PATH_BUF], buf[XENSTORE_PAYLOAD_MAX];
	struct dirbuf b = { buf + GEN_MAX, 0, sizeof(buf) - GEN_MAX - 1,
			    false };
	uint32_t off;
	uint64_t gen;
	int glen, rc = canon(c, r->arg[0], path);

	if (!rc)
		rc = proto_parse_uint(r->arg[1], &off);
	if (!rc)
		rc = store_directory(c->d->store, tx, &c->ctx, path, off,
				     dir_add, &b, &gen);
	if (rc)
		return rc;
	if (!b.full)
		b.p[b.len++] = '\0';	/* reserved above */
	glen = snprintf(buf, GEN_MAX, "%" PRIu64, gen) + 1;
	memmove(buf + glen, b.p, b.len);
	reply(c, r, buf, (uint32_t)glen + b.len);
	return 0;
}

static int do_get_perms(struct xs_conn *c, struct xs_req *r, struct xs_tx *tx)
{
	char path[PROTO_PATH_BUF], buf[XENSTORE_PAYLOAD_MAX];
	const struct xs_perm *p;
	uint32_t n, i, len = 0;
	size_t l;
	int rc = canon(c, r->arg[0], path);

	if (!rc)
		rc = store_get_perms(c->d->store, tx, &c->ctx, path, &p, &n);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		l = proto_format_perm(&p[i], buf + len, sizeof(buf) - len);
		if (!l)
			return -E2BIG;
		len += (uint32_t)l;
	}
	reply(c, r, buf, len);
	return 0;
}

static int do_set_perms(struct xs_conn *c, struct xs_req *r, struct xs_tx *tx)
{
	struct xs_perm perms[XENSTORE_PAYLOAD_MAX / 3];
	char path[PROTO_PATH_BUF];
	uint32_t n;
	int rc = canon(c, r->arg[0], path);

	if (!rc)
		rc = proto_parse_perms(r->rest, r->rlen, perms,
				       XENSTORE_PAYLOAD_MAX / 3, &n);
	if (!rc)
		rc = store_set_perms(c->d->store, tx, &c->ctx, path, perms, n);
	if (!rc)
		reply_str(c, r, "OK");
	return rc;
}

static int do_watch(struct xs_conn *c, struct xs_req *r)
{
	struct xsd *d = c->d;
	char path[PROTO_PATH_BUF];
	struct xs_watch *w;
	size_t strip;
	int rc = proto_canon(r->arg[0], c->ctx.domid, true, path, &strip);

	if (rc)
		return rc;
	if (!c->ctx.priv && d->q.watches &&
	    d->dom_watches[c->ctx.domid] >= d->q.watches)
		return -E2BIG;
	rc = watch_add(&d->wi, c, path, r->arg[1], strip, &w);
	if (rc)
		return rc;
	list_add_tail(&w->owner_link, &c->watches);
	c->nwatches++;
	d->dom_watches[c->ctx.domid]++;
	reply_str(c, r, "OK");
	/* The spec: a new watch fires once straight away. */
	send_event(c, r->arg[0], r->arg[1]);
	return 0;
}

static int do_unwatch(struct xs_conn *c, struct xs_req *r)
{
	char path[PROTO_PATH_BUF];
	struct xs_watch *w;
	int rc = proto_canon(r->arg[0], c->ctx.domid, true, path, NULL);

	if (rc)
		return rc;
	w = watch_find(&c->d->wi, c, path, r->arg[1]);
	if (!w)
		return -ENOENT;
	watch_del(&c->d->wi, w);
	c->nwatches--;
	c->d->dom_watches[c->ctx.domid]--;
	reply_str(c, r, "OK");
	return 0;
}

static int do_reset_watches(struct xs_conn *c, struct xs_req *r)
{
	conn_drop_watches(c);
	store_tx_drop_owner(c->d->store, c);
	c->ntx = 0;
	reply_str(c, r, "OK");
	return 0;
}

static int do_tx_start(struct xs_conn *c, struct xs_req *r)
{
	struct xs_tx *tx;
	char buf[16];
	int rc;

	if (r->hdr.tx_id)
		return -EBUSY;
	if (c->d->q.transactions && c->ntx >= c->d->q.transactions)
		return -ENOSPC;
	rc = store_tx_start(c->d->store, c, &c->ctx, &tx);
	if (rc)
		return rc;
	c->ntx++;
	snprintf(buf, sizeof(buf), "%u", store_tx_id(tx));
	reply_str(c, r, buf);
	return 0;
}

static int do_tx_end(struct xs_conn *c, struct xs_req *r, struct xs_tx *tx)
{
	bool commit;
	int rc;

	if (!tx)
		return -ENOENT;
	if (!strcmp(r->arg[0], "T"))
		commit = true;
	else if (!strcmp(r->arg[0], "F"))
		commit = false;
	else
		return -EINVAL;
	c->ntx--;
	rc = store_tx_end(c->d->store, tx, commit);
	if (!rc)
		reply_str(c, r, "OK");
	return rc;
}

static int parse_real_domid(const char *s, uint32_t *domid)
{
	if (proto_parse_domid(s, domid) || !*domid ||
	    *domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	return 0;
}

/* mfn is sent in (possibly signed) decimal; keep the bits. */
static int parse_mfn(const char *s, uint64_t *out)
{
	bool neg = *s == '-';
	uint64_t v = 0;

	s += neg;
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > UINT64_MAX / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = neg ? (uint64_t)0 - v : v;
	return 0;
}

static int do_introduce(struct xs_conn *c, struct xs_req *r)
{
	struct xsd_domain *dom;
	uint32_t domid, evtchn;
	uint64_t mfn;

	if (!c->ctx.priv)
		return -EACCES;
	if (parse_real_domid(r->arg[0], &domid) || parse_mfn(r->arg[1], &mfn) ||
	    proto_parse_uint(r->arg[2], &evtchn))
		return -EINVAL;
	dom = &c->d->doms[domid];
	if (dom->introduced) {
		/* Re-introduction with the same ring is a no-op. */
		if (dom->mfn != mfn || dom->evtchn != evtchn)
			return -EEXIST;
		reply_str(c, r, "OK");
		return 0;
	}
	/*
	 * The shared-ring transport (event-channel work) attaches here: map
	 * @mfn, bind @evtchn and xsd_conn_init() a ring connection.
	 */
	dom->introduced = true;
	dom->mfn = mfn;
	dom->evtchn = evtchn;
	xlog(XLOG_INFO, "introduced domain %u", domid);
	reply_str(c, r, "OK");
	fire_special(c->d, "@introduceDomain");
	return 0;
}

static int do_release(struct xs_conn *c, struct xs_req *r)
{
	struct xsd_domain *dom;
	uint32_t domid;

	if (!c->ctx.priv)
		return -EACCES;
	if (parse_real_domid(r->arg[0], &domid))
		return -EINVAL;
	dom = &c->d->doms[domid];
	if (!dom->introduced)
		return -ENOENT;
	memset(dom, 0, sizeof(*dom));
	dom->target = XS_NO_TARGET;
	xlog(XLOG_INFO, "released domain %u", domid);
	reply_str(c, r, "OK");
	fire_special(c->d, "@releaseDomain");
	return 0;
}

static int do_resume(struct xs_conn *c, struct xs_req *r)
{
	uint32_t domid;

	if (!c->ctx.priv)
		return -EACCES;
	if (parse_real_domid(r->arg[0], &domid))
		return -EINVAL;
	if (!c->d->doms[domid].introduced)
		return -ENOENT;
	reply_str(c, r, "OK");
	return 0;
}

static int do_set_target(struct xs_conn *c, struct xs_req *r)
{
	uint32_t domid, target;

	if (!c->ctx.priv)
		return -EACCES;
	if (parse_real_domid(r->arg[0], &domid) ||
	    parse_real_domid(r->arg[1], &target))
		return -EINVAL;
	if (!c->d->doms[domid].introduced || !c->d->doms[target].introduced)
		return -ENOENT;
	c->d->doms[domid].target = target;
	reply_str(c, r, "OK");
	return 0;
}

static int do_get_domain_path(struct xs_conn *c, struct xs_req *r)
{
	char buf[32];
	uint32_t domid;

	if (proto_parse_domid(r->arg[0], &domid))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "/local/domain/%u", domid);
	reply_str(c, r, buf);
	return 0;
}

static int do_is_introduced(struct xs_conn *c, struct xs_req *r)
{
	uint32_t domid;

	if (proto_parse_domid(r->arg[0], &domid))
		return -EINVAL;
	reply_str(c, r, !domid || c->d->doms[domid].introduced ? "T" : "F");
	return 0;
}

/* ---------- CONTROL ---------- */

static int ctl_quota(struct xs_conn *c, struct xs_req *r, char *out,
		     size_t cap)
{
	struct xs_quota *q = &c->d->q;
	uint32_t v;

	if (r->nargs == 1) {
		snprintf(out, cap,
			 "nodes %u\nnode-size %u\nwatches %u\n"
			 "transactions %u\noutstanding %u\nperms %u\n",
			 q->nodes, q->node_size, q->watches, q->transactions,
			 q->outstanding, q->perms);
		return 0;
	}
	if (r->nargs != 3 || proto_parse_uint(r->arg[2], &v) ||
	    xsd_quota_set(q, r->arg[1], v))
		return -EINVAL;
	store_set_quota(c->d->store, q);
	xlog(XLOG_INFO, "quota %s set to %u", r->arg[1], v);
	snprintf(out, cap, "OK");
	return 0;
}

static int ctl_log(struct xs_conn *c, struct xs_req *r, char *out, size_t cap)
{
	int lvl;

	if (r->nargs != 2)
		return -EINVAL;
	if (!strcmp(r->arg[1], "on") || !strcmp(r->arg[1], "off")) {
		/* "log on" traces every request at info level. */
		c->d->trace = !strcmp(r->arg[1], "on");
	} else {
		lvl = xlog_parse_level(r->arg[1]);
		if (lvl < 0)
			return -EINVAL;
		xlog_set_level(lvl);
	}
	snprintf(out, cap, "OK");
	return 0;
}

static int ctl_set_domid(struct xs_conn *c, struct xs_req *r, char *out,
			 size_t cap)
{
	uint32_t domid;

	/* Debugging aid: act as another domain (see the man page). */
	if (r->nargs != 2 || proto_parse_domid(r->arg[1], &domid))
		return -EINVAL;
	if (c->nwatches || c->ntx)
		return -EBUSY;
	c->ctx.domid = domid;
	c->ctx.priv = domid == 0;
	snprintf(out, cap, "OK");
	return 0;
}

static int ctl_stats(struct xs_conn *c, char *out, size_t cap)
{
	struct xsd *d = c->d;

	snprintf(out, cap,
		 "nodes %zu\nwatches %zu\nconnections %u\nrequests %" PRIu64
		 "\nerrors %" PRIu64 "\nevents %" PRIu64
		 "\ndropped-events %" PRIu64 "\n",
		 store_nodes(d->store), d->wi.count, d->st.conns,
		 d->st.requests, d->st.errors, d->st.events,
		 d->st.dropped_events);
	return 0;
}

static int do_control(struct xs_conn *c, struct xs_req *r)
{
	char out[1024];
	const char *cmd = r->arg[0];
	int rc;

	if (!c->ctx.priv)
		return -EACCES;
	if (!strcmp(cmd, "quota"))
		rc = ctl_quota(c, r, out, sizeof(out));
	else if (!strcmp(cmd, "log"))
		rc = ctl_log(c, r, out, sizeof(out));
	else if (!strcmp(cmd, "set-domid"))
		rc = ctl_set_domid(c, r, out, sizeof(out));
	else if (!strcmp(cmd, "stats"))
		rc = ctl_stats(c, out, sizeof(out));
	else if (!strcmp(cmd, "print") && r->nargs == 2) {
		xlog(XLOG_INFO, "print: %s", r->arg[1]);
		rc = snprintf(out, sizeof(out), "OK") < 0;
	} else if (!strcmp(cmd, "help")) {
		rc = snprintf(out, sizeof(out),
			      "help\nlog on|off|error|warn|info|debug\n"
			      "print <string>\nquota [<name> <value>]\n"
			      "set-domid <domid>\nstats\n") < 0;
	} else {
		rc = -EINVAL;
	}
	if (!rc)
		reply_str(c, r, out);
	return rc;
}

/* ---------- dispatch ---------- */

/* Requests that operate on the tree honour tx_id; others ignore it. */
static bool uses_tx(uint32_t type)
{
	switch (type) {
	case XS_READ: case XS_WRITE: case XS_MKDIR: case XS_RM:
	case XS_DIRECTORY: case XS_DIRECTORY_PART: case XS_GET_PERMS:
	case XS_SET_PERMS: case XS_TRANSACTION_END:
		return true;
	}
	return false;
}

static int dispatch(struct xs_conn *c, struct xs_req *r, struct xs_tx *tx)
{
	switch (r->hdr.type) {
	case XS_READ:		return do_read(c, r, tx);
	case XS_WRITE:		return do_write(c, r, tx);
	case XS_MKDIR:		return do_mkdir(c, r, tx);
	case XS_RM:		return do_rm(c, r, tx);
	case XS_DIRECTORY:	return do_directory(c, r, tx);
	case XS_DIRECTORY_PART:	return do_directory_part(c, r, tx);
	case XS_GET_PERMS:	return do_get_perms(c, r, tx);
	case XS_SET_PERMS:	return do_set_perms(c, r, tx);
	case XS_WATCH:		return do_watch(c, r);
	case XS_UNWATCH:	return do_unwatch(c, r);
	case XS_RESET_WATCHES:	return do_reset_watches(c, r);
	case XS_TRANSACTION_START: return do_tx_start(c, r);
	case XS_TRANSACTION_END: return do_tx_end(c, r, tx);
	case XS_INTRODUCE:	return do_introduce(c, r);
	case XS_RELEASE:	return do_release(c, r);
	case XS_RESUME:		return do_resume(c, r);
	case XS_SET_TARGET:	return do_set_target(c, r);
	case XS_GET_DOMAIN_PATH: return do_get_domain_path(c, r);
	case XS_IS_DOMAIN_INTRODUCED: return do_is_introduced(c, r);
	case XS_CONTROL:	return do_control(c, r);
	}
	return -ENOSYS;
}

void xsd_handle(struct xs_conn *c, const struct xsd_sockmsg *h,
		const char *payload)
{
	struct xsd *d = c->d;
	struct xs_tx *tx = NULL;
	struct xs_req r;
	int rc;

	d->st.requests++;
	/* The target relation may change at any time: refresh per request. */
	c->ctx.target = c->d->doms[c->ctx.domid & XS_DOMID_MAX].target;
	rc = proto_parse(h, payload, &r);
	if (!rc && h->tx_id && uses_tx(h->type)) {
		tx = store_tx_find(d->store, c, h->tx_id);
		if (!tx)
			rc = -ENOENT;
	}
	if (!rc)
		rc = dispatch(c, &r, tx);
	if (d->trace || (rc && xlog_enabled(XLOG_DEBUG)))
		xlog(d->trace ? XLOG_INFO : XLOG_DEBUG,
		     "conn %u dom %u: %s req %u tx %u len %u -> %s", c->id,
		     c->ctx.domid, proto_type_name(h->type), h->req_id,
		     h->tx_id, h->len, rc ? proto_errstr(-rc) : "OK");
	if (rc)
		reply_error(c, h, -rc);
}

/* ---------- connection input ---------- */

static int read_some(struct xs_conn *c, void *buf, uint32_t want,
		     uint32_t *got)
{
	ssize_t n = c->ops->read(c, (char *)buf + *got, want - *got);

	if (n < 0)
		return (int)n;
	*got += (uint32_t)n;
	return n ? 1 : 0;
}

int xsd_conn_input(struct xs_conn *c)
{
	int rc;

	while (xsd_conn_wants_input(c)) {
		if (c->hgot < sizeof(c->hdr)) {
			rc = read_some(c, &c->hdr, sizeof(c->hdr), &c->hgot);
			if (rc <= 0)
				return rc;
			if (c->hgot < sizeof(c->hdr))
				continue;
			if (proto_check_header(&c->hdr)) {
				xlog(XLOG_WARN,
				     "conn %u: payload of %u bytes, closing",
				     c->id, c->hdr.len);
				return -E2BIG;
			}
			c->pgot = 0;
		}
		if (c->pgot < c->hdr.len) {
			rc = read_some(c, c->buf, c->hdr.len, &c->pgot);
			if (rc <= 0)
				return rc;
			if (c->pgot < c->hdr.len)
				continue;
		}
		c->buf[c->hdr.len] = '\0';
		c->hgot = 0;
		xsd_handle(c, &c->hdr, c->buf);
	}
	if (!c->dead && !xsd_conn_wants_input(c))
		conn_update(c);	/* throttled: stop polling for input */
	return c->dead ? -EPIPE : 0;
}

/* ---------- lifecycle ---------- */

void xsd_conn_init(struct xsd *d, struct xs_conn *c,
		   const struct xs_conn_ops *ops, uint32_t domid, bool priv)
{
	c->ops = ops;
	c->d = d;
	c->ctx.domid = domid;
	c->ctx.priv = priv;
	c->ctx.target = XS_NO_TARGET;
	c->id = ++d->next_conn_id;
	c->dead = false;
	c->hgot = c->pgot = 0;
	c->nout = c->nwatches = c->ntx = 0;
	c->dropped_events = 0;
	list_init(&c->out);
	list_init(&c->watches);
	list_add_tail(&c->link, &d->conns);
	d->st.conns++;
	xlog(XLOG_DEBUG, "conn %u: new %s connection, domain %u", c->id,
	     ops->name, domid);
}

void xsd_conn_close(struct xs_conn *c)
{
	struct list_head *pos, *tmp;

	xlog(XLOG_DEBUG, "conn %u: closed", c->id);
	conn_drop_watches(c);
	store_tx_drop_owner(c->d->store, c);
	list_for_each_safe(pos, tmp, &c->out) {
		list_del(pos);
		free(list_entry(pos, struct xs_msg, link));
	}
	list_del(&c->link);
	c->d->st.conns--;
	c->ops->destroy(c);
}

void xsd_reap(struct xsd *d)
{
	struct list_head *pos, *tmp;
	struct xs_conn *c;

	list_for_each_safe(pos, tmp, &d->conns) {
		c = list_entry(pos, struct xs_conn, link);
		if (c->dead)
			xsd_conn_close(c);
	}
}

struct xsd *xsd_new(const struct xs_quota *q)
{
	struct xsd *d = calloc(1, sizeof(*d));
	uint32_t i;

	if (!d)
		return NULL;
	d->q = *q;
	list_init(&d->conns);
	d->doms = calloc(XS_DOMID_MAX + 1, sizeof(*d->doms));
	d->dom_watches = calloc(XS_DOMID_MAX + 1, sizeof(*d->dom_watches));
	if (!d->doms || !d->dom_watches || watch_index_init(&d->wi))
		goto fail;
	for (i = 0; i <= XS_DOMID_MAX; i++)
		d->doms[i].target = XS_NO_TARGET;
	d->store = store_new(q, fire, d);
	if (!d->store) {
		watch_index_destroy(&d->wi);
		goto fail;
	}
	return d;
fail:
	free(d->doms);
	free(d->dom_watches);
	free(d);
	return NULL;
}

void xsd_free(struct xsd *d)
{
	struct list_head *pos, *tmp;

	if (!d)
		return;
	list_for_each_safe(pos, tmp, &d->conns)
		xsd_conn_close(list_entry(pos, struct xs_conn, link));
	store_free(d->store);
	watch_index_destroy(&d->wi);
	free(d->doms);
	free(d->dom_watches);
	free(d);
}

struct xs_store *xsd_store(struct xsd *d)
{
	return d->store;
}

const struct xsd_stats *xsd_get_stats(struct xsd *d)
{
	return &d->st;
}
