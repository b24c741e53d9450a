/* SPDX-License-Identifier: MIT */
/*
 * Management calls from dom0 (QHV_HC_DOMCTL, QHV_HC_SYSCTL): one
 * privilege gate, fixed-size versioned argument structs copied in whole,
 * one small function per operation, results copied back whole.  Every
 * field is dom0's input and checked here; a bad one is an error for dom0,
 * never a crash of anything.  Lookups hold a reference for the whole call.
 */
#include <qhv/domctl.h>
#include <qhv/hypercall.h>
#include "core/console.h"
#include "core/domctl.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "lib/printk.h"
#include "lib/string.h"

/* Bounce buffer for memory writes and console transfers: one per CPU,
 * since each CPU runs one hypercall at a time. */
#define BOUNCE_SIZE 4096
static char bounce[MAX_CPUS][BOUNCE_SIZE];

union domctl_args {
	struct qhv_mgmt_hdr hdr;
	struct qhv_domctl_create create;
	struct qhv_domain_info info;
	struct qhv_domctl_memwrite mem;
	struct qhv_domctl_vcpu vcpu;
	struct qhv_domctl_console con;
	struct qhv_sysctl_list list;
	struct qhv_pool_info pool;
	struct qhv_sysctl_events ev;
};

static int64_t domctl_create(struct qhv_domctl_create *c)
{
	struct domain_params p = {
		.name = c->name, .uuid = c->uuid, .mem_bytes = c->mem_bytes,
		.nr_vcpus = c->nr_vcpus, .cpu_affinity = c->cpu_affinity,
		.runtime = true,
	};
	struct domain *d;
	unsigned i;
	int rc;

	if (c->flags & ~QHV_CREATE_F_MASK || !c->mem_bytes ||
	    c->name[QHV_NAME_MAX - 1] != 0)
		return -QHV_EINVAL;
	/* An affinity naming no CPU there is cannot be honoured. */
	if (c->cpu_affinity && !(c->cpu_affinity &
				 ((nr_cpus >= 64 ? 0 : 1ull << nr_cpus) - 1)))
		return -QHV_EINVAL;
	if (c->mem_bytes / PAGE_SIZE > frames_free_count(&hv_frames))
		return -QHV_ENOMEM;
	rc = domain_create(&p, &d);
	if (rc)
		return rc;
	/* A PC has a local APIC per CPU; vCPUs > 0 wait for INIT-SIPI. */
	for (i = 0; i < d->nr_vcpus; i++) {
		arch_vcpu_enable_vlapic(&d->vcpu[i], i);
		if (i)
			arch_vcpu_set_wait_sipi(&d->vcpu[i]);
	}
	c->hdr.domid = d->id;
	pr_info("qhv: dom %s: built id=%u mem=%luMiB vcpus=%u\n", d->name,
		d->id, d->mem_bytes >> 20, d->nr_vcpus);
	domain_put(d);
	domain_notify_dom0(QHV_EVENT_DOMAIN_STATE);
	return 0;
}

/* Memory writes only while nothing runs in the domain. */
static bool quiescent(const struct domain *d)
{
	return d->state == DOM_BUILT ||
	       (d->state == DOM_ACTIVE &&
		__atomic_load_n(&d->pause_count, __ATOMIC_ACQUIRE));
}

static int64_t domctl_memwrite(struct vcpu *caller, struct domain *d,
			       const struct qhv_domctl_memwrite *m)
{
	char *buf = bounce[this_cpu()->id];
	uint64_t off;

	if (!quiescent(d))
		return -QHV_EBUSY;
	if (!m->len || m->len > QHV_MEMWRITE_MAX)
		return -QHV_EINVAL;
	if (m->gpa + m->len < m->gpa || m->gpa + m->len > d->mem_bytes)
		return -QHV_EFAULT;
	/* Check the whole source first, so a bad buffer writes nothing. */
	for (off = 0; off < m->len; off += BOUNCE_SIZE) {
		uint64_t n = m->len - off < BOUNCE_SIZE ? m->len - off : BOUNCE_SIZE;

		if (arch_copy_from_guest(caller, buf, m->buf + off, n))
			return -QHV_EFAULT;
	}
	for (off = 0; off < m->len; off += BOUNCE_SIZE) {
		uint64_t n = m->len - off < BOUNCE_SIZE ? m->len - off : BOUNCE_SIZE;

		if (arch_copy_from_guest(caller, buf, m->buf + off, n) ||
		    domain_write_gpa(d, m->gpa + off, buf, n))
			return -QHV_EFAULT;
	}
	return 0;
}

static bool in_ram(const struct domain *d, uint64_t base, uint64_t len)
{
	return base + len >= base && base + len <= d->mem_bytes;
}

/* Reject start states that real hardware would refuse to enter, or that
 * point outside the domain: a bad state is dom0's error, never a failed
 * VM entry. */
static int check_context(const struct domain *d,
			 const struct qhv_vcpu_context *c)
{
	const uint64_t bad_flags = (1ull << 8) | (1ull << 9) | (1ull << 17) |
				   ~0x3f7fd7ull; /* TF, IF, VM, reserved */

	if (c->rflags & bad_flags || c->pad)
		return -QHV_EINVAL;
	switch (c->mode) {
	case QHV_VCPU_MODE_REAL:
		if (c->rip > 0xffff || c->rsp > 0xffff)
			return -QHV_EINVAL;
		return 0;
	case QHV_VCPU_MODE_LONG64:
		if ((uint64_t)((int64_t)(c->rip << 16) >> 16) != c->rip ||
		    (c->cr3 & 0xfff) || !in_ram(d, c->cr3, PAGE_SIZE))
			return -QHV_EINVAL;
		break;
	case QHV_VCPU_MODE_FLAT32:
		if ((c->rip | c->rsp) >> 32 || c->cr3)
			return -QHV_EINVAL;
		break;
	default:
		return -QHV_EINVAL;
	}
	/* Selectors: GDT entries (TI = 0, RPL 0) inside the GDT limit. */
	if (!c->cs_sel || !c->ds_sel || (c->cs_sel & 7) || (c->ds_sel & 7) ||
	    c->cs_sel + 7u > c->gdt_limit || c->ds_sel + 7u > c->gdt_limit ||
	    c->gdt_limit > 0xffff || !in_ram(d, c->gdt_base, c->gdt_limit + 1ull))
		return -QHV_EINVAL;
	return 0;
}

static int64_t domctl_set_vcpu(struct domain *d, const struct qhv_domctl_vcpu *a)
{
	int rc;

	if (d->state != DOM_BUILT)
		return -QHV_EBUSY;
	if (a->vcpu >= d->nr_vcpus || a->pad)
		return -QHV_EINVAL;
	rc = check_context(d, &a->ctx);
	if (rc)
		return rc;
	arch_vcpu_set_context(&d->vcpu[a->vcpu], &a->ctx);
	return 0;
}

static int64_t domctl_start(struct domain *d)
{
	if (d->state != DOM_BUILT)
		return -QHV_EBUSY;
	/* vCPU 0 needs a start state; the others default to INIT-SIPI. */
	if (!d->vcpu[0].arch.has_ctx)
		return -QHV_EINVAL;
	/* Each vCPU on the least loaded CPU, so that neither a domain's
	 * boot vCPU nor its APs queue behind dom0 while a CPU is free. */
	return domain_start(d, DOMAIN_START_SPREAD);
}

static int64_t domctl_console(struct vcpu *caller, struct domain *d,
			      struct qhv_domctl_console *c, bool write)
{
	char *buf = bounce[this_cpu()->id];

	if (c->len > QHV_CONSOLE_IO_MAX)
		return -QHV_EINVAL;
	if (write) {
		if (arch_copy_from_guest(caller, buf, c->buf, c->len))
			return -QHV_EFAULT;
		c->done = domain_console_input(d, buf, c->len);
		return c->done;
	}
	domain_console_read(d, c, buf);
	if (arch_copy_to_guest(caller, c->buf, buf, c->done))
		return -QHV_EFAULT;
	return c->done;
}

static int64_t domctl_on(struct vcpu *caller, unsigned op, struct domain *d,
			 union domctl_args *a)
{
	/* dom0 is not managed by these calls: it manages. */
	if (d->is_dom0 && op != QHV_DOMCTL_GETINFO &&
	    op != QHV_DOMCTL_CONSOLE_READ)
		return -QHV_EPERM;
	switch (op) {
	case QHV_DOMCTL_DESTROY:
		return domain_destroy(d);
	case QHV_DOMCTL_PAUSE:
		if (d->state != DOM_ACTIVE && d->state != DOM_BUILT)
			return -QHV_EBUSY;
		return domain_pause(d);
	case QHV_DOMCTL_UNPAUSE:
		return domain_unpause(d);
	case QHV_DOMCTL_GETINFO:
		domain_getinfo(d, &a->info);
		return 0;
	case QHV_DOMCTL_MEMWRITE:
		return domctl_memwrite(caller, d, &a->mem);
	case QHV_DOMCTL_SET_VCPU:
		return domctl_set_vcpu(d, &a->vcpu);
	case QHV_DOMCTL_START:
		return domctl_start(d);
	case QHV_DOMCTL_CONSOLE_READ:
		return domctl_console(caller, d, &a->con, false);
	case QHV_DOMCTL_CONSOLE_WRITE:
		return domctl_console(caller, d, &a->con, true);
	default:
		return -QHV_ENOSYS;
	}
}

/* The argument struct's exact size per operation (0: unknown op). */
static uint64_t domctl_size(unsigned op)
{
	switch (op) {
	case QHV_DOMCTL_CREATE:
		return sizeof(struct qhv_domctl_create);
	case QHV_DOMCTL_DESTROY:
	case QHV_DOMCTL_PAUSE:
	case QHV_DOMCTL_UNPAUSE:
	case QHV_DOMCTL_START:
		return sizeof(struct qhv_mgmt_hdr);
	case QHV_DOMCTL_GETINFO:
		return sizeof(struct qhv_domain_info);
	case QHV_DOMCTL_MEMWRITE:
		return sizeof(struct qhv_domctl_memwrite);
	case QHV_DOMCTL_SET_VCPU:
		return sizeof(struct qhv_domctl_vcpu);
	case QHV_DOMCTL_CONSOLE_READ:
	case QHV_DOMCTL_CONSOLE_WRITE:
		return sizeof(struct qhv_domctl_console);
	default:
		return 0;
	}
}

static uint64_t sysctl_size(unsigned op)
{
	switch (op) {
	case QHV_SYSCTL_LIST:
		return sizeof(struct qhv_sysctl_list);
	case QHV_SYSCTL_POOLINFO:
		return sizeof(struct qhv_pool_info);
	case QHV_SYSCTL_LOG_READ:
		return sizeof(struct qhv_domctl_console);
	case QHV_SYSCTL_EVENTS:
		return sizeof(struct qhv_sysctl_events);
	default:
		return 0;
	}
}

/* Copy in and check the header: the one gate every call passes. */
static int64_t args_in(struct vcpu *v, uint64_t size, uint64_t buf,
		       uint64_t len, union domctl_args *a)
{
	if (!v->dom->is_dom0)
		return -QHV_EPERM;
	if (!size)
		return -QHV_ENOSYS;
	if (len != size)
		return -QHV_EINVAL;
	if (arch_copy_from_guest(v, a, buf, len))
		return -QHV_EFAULT;
	if (a->hdr.interface_version != QHV_DOMCTL_INTERFACE_VERSION)
		return -QHV_EINVAL;
	return 0;
}

int64_t domctl(struct vcpu *v, uint64_t op, uint64_t buf, uint64_t len)
{
	union domctl_args a;
	struct domain *d;
	int64_t rc;

	rc = args_in(v, op > 0xffff ? 0 : domctl_size((unsigned)op), buf, len, &a);
	if (rc)
		return rc;
	if (op == QHV_DOMCTL_CREATE) {
		rc = domctl_create(&a.create);
	} else {
		d = domain_get(a.hdr.domid);
		if (!d)
			return -QHV_ESRCH;
		rc = domctl_on(v, (unsigned)op, d, &a);
		domain_put(d);
	}
	/* Results go back whole (ops that return data or ids). */
	if (rc >= 0 && (op == QHV_DOMCTL_CREATE || op == QHV_DOMCTL_GETINFO ||
			op == QHV_DOMCTL_CONSOLE_READ ||
			op == QHV_DOMCTL_CONSOLE_WRITE) &&
	    arch_copy_to_guest(v, buf, &a, len))
		return -QHV_EFAULT;
	return rc;
}

static int64_t sysctl_list(struct vcpu *v, struct qhv_sysctl_list *l)
{
	static uint32_t ids[MAX_CPUS][MAX_DOMAINS];
	uint32_t *mine = ids[this_cpu()->id];
	unsigned n = domain_list(mine, MAX_DOMAINS);
	unsigned give = n < l->max ? n : l->max;

	if (give > MAX_DOMAINS)
		give = MAX_DOMAINS;
	if (arch_copy_to_guest(v, l->buf, mine, give * sizeof(uint32_t)))
		return -QHV_EFAULT;
	l->count = n;
	return 0;
}

int64_t sysctl(struct vcpu *v, uint64_t op, uint64_t buf, uint64_t len)
{
	union domctl_args a;
	int64_t rc;

	rc = args_in(v, op > 0xffff ? 0 : sysctl_size((unsigned)op), buf, len, &a);
	if (rc)
		return rc;
	switch (op) {
	case QHV_SYSCTL_LIST:
		rc = sysctl_list(v, &a.list);
		break;
	case QHV_SYSCTL_POOLINFO:
		a.pool.page_size = PAGE_SIZE;
		a.pool.nr_cpus = nr_cpus;
		a.pool.free_frames = frames_free_count(&hv_frames);
		a.pool.total_frames = frames_at_boot;
		a.pool.nr_domains = domains_live();
		a.pool.pad = 0;
		break;
	case QHV_SYSCTL_LOG_READ: {
		char *out = bounce[this_cpu()->id];

		if (a.con.len > QHV_CONSOLE_IO_MAX)
			return -QHV_EINVAL;
		console_log_read(&a.con, out);
		if (arch_copy_to_guest(v, a.con.buf, out, a.con.done))
			return -QHV_EFAULT;
		rc = a.con.done;
		break;
	}
	case QHV_SYSCTL_EVENTS:
		a.ev.pending = domain_take_events(&a.ev.state_seq);
		a.ev.pad = 0;
		break;
	}
	if (rc >= 0 && arch_copy_to_guest(v, buf, &a, len))
		return -QHV_EFAULT;
	return rc;
}
