/* SPDX-License-Identifier: MIT */
/*
 * conn_mem.h - in-memory transport: requests come from a buffer, replies
 * are counted (and optionally kept).  Used by the fuzzer and the
 * benchmark; it is also the smallest example of a transport.
 */
#ifndef QHV_XSD_CONN_MEM_H
#define QHV_XSD_CONN_MEM_H

#include "xsd.h"

struct mem_conn {
	struct xs_conn c;
	const unsigned char *in;	/* pending request bytes */
	size_t in_len;
	uint64_t out_bytes;		/* reply bytes "sent" */
	uint64_t out_msgs;
	bool closed;			/* destroy op ran */
};

/** mem_conn_init() - register @m with @d as domain @domid. */
void mem_conn_init(struct xsd *d, struct mem_conn *m, uint32_t domid,
		   bool priv);
/** mem_conn_feed() - make @len bytes available and process them. */
int mem_conn_feed(struct mem_conn *m, const void *buf, size_t len);

#endif /* QHV_XSD_CONN_MEM_H */
