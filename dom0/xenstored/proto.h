/* SPDX-License-Identifier: MIT */
/*
 * proto.h - xenstore wire protocol: message validation, argument
 * splitting, path canonicalisation and error strings.  Pure functions
 * (no allocation, no I/O) so they can be unit-tested and fuzzed alone.
 */
#ifndef QHV_XSD_PROTO_H
#define QHV_XSD_PROTO_H

#include <errno.h>	/* before xs_wire.h: it gates xsd_errors[] on EINVAL */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "store.h"

#define PROTO_MAX_ARGS 4
/* Largest canonical path plus NUL: absolute paths are bounded by spec. */
#define PROTO_PATH_BUF (XENSTORE_ABS_PATH_MAX + 1)

/**
 * struct xs_req - a validated request.
 * @hdr:   header as received.
 * @data:  payload (@hdr.len bytes, followed by a NUL added by the reader).
 * @arg:   the first NUL-terminated strings of the payload.
 * @nargs: how many NUL-terminated strings the payload holds in total.
 * @rest:  for WRITE the value; for SET_PERMS the permission strings; for
 *         CONTROL the parameters: the bytes after @arg[0].
 * @rlen:  length of @rest.
 */
struct xs_req {
	struct xsd_sockmsg hdr;
	const char *data;
	const char *arg[PROTO_MAX_ARGS];
	uint32_t nargs;
	const char *rest;
	uint32_t rlen;
};

/**
 * proto_check_header() - is @h acceptable before reading its payload?
 * Returns 0, or -E2BIG if the payload exceeds XENSTORE_PAYLOAD_MAX, in
 * which case the stream cannot be resynchronised: close the connection.
 */
int proto_check_header(const struct xsd_sockmsg *h);

/**
 * proto_parse() - validate the payload shape of a request and split it.
 * @data must have @h->len bytes plus one readable NUL after them.
 * Returns 0, -ENOSYS (unknown or server-only type) or -EINVAL.
 */
int proto_parse(const struct xsd_sockmsg *h, const char *data,
		struct xs_req *req);

/**
 * proto_canon() - check a client path and make it absolute.
 * @in:      path from the request (NUL terminated).
 * @domid:   caller's domain: relative paths are under /local/domain/<domid>.
 * @special: allow "@name" watch paths.
 * @out:     PROTO_PATH_BUF bytes.
 * @strip:   if not NULL, receives the length of the prefix added to a
 *           relative path (0 for absolute ones).
 * Returns 0 or -EINVAL (bad character, "//", trailing "/", too long).
 */
int proto_canon(const char *in, uint32_t domid, bool special, char *out,
		size_t *strip);

/** proto_parse_uint() - strict decimal uint32 ("" and junk are -EINVAL). */
int proto_parse_uint(const char *s, uint32_t *out);
/** proto_parse_domid() - strict decimal 0..65535. */
int proto_parse_domid(const char *s, uint32_t *out);

/**
 * proto_parse_perms() - parse "<r|w|b|n><domid>\0"... from @s[0..@len).
 * Returns 0, -EINVAL (malformed or empty) or -ENOSPC (more than @max).
 */
int proto_parse_perms(const char *s, size_t len, struct xs_perm *out,
		      uint32_t max, uint32_t *n);

/** proto_format_perm() - "b0" etc. with NUL; returns bytes incl. NUL. */
size_t proto_format_perm(const struct xs_perm *p, char *buf, size_t cap);

/** proto_errstr() - xs_wire.h name for positive errno @err ("EIO" if none). */
const char *proto_errstr(int err);

/** proto_type_name() - "READ" etc., for logs; "UNKNOWN" otherwise. */
const char *proto_type_name(uint32_t type);

#endif /* QHV_XSD_PROTO_H */
