/* SPDX-License-Identifier: MIT */
/*
 * xsd.h - qhv-xenstored core: connections and request dispatch.
 *
 * A transport (UNIX socket today, the shared xenstore_domain_interface
 * ring later) embeds struct xs_conn, fills in struct xs_conn_ops and
 * calls xsd_conn_input()/xsd_conn_output() when its channel is
 * readable/writable.  The core never touches file descriptors, so a ring
 * transport plugs in without changing the store or the dispatcher.
 */
#ifndef QHV_XSD_XSD_H
#define QHV_XSD_XSD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "list.h"
#include "proto.h"
#include "store.h"
#include "watch.h"

struct xs_conn;
struct xsd;

/**
 * struct xs_conn_ops - what a transport provides.
 * @read:    copy up to @len request bytes; return the count, 0 if none
 *           are available now, or a negative errno (EOF: -EPIPE).
 * @write:   send up to @len reply bytes; return the count (0: would
 *           block) or a negative errno.
 * @update:  the connection's interest changed (see xsd_conn_wants_input()
 *           and xsd_conn_wants_output()) or it was marked dead; may be NULL.
 * @destroy: release transport state; the core has already dropped
 *           watches, transactions and queued output.
 */
struct xs_conn_ops {
	const char *name;
	ssize_t (*read)(struct xs_conn *c, void *buf, size_t len);
	ssize_t (*write)(struct xs_conn *c, const void *buf, size_t len);
	void (*update)(struct xs_conn *c);
	void (*destroy)(struct xs_conn *c);
};

/**
 * struct xs_conn - per-client state owned by the core.
 * Transports embed it and must not touch the fields, except @priv_data.
 */
struct xs_conn {
	const struct xs_conn_ops *ops;
	struct xsd *d;
	struct list_head link;
	struct xs_ctx ctx;
	uint32_t id;
	bool dead;
	/* Partially received message. */
	struct xsd_sockmsg hdr;
	uint32_t hgot, pgot;
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	/* Queued output. */
	struct list_head out;
	uint32_t nout;
	struct list_head watches;
	uint32_t nwatches;
	uint32_t ntx;
	uint64_t dropped_events;
	void *priv_data;
};

/** struct xsd_stats - counters for CONTROL "stats" and the benchmark. */
struct xsd_stats {
	uint64_t requests;
	uint64_t errors;
	uint64_t events;
	uint64_t dropped_events;
	uint32_t conns;
};

/** xsd_default_quota() - the built-in quota set (see docs/xenstored.md). */
void xsd_default_quota(struct xs_quota *q);
/** xsd_quota_set() - set quota @name ("nodes", ...) to @val; -EINVAL. */
int xsd_quota_set(struct xs_quota *q, const char *name, uint32_t val);

/** xsd_new() - create the daemon core with quota set @q. */
struct xsd *xsd_new(const struct xs_quota *q);
/** xsd_free() - drop all connections (calling their destroy op) and free. */
void xsd_free(struct xsd *d);
/** xsd_store() - the store, for tests and tools. */
struct xs_store *xsd_store(struct xsd *d);
/** xsd_stats() - counters. */
const struct xsd_stats *xsd_get_stats(struct xsd *d);

/**
 * xsd_conn_init() - register a new connection of domain @domid.
 * @priv: the connection is privileged (dom0 over the local socket).
 */
void xsd_conn_init(struct xsd *d, struct xs_conn *c,
		   const struct xs_conn_ops *ops, uint32_t domid, bool priv);
/**
 * xsd_conn_input() - read and process as many requests as are available
 * and allowed by flow control.  Returns 0, or a negative errno when the
 * connection must be closed (EOF, protocol violation).
 */
int xsd_conn_input(struct xs_conn *c);
/** xsd_conn_output() - flush queued output; negative errno on failure. */
int xsd_conn_output(struct xs_conn *c);
/** xsd_conn_wants_input() - false while throttled or dead. */
bool xsd_conn_wants_input(const struct xs_conn *c);
/** xsd_conn_wants_output() - true while output is queued. */
bool xsd_conn_wants_output(const struct xs_conn *c);
/** xsd_conn_kill() - mark dead; xsd_reap() will close it. */
void xsd_conn_kill(struct xs_conn *c);
/** xsd_conn_close() - drop state now and call ops->destroy. */
void xsd_conn_close(struct xs_conn *c);
/** xsd_reap() - close every connection marked dead. */
void xsd_reap(struct xsd *d);

/**
 * xsd_handle() - process one complete request (header + payload, the
 * payload followed by a NUL).  Exposed for the fuzzer and benchmarks.
 */
void xsd_handle(struct xs_conn *c, const struct xsd_sockmsg *h,
		const char *payload);

#endif /* QHV_XSD_XSD_H */
