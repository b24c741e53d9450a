// SPDX-License-Identifier: MIT
/*
 * fuzz_proto.c - libFuzzer target for the qhv-xenstored message parser
 * and dispatcher.  The input is a raw byte stream as a client would send
 * it; the first byte picks the caller (dom0 or an unprivileged domain).
 * Each input runs against a fresh daemon so crashes reproduce alone.
 */
#include <stdint.h>
#include <string.h>

#include "conn_mem.h"
#include "log.h"
#include "proto.h"
#include "xsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_pure(const uint8_t *data, size_t size)
{
	static char buf[XENSTORE_PAYLOAD_MAX + 1];
	char out[PROTO_PATH_BUF];
	struct xsd_sockmsg h;
	struct xs_req r;
	struct xs_perm p[64];
	uint32_t n;

	if (size < sizeof(h))
		return;
	memcpy(&h, data, sizeof(h));
	size -= sizeof(h);
	h.len = (uint32_t)(size < XENSTORE_PAYLOAD_MAX ? size
						      : XENSTORE_PAYLOAD_MAX);
	memcpy(buf, data + sizeof(h), h.len);
	buf[h.len] = '\0';
	if (proto_parse(&h, buf, &r) == 0 && r.nargs) {
		proto_canon(r.arg[0], 5, true, out, NULL);
		proto_parse_perms(r.rest, r.rlen, p, 64, &n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xs_quota q;
	struct mem_conn m, other;
	struct xsd *d;

	if (!size)
		return 0;
	xlog_set_level(-1);	/* silence */
	fuzz_pure(data + 1, size - 1);
	xsd_default_quota(&q);
	q.nodes = 64;
	q.watches = 16;
	q.transactions = 8;
	d = xsd_new(&q);
	if (!d)
		return 0;
	mem_conn_init(d, &m, data[0] & 1 ? 0 : data[0] >> 1, data[0] & 1);
	mem_conn_init(d, &other, 0, true);	/* a bystander with a watch */
	mem_conn_feed(&other, "\x04\0\0\0\1\0\0\0\0\0\0\0\x05\0\0\0/\0t\0\0",
		      21);
	mem_conn_feed(&m, data + 1, size - 1);
	xsd_free(d);
	return 0;
}
