// SPDX-License-Identifier: MIT
/*
 * Unit tests for the core domain lifecycle and the management calls
 * (hv/core/domain.c, sched.c, domctl.c) against a fake arch layer: the
 * real frame allocator and EPT code over fake RAM, so every frame a
 * domain takes is counted back.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qhv/domctl.h>
#include <qhv/hypercall.h>

#include "core/domain.h"
#include "core/domctl.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "fake_arch.h"
#include "harness.h"

static struct domain *dom0;
static struct vcpu *d0v;	/* the caller of management calls */
static uint64_t free0;		/* free frames once dom0 exists */

static void setup(void)
{
	harness_reset();
	fake_arch_init(2);
	dom0 = domain_alloc_dom0(1);
	ck_assert_ptr_nonnull(dom0);
	ck_assert_int_eq(domain_start(dom0, 0), 0);
	domain_put(dom0);
	d0v = &dom0->vcpu[0];
	free0 = frames_free_count(&hv_frames);
}

static void hdr(struct qhv_mgmt_hdr *h, uint32_t domid)
{
	h->interface_version = QHV_DOMCTL_INTERFACE_VERSION;
	h->domid = domid;
}

static int64_t call(struct vcpu *v, uint64_t op, void *arg, uint64_t len)
{
	return domctl(v, op, (uintptr_t)arg, len);
}

static int64_t create_pinned(const char *name, uint64_t mem, unsigned vcpus,
			     uint64_t affinity, uint32_t *id)
{
	struct qhv_domctl_create c;
	int64_t rc;

	memset(&c, 0, sizeof(c));
	hdr(&c.hdr, 0);
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.mem_bytes = mem;
	c.nr_vcpus = vcpus;
	c.cpu_affinity = affinity;
	c.uuid[0] = 0x42;
	rc = call(d0v, QHV_DOMCTL_CREATE, &c, sizeof(c));
	if (rc == 0 && id)
		*id = c.hdr.domid;
	return rc;
}

static int64_t create(const char *name, uint64_t mem, unsigned vcpus,
		      uint32_t *id)
{
	return create_pinned(name, mem, vcpus, 0, id);
}

static int64_t simple(uint64_t op, uint32_t id)
{
	struct qhv_mgmt_hdr h;

	hdr(&h, id);
	return call(d0v, op, &h, sizeof(h));
}

static struct qhv_domain_info info(uint32_t id, int64_t *rc)
{
	struct qhv_domain_info i;

	memset(&i, 0, sizeof(i));
	hdr(&i.hdr, id);
	*rc = call(d0v, QHV_DOMCTL_GETINFO, &i, sizeof(i));
	return i;
}

static uint32_t state_of(uint32_t id)
{
	int64_t rc;
	struct qhv_domain_info i = info(id, &rc);

	ck_assert_int_eq(rc, 0);
	return i.state;
}

static struct qhv_vcpu_context flat32(uint64_t rip)
{
	struct qhv_vcpu_context c;

	memset(&c, 0, sizeof(c));
	c.mode = QHV_VCPU_MODE_FLAT32;
	c.cs_sel = 0x08;
	c.ds_sel = 0x10;
	c.gdt_base = 0x1000;
	c.gdt_limit = 0x17;
	c.rip = rip;
	c.rsp = 0x10000;
	c.rflags = 2;
	return c;
}

static int64_t set_vcpu(uint32_t id, uint32_t vcpu, struct qhv_vcpu_context c)
{
	struct qhv_domctl_vcpu a;

	memset(&a, 0, sizeof(a));
	hdr(&a.hdr, id);
	a.vcpu = vcpu;
	a.ctx = c;
	return call(d0v, QHV_DOMCTL_SET_VCPU, &a, sizeof(a));
}

static int64_t start(uint32_t id)
{
	ck_assert_int_eq(set_vcpu(id, 0, flat32(0x100000)), 0);
	return simple(QHV_DOMCTL_START, id);
}

START_TEST(create_destroy_loop_leaks_nothing)
{
	uint32_t id, prev = 0;
	unsigned i;

	for (i = 0; i < 200; i++) {
		ck_assert_int_eq(create("web", 2 << 20, 2, &id), 0);
		/* Ids move forward: a destroyed one is not handed out next. */
		ck_assert_uint_ne(id, prev);
		ck_assert_uint_eq(state_of(id), QHV_STATE_BUILT);
		if (i % 2)
			ck_assert_int_eq(start(id), 0);
		ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, id), 0);
		fake_reap_all();
		{
			int64_t rc;

			info(id, &rc);
			ck_assert_int_eq(rc, -QHV_ESRCH);
		}
		prev = id;
	}
	ck_assert_uint_eq(frames_free_count(&hv_frames), free0);
	ck_assert_uint_eq(fake_vcpu_inits - 1, fake_vcpu_destroys);
	ck_assert_uint_eq(domains_live(), 1);
}
END_TEST

START_TEST(gone_domain_is_esrch)
{
	uint32_t id;
	int64_t rc;

	ck_assert_int_eq(create("a", 1 << 20, 1, &id), 0);
	ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, id), 0);
	info(id, &rc);
	ck_assert_int_eq(rc, -QHV_ESRCH);
	info(0x7000, &rc);
	ck_assert_int_eq(rc, -QHV_ESRCH);
	ck_assert_int_eq(simple(QHV_DOMCTL_PAUSE, 12345), -QHV_ESRCH);
}
END_TEST

START_TEST(bad_create_input)
{
	struct qhv_domctl_create c;

	ck_assert_int_eq(create("", 1 << 20, 1, 0), -QHV_EINVAL);
	ck_assert_int_eq(create("bad name", 1 << 20, 1, 0), -QHV_EINVAL);
	ck_assert_int_eq(create("x", 0, 1, 0), -QHV_EINVAL);
	ck_assert_int_eq(create("x", (1 << 20) + 1, 1, 0), -QHV_EINVAL);
	ck_assert_int_eq(create("x", 1 << 20, 0, 0), -QHV_EINVAL);
	ck_assert_int_eq(create("x", 1 << 20, MAX_VCPUS + 1, 0), -QHV_EINVAL);
	ck_assert_int_eq(create("dom0", 1 << 20, 1, 0), -QHV_EEXIST);
	ck_assert_int_eq(create("x", 1ull << 40, 1, 0), -QHV_ENOMEM);
	ck_assert_int_eq(create("x", 1 << 20, 1, 0), 0);
	ck_assert_int_eq(create("x", 1 << 20, 1, 0), -QHV_EEXIST);
	/* Unterminated name, unknown flag, wrong size, wrong version. */
	memset(&c, 0, sizeof(c));
	hdr(&c.hdr, 0);
	memset(c.name, 'n', sizeof(c.name));
	c.mem_bytes = 1 << 20;
	c.nr_vcpus = 1;
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_CREATE, &c, sizeof(c)), -QHV_EINVAL);
	c.name[1] = 0;
	c.flags = 1;
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_CREATE, &c, sizeof(c)), -QHV_EINVAL);
	c.flags = 0;
	c.cpu_affinity = 1ull << 40;	/* no such CPU */
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_CREATE, &c, sizeof(c)), -QHV_EINVAL);
	c.cpu_affinity = 0;
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_CREATE, &c, sizeof(c) - 8), -QHV_EINVAL);
	c.hdr.interface_version = 99;
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_CREATE, &c, sizeof(c)), -QHV_EINVAL);
	ck_assert_int_eq(call(d0v, 77, &c, sizeof(c)), -QHV_ENOSYS);
	ck_assert_int_eq(domctl(d0v, QHV_DOMCTL_CREATE, 0, sizeof(c)), -QHV_EFAULT);
	ck_assert_uint_eq(domains_live(), 2);
}
END_TEST

/* Out of memory at every allocation a create makes: each unwinds. */
START_TEST(oom_at_every_step_unwinds)
{
	uint64_t keep, pa;
	unsigned k, ok = 0;

	for (k = 0; k < 80; k++) {
		uint64_t before = frames_free_count(&hv_frames);
		uint32_t id;
		int64_t rc;

		/* Leave exactly k frames free. */
		keep = before - k;
		ck_assert_int_eq(frames_alloc(&hv_frames, keep, 4096, 0, &pa), 0);
		rc = create("oom", 256 << 10, 4, &id);
		if (rc == 0) {
			ok++;
			ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, id), 0);
		} else {
			ck_assert_int_eq(rc, -QHV_ENOMEM);
		}
		ck_assert_int_eq(frames_free(&hv_frames, pa, keep), 0);
		ck_assert_uint_eq(frames_free_count(&hv_frames), before);
	}
	ck_assert_uint_gt(ok, 0);
	ck_assert_uint_eq(frames_free_count(&hv_frames), free0);
	ck_assert_uint_eq(domains_live(), 1);
}
END_TEST

START_TEST(slots_run_out_and_come_back)
{
	uint32_t ids[MAX_DOMAINS];
	unsigned n = 0, i;
	char name[16];

	for (;;) {
		snprintf(name, sizeof(name), "d%u", n);
		if (create(name, 64 << 10, 1, &ids[n]))
			break;
		n++;
	}
	ck_assert_uint_eq(n, MAX_DOMAINS - 1);	/* dom0 has one */
	ck_assert_int_eq(create("more", 64 << 10, 1, 0), -QHV_ENOSPC);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, ids[i]), 0);
	ck_assert_int_eq(create("d0-again", 64 << 10, 1, &ids[0]), 0);
	ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, ids[0]), 0);
	ck_assert_uint_eq(frames_free_count(&hv_frames), free0);
}
END_TEST

START_TEST(lifecycle_states)
{
	uint32_t id;
	int64_t rc;
	struct qhv_domain_info i;

	ck_assert_int_eq(create("life", 2 << 20, 2, &id), 0);
	i = info(id, &rc);
	ck_assert_str_eq(i.name, "life");
	ck_assert_uint_eq(i.uuid[0], 0x42);
	ck_assert_uint_eq(i.nr_vcpus, 2);
	ck_assert_uint_eq(i.mem_bytes, 2 << 20);
	ck_assert_uint_eq(i.flags & QHV_INFO_F_STARTED, 0);
	/* Start needs vCPU 0's state. */
	ck_assert_int_eq(simple(QHV_DOMCTL_START, id), -QHV_EINVAL);
	ck_assert_int_eq(start(id), 0);
	ck_assert_int_eq(simple(QHV_DOMCTL_START, id), -QHV_EBUSY);
	ck_assert_int_eq(set_vcpu(id, 0, flat32(0x100000)), -QHV_EBUSY);
	/* vCPU 1 waits for INIT-SIPI: the domain runs, one vCPU blocked. */
	ck_assert_uint_eq(state_of(id), QHV_STATE_RUNNING);
	ck_assert_int_eq(simple(QHV_DOMCTL_PAUSE, id), 0);
	ck_assert_uint_eq(state_of(id), QHV_STATE_PAUSED);
	{
		struct domain *d = domain_get(id);

		ck_assert(!vcpu_runnable(&d->vcpu[0]));
		ck_assert(vcpu_runnable(&dom0->vcpu[0]));
		domain_put(d);
	}
	ck_assert_int_eq(simple(QHV_DOMCTL_PAUSE, id), 0);
	ck_assert_int_eq(simple(QHV_DOMCTL_UNPAUSE, id), 0);
	ck_assert_uint_eq(state_of(id), QHV_STATE_PAUSED);
	ck_assert_int_eq(simple(QHV_DOMCTL_UNPAUSE, id), 0);
	ck_assert_uint_eq(state_of(id), QHV_STATE_RUNNING);
	ck_assert_int_eq(simple(QHV_DOMCTL_UNPAUSE, id), -QHV_EINVAL);
	ck_assert_uint_gt(fake_notifies, 0);
	/* The guest ends itself: shut down, kept until destroyed. */
	{
		struct domain *d = domain_get(id);

		ck_assert_ptr_nonnull(d);
		domain_exit(d, 7);
		domain_put(d);
	}
	fake_reap_all();
	i = info(id, &rc);
	ck_assert_uint_eq(i.state, QHV_STATE_SHUTDOWN);
	ck_assert_uint_eq(i.shutdown_reason, QHV_SHUTDOWN_EXIT);
	ck_assert_uint_eq(i.exit_code, 7);
	ck_assert_uint_lt(frames_free_count(&hv_frames), free0);
	ck_assert_int_eq(simple(QHV_DOMCTL_PAUSE, id), -QHV_EBUSY);
	ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, id), 0);
	ck_assert_uint_eq(frames_free_count(&hv_frames), free0);
}
END_TEST

START_TEST(crash_reason_reported)
{
	uint32_t id;
	int64_t rc;
	struct qhv_domain_info i;
	struct domain *d;

	ck_assert_int_eq(create("bad", 1 << 20, 1, &id), 0);
	ck_assert_int_eq(start(id), 0);
	d = domain_get(id);
	domain_crash(d, "EPT violation gpa=0x%x", 0x40000000);
	domain_exit(d, 0);	/* the first end wins */
	domain_put(d);
	fake_reap_all();
	i = info(id, &rc);
	ck_assert_uint_eq(i.state, QHV_STATE_CRASHED);
	ck_assert_str_eq(i.reason, "EPT violation gpa=0x40000000");
	ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, id), 0);
	ck_assert_uint_eq(frames_free_count(&hv_frames), free0);
}
END_TEST

/* A boot domain with on_reboot=restart is built again after a reset
 * request once its last vCPU is gone, and only then; not after poweroff,
 * an exit or a crash, nor without the option, nor a runtime domain. */
START_TEST(boot_domain_restart_on_reboot)
{
	static const struct {
		bool restart;
		uint32_t reason;
		bool crash;
		unsigned want;
	} c[] = {
		{ true, QHV_SHUTDOWN_REBOOT, false, 1 },
		{ false, QHV_SHUTDOWN_REBOOT, false, 0 },
		{ true, QHV_SHUTDOWN_POWEROFF, false, 0 },
		{ true, QHV_SHUTDOWN_EXIT, false, 0 },
		{ true, QHV_SHUTDOWN_REBOOT, true, 0 },
	};
	unsigned i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char name[16];
		struct domain *d;

		snprintf(name, sizeof(name), "boot%u", i);
		d = domain_alloc(name, 1 << 20, 2);
		ck_assert_ptr_nonnull(d);
		d->restart_on_reboot = c[i].restart;
		d->boot_module = 3;
		ck_assert_int_eq(domain_start(d, 1), 0);
		fake_restarts = 0;
		fake_restarted = NULL;
		if (c[i].crash)
			domain_crash(d, "triple fault");
		else
			domain_shutdown(d, c[i].reason, 0);
		ck_assert_uint_eq(fake_restarts, 0);	/* vCPUs not gone yet */
		fake_reap_all();
		ck_assert_msg(fake_restarts == c[i].want, "case %u: %u restarts",
			      i, fake_restarts);
		if (c[i].want)
			ck_assert_ptr_eq(fake_restarted, d);
		domain_put(d);
	}
	ck_assert_uint_eq(frames_free_count(&hv_frames), free0);
}
END_TEST

/* dom0's read of its pending events (the driver's interrupt handler). */
static uint32_t take_events(void)
{
	struct qhv_sysctl_events e;

	memset(&e, 0, sizeof(e));
	hdr(&e.hdr, 0);
	ck_assert_int_eq(sysctl(d0v, QHV_SYSCTL_EVENTS, (uintptr_t)&e, sizeof(e)), 0);
	return e.pending;
}

START_TEST(destroy_running_waits_for_its_cpus)
{
	uint32_t id;
	int64_t rc;

	ck_assert_int_eq(create("busy", 2 << 20, 2, &id), 0);
	ck_assert_int_eq(start(id), 0);
	ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, id), 0);
	/* Its vCPUs are still queued: the domain is going, not gone. */
	ck_assert_uint_lt(frames_free_count(&hv_frames), free0);
	/* Destroy is idempotent; info says it is dying. */
	ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, id), 0);
	ck_assert_uint_eq(state_of(id), QHV_STATE_DYING);
	/* dom0 took the destroy's event; the id going away is another. */
	ck_assert_uint_ne(take_events(), 0);
	fake_reap_all();
	ck_assert_uint_eq(take_events() & QHV_EVENT_DOMAIN_STATE,
			  QHV_EVENT_DOMAIN_STATE);
	info(id, &rc);
	ck_assert_int_eq(rc, -QHV_ESRCH);
	ck_assert_uint_eq(frames_free_count(&hv_frames), free0);
	ck_assert_uint_eq(percpu_area[0].nrun + percpu_area[1].nrun, 1);
}
END_TEST

static unsigned pcpu_of(uint32_t id, unsigned vcpu)
{
	struct domain *d = domain_get(id);
	unsigned c;

	ck_assert_ptr_nonnull(d);
	c = d->vcpu[vcpu].pcpu;
	domain_put(d);
	return c;
}

/* Runtime domains: each vCPU on the least loaded CPU, siblings apart
 * while there are CPUs for them, never behind dom0 while a CPU is free. */
START_TEST(runtime_vcpus_spread)
{
	uint32_t a, b, c;

	/* A third CPU beside dom0's (its one vCPU on CPU 0): fake_arch_init
	 * set up every per-CPU area. */
	nr_cpus = 3;

	ck_assert_int_eq(create("a", 2 << 20, 2, &a), 0);
	ck_assert_int_eq(start(a), 0);
	ck_assert_uint_eq(pcpu_of(a, 0), 2);
	ck_assert_uint_eq(pcpu_of(a, 1), 1);
	/* Every CPU has one: the next 3 vCPUs go one per CPU again. */
	ck_assert_int_eq(create("b", 2 << 20, 3, &b), 0);
	ck_assert_int_eq(start(b), 0);
	ck_assert_uint_eq(pcpu_of(b, 0), 2);
	ck_assert_uint_eq(pcpu_of(b, 1), 1);
	ck_assert_uint_eq(pcpu_of(b, 2), 0);
	/* More siblings than CPUs: doubled up on the least loaded. */
	ck_assert_int_eq(create("c", 2 << 20, 4, &c), 0);
	ck_assert_int_eq(start(c), 0);
	ck_assert_uint_eq(pcpu_of(c, 0), 2);
	ck_assert_uint_eq(pcpu_of(c, 1), 1);
	ck_assert_uint_eq(pcpu_of(c, 2), 0);
	ck_assert_uint_eq(pcpu_of(c, 3), 2);
	ck_assert_uint_eq(percpu_area[0].nrun, 3);
	ck_assert_uint_eq(percpu_area[1].nrun, 3);
	ck_assert_uint_eq(percpu_area[2].nrun, 4);
	ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, a), 0);
	ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, b), 0);
	ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, c), 0);
	fake_reap_all();
	ck_assert_uint_eq(frames_free_count(&hv_frames), free0);
}
END_TEST

/* A halted vCPU lets one with work have its CPU; it never yields to a
 * halted, paused or not yet started one. */
START_TEST(halted_vcpu_yields_to_work)
{
	struct domain *d;
	struct vcpu *v0, *v1;
	uint32_t id;

	/* Affinity 2: both vCPUs on CPU 1. */
	ck_assert_int_eq(create_pinned("h", 1 << 20, 2, 2, &id), 0);
	ck_assert_int_eq(start(id), 0);
	d = domain_get(id);
	ck_assert_ptr_nonnull(d);
	v0 = &d->vcpu[0];
	v1 = &d->vcpu[1];
	fake_set_cpu(1);
	/* vCPU 1 waits for its SIPI: nothing to yield to. */
	v0->arch.halted = true;
	ck_assert(!sched_others_want_cpu(v0));
	v1->arch.wait_sipi = false;
	ck_assert(sched_others_want_cpu(v0));
	v1->arch.halted = true;
	ck_assert(!sched_others_want_cpu(v0));
	v0->arch.halted = false;
	ck_assert(sched_others_want_cpu(v1));
	ck_assert_int_eq(simple(QHV_DOMCTL_PAUSE, id), 0);
	ck_assert(!sched_others_want_cpu(v1));
	fake_set_cpu(0);
	domain_put(d);
	ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, id), 0);
	fake_reap_all();
	ck_assert_uint_eq(frames_free_count(&hv_frames), free0);
}
END_TEST

START_TEST(reference_keeps_slot)
{
	uint32_t id, id2;
	struct domain *d;

	ck_assert_int_eq(create("held", 1 << 20, 1, &id), 0);
	d = domain_get(id);
	ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, id), 0);
	/* Released, but the slot stays ours until the put. */
	ck_assert_uint_eq(frames_free_count(&hv_frames), free0);
	ck_assert_ptr_null(domain_get(id));
	ck_assert_int_ne(d->state, DOM_FREE);
	domain_put(d);
	ck_assert_int_eq(d->state, DOM_FREE);
	ck_assert_int_eq(create("held", 1 << 20, 1, &id2), 0);
	ck_assert_uint_ne(id2, id);
}
END_TEST

START_TEST(dom0_is_not_managed)
{
	struct qhv_domain_info i;
	int64_t rc;

	ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, 0), -QHV_EPERM);
	ck_assert_int_eq(simple(QHV_DOMCTL_PAUSE, 0), -QHV_EPERM);
	ck_assert_int_eq(simple(QHV_DOMCTL_UNPAUSE, 0), -QHV_EPERM);
	ck_assert_int_eq(simple(QHV_DOMCTL_START, 0), -QHV_EPERM);
	i = info(0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(i.flags & QHV_INFO_F_PRIVILEGED, QHV_INFO_F_PRIVILEGED);
	ck_assert_str_eq(i.name, "dom0");
}
END_TEST

START_TEST(non_dom0_gets_eperm)
{
	uint32_t id;
	struct domain *d;
	struct qhv_pool_info p;
	unsigned op;

	ck_assert_int_eq(create("user", 1 << 20, 1, &id), 0);
	d = domain_get(id);
	memset(&p, 0, sizeof(p));
	hdr(&p.hdr, 0);
	for (op = 0; op < 20; op++) {
		ck_assert_int_eq(domctl(&d->vcpu[0], op, (uintptr_t)&p, sizeof(p)),
				 -QHV_EPERM);
		ck_assert_int_eq(sysctl(&d->vcpu[0], op, (uintptr_t)&p, sizeof(p)),
				 -QHV_EPERM);
	}
	domain_put(d);
	ck_assert_uint_eq(state_of(id), QHV_STATE_BUILT);
}
END_TEST

START_TEST(memwrite_rules)
{
	static uint8_t data[QHV_MEMWRITE_MAX + 1];
	struct qhv_domctl_memwrite m;
	uint32_t id;
	uint64_t hpa, contig;
	struct domain *d;

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	ck_assert_int_eq(create("mem", 2 << 20, 1, &id), 0);
	memset(&m, 0, sizeof(m));
	hdr(&m.hdr, id);
	m.gpa = 0x100000 - 100;	/* across pages */
	m.buf = (uintptr_t)data;
	m.len = 8192;
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_MEMWRITE, &m, sizeof(m)), 0);
	d = domain_get(id);
	ck_assert_int_eq(arch_gpa_to_hpa(d, m.gpa, &hpa, &contig), 0);
	ck_assert_int_eq(memcmp(phys_to_virt(hpa), data, 100), 0);
	ck_assert_int_eq(arch_gpa_to_hpa(d, 0x100000, &hpa, &contig), 0);
	ck_assert_int_eq(memcmp(phys_to_virt(hpa), data + 100, 8092), 0);
	domain_put(d);
	/* Bounds: beyond RAM, wrapping, too long, empty. */
	m.gpa = (2 << 20) - 10;
	m.len = 11;
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_MEMWRITE, &m, sizeof(m)), -QHV_EFAULT);
	m.gpa = UINT64_MAX - 5;
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_MEMWRITE, &m, sizeof(m)), -QHV_EFAULT);
	m.gpa = 0;
	m.len = QHV_MEMWRITE_MAX + 1;
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_MEMWRITE, &m, sizeof(m)), -QHV_EINVAL);
	m.len = 0;
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_MEMWRITE, &m, sizeof(m)), -QHV_EINVAL);
	m.len = 16;
	m.buf = 0;
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_MEMWRITE, &m, sizeof(m)), -QHV_EFAULT);
	/* Running: refused; paused: fine. */
	m.buf = (uintptr_t)data;
	ck_assert_int_eq(start(id), 0);
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_MEMWRITE, &m, sizeof(m)), -QHV_EBUSY);
	ck_assert_int_eq(simple(QHV_DOMCTL_PAUSE, id), 0);
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_MEMWRITE, &m, sizeof(m)), 0);
	/* dom0's own memory is not written by this call. */
	hdr(&m.hdr, 0);
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_MEMWRITE, &m, sizeof(m)), -QHV_EPERM);
}
END_TEST

START_TEST(vcpu_context_checked)
{
	struct qhv_vcpu_context c;
	uint32_t id;

	ck_assert_int_eq(create("ctx", 2 << 20, 2, &id), 0);
	ck_assert_int_eq(set_vcpu(id, 2, flat32(0x100000)), -QHV_EINVAL);
	c = flat32(0x100000);
	c.rflags |= 1 << 9;	/* IF */
	ck_assert_int_eq(set_vcpu(id, 0, c), -QHV_EINVAL);
	c = flat32(0x100000);
	c.mode = 9;
	ck_assert_int_eq(set_vcpu(id, 0, c), -QHV_EINVAL);
	c = flat32(0x100000);
	c.cs_sel = 0x18;	/* beyond the GDT limit */
	ck_assert_int_eq(set_vcpu(id, 0, c), -QHV_EINVAL);
	c = flat32(0x100000);
	c.gdt_base = (2 << 20) - 8;	/* GDT leaves RAM */
	ck_assert_int_eq(set_vcpu(id, 0, c), -QHV_EINVAL);
	c = flat32(1ull << 32);
	ck_assert_int_eq(set_vcpu(id, 0, c), -QHV_EINVAL);
	c = flat32(0x100000);
	c.mode = QHV_VCPU_MODE_LONG64;
	c.cr3 = 4 << 20;	/* outside RAM */
	ck_assert_int_eq(set_vcpu(id, 0, c), -QHV_EINVAL);
	c.cr3 = 0x2001;		/* unaligned */
	ck_assert_int_eq(set_vcpu(id, 0, c), -QHV_EINVAL);
	c.cr3 = 0x2000;
	c.rip = 0x0000800000000000ull;	/* non-canonical */
	ck_assert_int_eq(set_vcpu(id, 0, c), -QHV_EINVAL);
	c.rip = 0xffffffff81000000ull;
	ck_assert_int_eq(set_vcpu(id, 0, c), 0);
	memset(&c, 0, sizeof(c));
	c.mode = QHV_VCPU_MODE_REAL;
	c.rip = 0x10000;	/* IP is 16 bits */
	ck_assert_int_eq(set_vcpu(id, 1, c), -QHV_EINVAL);
	c.rip = 0x7c00;
	c.rflags = 2;
	ck_assert_int_eq(set_vcpu(id, 1, c), 0);
}
END_TEST

START_TEST(run_queue_full_fails_start)
{
	struct percpu *pc = &percpu_area[0];
	uint32_t id;
	unsigned saved = pc->nrun;

	/* Affinity 1: both vCPUs on CPU 0. */
	ck_assert_int_eq(create_pinned("q", 1 << 20, 2, 1, &id), 0);
	/* Room for one vCPU only. */
	pc->nrun = MAX_RUNQ - 1;
	ck_assert_int_eq(set_vcpu(id, 0, flat32(0x100000)), 0);
	ck_assert_int_eq(simple(QHV_DOMCTL_START, id), -QHV_ENOSPC);
	ck_assert_uint_eq(pc->nrun, MAX_RUNQ - 1);
	pc->nrun = saved;
	ck_assert_uint_eq(state_of(id), QHV_STATE_BUILT);
	ck_assert_int_eq(simple(QHV_DOMCTL_DESTROY, id), 0);
	ck_assert_uint_eq(frames_free_count(&hv_frames), free0);
}
END_TEST

START_TEST(console_ring_and_input)
{
	static char text[20000], out[QHV_CONSOLE_IO_MAX];
	struct qhv_domctl_console c;
	uint32_t id;
	struct domain *d;
	unsigned i;

	for (i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i % 26);
	ck_assert_int_eq(create("con", 1 << 20, 1, &id), 0);
	d = domain_get(id);
	domain_console_text(d, text, sizeof(text));
	memset(&c, 0, sizeof(c));
	hdr(&c.hdr, id);
	c.buf = (uintptr_t)out;
	c.len = sizeof(out);
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_CONSOLE_READ, &c, sizeof(c)),
			 sizeof(out));
	ck_assert_uint_eq(c.lost, sizeof(text) - QHV_CONSOLE_RING_SIZE);
	ck_assert_uint_eq(c.produced, sizeof(text));
	ck_assert_uint_eq(c.cursor, sizeof(text) - QHV_CONSOLE_RING_SIZE + sizeof(out));
	ck_assert_int_eq(memcmp(out, text + c.cursor - sizeof(out), sizeof(out)), 0);
	/* Read to the end, then nothing more. */
	while (call(d0v, QHV_DOMCTL_CONSOLE_READ, &c, sizeof(c)) > 0)
		ck_assert_uint_eq(c.lost, 0);
	ck_assert_uint_eq(c.cursor, sizeof(text));
	ck_assert_uint_eq(c.done, 0);
	c.len = QHV_CONSOLE_IO_MAX + 1;
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_CONSOLE_READ, &c, sizeof(c)), -QHV_EINVAL);
	/* Input: the FIFO takes what fits, the UART hands it out in order. */
	c.len = 100;
	c.buf = (uintptr_t)text;
	ck_assert_int_eq(call(d0v, QHV_DOMCTL_CONSOLE_WRITE, &c, sizeof(c)),
			 VUART_RX_MAX);
	{
		uint32_t v = 0, lsr = 0;

		ck_assert(vdev_pio(&d->vcpu[0], QHV_PORT_UART + 5, 1, true, &lsr));
		ck_assert_uint_eq(lsr & 1, 1);
		ck_assert(vdev_pio(&d->vcpu[0], QHV_PORT_UART, 1, true, &v));
		ck_assert_uint_eq(v, 'a');
		ck_assert(vdev_pio(&d->vcpu[0], QHV_PORT_UART, 1, true, &v));
		ck_assert_uint_eq(v, 'b');
	}
	domain_put(d);
}
END_TEST

START_TEST(sysctl_list_pool_events)
{
	uint32_t ids[4], a, b;
	struct qhv_sysctl_list l;
	struct qhv_pool_info p;
	struct qhv_sysctl_events e;

	ck_assert_int_eq(create("a", 1 << 20, 1, &a), 0);
	ck_assert_int_eq(create("b", 1 << 20, 1, &b), 0);
	memset(&l, 0, sizeof(l));
	hdr(&l.hdr, 0);
	l.buf = (uintptr_t)ids;
	l.max = 4;
	ck_assert_int_eq(sysctl(d0v, QHV_SYSCTL_LIST, (uintptr_t)&l, sizeof(l)), 0);
	ck_assert_uint_eq(l.count, 3);
	ck_assert_uint_eq(ids[0], 0);
	ck_assert(ids[1] == a || ids[2] == a);
	l.max = 1;
	ck_assert_int_eq(sysctl(d0v, QHV_SYSCTL_LIST, (uintptr_t)&l, sizeof(l)), 0);
	ck_assert_uint_eq(l.count, 3);
	memset(&p, 0, sizeof(p));
	hdr(&p.hdr, 0);
	ck_assert_int_eq(sysctl(d0v, QHV_SYSCTL_POOLINFO, (uintptr_t)&p, sizeof(p)), 0);
	ck_assert_uint_eq(p.page_size, 4096);
	ck_assert_uint_eq(p.free_frames, frames_free_count(&hv_frames));
	ck_assert_uint_eq(p.nr_domains, 3);
	ck_assert_uint_eq(p.nr_cpus, 2);
	memset(&e, 0, sizeof(e));
	hdr(&e.hdr, 0);
	ck_assert_int_eq(sysctl(d0v, QHV_SYSCTL_EVENTS, (uintptr_t)&e, sizeof(e)), 0);
	ck_assert_uint_eq(e.pending & QHV_EVENT_DOMAIN_STATE, QHV_EVENT_DOMAIN_STATE);
	ck_assert_uint_ge(e.state_seq, 2);
	ck_assert_int_eq(sysctl(d0v, QHV_SYSCTL_EVENTS, (uintptr_t)&e, sizeof(e)), 0);
	ck_assert_uint_eq(e.pending, 0);
	ck_assert_int_eq(sysctl(d0v, 99, (uintptr_t)&e, sizeof(e)), -QHV_ENOSYS);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("domain");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, create_destroy_loop_leaks_nothing);
	tcase_add_test(tc, gone_domain_is_esrch);
	tcase_add_test(tc, bad_create_input);
	tcase_add_test(tc, oom_at_every_step_unwinds);
	tcase_add_test(tc, slots_run_out_and_come_back);
	tcase_add_test(tc, lifecycle_states);
	tcase_add_test(tc, crash_reason_reported);
	tcase_add_test(tc, boot_domain_restart_on_reboot);
	tcase_add_test(tc, destroy_running_waits_for_its_cpus);
	tcase_add_test(tc, runtime_vcpus_spread);
	tcase_add_test(tc, halted_vcpu_yields_to_work);
	tcase_add_test(tc, reference_keeps_slot);
	tcase_add_test(tc, dom0_is_not_managed);
	tcase_add_test(tc, non_dom0_gets_eperm);
	tcase_add_test(tc, memwrite_rules);
	tcase_add_test(tc, vcpu_context_checked);
	tcase_add_test(tc, run_queue_full_fails_start);
	tcase_add_test(tc, console_ring_and_input);
	tcase_add_test(tc, sysctl_list_pool_events);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
