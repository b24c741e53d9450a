// SPDX-License-Identifier: MIT
/*
 * libqhv against its fake backend: every call, its error paths and
 * messages; and the /dev/qhv backend against a device that is not qhv.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libqhv-fake.h"

#define MIB (1ull << 20)

static struct qhv_handle *fake(const char *opts)
{
	struct qhv_handle *h = NULL;
	char dev[512], err[256] = "";
	int rc;

	snprintf(dev, sizeof(dev), "fake:%s", opts ? opts : "");
	rc = qhv_open_dev(dev, &h, err, sizeof(err));
	ck_assert_msg(rc == 0, "open %s: %d %s", dev, rc, err);
	ck_assert(qhv_is_fake(h));
	ck_assert_str_eq(qhv_last_error(h), "");
	return h;
}

static uint32_t mk(struct qhv_handle *h, const char *name, uint64_t mem,
		   uint32_t vcpus)
{
	struct qhv_domctl_create c;
	uint32_t id = 12345;
	int rc;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.mem_bytes = mem;
	c.nr_vcpus = vcpus;
	c.uuid[0] = (uint8_t)name[0];
	c.uuid[15] = 0x42;
	rc = qhv_domain_create(h, &c, &id);
	ck_assert_msg(rc == 0, "create %s: %d %s", name, rc, qhv_last_error(h));
	return id;
}

static void set_vcpu0(struct qhv_handle *h, uint32_t id)
{
	struct qhv_vcpu_context c;

	memset(&c, 0, sizeof(c));
	c.mode = QHV_VCPU_MODE_FLAT32;
	c.cs_sel = 0x08;
	c.ds_sel = 0x10;
	c.gdt_base = 0x1000;
	c.gdt_limit = 23;
	c.rip = 0x100000;
	c.rflags = 2;
	ck_assert_int_eq(qhv_vcpu_set(h, id, 0, &c), 0);
}

static void run(struct qhv_handle *h, uint32_t id)
{
	set_vcpu0(h, id);
	ck_assert_int_eq(qhv_domain_start(h, id), 0);
}

#define ck_assert_err(expr, err, substr)                                       \
	do {                                                                   \
		long r_ = (long)(expr);                                        \
		ck_assert_msg(r_ == (err), "%s: got %ld, want %d (%s)", #expr, \
			      r_, (err), qhv_last_error(h));                   \
		ck_assert_msg(strstr(qhv_last_error(h), (substr)),             \
			      "%s: message '%s' lacks '%s'", #expr,            \
			      qhv_last_error(h), (substr));                    \
	} while (0)

START_TEST(test_open)
{
	struct qhv_handle *h = (struct qhv_handle *)1;
	char err[256] = "";

	ck_assert_int_eq(qhv_open_dev("/nonexistent/qhv", &h, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_null(h);
	ck_assert_msg(strstr(err, "/nonexistent/qhv") && strstr(err, "driver"), "%s", err);
	ck_assert_int_eq(qhv_open_dev("fake:bogus=1", &h, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "unknown option"), "%s", err);
	ck_assert_int_eq(qhv_open_dev("fake:pool=12Q", &h, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(qhv_open_dev("fake:cpus=0", &h, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(qhv_open_dev("fake:state=", &h, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(qhv_open_dev("fake:pool", &h, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(qhv_open_dev("fake:state=/nonexistent/dir/x", &h, err, sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "/nonexistent/dir/x"), "%s", err);

	/* $QHV_DEVICE picks the backend for qhv_open(). */
	setenv("QHV_DEVICE", "fake:pool=64M,cpus=2", 1);
	ck_assert_int_eq(qhv_open(&h), 0);
	ck_assert(qhv_is_fake(h));
	{
		struct qhv_pool_info p;

		ck_assert_int_eq(qhv_pool_info(h, &p), 0);
		ck_assert_uint_eq(p.total_frames, 64 * MIB / 4096);
		ck_assert_uint_eq(p.free_frames, p.total_frames);
		ck_assert_uint_eq(p.nr_cpus, 2);
		ck_assert_uint_eq(p.page_size, 4096);
		ck_assert_uint_eq(p.nr_domains, 1);
	}
	qhv_close(h);
	unsetenv("QHV_DEVICE");
	qhv_close(NULL);
	ck_assert_str_eq(qhv_last_error(NULL), "no handle");
	ck_assert_int_eq(qhv_open_dev(NULL, NULL, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(test_dom0)
{
	struct qhv_handle *h = fake(NULL);
	struct qhv_domain_info info;
	uint32_t id = 99;

	ck_assert_int_eq(qhv_domain_getinfo(h, 0, &info), 0);
	ck_assert_str_eq(info.name, "Domain-0");
	ck_assert_uint_eq(info.state, QHV_STATE_RUNNING);
	ck_assert(info.flags & QHV_INFO_F_PRIVILEGED);
	ck_assert(info.flags & QHV_INFO_F_STARTED);
	ck_assert_err(qhv_domain_destroy(h, 0), -EPERM, "destroy 0 ('Domain-0'): dom0 cannot be destroyed");
	ck_assert_err(qhv_domain_pause(h, 0), -EPERM, "dom0 cannot be paused");
	ck_assert_err(qhv_domain_unpause(h, 0), -EPERM, "dom0 cannot be paused");
	ck_assert_err(qhv_memwrite(h, 0, 0x1000, "x", 1), -EPERM, "dom0's memory cannot be written");
	ck_assert_err(qhv_domain_start(h, 0), -EPERM, "not permitted on dom0");
	ck_assert_int_eq(qhv_domain_lookup(h, "0", &id), 0);
	ck_assert_uint_eq(id, 0);
	id = 99;
	ck_assert_int_eq(qhv_domain_lookup(h, "Domain-0", &id), 0);
	ck_assert_uint_eq(id, 0);
	qhv_close(h);
}
END_TEST

START_TEST(test_create)
{
	struct qhv_handle *h = fake("pool=64M");
	struct qhv_domctl_create c;
	struct qhv_domain_info info;
	struct qhv_pool_info p;
	uint32_t id;

	ck_assert_uint_eq(mk(h, "web", 16 * MIB, 2), 1);
	ck_assert_uint_eq(mk(h, "db.1_x-y", 8 * MIB, 1), 2);
	ck_assert_int_eq(qhv_domain_getinfo(h, 1, &info), 0);
	ck_assert_str_eq(info.name, "web");
	ck_assert_uint_eq(info.hdr.domid, 1);
	ck_assert_uint_eq(info.state, QHV_STATE_BUILT);
	ck_assert_uint_eq(info.mem_bytes, 16 * MIB);
	ck_assert_uint_eq(info.nr_vcpus, 2);
	ck_assert_uint_eq(info.flags, 0);
	ck_assert_uint_eq(info.uuid[0], 'w');
	ck_assert_int_eq(qhv_pool_info(h, &p), 0);
	ck_assert_uint_eq(p.free_frames, (64 - 24) * MIB / 4096);
	ck_assert_uint_eq(p.nr_domains, 3);

	memset(&c, 0, sizeof(c));
	strcpy(c.name, "web");
	c.mem_bytes = MIB;
	c.nr_vcpus = 1;
	c.hdr.interface_version = 77;	/* the library fills it */
	ck_assert_err(qhv_domain_create(h, &c, &id), -EEXIST, "create 'web': name already in use");
	ck_assert_uint_eq(c.hdr.interface_version, 77);	/* req untouched */
	strcpy(c.name, "big");
	c.mem_bytes = 41 * MIB;
	ck_assert_err(qhv_domain_create(h, &c, &id), -ENOMEM,
		      "create 'big': not enough free memory (41 MiB asked, 40 MiB free)");
	c.mem_bytes = 40 * MIB;
	ck_assert_int_eq(qhv_domain_create(h, &c, &id), 0);
	ck_assert_uint_eq(id, 3);
	ck_assert_int_eq(qhv_pool_info(h, &p), 0);
	ck_assert_uint_eq(p.free_frames, 0);

	strcpy(c.name, "bad name");
	ck_assert_err(qhv_domain_create(h, &c, &id), -EINVAL, "invalid name 'bad name'");
	c.name[0] = '\0';
	ck_assert_err(qhv_domain_create(h, &c, &id), -EINVAL, "invalid name ''");
	memset(c.name, 'a', sizeof(c.name));	/* no NUL */
	ck_assert_err(qhv_domain_create(h, &c, &id), -EINVAL, "invalid name");
	strcpy(c.name, "ok");
	c.mem_bytes = 4097;
	ck_assert_err(qhv_domain_create(h, &c, &id), -EINVAL, "not a non-zero multiple of 4 KiB");
	c.mem_bytes = 0;
	ck_assert_err(qhv_domain_create(h, &c, &id), -EINVAL, "multiple of 4 KiB");
	c.mem_bytes = MIB;
	c.nr_vcpus = 0;
	ck_assert_err(qhv_domain_create(h, &c, &id), -EINVAL, "0 vCPUs (1..8 allowed)");
	c.nr_vcpus = 9;
	ck_assert_err(qhv_domain_create(h, &c, &id), -EINVAL, "9 vCPUs");
	c.nr_vcpus = 1;
	c.flags = 1;
	ck_assert_err(qhv_domain_create(h, &c, &id), -EINVAL, "unknown flags 0x1");
	c.flags = 0;
	c.cpu_affinity = 1ull << 40;	/* no such CPU in a 4-CPU fake */
	ck_assert_err(qhv_domain_create(h, &c, &id), -EINVAL, "the hv refused");
	ck_assert_err(qhv_domain_create(h, NULL, &id), -EINVAL, "no request");
	qhv_close(h);
}
END_TEST

START_TEST(test_affinity_and_ids)
{
	struct qhv_handle *h = fake("cpus=4");
	struct qhv_domctl_create c;
	struct qhv_domain_info info;
	uint32_t id;

	memset(&c, 0, sizeof(c));
	strcpy(c.name, "aff");
	c.mem_bytes = MIB;
	c.nr_vcpus = 3;
	c.cpu_affinity = 0xa;	/* CPUs 1 and 3 */
	ck_assert_int_eq(qhv_domain_create(h, &c, &id), 0);
	ck_assert_int_eq(qhv_domain_getinfo(h, id, &info), 0);
	ck_assert_uint_eq(info.vcpu_pcpu[0], 1);
	ck_assert_uint_eq(info.vcpu_pcpu[1], 3);
	ck_assert_uint_eq(info.vcpu_pcpu[2], 1);
	ck_assert_uint_eq(info.cpu_affinity, 0xa);
	/* Ids move forward: a destroyed id is not handed out again. */
	ck_assert_int_eq(qhv_domain_destroy(h, id), 0);
	ck_assert_uint_eq(mk(h, "next", MIB, 1), id + 1);
	ck_assert_err(qhv_domain_getinfo(h, id, &info), -ESRCH, "getinfo 1: no such domain");
	qhv_close(h);
}
END_TEST

START_TEST(test_pause)
{
	struct qhv_handle *h = fake(NULL);
	struct qhv_domain_info info;
	uint32_t id = mk(h, "web", MIB, 1);

	ck_assert_err(qhv_domain_unpause(h, id), -EINVAL, "unpause 1 ('web'): domain is not paused");
	ck_assert_int_eq(qhv_domain_pause(h, id), 0);
	ck_assert_int_eq(qhv_domain_pause(h, id), 0);
	ck_assert_int_eq(qhv_domain_getinfo(h, id, &info), 0);
	ck_assert_uint_eq(info.state, QHV_STATE_PAUSED);
	ck_assert_uint_eq(info.pause_count, 2);
	ck_assert_int_eq(qhv_domain_unpause(h, id), 0);
	ck_assert_int_eq(qhv_domain_getinfo(h, id, &info), 0);
	ck_assert_uint_eq(info.state, QHV_STATE_PAUSED);
	ck_assert_int_eq(qhv_domain_unpause(h, id), 0);
	ck_assert_int_eq(qhv_domain_getinfo(h, id, &info), 0);
	ck_assert_uint_eq(info.state, QHV_STATE_BUILT);
	/* A paused, started domain stays paused until unpaused. */
	ck_assert_int_eq(qhv_domain_pause(h, id), 0);
	run(h, id);
	ck_assert_int_eq(qhv_domain_getinfo(h, id, &info), 0);
	ck_assert_uint_eq(info.state, QHV_STATE_PAUSED);
	ck_assert(info.flags & QHV_INFO_F_STARTED);
	ck_assert_int_eq(qhv_domain_unpause(h, id), 0);
	ck_assert_int_eq(qhv_domain_getinfo(h, id, &info), 0);
	ck_assert_uint_eq(info.state, QHV_STATE_RUNNING);
	ck_assert_int_eq(qhv_fake_set_blocked(h, id, 1), 0);
	ck_assert_int_eq(qhv_domain_getinfo(h, id, &info), 0);
	ck_assert_uint_eq(info.state, QHV_STATE_BLOCKED);
	ck_assert_int_eq(qhv_fake_set_blocked(h, id, 0), 0);
	ck_assert_err(qhv_domain_pause(h, 9), -ESRCH, "pause 9: no such domain");
	qhv_close(h);
}
END_TEST

START_TEST(test_end_states)
{
	struct qhv_handle *h = fake(NULL);
	struct qhv_domain_info info;
	uint32_t a = mk(h, "a", MIB, 1), b = mk(h, "b", MIB, 1);

	ck_assert_err(qhv_fake_shutdown(h, a, QHV_SHUTDOWN_EXIT, 3), -EINVAL, "domain is built");
	run(h, a);
	run(h, b);
	ck_assert_err(qhv_fake_shutdown(h, a, 0, 3), -EINVAL, "bad reason");
	ck_assert_err(qhv_fake_shutdown(h, 0, QHV_SHUTDOWN_EXIT, 3), -EPERM, "not on dom0");
	ck_assert_int_eq(qhv_fake_shutdown(h, a, QHV_SHUTDOWN_EXIT, 3), 0);
	ck_assert_int_eq(qhv_domain_getinfo(h, a, &info), 0);
	ck_assert_uint_eq(info.state, QHV_STATE_SHUTDOWN);
	ck_assert_uint_eq(info.shutdown_reason, QHV_SHUTDOWN_EXIT);
	ck_assert_uint_eq(info.exit_code, 3);
	ck_assert_err(qhv_domain_pause(h, a), -EINVAL, "pause 1 ('a'): domain cannot be paused in its state");
	ck_assert_err(qhv_fake_crash(h, a, "x"), -EINVAL, "domain is shutdown");
	ck_assert_int_eq(qhv_fake_crash(h, b, "EPT violation at 0x12345000"), 0);
	ck_assert_int_eq(qhv_domain_getinfo(h, b, &info), 0);
	ck_assert_uint_eq(info.state, QHV_STATE_CRASHED);
	ck_assert_str_eq(info.reason, "EPT violation at 0x12345000");
	ck_assert_int_eq(qhv_domain_destroy(h, a), 0);
	ck_assert_int_eq(qhv_domain_destroy(h, b), 0);
	ck_assert_err(qhv_domain_destroy(h, b), -ESRCH, "destroy 2: no such domain");
	qhv_close(h);
}
END_TEST

START_TEST(test_memwrite)
{
	struct qhv_handle *h = fake(NULL);
	uint32_t id = mk(h, "mem", 2 * MIB, 1);
	size_t big = QHV_MEMWRITE_MAX * 2 + 123;
	uint8_t *src = malloc(big), *dst = malloc(big);
	uint8_t b[16];

	for (size_t i = 0; i < big; i++)
		src[i] = (uint8_t)(i * 7 + 1);
	ck_assert_int_eq(qhv_memwrite(h, id, 0x1ffe, src, big), 0);
	ck_assert_int_eq(qhv_fake_mem_read(h, id, 0x1ffe, dst, big), 0);
	ck_assert(!memcmp(src, dst, big));
	ck_assert_int_eq(qhv_fake_mem_read(h, id, 0x1ff0, b, 16), 0);
	ck_assert_uint_eq(b[0], 0);	/* unwritten reads zero */
	ck_assert_uint_eq(b[14], src[0]);
	ck_assert_int_eq(qhv_memwrite(h, id, 0, src, 0), 0);
	/* Outside RAM: an error, and nothing written. */
	ck_assert_err(qhv_memwrite(h, id, 2 * MIB - 4, src, 8), -EFAULT,
		      "memwrite 1 ('mem'): 0x1ffffc+0x8 is outside its memory (2 MiB)");
	ck_assert_int_eq(qhv_fake_mem_read(h, id, 2 * MIB - 4, b, 4), 0);
	ck_assert_uint_eq(b[0] | b[1] | b[2] | b[3], 0);
	ck_assert_err(qhv_memwrite(h, id, UINT64_MAX - 2, src, 8), -EFAULT, "outside its memory");
	ck_assert_err(qhv_memwrite(h, id, 0, NULL, 8), -EINVAL, "no buffer");
	ck_assert_err(qhv_memwrite(h, 7, 0, src, 8), -ESRCH, "memwrite 7: no such domain");
	ck_assert_err(qhv_fake_mem_read(h, id, 2 * MIB, b, 1), -EFAULT, "outside");
	ck_assert_err(qhv_fake_mem_read(h, 0, 0, b, 1), -EPERM, "not simulated");
	run(h, id);
	ck_assert_err(qhv_memwrite(h, id, 0, src, 8), -EBUSY,
		      "memwrite 1 ('mem'): domain is running (pause it first)");
	ck_assert_int_eq(qhv_domain_pause(h, id), 0);
	ck_assert_int_eq(qhv_memwrite(h, id, 0, "hello", 5), 0);
	ck_assert_int_eq(qhv_fake_mem_read(h, id, 0, b, 5), 0);
	ck_assert(!memcmp(b, "hello", 5));
	free(src);
	free(dst);
	qhv_close(h);
}
END_TEST

START_TEST(test_vcpu_start)
{
	struct qhv_handle *h = fake(NULL);
	uint32_t id = mk(h, "v", 4 * MIB, 2);
	struct qhv_vcpu_context c, g;

	ck_assert_err(qhv_domain_start(h, id), -EINVAL, "start 1 ('v')");
	memset(&c, 0, sizeof(c));
	c.mode = QHV_VCPU_MODE_FLAT32;
	c.cs_sel = 8;
	c.ds_sel = 16;
	c.gdt_limit = 23;
	c.gdt_base = 0x1000;
	c.rip = 0x100000;
	c.rax = 0x2badb002;
	c.rbx = 0x10000;
	ck_assert_err(qhv_fake_vcpu_get(h, id, 0, &g), -ENOENT, "no start state");
	ck_assert_int_eq(qhv_vcpu_set(h, id, 0, &c), 0);
	ck_assert_int_eq(qhv_fake_vcpu_get(h, id, 0, &g), 0);
	ck_assert_uint_eq(g.rip, 0x100000);
	ck_assert_uint_eq(g.rax, 0x2badb002);
	ck_assert_uint_eq(g.rflags, 2);	/* bit 1 forced on */
	ck_assert_err(qhv_vcpu_set(h, id, 2, &c), -EINVAL, "vCPU 2: the hv refused the state");
	c.rflags = 1u << 9;	/* IF */
	ck_assert_err(qhv_vcpu_set(h, id, 1, &c), -EINVAL, "refused");
	c.rflags = 0;
	c.mode = 9;
	ck_assert_err(qhv_vcpu_set(h, id, 1, &c), -EINVAL, "unknown mode 9");
	c.mode = QHV_VCPU_MODE_LONG64;
	c.cr3 = 8 * MIB;	/* beyond RAM */
	ck_assert_err(qhv_vcpu_set(h, id, 1, &c), -EINVAL, "refused");
	ck_assert_err(qhv_vcpu_set(h, id, 1, NULL), -EINVAL, "no context");
	ck_assert_int_eq(qhv_domain_start(h, id), 0);
	ck_assert_err(qhv_domain_start(h, id), -EBUSY, "start 1 ('v'): domain has already been started");
	c.mode = QHV_VCPU_MODE_FLAT32;
	ck_assert_err(qhv_vcpu_set(h, id, 0, &c), -EBUSY, "already been started");
	ck_assert_err(qhv_vcpu_set(h, 0, 0, &c), -EPERM, "not permitted on dom0");
	qhv_close(h);
}
END_TEST

START_TEST(test_list_lookup)
{
	struct qhv_handle *h = fake("pool=1G");
	struct qhv_domain_info *l;
	uint8_t uuid[16];
	char name[32];
	size_t n;
	uint32_t id;

	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		ck_assert_uint_eq(mk(h, name, MIB, 1), (uint32_t)i + 1);
	}
	ck_assert_int_eq(qhv_domain_destroy(h, 50), 0);
	ck_assert_int_eq(qhv_domain_list(h, &l, &n), 0);
	ck_assert_uint_eq(n, 100);	/* dom0 + 99 */
	ck_assert_uint_eq(l[0].hdr.domid, 0);
	ck_assert_str_eq(l[0].name, "Domain-0");
	for (size_t i = 1; i < n; i++)
		ck_assert_uint_lt(l[i - 1].hdr.domid, l[i].hdr.domid);
	ck_assert_str_eq(l[99].name, "d99");
	free(l);

	ck_assert_int_eq(qhv_domain_lookup(h, "d7", &id), 0);
	ck_assert_uint_eq(id, 8);
	ck_assert_int_eq(qhv_domain_lookup(h, "8", &id), 0);
	ck_assert_uint_eq(id, 8);
	ck_assert_int_eq(qhv_domain_lookup(h, "008", &id), 0);
	ck_assert_uint_eq(id, 8);
	ck_assert_err(qhv_domain_lookup(h, "web", &id), -ENOENT, "no domain named 'web'");
	ck_assert_err(qhv_domain_lookup(h, "d49", &id), -ENOENT, "no domain named 'd49'");
	ck_assert_err(qhv_domain_lookup(h, "50", &id), -ESRCH, "no domain with id 50");
	ck_assert_err(qhv_domain_lookup(h, "99999999999999999999", &id), -ESRCH, "no domain with id");
	ck_assert_err(qhv_domain_lookup(h, "", &id), -EINVAL, "empty domain name");
	ck_assert_err(qhv_domain_lookup(h, NULL, &id), -EINVAL, "empty");
	ck_assert_err(qhv_domain_lookup(h, "a b", &id), -EINVAL,
		      "'a b' is neither a domain id nor a valid name");

	ck_assert_int_eq(qhv_domain_lookup(h, "d0", &id), 0);
	memset(uuid, 0, sizeof(uuid));
	uuid[0] = 'd';
	uuid[15] = 0x42;
	ck_assert_int_eq(qhv_domain_check_uuid(h, id, uuid), 0);
	uuid[3] = 1;
	ck_assert_err(qhv_domain_check_uuid(h, id, uuid), -ESRCH, "is another domain now");
	ck_assert_err(qhv_domain_check_uuid(h, 50, uuid), -ESRCH, "no such domain");
	ck_assert_err(qhv_domain_list(h, NULL, &n), -EINVAL, "no output");

	/* The list shrinks back to dom0 alone. */
	for (uint32_t i = 1; i <= 100; i++)
		if (i != 50)
			ck_assert_int_eq(qhv_domain_destroy(h, i), 0);
	ck_assert_int_eq(qhv_domain_list(h, &l, &n), 0);
	ck_assert_uint_eq(n, 1);
	free(l);
	qhv_close(h);
}
END_TEST

START_TEST(test_console)
{
	struct qhv_handle *h = fake(NULL);
	uint32_t id = mk(h, "con", MIB, 1);
	size_t total = QHV_CONSOLE_RING_SIZE + 3616;
	char *out = malloc(total), *in = malloc(total);
	struct qhv_domain_info info;
	uint64_t cur = 0, lost = 99;
	ssize_t n;

	n = qhv_console_read(h, id, &cur, in, 100, &lost);
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(cur, 0);
	ck_assert_uint_eq(lost, 0);
	ck_assert_int_eq(qhv_fake_console_output(h, id, "hello\nworld\n", 12), 0);
	n = qhv_console_read(h, id, &cur, in, 5, &lost);
	ck_assert_int_eq(n, 5);
	ck_assert(!memcmp(in, "hello", 5));
	ck_assert_uint_eq(cur, 5);
	n = qhv_console_read(h, id, &cur, in, 100, NULL);
	ck_assert_int_eq(n, 7);
	ck_assert(!memcmp(in, "\nworld\n", 7));
	ck_assert_uint_eq(cur, 12);
	n = qhv_console_read(h, id, &cur, in, 100, &lost);
	ck_assert_int_eq(n, 0);

	/* Overflow: the reader at 12 loses what fell out of the ring. */
	for (size_t i = 0; i < total; i++)
		out[i] = (char)('a' + i % 26);
	ck_assert_int_eq(qhv_fake_console_output(h, id, out, total), 0);
	ck_assert_int_eq(qhv_domain_getinfo(h, id, &info), 0);
	ck_assert_uint_eq(info.console_produced, 12 + total);
	ck_assert_uint_eq(info.console_lost, 12 + total - QHV_CONSOLE_RING_SIZE - 12);
	n = qhv_console_read(h, id, &cur, in, total, &lost);
	ck_assert_int_eq(n, QHV_CONSOLE_RING_SIZE);	/* several 4 KiB calls */
	ck_assert_uint_eq(lost, total - QHV_CONSOLE_RING_SIZE);
	ck_assert(!memcmp(in, out + (total - QHV_CONSOLE_RING_SIZE), QHV_CONSOLE_RING_SIZE));
	ck_assert_uint_eq(cur, 12 + total);
	/* Cursor 0 = from the oldest byte still there, reported as lost. */
	cur = 0;
	n = qhv_console_read(h, id, &cur, in, 10, &lost);
	ck_assert_int_eq(n, 10);
	ck_assert_uint_eq(lost, 12 + total - QHV_CONSOLE_RING_SIZE);
	/* A cursor beyond the stream is refused. */
	cur = 1ull << 40;
	ck_assert_err(qhv_console_read(h, id, &cur, in, 10, &lost), -EINVAL, "console read 1 ('con')");
	ck_assert_err(qhv_console_read(h, 5, &cur, in, 10, &lost), -ESRCH, "no such domain");
	ck_assert_err(qhv_console_read(h, id, NULL, in, 10, &lost), -EINVAL, "no cursor");

	/* Input side: the FIFO takes what fits. */
	memset(out, 'x', 300);
	ck_assert_int_eq(qhv_console_write(h, id, "ls\n", 3), 3);
	ck_assert_int_eq(qhv_console_write(h, id, out, 300), QHV_FAKE_RX_FIFO - 3);
	ck_assert_int_eq(qhv_console_write(h, id, out, 300), 0);
	ck_assert_int_eq(qhv_console_write(h, id, out, 0), 0);
	ck_assert_int_eq(qhv_fake_console_input(h, id, in, 3), 3);
	ck_assert(!memcmp(in, "ls\n", 3));
	ck_assert_int_eq(qhv_fake_console_input(h, id, in, 1000), QHV_FAKE_RX_FIFO - 3);
	ck_assert_int_eq(qhv_console_write(h, id, out, 300), QHV_FAKE_RX_FIFO);
	ck_assert_err(qhv_console_write(h, 6, out, 3), -ESRCH, "console write 6: no such domain");
	free(out);
	free(in);
	qhv_close(h);
}
END_TEST

START_TEST(test_log)
{
	struct qhv_handle *h = fake(NULL);
	char buf[QHV_LOG_RING_SIZE + 1];
	uint64_t cur = 0, lost = 1;
	ssize_t n;

	n = qhv_log_read(h, &cur, buf, sizeof(buf) - 1, &lost);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "fake hv started"));
	ck_assert_uint_eq(lost, 0);
	mk(h, "logged", MIB, 1);
	n = qhv_log_read(h, &cur, buf, sizeof(buf) - 1, &lost);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "dom logged: created as domain 1"));
	ck_assert_int_eq(qhv_fake_log(h, "x\n", 2), 0);
	n = qhv_log_read(h, &cur, buf, sizeof(buf) - 1, &lost);
	ck_assert_int_eq(n, 2);
	qhv_close(h);
}
END_TEST

static int ev_next(struct qhv_handle *h, struct qhv_event_record *ev)
{
	struct pollfd p = { .fd = qhv_event_fd(h), .events = POLLIN };

	ck_assert_int_ge(p.fd, 0);
	if (poll(&p, 1, 0) != 1)
		return 0;
	return qhv_event_read(h, ev);
}

START_TEST(test_events)
{
	struct qhv_handle *h = fake(NULL);
	struct qhv_event_record ev;
	uint64_t seq;
	uint32_t id;

	ck_assert_int_eq(ev_next(h, &ev), 0);
	ck_assert_int_eq(qhv_event_read(h, &ev), 0);
	id = mk(h, "ev", MIB, 1);
	ck_assert_int_eq(ev_next(h, &ev), 1);
	ck_assert_uint_eq(ev.events, QHV_EVENT_LOG);	/* "created" logged */
	ck_assert_int_eq(ev_next(h, &ev), 1);
	ck_assert_uint_eq(ev.events, QHV_EVENT_DOMAIN_STATE);
	seq = ev.state_seq;
	ck_assert_int_eq(ev_next(h, &ev), 0);
	ck_assert_int_eq(qhv_domain_pause(h, id), 0);
	ck_assert_int_eq(ev_next(h, &ev), 1);
	ck_assert_uint_eq(ev.events, QHV_EVENT_DOMAIN_STATE);
	ck_assert_uint_eq(ev.state_seq, seq + 1);
	ck_assert_int_eq(qhv_fake_console_output(h, id, "x", 1), 0);
	ck_assert_int_eq(ev_next(h, &ev), 1);
	ck_assert_uint_eq(ev.events, QHV_EVENT_CONSOLE);
	ck_assert_int_eq(ev_next(h, &ev), 0);
	ck_assert_err(qhv_event_read(h, NULL), -EINVAL, "no record buffer");
	qhv_close(h);
}
END_TEST

START_TEST(test_state_file)
{
	char path[] = "/tmp/libqhv-test-XXXXXX";
	int fd = mkstemp(path);
	struct qhv_handle *a, *b, *h;
	struct qhv_event_record ev;
	struct qhv_domain_info info;
	char dev[128], err[256];
	uint32_t keep, gone;
	uint8_t m[4];
	int n;

	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(dev, sizeof(dev), "state=%s,pool=32M", path);
	a = fake(dev);
	b = fake(dev);
	keep = mk(a, "keep", MIB, 1);
	gone = mk(a, "gone", MIB, 1);
	ck_assert_int_eq(qhv_memwrite(a, keep, 0x5000, "abcd", 4), 0);
	run(a, keep);
	/* b sees a's domains, memory and (at its next call) events. */
	h = b;
	ck_assert_int_eq(qhv_domain_getinfo(b, keep, &info), 0);
	ck_assert_str_eq(info.name, "keep");
	ck_assert_uint_eq(info.state, QHV_STATE_RUNNING);
	ck_assert_int_eq(qhv_fake_mem_read(b, keep, 0x5000, m, 4), 0);
	ck_assert(!memcmp(m, "abcd", 4));
	n = qhv_event_read(b, &ev);
	ck_assert_int_eq(n, 1);
	ck_assert(ev.events & QHV_EVENT_DOMAIN_STATE);
	ck_assert_err(qhv_fake_console_output(b, 77, "x", 1), -ESRCH, "no such domain");
	ck_assert_int_eq(qhv_fake_console_output(b, keep, "hi\n", 3), 0);
	/* Closing a destroys its unstarted domain, not the started one. */
	qhv_close(a);
	ck_assert_int_eq(qhv_domain_getinfo(b, keep, &info), 0);
	ck_assert_uint_eq(info.console_produced, 3);
	ck_assert_err(qhv_domain_getinfo(b, gone, &info), -ESRCH, "no such domain");
	qhv_close(b);
	/* A later process sees the same machine. */
	h = fake(dev);
	ck_assert_int_eq(qhv_domain_lookup(h, "keep", &keep), 0);
	ck_assert_int_eq(qhv_domain_destroy(h, keep), 0);
	qhv_close(h);
	/* A file that is not a fake state is refused. */
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "garbage", 7), 7);
	close(fd);
	snprintf(dev, sizeof(dev), "fake:state=%s", path);
	ck_assert_int_eq(qhv_open_dev(dev, &h, err, sizeof(err)), -EIO);
	ck_assert_msg(strstr(err, "not a fake hv state file"), "%s", err);
	unlink(path);
}
END_TEST

START_TEST(test_unstarted_destroyed_on_close)
{
	char path[] = "/tmp/libqhv-test-XXXXXX";
	int fd = mkstemp(path);
	struct qhv_handle *h;
	struct qhv_domain_info *l;
	char dev[128];
	size_t n;

	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(dev, sizeof(dev), "state=%s", path);
	h = fake(dev);
	mk(h, "half", MIB, 1);
	ck_assert_int_eq(qhv_domain_pause(h, 1), 0);	/* paused, never started */
	qhv_close(h);
	h = fake(dev);
	ck_assert_int_eq(qhv_domain_list(h, &l, &n), 0);
	ck_assert_uint_eq(n, 1);
	free(l);
	qhv_close(h);
	unlink(path);
}
END_TEST

START_TEST(test_fail_next)
{
	struct qhv_handle *h = fake(NULL);
	struct qhv_domctl_create c;
	struct qhv_pool_info p;
	uint32_t id;

	memset(&c, 0, sizeof(c));
	strcpy(c.name, "x");
	c.mem_bytes = MIB;
	c.nr_vcpus = 1;
	ck_assert_int_eq(qhv_fake_fail_next(h, QHV_IOC_CREATE, -EIO), 0);
	ck_assert_int_eq(qhv_pool_info(h, &p), 0);	/* another ioctl: unaffected */
	ck_assert_err(qhv_domain_create(h, &c, &id), -EIO, "create 'x': I/O error");
	ck_assert_int_eq(qhv_domain_create(h, &c, &id), 0);
	ck_assert_int_eq(qhv_fake_fail_next(h, 0, -ENOSYS), 0);
	ck_assert_err(qhv_pool_info(h, &p), -ENOSYS, "pool info: not implemented by this hv");
	ck_assert_int_eq(qhv_fake_fail_next(h, 0, -ENOSPC), 0);
	ck_assert_err(qhv_domain_create(h, &c, &id), -ENOSPC, "no free domain id");
	ck_assert_int_eq(qhv_fake_fail_next(h, 0, -EPERM), 0);
	ck_assert_err(qhv_domain_create(h, &c, &id), -EPERM, "only dom0 may manage domains");
	ck_assert_err(qhv_fake_fail_next(h, 0, 5), -EINVAL, "must be negative");
	qhv_close(h);
}
END_TEST

/* The /dev/qhv backend against a file that is not the qhv driver. */
START_TEST(test_dev_backend)
{
	struct qhv_handle *h;
	struct qhv_domain_info info;
	struct qhv_event_record ev;
	char err[256];

	ck_assert_int_eq(qhv_open_dev("/dev/null", &h, err, sizeof(err)), 0);
	ck_assert(!qhv_is_fake(h));
	ck_assert_err(qhv_domain_getinfo(h, 0, &info), -ENOTTY, "getinfo 0: not a qhv device");
	ck_assert_int_ge(qhv_event_fd(h), 0);
	ck_assert_err(qhv_event_read(h, &ev), -EIO, "event read");
	ck_assert_err(qhv_fake_crash(h, 1, "x"), -ENOTTY, "not a fake handle");
	ck_assert_err(qhv_fake_fail_next(h, 0, -EIO), -ENOTTY, "not a fake handle");
	qhv_close(h);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(qhv_state_name(QHV_STATE_BUILT), "built");
	ck_assert_str_eq(qhv_state_name(QHV_STATE_RUNNING), "running");
	ck_assert_str_eq(qhv_state_name(QHV_STATE_BLOCKED), "blocked");
	ck_assert_str_eq(qhv_state_name(QHV_STATE_PAUSED), "paused");
	ck_assert_str_eq(qhv_state_name(QHV_STATE_SHUTDOWN), "shutdown");
	ck_assert_str_eq(qhv_state_name(QHV_STATE_CRASHED), "crashed");
	ck_assert_str_eq(qhv_state_name(QHV_STATE_DYING), "dying");
	ck_assert_str_eq(qhv_state_name(0), "unknown");
	ck_assert_str_eq(qhv_state_name(1000), "unknown");
	ck_assert_str_eq(qhv_shutdown_reason_name(QHV_SHUTDOWN_POWEROFF), "poweroff");
	ck_assert_str_eq(qhv_shutdown_reason_name(42), "unknown");
	ck_assert_str_eq(qhv_strerror(-ESRCH), "no such domain");
	ck_assert_str_eq(qhv_strerror(ESRCH), "no such domain");
	ck_assert_str_eq(qhv_strerror(0), "success");
	ck_assert_str_eq(qhv_strerror(-ETIMEDOUT), "Connection timed out");
	ck_assert_str_eq(qhv_strerror(-100000), "unknown error");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("libqhv");
	TCase *tc = tcase_create("fake");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_open);
	tcase_add_test(tc, test_dom0);
	tcase_add_test(tc, test_create);
	tcase_add_test(tc, test_affinity_and_ids);
	tcase_add_test(tc, test_pause);
	tcase_add_test(tc, test_end_states);
	tcase_add_test(tc, test_memwrite);
	tcase_add_test(tc, test_vcpu_start);
	tcase_add_test(tc, test_list_lookup);
	tcase_add_test(tc, test_console);
	tcase_add_test(tc, test_log);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_state_file);
	tcase_add_test(tc, test_unstarted_destroyed_on_close);
	tcase_add_test(tc, test_fail_next);
	tcase_add_test(tc, test_dev_backend);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
