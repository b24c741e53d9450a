// SPDX-License-Identifier: MIT
/*
 * qhv-lifecycle-bench: runs in dom0 and measures, in TSC ticks (Bochs
 * with clock sync=none: ticks are instructions, so ticks / ips is
 * emulated seconds), the two costs bench/domain-lifecycle/run reports:
 *
 *   create -> first console byte: create + build (multiboot) + start of a
 *     tiny guest until its first byte is in its console ring;
 *   destroy -> gone: destroy of that (running) guest until its id no
 *     longer names a domain;
 *
 * with 1, 10, 50 and 100 domains alive (the others are small guests that
 * ran and shut down: they hold slots, ids and memory, not CPU).  KERNEL
 * is the ticker test guest; the measured one runs on CPU 1.
 *
 *   qhv-lifecycle-bench KERNEL [REPS] [ALIVE...]
 *
 * Prints "bench: alive=N create_first_byte=T destroy_gone=T
 * create_call=T build=T start_call=T" (medians of REPS runs; the last three
 * are the parts of create_first_byte spent in each call) and nothing else
 * on success.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include <libqhv.h>
#include "qhvbuild.h"

#define MEM (4u << 20)

static struct qhv_handle *h;
static struct qhv_build_plan plan, plan_bg;

static void die(const char *what, int rc)
{
	fprintf(stderr, "qhv-lifecycle-bench: %s: %s\n", what,
		h && qhv_last_error(h)[0] ? qhv_last_error(h) : qhv_strerror(rc));
	exit(1);
}

/* Ticks spent in create / build / start by the last make(). */
static uint64_t ph_create, ph_build, ph_start;

static uint32_t make(const char *name, uint64_t affinity,
		     const struct qhv_build_plan *p)
{
	uint64_t t0 = __rdtsc(), t1, t2;
	struct qhv_domctl_create c;
	char err[256];
	uint32_t id;
	int rc;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.mem_bytes = MEM;
	c.nr_vcpus = 1;
	c.cpu_affinity = affinity;
	rc = qhv_domain_create(h, &c, &id);
	if (rc)
		die("create", rc);
	t1 = __rdtsc();
	rc = qhv_build_apply(h, id, p, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "qhv-lifecycle-bench: build: %s\n", err);
		exit(1);
	}
	t2 = __rdtsc();
	rc = qhv_domain_start(h, id);
	if (rc)
		die("start", rc);
	ph_create = t1 - t0;
	ph_build = t2 - t1;
	ph_start = __rdtsc() - t2;
	return id;
}

/* Block on the event fd until @done says yes (nothing polls the hv). */
static void wait_for(int (*done)(uint32_t), uint32_t id)
{
	int fd = qhv_event_fd(h);

	while (!done(id)) {
		struct qhv_event_record ev;
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (fd >= 0 && poll(&p, 1, 1000) > 0)
			while (qhv_event_read(h, &ev) > 0)
				;
	}
}

static int has_output(uint32_t id)
{
	struct qhv_domain_info i;

	return qhv_domain_getinfo(h, id, &i) == 0 && i.console_produced > 0;
}

static int is_gone(uint32_t id)
{
	struct qhv_domain_info i;
	int rc = qhv_domain_getinfo(h, id, &i);

	return rc == -ESRCH || rc == -ENOENT;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const unsigned def_alive[] = { 1, 10, 50, 100 };
	unsigned reps = argc > 2 ? (unsigned)atoi(argv[2]) : 5, alive = 1, k;
	unsigned nalive = argc > 3 ? (unsigned)(argc - 3) : 4;
	struct qhv_build_request req;
	uint64_t t_create[64], t_destroy[64];
	uint64_t p_create[64], p_build[64], p_start[64];
	char results[8][256], pool_line[64];
	uint32_t bg[128];
	unsigned nbg = 0;
	char err[256], name[32];
	void *kernel;
	size_t size;
	int rc;

	if (argc < 2 || reps < 1 || reps > 64 || nalive > 8) {
		fprintf(stderr, "usage: qhv-lifecycle-bench KERNEL [REPS] [ALIVE...]\n");
		return 2;
	}
	rc = qhv_open(&h);
	if (rc)
		die("open", rc);
	if (qhv_build_load_file(argv[1], &kernel, &size, err, sizeof(err))) {
		fprintf(stderr, "qhv-lifecycle-bench: %s\n", err);
		return 1;
	}
	memset(&req, 0, sizeof(req));
	req.kernel = kernel;
	req.kernel_size = size;
	req.cmdline = "every=1000000000";
	req.mem_bytes = MEM;
	if (qhv_build_multiboot(&req, &plan, err, sizeof(err))) {
		fprintf(stderr, "qhv-lifecycle-bench: %s\n", err);
		return 1;
	}
	/* One management call's round trip from dom0 user space (ioctl,
	 * driver, hypercall, back), the floor under every figure above. */
	{
		struct qhv_pool_info pi;
		uint64_t t[64];

		for (k = 0; k < 64; k++) {
			uint64_t t0 = __rdtsc();

			rc = qhv_pool_info(h, &pi);
			if (rc)
				die("pool info", rc);
			t[k] = __rdtsc() - t0;
		}
		qsort(t, 64, sizeof(t[0]), cmp);
		snprintf(pool_line, sizeof(pool_line),
			 "bench: mgmt_call_roundtrip=%llu", (unsigned long long)t[32]);
	}
	/* Background domains print one line and shut down. */
	req.cmdline = "every=1 ticks=1";
	if (qhv_build_multiboot(&req, &plan_bg, err, sizeof(err))) {
		fprintf(stderr, "qhv-lifecycle-bench: %s\n", err);
		return 1;
	}
	for (unsigned a = 0; a < nalive; a++) {
		unsigned want = argc > 3 ? (unsigned)atoi(argv[3 + a]) : def_alive[a];

		/* dom0 is alive too; the measured domain makes one more. */
		for (; alive + 1 < want; alive++) {
			snprintf(name, sizeof(name), "bg%u", alive);
			bg[nbg++] = make(name, 0, &plan_bg);
		}
		for (k = 0; k < reps; k++) {
			uint64_t t0, t1;
			uint32_t id;

			snprintf(name, sizeof(name), "m%u-%u", want, k);
			t0 = __rdtsc();
			/* The measured guest spins after its first line:
			 * keep it off dom0's CPU when there is another. */
			id = make(name, 2, &plan);
			wait_for(has_output, id);
			t1 = __rdtsc();
			t_create[k] = t1 - t0;
			p_create[k] = ph_create;
			p_build[k] = ph_build;
			p_start[k] = ph_start;
			rc = qhv_domain_destroy(h, id);
			if (rc)
				die("destroy", rc);
			wait_for(is_gone, id);
			t_destroy[k] = __rdtsc() - t1;
		}
		qsort(t_create, reps, sizeof(t_create[0]), cmp);
		qsort(t_destroy, reps, sizeof(t_destroy[0]), cmp);
		qsort(p_create, reps, sizeof(p_create[0]), cmp);
		qsort(p_build, reps, sizeof(p_build[0]), cmp);
		qsort(p_start, reps, sizeof(p_start[0]), cmp);
		snprintf(results[a], sizeof(results[a]),
			 "bench: alive=%u create_first_byte=%llu destroy_gone=%llu"
			 " create_call=%llu build=%llu start_call=%llu",
			 want, (unsigned long long)t_create[reps / 2],
			 (unsigned long long)t_destroy[reps / 2],
			 (unsigned long long)p_create[reps / 2],
			 (unsigned long long)p_build[reps / 2],
			 (unsigned long long)p_start[reps / 2]);
	}
	/* Print once no domU is left: their console lines on the serial
	 * port would cut into ours. */
	for (k = 0; k < nbg; k++)
		qhv_domain_destroy(h, bg[k]);
	for (k = 0; k < nbg; k++)
		wait_for(is_gone, bg[k]);
	printf("%s\n", pool_line);
	for (unsigned a = 0; a < nalive; a++)
		printf("%s\n", results[a]);
	qhv_build_plan_free(&plan);
	qhv_build_plan_free(&plan_bg);
	free(kernel);
	qhv_close(h);
	return 0;
}
