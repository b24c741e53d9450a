// SPDX-License-Identifier: MIT
/*
 * proto.c - xenstore wire protocol helpers (see proto.h).
 */
#include <stdio.h>
#include <string.h>

#include "proto.h"

/* How many strings a request carries and whether it must end in NUL. */
struct shape {
	uint8_t min;		/* minimum NUL-terminated strings */
	uint8_t max;		/* maximum, 0 = any */
	bool binary_tail;	/* bytes after the first string are raw */
};

static const struct shape shapes[XS_TYPE_COUNT] = {
	[XS_CONTROL]		  = { 1, 0, false },
	[XS_DIRECTORY]		  = { 1, 1, false },
	[XS_READ]		  = { 1, 1, false },
	[XS_GET_PERMS]		  = { 1, 1, false },
	[XS_WATCH]		  = { 2, 0, false },
	[XS_UNWATCH]		  = { 2, 0, false },
	[XS_TRANSACTION_START]	  = { 0, 1, false },
	[XS_TRANSACTION_END]	  = { 1, 1, false },
	[XS_INTRODUCE]		  = { 3, 0, false },
	[XS_RELEASE]		  = { 1, 1, false },
	[XS_GET_DOMAIN_PATH]	  = { 1, 1, false },
	[XS_WRITE]		  = { 1, 0, true },
	[XS_MKDIR]		  = { 1, 1, false },
	[XS_RM]			  = { 1, 1, false },
	[XS_SET_PERMS]		  = { 2, 0, false },
	[XS_IS_DOMAIN_INTRODUCED] = { 1, 1, false },
	[XS_RESUME]		  = { 1, 1, false },
	[XS_SET_TARGET]		  = { 2, 2, false },
	[XS_RESET_WATCHES]	  = { 0, 1, false },
	[XS_DIRECTORY_PART]	  = { 2, 2, false },
};

static bool type_valid(uint32_t t)
{
	/* Replies and the removed RESTRICT (20) are not requests. */
	return t < XS_TYPE_COUNT && t != XS_WATCH_EVENT && t != XS_ERROR &&
	       t != XS_SET_TARGET + 1;
}

int proto_check_header(const struct xsd_sockmsg *h)
{
	return h->len > XENSTORE_PAYLOAD_MAX ? -E2BIG : 0;
}

static uint32_t count_strings(const char *d, uint32_t len)
{
	uint32_t i, n = 0;

	for (i = 0; i < len; i++)
		n += d[i] == '\0';
	return n;
}

int proto_parse(const struct xsd_sockmsg *h, const char *data,
		struct xs_req *req)
{
	const struct shape *sh;
	uint32_t i, off = 0;

	if (!type_valid(h->type))
		return -ENOSYS;
	sh = &shapes[h->type];
	memset(req, 0, sizeof(*req));
	req->hdr = *h;
	req->data = data;
	if (sh->binary_tail) {
		/* WRITE: "<path>\0<value>", the value may hold anything. */
		const char *nul = memchr(data, '\0', h->len);

		if (!nul)
			return -EINVAL;
		req->arg[0] = data;
		req->nargs = 1;
		req->rest = nul + 1;
		req->rlen = h->len - (uint32_t)(nul + 1 - data);
		return 0;
	}
	if (h->len && data[h->len - 1] != '\0')
		return -EINVAL;	/* a string is missing its terminator */
	req->nargs = count_strings(data, h->len);
	if (req->nargs < sh->min || (sh->max && req->nargs > sh->max))
		return -EINVAL;
	for (i = 0; i < req->nargs && i < PROTO_MAX_ARGS; i++) {
		req->arg[i] = data + off;
		off += (uint32_t)strlen(data + off) + 1;
	}
	if (req->nargs) {
		req->rest = data + strlen(data) + 1;
		req->rlen = h->len - (uint32_t)strlen(data) - 1;
	}
	return 0;
}

static bool path_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
	       c == '@';
}

static int check_chars(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!path_char_ok(p[i]))
			return -EINVAL;
		if (p[i] == '/' && i + 1 < len && p[i + 1] == '/')
			return -EINVAL;
	}
	/* Trailing slash only for the root itself. */
	if (len > 1 && p[len - 1] == '/')
		return -EINVAL;
	return 0;
}

int proto_canon(const char *in, uint32_t domid, bool special, char *out,
		size_t *strip)
{
	size_t len = strlen(in);
	int n;

	if (strip)
		*strip = 0;
	if (!len)
		return -EINVAL;
	if (in[0] == '@') {
		if (!special || len > XENSTORE_ABS_PATH_MAX)
			return -EINVAL;
		memcpy(out, in, len + 1);
		return 0;
	}
	if (in[0] == '/') {
		if (len > XENSTORE_ABS_PATH_MAX || check_chars(in, len))
			return -EINVAL;
		memcpy(out, in, len + 1);
		return 0;
	}
	if (len > XENSTORE_REL_PATH_MAX || check_chars(in, len))
		return -EINVAL;
	n = snprintf(out, PROTO_PATH_BUF, "/local/domain/%u/%s", domid, in);
	if (n < 0 || n > XENSTORE_ABS_PATH_MAX)
		return -EINVAL;
	if (strip)
		*strip = (size_t)n - len;
	return 0;
}

int proto_parse_uint(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

int proto_parse_domid(const char *s, uint32_t *out)
{
	uint32_t v;

	if (proto_parse_uint(s, &v) || v > XS_DOMID_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

static int perm_bits(char c, uint32_t *bits)
{
	switch (c) {
	case 'n': *bits = XS_PERM_NONE; return 0;
	case 'r': *bits = XS_PERM_READ; return 0;
	case 'w': *bits = XS_PERM_WRITE; return 0;
	case 'b': *bits = XS_PERM_BOTH; return 0;
	}
	return -EINVAL;
}

int proto_parse_perms(const char *s, size_t len, struct xs_perm *out,
		      uint32_t max, uint32_t *n)
{
	size_t off = 0, l;

	*n = 0;
	while (off < len) {
		l = strnlen(s + off, len - off);
		if (off + l == len || l < 2)
			return -EINVAL;	/* unterminated or no domid */
		if (*n == max)
			return -ENOSPC;
		if (perm_bits(s[off], &out[*n].perm) ||
		    proto_parse_domid(s + off + 1, &out[*n].domid))
			return -EINVAL;
		(*n)++;
		off += l + 1;
	}
	return *n ? 0 : -EINVAL;
}

size_t proto_format_perm(const struct xs_perm *p, char *buf, size_t cap)
{
	static const char letter[4] = { 'n', 'r', 'w', 'b' };
	int n = snprintf(buf, cap, "%c%u", letter[p->perm & 3], p->domid);

	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n + 1;
}

const char *proto_errstr(int err)
{
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			return xsd_errors[i].errstring;
	return "EIO";
}

const char *proto_type_name(uint32_t type)
{
	static const char *const names[XS_TYPE_COUNT] = {
		"CONTROL", "DIRECTORY", "READ", "GET_PERMS", "WATCH",
		"UNWATCH", "TRANSACTION_START", "TRANSACTION_END",
		"INTRODUCE", "RELEASE", "GET_DOMAIN_PATH", "WRITE", "MKDIR",
		"RM", "SET_PERMS", "WATCH_EVENT", "ERROR",
		"IS_DOMAIN_INTRODUCED", "RESUME", "SET_TARGET", "RESTRICT",
		"RESET_WATCHES", "DIRECTORY_PART",
	};

	return type < XS_TYPE_COUNT ? names[type] : "UNKNOWN";
}
