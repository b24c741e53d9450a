// SPDX-License-Identifier: MIT
/*
 * conn_mem.c - in-memory transport (see conn_mem.h).
 */
#include <string.h>

#include "conn_mem.h"

static struct mem_conn *mc_of(struct xs_conn *c)
{
	return container_of(c, struct mem_conn, c);
}

static ssize_t mc_read(struct xs_conn *c, void *buf, size_t len)
{
	struct mem_conn *m = mc_of(c);

	if (len > m->in_len)
		len = m->in_len;
	memcpy(buf, m->in, len);
	m->in += len;
	m->in_len -= len;
	return (ssize_t)len;
}

static ssize_t mc_write(struct xs_conn *c, const void *buf, size_t len)
{
	struct mem_conn *m = mc_of(c);

	(void)buf;
	m->out_bytes += len;
	m->out_msgs++;
	return (ssize_t)len;
}

static void mc_destroy(struct xs_conn *c)
{
	mc_of(c)->closed = true;
}

static const struct xs_conn_ops mem_ops = {
	.name = "memory",
	.read = mc_read,
	.write = mc_write,
	.destroy = mc_destroy,
};

void mem_conn_init(struct xsd *d, struct mem_conn *m, uint32_t domid,
		   bool priv)
{
	m->in = NULL;
	m->in_len = 0;
	m->out_bytes = m->out_msgs = 0;
	m->closed = false;
	xsd_conn_init(d, &m->c, &mem_ops, domid, priv);
}

int mem_conn_feed(struct mem_conn *m, const void *buf, size_t len)
{
	m->in = buf;
	m->in_len = len;
	return xsd_conn_input(&m->c);
}
