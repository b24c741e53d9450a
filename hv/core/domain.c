/* SPDX-License-Identifier: MIT */
/*
 * Domains: creation of the address space and vCPUs, the emulated devices
 * every domain sees (UART transmit side, test-exit port), ending a domain
 * (exit or crash) and tearing it down, and the end-of-run summary.
 */
#include <stdarg.h>
#include <qhv/hypercall.h>
#include "core/domain.h"
#include "core/console.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "core/system.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "lib/string.h"

static struct domain domains[MAX_DOMAINS];
static spinlock_t domains_lock = SPINLOCK_INIT;
static unsigned live_domains;
static unsigned next_domid = 1; /* 0 is reserved for dom0 */

static struct domain *slot_claim(const char *name, bool dom0)
{
	struct domain *free = 0;
	unsigned i;

	spin_lock(&domains_lock);
	for (i = 0; i < MAX_DOMAINS; i++) {
		if (domains[i].state == DOM_FREE) {
			if (!free)
				free = &domains[i];
		} else if (!strcmp(domains[i].name, name)) {
			spin_unlock(&domains_lock);
			pr_err("qhv: dom %s: name already in use\n", name);
			return 0;
		}
	}
	if (free) {
		memset(free, 0, sizeof(*free));
		free->state = DOM_RUNNING;
		free->id = dom0 ? 0 : next_domid++;
		free->is_dom0 = dom0;
		memcpy(free->name, name, strnlen(name, DOMAIN_NAME_MAX - 1));
		live_domains++;
	}
	spin_unlock(&domains_lock);
	if (!free)
		pr_err("qhv: dom %s: no free domain slot (max %u)\n", name,
		       MAX_DOMAINS);
	return free;
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

static void domain_teardown(struct domain *d)
{
	unsigned i;

	for (i = 0; i < d->nr_vcpus; i++)
		arch_vcpu_destroy(&d->vcpu[i]);
	arch_domain_destroy(d);
	pr_debug("qhv: dom %s: torn down, %lu frames free\n", d->name,
		 frames_free_count(&hv_frames));
}

static void slot_release_failed(struct domain *d)
{
	domain_teardown(d);
	spin_lock(&domains_lock);
	d->state = DOM_FREE;
	live_domains--;
	spin_unlock(&domains_lock);
}

struct domain *domain_alloc(const char *name, uint64_t mem_bytes,
			    unsigned nr_vcpus)
{
	struct domain *d = slot_claim(name, false);
	unsigned i;
	int rc;

	if (!d)
		return 0;
	d->mem_bytes = mem_bytes;
	d->nr_vcpus = nr_vcpus;
	rc = arch_domain_init(d);
	if (!rc)
		rc = populate_ram(d, mem_bytes);
	for (i = 0; !rc && i < nr_vcpus; i++) {
		d->vcpu[i].dom = d;
		d->vcpu[i].id = i;
		rc = arch_vcpu_init(&d->vcpu[i]);
	}
	if (rc) {
		pr_err("qhv: dom %s: cannot allocate %lu MiB: out of memory\n",
		       name, mem_bytes >> 20);
		slot_release_failed(d);
		return 0;
	}
	pr_debug("qhv: dom %s: allocated, %lu frames free\n", name,
		 frames_free_count(&hv_frames));
	return d;
}

struct domain *domain_alloc_dom0(unsigned nr_vcpus)
{
	struct domain *d = slot_claim("dom0", true);
	unsigned i;
	int rc;

	if (!d)
		return 0;
	d->nr_vcpus = nr_vcpus;
	d->arch.privileged = true;
	rc = arch_domain_init(d);
	for (i = 0; !rc && i < nr_vcpus; i++) {
		d->vcpu[i].dom = d;
		d->vcpu[i].id = i;
		rc = arch_vcpu_init(&d->vcpu[i]);
	}
	if (rc) {
		pr_err("qhv: dom0: out of memory for its vCPUs and page tables\n");
		slot_release_failed(d);
		return 0;
	}
	return d;
}

void domain_abandon(struct domain *d)
{
	slot_release_failed(d);
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

void domain_start(struct domain *d, unsigned pcpu)
{
	unsigned i;

	d->live_vcpus = d->nr_vcpus;
	for (i = 0; i < d->nr_vcpus; i++) {
		/* dom0's vCPU i runs on CPU i (its APIC ids are the CPUs');
		 * other domains' vCPUs spread from @pcpu on. */
		d->vcpu[i].pcpu = d->is_dom0 ? i : (pcpu + i) % nr_cpus;
		if (sched_add(&d->vcpu[i]))
			d->vcpu[i].stopped = true;
	}
	pr_info("qhv: dom %s: created id=%u mem=%luMiB cpu=%u%s\n", d->name,
		d->id, d->mem_bytes >> 20, d->is_dom0 ? 0 : pcpu,
		d->nr_vcpus > 1 ? "+" : "");
}

static void vuart_flush(struct domain *d)
{
	spin_lock(&d->vuart_lock);
	if (d->vuart_len)
		console_write_tagged(d->name, d->vuart_line, d->vuart_len);
	d->vuart_len = 0;
	spin_unlock(&d->vuart_lock);
}

void domain_console_text(struct domain *d, const char *s, uint64_t n)
{
	uint64_t i;

	spin_lock(&d->vuart_lock);
	for (i = 0; i < n; i++) {
		if (s[i] == '\n' || d->vuart_len == VUART_LINE_MAX) {
			console_write_tagged(d->name, d->vuart_line,
					     d->vuart_len);
			d->vuart_len = 0;
			if (s[i] == '\n')
				continue;
		}
		d->vuart_line[d->vuart_len++] = s[i];
	}
	spin_unlock(&d->vuart_lock);
}

static void stop_vcpus(struct domain *d)
{
	unsigned i;

	vuart_flush(d);
	for (i = 0; i < d->nr_vcpus; i++) {
		d->vcpu[i].stopped = true;
		if (d->vcpu[i].pcpu != this_cpu()->id)
			arch_kick_cpu(d->vcpu[i].pcpu);
	}
}

/* The first of exit and crash wins, even from two vCPUs at once. */
static bool domain_end(struct domain *d, enum domain_state to)
{
	enum domain_state running = DOM_RUNNING;

	return __atomic_compare_exchange_n(&d->state, &running, to, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

void domain_exit(struct domain *d, uint32_t code)
{
	if (!domain_end(d, DOM_EXITED))
		return;
	d->exit_code = code;
	stop_vcpus(d);
	pr_info("qhv: dom %s: exited code=%u\n", d->name, code);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
	va_list ap;

	if (!domain_end(d, DOM_CRASHED))
		return;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
	stop_vcpus(d);
	pr_info("qhv: dom %s: crashed: %s\n", d->name, d->reason);
}

unsigned domains_live(void)
{
	return __atomic_load_n(&live_domains, __ATOMIC_ACQUIRE);
}

/* Print one line per domain; return 0 only if every domain exited 0.
 * With a dom0, the machine's status is dom0's: it manages the rest. */
static int domains_summary(void)
{
	int status = 0, dom0_status = -1;
	unsigned i;

	for (i = 0; i < MAX_DOMAINS; i++) {
		struct domain *d = &domains[i];

		if (d->state == DOM_EXITED) {
			printk(LOG_ALWAYS, "qhv: summary: %s exit=%u hypercalls=%lu\n",
				d->name, d->exit_code, d->hypercalls);
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
		} else if (d->state == DOM_RUNNING) {
			printk(LOG_ALWAYS, "qhv: summary: %s still running\n", d->name);
		}
	}
	return dom0_status >= 0 ? dom0_status : status;
}

void domain_vcpu_gone(struct vcpu *v)
{
	struct domain *d = v->dom;
	bool last;

	/* On the vCPU's own CPU: its VMCS and TLB entries live here. */
	arch_vcpu_destroy(v);
	if (__atomic_sub_fetch(&d->live_vcpus, 1, __ATOMIC_ACQ_REL))
		return;
	arch_domain_destroy(d);
	pr_debug("qhv: dom %s: torn down, %lu frames free\n", d->name,
		 frames_free_count(&hv_frames));
	spin_lock(&domains_lock);
	last = --live_domains == 0;
	spin_unlock(&domains_lock);
	/* dom0 ending ends the machine, as with Xen. */
	if (last || d->is_dom0) {
		int status = domains_summary();

		system_finish(status);
	}
}

/* 16550 transmit side: enough for polled output from any UART driver. */
static bool vuart_pio(struct domain *d, unsigned reg, bool in, uint32_t *val)
{
	bool dlab = d->vuart_lcr & 0x80;

	if (!in) {
		if (reg == 0 && !dlab)
			domain_console_text(d, (const char *)val, 1);
		else if (reg == 3)
			d->vuart_lcr = (uint8_t)*val;
		else if (reg == 7)
			d->vuart_scratch = (uint8_t)*val;
		return true;
	}
	switch (reg) {
	case 3:
		*val = d->vuart_lcr;
		break;
	case 5:
		*val = 0x60; /* transmitter empty, holding register empty */
		break;
	case 6:
		*val = 0xb0; /* CTS, DSR, DCD: a cable is attached */
		break;
	case 7:
		*val = d->vuart_scratch;
		break;
	default:
		*val = 0;
		break;
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
	return false;
}
