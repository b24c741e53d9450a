// SPDX-License-Identifier: MIT
/*
 * xsd_bench.c - qhv-xenstored throughput.
 *
 * In-process mode (always): requests go through the daemon core exactly
 * as from a socket (parse, canonicalise, store, watch match, reply
 * build) via the in-memory transport, on one thread, so the figures are
 * the daemon's per-request CPU cost on one core.  Tables: reads/s and
 * writes/s for 10..10,000 nodes and for 1..1,000 watches.
 *
 * Socket mode (with a daemon path argument): the same over the UNIX
 * socket against a real qhv-xenstored, pipelining requests, so kernel
 * and context-switch costs are included.
 *
 * Usage: xsd-bench [--quick] [path/to/qhv-xenstored]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn_mem.h"
#include "log.h"
#include "xsclient.h"
#include "xsd.h"

static bool quick;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Cheap deterministic PRNG so runs are comparable. */
static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static size_t build(char *buf, uint32_t type, const char *path,
		    const char *val)
{
	struct xsd_sockmsg h = { type, 1, 0, 0 };
	size_t pl = strlen(path) + 1, vl = val ? strlen(val) : 0;

	memcpy(buf + sizeof(h), path, pl);
	if (val)
		memcpy(buf + sizeof(h) + pl, val, vl);
	h.len = (uint32_t)(pl + vl);
	memcpy(buf, &h, sizeof(h));
	return sizeof(h) + h.len;
}

/* Node i lives at /bench/<i % 100>/node<i>: a realistic two-level tree. */
static void node_path(char *p, size_t cap, uint32_t i)
{
	snprintf(p, cap, "/local/domain/%u/device/vif/%u/state", i % 100, i);
}

static void handle(struct mem_conn *m, const char *msg)
{
	struct xsd_sockmsg h;

	memcpy(&h, msg, sizeof(h));
	xsd_handle(&m->c, &h, msg + sizeof(h));
}

/*
 * Pre-build @n request messages over random nodes < @nodes so the timed
 * loop measures only the daemon.
 */
static char *prebuild(uint32_t n, uint32_t nodes, uint32_t type, size_t *stride)
{
	char path[128];
	char *v = malloc((size_t)n * 256);
	uint32_t i;

	for (i = 0; i < n; i++) {
		node_path(path, sizeof(path), rnd() % nodes);
		build(v + (size_t)i * 256, type, path,
		      type == XS_WRITE ? "4" : NULL);
	}
	*stride = 256;
	return v;
}

static double run_ops(struct mem_conn *m, uint32_t nodes, uint32_t type,
		      uint32_t ops)
{
	size_t stride;
	char *msgs = prebuild(ops, nodes, type, &stride);
	double t0, t1;
	uint32_t i;

	t0 = now();
	for (i = 0; i < ops; i++)
		handle(m, msgs + (size_t)i * stride);
	t1 = now();
	free(msgs);
	return ops / (t1 - t0);
}

static struct xsd *fresh(struct mem_conn *m, uint32_t nodes)
{
	struct xs_quota q;
	char buf[512], path[128];
	struct xsd *d;
	uint32_t i;

	xsd_default_quota(&q);
	d = xsd_new(&q);
	mem_conn_init(d, m, 0, true);
	for (i = 0; i < nodes; i++) {
		node_path(path, sizeof(path), i);
		build(buf, XS_WRITE, path, "1");
		handle(m, buf);
	}
	return d;
}

static void table_nodes(void)
{
	static const uint32_t sizes[] = { 10, 100, 1000, 10000 };
	uint32_t ops = quick ? 50000 : 500000, i;
	struct mem_conn m;

	printf("\n### In-process, one core: scaling with the number of nodes\n\n");
	printf("| nodes | reads/s | writes/s | DIRECTORY /local/domain/s "
	       "(min(nodes,100) children) |\n");
	printf("|------:|--------:|---------:|---------------------------:|\n");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct xsd *d = fresh(&m, sizes[i]);
		double r = run_ops(&m, sizes[i], XS_READ, ops);
		double w = run_ops(&m, sizes[i], XS_WRITE, ops);
		char buf[256];
		double t0, dps;
		uint32_t k, dops = ops / 10;

		build(buf, XS_DIRECTORY, "/local/domain", NULL);
		t0 = now();
		for (k = 0; k < dops; k++)
			handle(&m, buf);
		dps = dops / (now() - t0);
		printf("| %5u | %9.0f | %9.0f | %9.0f |\n", sizes[i], r, w,
		       dps);
		xsd_free(d);
	}
}

/*
 * Watches on W distinct nodes, writes to random nodes of 10,000; each
 * write matches the watches on its ancestors only.  With per-path
 * indexing the cost must not grow with W.
 */
static void table_watches(void)
{
	static const uint32_t counts[] = { 1, 10, 100, 1000 };
	uint32_t ops = quick ? 50000 : 500000, i, k, nodes = 10000;
	struct mem_conn m, watcher;
	char buf[512], path[128], tok[32];

	printf("\n### In-process, one core: scaling with the number of watches "
	       "(10,000 nodes)\n\n");
	printf("| watches | writes/s (unrelated paths) | writes/s (each fires 1 "
	       "event) | reads/s |\n");
	printf("|--------:|---------:|---------:|---------:|\n");
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct xsd *d = fresh(&m, nodes);
		double wu, wf, r;
		size_t stride;
		char *msgs;
		double t0;

		mem_conn_init(d, &watcher, 0, true);
		/* W watches elsewhere: not matching the benchmark writes */
		for (k = 0; k < counts[i]; k++) {
			struct xsd_sockmsg h = { XS_WATCH, 1, 0, 0 };
			int l = snprintf(path, sizeof(path), "/vm/%u/state", k);

			snprintf(tok, sizeof(tok), "t%u", k);
			memcpy(buf + 16, path, (size_t)l + 1);
			memcpy(buf + 16 + l + 1, tok, strlen(tok) + 1);
			h.len = (uint32_t)(l + 1 + strlen(tok) + 1);
			memcpy(buf, &h, sizeof(h));
			handle(&watcher, buf);
		}
		wu = run_ops(&m, nodes, XS_WRITE, ops);
		r = run_ops(&m, nodes, XS_READ, ops);
		/* writes that each hit exactly one of the W watches */
		msgs = malloc((size_t)ops * 256);
		stride = 256;
		for (k = 0; k < ops; k++) {
			snprintf(path, sizeof(path), "/vm/%u/state",
				 rnd() % counts[i]);
			build(msgs + (size_t)k * stride, XS_WRITE, path, "x");
		}
		t0 = now();
		for (k = 0; k < ops; k++)
			handle(&m, msgs + (size_t)k * stride);
		wf = ops / (now() - t0);
		free(msgs);
		/* initial events + one per write: check they were delivered */
		if (watcher.out_msgs < (uint64_t)ops)
			fprintf(stderr, "only %llu events delivered\n",
				(unsigned long long)watcher.out_msgs);
		printf("| %7u | %9.0f | %9.0f | %9.0f |\n", counts[i], wu, wf,
		       r);
		xsd_free(d);
	}
}

/* Socket mode: @depth requests in flight, one client, one daemon. */
static double sock_ops(struct xsc *c, uint32_t type, uint32_t nodes,
		       uint32_t ops)
{
	enum { DEPTH = 64 };
	static char batch[DEPTH * 256];
	struct xsc_reply r;
	char path[128];
	uint32_t done = 0, k;
	size_t len;
	double t0 = now();

	while (done < ops) {
		for (len = 0, k = 0; k < DEPTH; k++) {
			node_path(path, sizeof(path), rnd() % nodes);
			len += build(batch + len, type, path,
				     type == XS_WRITE ? "5" : NULL);
		}
		if (xsc_send_raw(c, batch, len))
			return 0;
		for (k = 0; k < DEPTH; k++) {
			if (xsc_recv(c, &r))
				return 0;
			free(r.data);
		}
		done += DEPTH;
	}
	return done / (now() - t0);
}

static int table_socket(const char *daemon_path)
{
	static const uint32_t sizes[] = { 10, 100, 1000, 10000 };
	uint32_t ops = quick ? 20000 : 200000, i, k;
	struct xsd_proc p;
	struct xsc c;
	char path[128];

	setenv("QHV_XENSTORED", daemon_path, 1);
	if (xsd_start(&p, NULL) || xsc_connect(&c, p.sock)) {
		fprintf(stderr, "cannot start %s\n", daemon_path);
		return 1;
	}
	printf("\n### Over the UNIX socket (one client, 64 requests in flight)"
	       "\n\n| nodes | reads/s | writes/s |\n|------:|--------:|"
	       "---------:|\n");
	for (i = 0, k = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (; k < sizes[i]; k++) {
			node_path(path, sizeof(path), k);
			xsc_write(&c, 0, path, "1");
		}
		printf("| %5u | %9.0f | %9.0f |\n", sizes[i],
		       sock_ops(&c, XS_READ, sizes[i], ops),
		       sock_ops(&c, XS_WRITE, sizes[i], ops));
	}
	xsc_close(&c);
	return xsd_stop(&p);
}

int main(int argc, char **argv)
{
	const char *daemon_path = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick = true;
		else
			daemon_path = argv[i];
	}
	xlog_set_level(XLOG_ERROR);
	printf("## qhv-xenstored benchmark%s\n", quick ? " (quick)" : "");
	table_nodes();
	table_watches();
	if (daemon_path)
		return table_socket(daemon_path);
	return 0;
}
