/* SPDX-License-Identifier: MIT */
/*
 * Domains: the lifecycle (create, start, pause, end, destroy, free), ids,
 * lookups by id with references, the emulated devices every domain sees
 * (a 16550 UART, the test-exit port), console rings, and the end-of-run
 * summary.  Runtime-safe: any CPU may create, pause or destroy any domain
 * but dom0; each vCPU is still torn down on its own CPU.
 *
 * Locks (order: domains_lock -> con_lock -> console_lock):
 *   domains_lock protects: every slot's state, refcnt, released, name and
 *     id; the id bitmap and cursor; live_domains, active_domains.
 *   d->con_lock protects: that domain's console ring, UART line buffer,
 *     LCR/scratch registers and receive FIFO.
 */
#include <stdarg.h>
#include <qhv/hypercall.h>
#include <qhv/platform.h>
#include "core/domain.h"
#include "core/bootdom.h"
#include "core/console.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "core/system.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "arch/x86.h"	/* cpu_relax */

static struct domain domains[MAX_DOMAINS];
static spinlock_t domains_lock = SPINLOCK_INIT;
static unsigned live_domains;	/* claimed slots not yet released */
static unsigned active_domains;	/* started, with vCPUs not all gone */
static bool have_dom0;
static uint64_t domid_used[(QHV_DOMID_MAX + 1 + 63) / 64];
static unsigned domid_cursor = 1;

static uint32_t pending_events;
static uint64_t state_seq;

void domain_notify_dom0(uint32_t events)
{
	if (events & QHV_EVENT_DOMAIN_STATE)
		__atomic_add_fetch(&state_seq, 1, __ATOMIC_RELAXED);
	/* One interrupt per new bit: dom0's read of the events re-arms it,
	 * so a chatty console cannot storm dom0. */
	if ((__atomic_fetch_or(&pending_events, events, __ATOMIC_ACQ_REL) &
	     events) != events)
		arch_notify_dom0();
}

uint32_t domain_take_events(uint64_t *seq)
{
	*seq = __atomic_load_n(&state_seq, __ATOMIC_RELAXED);
	return __atomic_exchange_n(&pending_events, 0, __ATOMIC_ACQ_REL);
}

/* ---- ids ---- */

static bool domid_taken(unsigned id)
{
	return (domid_used[id / 64] >> (id % 64)) & 1;
}

static void domid_mark(unsigned id, bool used)
{
	if (used)
		domid_used[id / 64] |= 1ull << (id % 64);
	else
		domid_used[id / 64] &= ~(1ull << (id % 64));
}

/* Move forward from the last id handed out, wrapping: a freed id is the
 * last one to come back (docs/abi.md).  Caller holds domains_lock. */
static int domid_alloc(void)
{
	unsigned n;

	for (n = 0; n < QHV_DOMID_MAX; n++) {
		unsigned id = domid_cursor;

		domid_cursor = domid_cursor == QHV_DOMID_MAX ? 1 : domid_cursor + 1;
		if (!domid_taken(id)) {
			domid_mark(id, true);
			return (int)id;
		}
	}
	return -QHV_ENOSPC;
}

static bool name_valid(const char *s)
{
	size_t n = strnlen(s, DOMAIN_NAME_MAX);
	size_t i;

	if (n == 0 || n == DOMAIN_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* ---- slots ---- */

static int slot_claim(const struct domain_params *p, struct domain **out)
{
	struct domain *free = 0;
	unsigned i;
	int id;

	spin_lock(&domains_lock);
	for (i = 0; i < MAX_DOMAINS; i++) {
		struct domain *d = &domains[i];

		if (d->state == DOM_FREE) {
			if (!free)
				free = d;
		} else if (!d->released && !strcmp(d->name, p->name)) {
			spin_unlock(&domains_lock);
			return -QHV_EEXIST;
		}
	}
	if (!free || (p->dom0 && have_dom0)) {
		spin_unlock(&domains_lock);
		return -QHV_ENOSPC;
	}
	id = p->dom0 ? 0 : domid_alloc();
	if (id < 0) {
		spin_unlock(&domains_lock);
		return id;
	}
	memset(free, 0, sizeof(*free));
	free->state = DOM_BUILDING;
	free->refcnt = 1;
	free->id = (unsigned)id;
	free->is_dom0 = p->dom0;
	free->runtime = p->runtime;
	memcpy(free->name, p->name, strnlen(p->name, DOMAIN_NAME_MAX - 1));
	if (p->dom0)
		have_dom0 = true;
	live_domains++;
	spin_unlock(&domains_lock);
	*out = free;
	return 0;
}

/* Caller holds domains_lock: the slot and its id go back. */
static void slot_free_locked(struct domain *d)
{
	if (!d->is_dom0)
		domid_mark(d->id, false);
	d->state = DOM_FREE;
	d->name[0] = 0;
}

/* Back guest-physical [0, mem) with fresh zeroed frames, 2 MiB at a time
 * where the allocator can, 4 KiB otherwise. */
static int populate_ram(struct domain *d, uint64_t mem)
{
	uint64_t gpa;

	for (gpa = 0; gpa < mem;) {
		uint64_t hpa;

		if (mem - gpa >= LARGE_PAGE_SIZE &&
		    !mm_alloc_pages(512, LARGE_PAGE_SIZE, &hpa)) {
			if (arch_map_ram(d, gpa, hpa, LARGE_PAGE_SIZE)) {
				mm_free_pages(hpa, 512);
				return -QHV_ENOMEM;
			}
			gpa += LARGE_PAGE_SIZE;
			continue;
		}
		if (mm_alloc_pages(1, PAGE_SIZE, &hpa))
			return -QHV_ENOMEM;
		if (arch_map_ram(d, gpa, hpa, PAGE_SIZE)) {
			mm_free_pages(hpa, 1);
			return -QHV_ENOMEM;
		}
		gpa += PAGE_SIZE;
	}
	return 0;
}

/* Exactly one of destroy and the last vCPU's teardown releases a domain.
 * Caller holds domains_lock. */
static bool claim_release_locked(struct domain *d)
{
	if (d->releasing)
		return false;
	d->releasing = true;
	return true;
}

/* Free vCPU state not already freed on its CPU, the EPT and the RAM
 * (scrubbed by arch), then the slot once nobody holds it. */
static void domain_release(struct domain *d)
{
	unsigned i;

	for (i = 0; i < d->nr_vcpus; i++)
		if (!d->vcpu[i].queued)
			arch_vcpu_destroy(&d->vcpu[i]);
	arch_domain_destroy(d);
	pr_debug("qhv: dom %s: torn down, %lu frames free\n", d->name,
		 frames_free_count(&hv_frames));
	spin_lock(&domains_lock);
	d->released = true;
	live_domains--;
	/* Boot domains keep their slot for the end-of-run summary. */
	if (d->runtime && d->refcnt == 0)
		slot_free_locked(d);
	spin_unlock(&domains_lock);
	/* Its id names nothing now: a waiter for "gone" must hear it (the
	 * destroy call's own event came while its vCPUs still ran). */
	domain_notify_dom0(QHV_EVENT_DOMAIN_STATE);
}

int domain_create(const struct domain_params *p, struct domain **out)
{
	struct domain *d;
	unsigned i;
	int rc;

	if (!name_valid(p->name) || p->nr_vcpus < 1 ||
	    p->nr_vcpus > MAX_VCPUS || (p->mem_bytes & (PAGE_SIZE - 1)))
		return -QHV_EINVAL;
	rc = slot_claim(p, &d);
	if (rc)
		return rc;
	if (p->uuid)
		memcpy(d->uuid, p->uuid, sizeof(d->uuid));
	d->mem_bytes = p->mem_bytes;
	d->cpu_affinity = p->cpu_affinity;
	d->nr_vcpus = p->nr_vcpus;
	d->arch.privileged = p->dom0;
	vuart_reset(&d->uart);
	rc = arch_domain_init(d);
	if (!rc)
		rc = populate_ram(d, p->mem_bytes);
	for (i = 0; !rc && i < p->nr_vcpus; i++) {
		d->vcpu[i].dom = d;
		d->vcpu[i].id = i;
		rc = arch_vcpu_init(&d->vcpu[i]);
	}
	if (rc) {
		/* Everything allocated so far is reachable from d. */
		spin_lock(&domains_lock);
		d->runtime = true;
		d->refcnt = 0;
		d->releasing = true;
		if (d->is_dom0)
			have_dom0 = false;
		spin_unlock(&domains_lock);
		domain_release(d);
		return rc;
	}
	spin_lock(&domains_lock);
	d->state = DOM_BUILT;
	spin_unlock(&domains_lock);
	*out = d;
	return 0;
}

static struct domain *create_or_say(const struct domain_params *p)
{
	struct domain *d;
	int rc = domain_create(p, &d);

	if (rc == -QHV_EEXIST)
		pr_err("qhv: dom %s: name already in use\n", p->name);
	else if (rc == -QHV_ENOSPC)
		pr_err("qhv: dom %s: no free domain slot (max %u)\n", p->name,
		       MAX_DOMAINS);
	else if (rc == -QHV_EINVAL)
		pr_err("qhv: dom %s: bad name or size\n", p->name);
	else if (rc)
		pr_err("qhv: dom %s: cannot allocate %lu MiB: out of memory\n",
		       p->name, p->mem_bytes >> 20);
	if (rc)
		return 0;
	pr_debug("qhv: dom %s: allocated, %lu frames free\n", p->name,
		 frames_free_count(&hv_frames));
	return d;
}

struct domain *domain_alloc(const char *name, uint64_t mem_bytes,
			    unsigned nr_vcpus)
{
	struct domain_params p = { .name = name, .mem_bytes = mem_bytes,
				   .nr_vcpus = nr_vcpus };

	return create_or_say(&p);
}

struct domain *domain_alloc_dom0(unsigned nr_vcpus)
{
	struct domain_params p = { .name = "dom0", .nr_vcpus = nr_vcpus,
				   .dom0 = true };

	return create_or_say(&p);
}

struct domain *domain_get(unsigned id)
{
	struct domain *found = 0;
	unsigned i;

	spin_lock(&domains_lock);
	for (i = 0; i < MAX_DOMAINS; i++) {
		struct domain *d = &domains[i];

		if (d->state != DOM_FREE && d->state != DOM_BUILDING &&
		    !d->released && d->id == id) {
			d->refcnt++;
			found = d;
			break;
		}
	}
	spin_unlock(&domains_lock);
	return found;
}

void domain_put(struct domain *d)
{
	spin_lock(&domains_lock);
	/* A put without a get is an hv bug, not guest input. */
	if (d->refcnt && --d->refcnt == 0 && d->released && d->runtime)
		slot_free_locked(d);
	spin_unlock(&domains_lock);
}

void domain_abandon(struct domain *d)
{
	spin_lock(&domains_lock);
	d->state = DOM_DYING;
	d->runtime = true;	/* nothing to summarise: free the slot */
	d->refcnt--;
	if (d->is_dom0)
		have_dom0 = false;
	d->releasing = true;
	spin_unlock(&domains_lock);
	domain_release(d);
}

int domain_write_gpa(struct domain *d, uint64_t gpa, const void *src,
		     uint64_t len)
{
	const uint8_t *p = src;

	if (gpa + len < gpa || gpa + len > d->mem_bytes)
		return -QHV_EFAULT;
	while (len) {
		uint64_t hpa, contig;

		if (arch_gpa_to_hpa(d, gpa, &hpa, &contig))
			return -QHV_EFAULT;
		if (contig > len)
			contig = len;
		if (p)
			memcpy(phys_to_virt(hpa), p, contig);
		else
			memset(phys_to_virt(hpa), 0, contig);
		if (p)
			p += contig;
		gpa += contig;
		len -= contig;
	}
	return 0;
}

/* The k-th CPU of @mask (0 = all CPUs), round-robin. */
static unsigned affinity_cpu(uint64_t mask, unsigned k)
{
	unsigned n = 0, i;

	for (i = 0; i < nr_cpus; i++)
		if (!mask || (mask >> i) & 1)
			n++;
	if (!n)
		return k % nr_cpus;
	k %= n;
	for (i = 0; i < nr_cpus; i++)
		if (!mask || (mask >> i) & 1) {
			if (!k)
				return i;
			k--;
		}
	return 0;
}

int domain_start(struct domain *d, unsigned pcpu)
{
	unsigned spread[MAX_VCPUS], i;

	/* Before domains_lock: sched_spread() takes the queue locks. */
	if (pcpu == DOMAIN_START_SPREAD)
		sched_spread(spread, d->nr_vcpus);
	spin_lock(&domains_lock);
	if (d->state != DOM_BUILT) {
		spin_unlock(&domains_lock);
		return -QHV_EBUSY;
	}
	/* Placed before queued: a vCPU is visible to its CPU's scheduler
	 * only once domain_start has decided everything about it. */
	for (i = 0; i < d->nr_vcpus; i++) {
		if (d->is_dom0)
			d->vcpu[i].pcpu = i;
		else if (d->cpu_affinity)
			d->vcpu[i].pcpu = affinity_cpu(d->cpu_affinity, i);
		else if (pcpu == DOMAIN_START_SPREAD)
			d->vcpu[i].pcpu = spread[i];
		else
			d->vcpu[i].pcpu = (pcpu + i) % nr_cpus;
	}
	d->live_vcpus = d->nr_vcpus;
	d->state = DOM_ACTIVE;
	active_domains++;
	spin_unlock(&domains_lock);
	for (i = 0; i < d->nr_vcpus; i++) {
		if (sched_add(&d->vcpu[i]) == 0)
			continue;
		/* A full run queue: take back what was queued and leave
		 * the domain built, so the caller can destroy it. */
		while (i--)
			sched_remove_vcpu(&d->vcpu[i]);
		spin_lock(&domains_lock);
		d->state = DOM_BUILT;
		d->live_vcpus = 0;
		active_domains--;
		spin_unlock(&domains_lock);
		pr_err("qhv: dom %s: a run queue is full\n", d->name);
		return -QHV_ENOSPC;
	}
	pr_info("qhv: dom %s: created id=%u mem=%luMiB cpu=%u%s\n", d->name,
		d->id, d->mem_bytes >> 20, d->vcpu[0].pcpu,
		d->nr_vcpus > 1 ? "+" : "");
	domain_notify_dom0(QHV_EVENT_DOMAIN_STATE);
	return 0;
}

static void kick_vcpus(struct domain *d)
{
	unsigned i;

	for (i = 0; i < d->nr_vcpus; i++)
		if (d->vcpu[i].pcpu != this_cpu()->id)
			arch_kick_cpu(d->vcpu[i].pcpu);
}

int domain_pause(struct domain *d)
{
	unsigned i;

	__atomic_add_fetch(&d->pause_count, 1, __ATOMIC_ACQ_REL);
	kick_vcpus(d);
	/* A vCPU on this CPU is not running (we are); others leave the
	 * guest at the kick and see the count. */
	for (i = 0; i < d->nr_vcpus; i++)
		while (__atomic_load_n(&d->vcpu[i].on_cpu, __ATOMIC_ACQUIRE))
			cpu_relax();
	domain_notify_dom0(QHV_EVENT_DOMAIN_STATE);
	return 0;
}

int domain_unpause(struct domain *d)
{
	unsigned n = __atomic_load_n(&d->pause_count, __ATOMIC_ACQUIRE);

	do {
		if (!n)
			return -QHV_EINVAL;
	} while (!__atomic_compare_exchange_n(&d->pause_count, &n, n - 1,
					      false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	kick_vcpus(d);
	domain_notify_dom0(QHV_EVENT_DOMAIN_STATE);
	return 0;
}

static void vuart_flush(struct domain *d)
{
	spin_lock(&d->con_lock);
	if (d->vuart_len)
		console_write_tagged(d->name, d->vuart_line, d->vuart_len);
	d->vuart_len = 0;
	spin_unlock(&d->con_lock);
}

void domain_console_text(struct domain *d, const char *s, uint64_t n)
{
	uint64_t i;

	spin_lock(&d->con_lock);
	for (i = 0; i < n; i++) {
		d->con_ring[d->con_head++ % QHV_CONSOLE_RING_SIZE] = s[i];
		if (s[i] == '\n' || d->vuart_len == VUART_LINE_MAX) {
			console_write_tagged(d->name, d->vuart_line,
					     d->vuart_len);
			d->vuart_len = 0;
			if (s[i] == '\n')
				continue;
		}
		d->vuart_line[d->vuart_len++] = s[i];
	}
	spin_unlock(&d->con_lock);
	if (n && !d->is_dom0)
		domain_notify_dom0(QHV_EVENT_CONSOLE);
}

void domain_console_read(struct domain *d, struct qhv_domctl_console *c,
			 char *out)
{
	uint64_t oldest, cur = c->cursor;
	uint32_t n = 0;

	spin_lock(&d->con_lock);
	oldest = d->con_head > QHV_CONSOLE_RING_SIZE ?
			 d->con_head - QHV_CONSOLE_RING_SIZE : 0;
	c->lost = 0;
	if (cur < oldest) {
		c->lost = oldest - cur;
		cur = oldest;
	}
	if (cur > d->con_head)
		cur = d->con_head;
	while (n < c->len && cur < d->con_head)
		out[n++] = d->con_ring[cur++ % QHV_CONSOLE_RING_SIZE];
	c->produced = d->con_head;
	spin_unlock(&d->con_lock);
	c->cursor = cur;
	c->done = n;
}

unsigned domain_console_input(struct domain *d, const char *s, unsigned n)
{
	unsigned i;
	bool raise;

	spin_lock(&d->con_lock);
	i = vuart_rx_push(&d->uart, (const uint8_t *)s, n);
	raise = vuart_irq_edge(&d->uart);
	spin_unlock(&d->con_lock);
	if (raise)
		arch_domain_irq_edge(d, QHV_PLAT_UART_IRQ);
	return i;
}

/* Caller holds domains_lock.  The first end wins, even from two vCPUs or
 * a vCPU and a destroy at once. */
static void stop_vcpus(struct domain *d)
{
	unsigned i;

	for (i = 0; i < d->nr_vcpus; i++) {
		__atomic_store_n(&d->vcpu[i].stopped, true, __ATOMIC_RELEASE);
		sched_vcpu_stopped(&d->vcpu[i]);
	}
	kick_vcpus(d);
}

static bool domain_end(struct domain *d, enum domain_state to)
{
	bool ok;

	spin_lock(&domains_lock);
	ok = d->state == DOM_ACTIVE || (to == DOM_DYING &&
					(d->state == DOM_BUILT ||
					 d->state == DOM_SHUTDOWN ||
					 d->state == DOM_CRASHED));
	if (ok) {
		d->state = to;
		stop_vcpus(d);
	}
	spin_unlock(&domains_lock);
	return ok;
}

void domain_shutdown(struct domain *d, uint32_t reason, uint32_t code)
{
	if (!domain_end(d, DOM_SHUTDOWN))
		return;
	d->shutdown_reason = reason;
	d->exit_code = code;
	vuart_flush(d);
	if (reason == QHV_SHUTDOWN_EXIT)
		pr_info("qhv: dom %s: exited code=%u\n", d->name, code);
	else
		pr_info("qhv: dom %s: shut down (%s)\n", d->name,
			reason == QHV_SHUTDOWN_REBOOT ? "reboot" : "poweroff");
	domain_notify_dom0(QHV_EVENT_DOMAIN_STATE);
}

void domain_exit(struct domain *d, uint32_t code)
{
	domain_shutdown(d, QHV_SHUTDOWN_EXIT, code);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
	va_list ap;

	if (!domain_end(d, DOM_CRASHED))
		return;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
	vuart_flush(d);
	pr_info("qhv: dom %s: crashed: %s\n", d->name, d->reason);
	domain_notify_dom0(QHV_EVENT_DOMAIN_STATE);
}

int domain_destroy(struct domain *d)
{
	bool release;

	if (d->is_dom0)
		return -QHV_EPERM;
	spin_lock(&domains_lock);
	if (d->state == DOM_DYING || d->released) {
		spin_unlock(&domains_lock);
		return 0;
	}
	spin_unlock(&domains_lock);
	if (!domain_end(d, DOM_DYING))
		return 0;
	pr_info("qhv: dom %s: destroyed\n", d->name);
	domain_notify_dom0(QHV_EVENT_DOMAIN_STATE);
	/* Queued vCPUs are torn down by their CPUs' schedulers, the last
	 * one releasing the domain; otherwise nothing runs it: free here. */
	spin_lock(&domains_lock);
	release = d->live_vcpus == 0 && claim_release_locked(d);
	spin_unlock(&domains_lock);
	if (release)
		domain_release(d);
	return 0;
}

unsigned domains_live(void)
{
	return __atomic_load_n(&live_domains, __ATOMIC_ACQUIRE);
}

static uint32_t info_state(const struct domain *d)
{
	unsigned i;

	switch (d->state) {
	case DOM_BUILT:
		return QHV_STATE_BUILT;
	case DOM_SHUTDOWN:
		return QHV_STATE_SHUTDOWN;
	case DOM_CRASHED:
		return QHV_STATE_CRASHED;
	case DOM_ACTIVE:
		break;
	default:
		return QHV_STATE_DYING;
	}
	if (__atomic_load_n(&d->pause_count, __ATOMIC_ACQUIRE))
		return QHV_STATE_PAUSED;
	for (i = 0; i < d->nr_vcpus; i++)
		if (!arch_vcpu_blocked(&d->vcpu[i]))
			return QHV_STATE_RUNNING;
	return QHV_STATE_BLOCKED;
}

void domain_getinfo(struct domain *d, struct qhv_domain_info *info)
{
	unsigned i;

	info->state = info_state(d);
	info->shutdown_reason = d->state == DOM_SHUTDOWN ? d->shutdown_reason : 0;
	info->exit_code = d->state == DOM_SHUTDOWN ? d->exit_code : 0;
	info->pause_count = __atomic_load_n(&d->pause_count, __ATOMIC_ACQUIRE);
	info->nr_vcpus = d->nr_vcpus;
	info->flags = (d->is_dom0 ? QHV_INFO_F_PRIVILEGED : 0) |
		      (d->state != DOM_BUILT ? QHV_INFO_F_STARTED : 0);
	info->mem_bytes = d->mem_bytes;
	info->cpu_affinity = d->cpu_affinity;
	memcpy(info->uuid, d->uuid, sizeof(info->uuid));
	memcpy(info->name, d->name, sizeof(info->name));
	info->name[QHV_NAME_MAX - 1] = 0;
	memcpy(info->reason, d->reason, sizeof(info->reason));
	info->reason[QHV_REASON_MAX - 1] = 0;
	for (i = 0; i < QHV_MAX_VCPUS; i++) {
		const struct vcpu *v = &d->vcpu[i];

		info->cpu_time_ns[i] = i < d->nr_vcpus ?
			arch_tsc_to_ns(__atomic_load_n(&v->time_tsc,
						       __ATOMIC_RELAXED)) : 0;
		info->vcpu_pcpu[i] = i < d->nr_vcpus ? v->pcpu : 0;
	}
	spin_lock(&d->con_lock);
	info->console_produced = d->con_head;
	info->console_lost = d->con_head > QHV_CONSOLE_RING_SIZE ?
				     d->con_head - QHV_CONSOLE_RING_SIZE : 0;
	spin_unlock(&d->con_lock);
}

unsigned domain_list(uint32_t *ids, unsigned max)
{
	unsigned i, n = 0;

	spin_lock(&domains_lock);
	for (i = 0; i < MAX_DOMAINS; i++) {
		const struct domain *d = &domains[i];

		if (d->state == DOM_FREE || d->state == DOM_BUILDING ||
		    d->released)
			continue;
		if (n < max)
			ids[n] = d->id;
		n++;
	}
	spin_unlock(&domains_lock);
	return n;
}

/* Print one line per boot domain and dom0; return 0 only if every domain
 * exited 0.  With a dom0, the machine's status is dom0's: it manages the
 * rest. */
static int domains_summary(void)
{
	int status = 0, dom0_status = -1;
	unsigned i;

	for (i = 0; i < MAX_DOMAINS; i++) {
		struct domain *d = &domains[i];

		if (d->state == DOM_SHUTDOWN) {
			printk(LOG_ALWAYS, "qhv: summary: %s exit=%u hypercalls=%lu%s\n",
			       d->name, d->exit_code, d->hypercalls,
			       d->shutdown_reason == QHV_SHUTDOWN_REBOOT ? " (reboot)" :
			       d->shutdown_reason == QHV_SHUTDOWN_POWEROFF ? " (poweroff)" : "");
			if (d->exit_code)
				status = 1;
			if (d->is_dom0)
				dom0_status = d->exit_code > 255 ? 1 :
								   (int)d->exit_code;
		} else if (d->state == DOM_CRASHED) {
			printk(LOG_ALWAYS, "qhv: summary: %s crashed (%s)\n", d->name,
				d->reason);
			status = 1;
			if (d->is_dom0)
				dom0_status = 1;
		} else if (d->state == DOM_ACTIVE || d->state == DOM_BUILT) {
			printk(LOG_ALWAYS, "qhv: summary: %s still running\n", d->name);
		}
	}
	return dom0_status >= 0 ? dom0_status : status;
}

void domain_vcpu_gone(struct vcpu *v)
{
	struct domain *d = v->dom;
	bool last_vcpu, machine_done, release, restart;

	/* On the vCPU's own CPU: its VMCS and TLB entries live here. */
	arch_vcpu_destroy(v);
	spin_lock(&domains_lock);
	last_vcpu = --d->live_vcpus == 0;
	if (last_vcpu)
		active_domains--;
	/* A boot domain that asked for a reset and is configured to come
	 * back: built again once this one is torn down. */
	restart = last_vcpu && d->restart_on_reboot && !d->runtime &&
		  d->state == DOM_SHUTDOWN &&
		  d->shutdown_reason == QHV_SHUTDOWN_REBOOT;
	machine_done = last_vcpu && !restart &&
		       (d->is_dom0 || (!have_dom0 && active_domains == 0));
	/* A runtime domain that ended keeps its memory for `qhv info` and
	 * dumps until dom0 destroys it; boot domains and dying ones go. */
	release = last_vcpu && (!d->runtime || d->state == DOM_DYING) &&
		  claim_release_locked(d);
	spin_unlock(&domains_lock);
	if (release)
		domain_release(d);
	if (restart && bootdom_restart(d)) {
		/* Not restarted: end as if it had not asked to. */
		spin_lock(&domains_lock);
		machine_done = !have_dom0 && active_domains == 0;
		spin_unlock(&domains_lock);
	}
	/* dom0 ending ends the machine, as with Xen. */
	if (machine_done)
		system_finish(domains_summary());
}

/* The 16550 (core/vuart.c): transmit to the console ring, receive from
 * the FIFO dom0 fills, its interrupt to the domain's interrupt
 * controller on a rising edge. */
static bool vuart_pio(struct domain *d, unsigned reg, bool in, uint32_t *val)
{
	bool tx = false, raise;
	uint8_t byte = (uint8_t)*val;

	spin_lock(&d->con_lock);
	if (in)
		*val = vuart_read(&d->uart, reg);
	else
		tx = vuart_write(&d->uart, reg, byte);
	raise = vuart_irq_edge(&d->uart);
	spin_unlock(&d->con_lock);
	if (tx)
		domain_console_text(d, (const char *)&byte, 1);
	if (raise)
		arch_domain_irq_edge(d, QHV_PLAT_UART_IRQ);
	return true;
}

/* The PC's reset requests (a domU's platform has no other use for
 * these ports): the keyboard controller's pulse-reset command, the fast
 * reset of system control port A, the reset control register. */
#define PORT_KBC_CMD 0x64
#define KBC_PULSE_RESET 0xfe
#define PORT_SYSCTL_A 0x92
#define PORT_RESET_CTL 0xcf9

static bool reset_pio(struct domain *d, uint16_t port, unsigned size, bool in,
		      uint32_t *val)
{
	bool reset;

	if (size != 1 ||
	    (port != PORT_KBC_CMD && port != PORT_SYSCTL_A && port != PORT_RESET_CTL))
		return false;
	if (in) {
		/* KBC: input buffer empty; port A: A20 on, no reset. */
		*val = port == PORT_SYSCTL_A ? 0x02 : 0x00;
		return true;
	}
	reset = port == PORT_KBC_CMD ? (*val & 0xff) == KBC_PULSE_RESET :
		port == PORT_SYSCTL_A ? (*val & 1) : (*val & 4);
	if (reset) {
		pr_info("qhv: dom %s: reset requested (port 0x%x)\n", d->name, port);
		domain_shutdown(d, QHV_SHUTDOWN_REBOOT, 0);
	}
	return true;
}

bool vdev_pio(struct vcpu *v, uint16_t port, unsigned size, bool in,
	      uint32_t *val)
{
	struct domain *d = v->dom;

	/* dom0 has the real UART; other domains an emulated one. */
	if (!d->is_dom0 && port >= QHV_PORT_UART &&
	    port < QHV_PORT_UART + 8 && size == 1)
		return vuart_pio(d, port - QHV_PORT_UART, in, val);
	if (port == QHV_PORT_TEST_EXIT && !in) {
		domain_exit(d, *val);
		return true;
	}
	if (!d->is_dom0)
		return reset_pio(d, port, size, in, val);
	return false;
}
