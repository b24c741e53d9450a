/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <qhv/hypercall.h>

#include "fake_arch.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "core/system.h"
#include "../../../hv/arch/x86/vmx/vmx.h"

struct percpu percpu_area[MAX_CPUS];
unsigned nr_cpus = 1;
uint64_t frames_at_boot;
unsigned fake_vcpu_inits, fake_vcpu_destroys, fake_kicks, fake_notifies,
	fake_finishes;
int fake_finish_status = -1;
static unsigned cur_cpu;
static uint64_t bitmap[(FAKE_PHYS_BASE + FAKE_PHYS_SIZE) / 4096 / 64];

void fake_arch_init(unsigned ncpus)
{
	static void *mem;

	if (!mem) {
		mem = mmap((void *)FAKE_PHYS_BASE, FAKE_PHYS_SIZE,
			   PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (mem != (void *)FAKE_PHYS_BASE) {
			perror("fake_arch: mmap of fake RAM");
			abort();
		}
	}
	frames_init(&hv_frames, bitmap, (FAKE_PHYS_BASE + FAKE_PHYS_SIZE) / 4096);
	frames_release_range(&hv_frames, FAKE_PHYS_BASE, FAKE_PHYS_SIZE);
	frames_at_boot = frames_free_count(&hv_frames);
	nr_cpus = ncpus;
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		memset(&percpu_area[i], 0, sizeof(percpu_area[i]));
		percpu_area[i].id = i;
		percpu_area[i].self = &percpu_area[i];
	}
	cur_cpu = 0;
}

void fake_set_cpu(unsigned cpu)
{
	cur_cpu = cpu;
}

struct percpu *this_cpu(void)
{
	return &percpu_area[cur_cpu];
}

void fake_reap_all(void)
{
	for (unsigned c = 0; c < nr_cpus; c++) {
		struct percpu *pc = &percpu_area[c];
		unsigned i = 0;

		fake_set_cpu(c);
		while (i < pc->nrun) {
			struct vcpu *v = pc->runq[i];

			if (__atomic_load_n(&v->stopped, __ATOMIC_ACQUIRE)) {
				sched_remove_vcpu(v);
				v->queued = true; /* torn down on its CPU */
				domain_vcpu_gone(v);
			} else {
				i++;
			}
		}
	}
	fake_set_cpu(0);
}

/* ---- the arch interface (hv/include/arch/vcpu.h) ---- */

int arch_domain_init(struct domain *d)
{
	return ept_init(&d->arch.ept_root_pa);
}

static void free_owned(uint64_t hpa, uint64_t size, uint64_t flags)
{
	if (flags & EPT_OWNED) {
		memset(phys_to_virt(hpa), 0, size);
		mm_free_pages(hpa, size / 4096);
	}
}

void arch_domain_destroy(struct domain *d)
{
	if (!d->arch.ept_root_pa)
		return;
	ept_destroy(d->arch.ept_root_pa, free_owned);
	d->arch.ept_root_pa = 0;
}

int arch_map_ram(struct domain *d, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	return ept_map_range(d->arch.ept_root_pa, gpa, hpa, len,
			     EPT_RWX | EPT_OWNED, true);
}

int arch_map_identity(struct domain *d, uint64_t base, uint64_t len, bool mmio)
{
	return ept_map_range(d->arch.ept_root_pa, base, base, len,
			     EPT_RWX | (mmio ? EPT_UC : 0), true);
}

int arch_gpa_to_hpa(struct domain *d, uint64_t gpa, uint64_t *hpa,
		    uint64_t *contig)
{
	return ept_lookup(d->arch.ept_root_pa, gpa, hpa, 0, contig);
}

int arch_vcpu_init(struct vcpu *v)
{
	if (mm_alloc_pages(1, 4096, &v->arch.vmcs_pa))
		return -QHV_ENOMEM;
	if (mm_alloc_pages(1, 4096, &v->arch.fpu_pa)) {
		mm_free_pages(v->arch.vmcs_pa, 1);
		v->arch.vmcs_pa = 0;
		return -QHV_ENOMEM;
	}
	v->arch.sipi_vector = -1;
	fake_vcpu_inits++;
	return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
	if (!v->arch.vmcs_pa)
		return;
	mm_free_pages(v->arch.vmcs_pa, 1);
	mm_free_pages(v->arch.fpu_pa, 1);
	v->arch.vmcs_pa = v->arch.fpu_pa = 0;
	fake_vcpu_destroys++;
}

void arch_vcpu_set_mb_state(struct vcpu *v, uint32_t entry, uint32_t eax,
			    uint32_t ebx)
{
	v->arch.boot_rip = entry;
	v->arch.regs.rax = eax;
	v->arch.regs.rbx = ebx;
}

void arch_vcpu_set_linux_state(struct vcpu *v, uint64_t entry, uint64_t rsi,
			       uint64_t cr3, uint64_t gdt)
{
	v->arch.boot_rip = entry;
	v->arch.regs.rsi = rsi;
	v->arch.boot_cr3 = cr3;
	v->arch.boot_gdt = gdt;
}

void arch_vcpu_set_context(struct vcpu *v, const struct qhv_vcpu_context *c)
{
	v->arch.ctx = *c;
	v->arch.has_ctx = true;
	v->arch.wait_sipi = false;
}

void arch_vcpu_enable_vlapic(struct vcpu *v, uint32_t apic_id)
{
	v->arch.has_vlapic = true;
	v->arch.lapic.id = apic_id;
}

void arch_vcpu_set_wait_sipi(struct vcpu *v)
{
	v->arch.wait_sipi = true;
}

bool arch_vcpu_blocked(const struct vcpu *v)
{
	return v->arch.wait_sipi || v->arch.halted;
}

bool arch_vcpu_wants_cpu(const struct vcpu *v)
{
	return !v->arch.halted;
}

uint64_t arch_tsc_to_ns(uint64_t ticks)
{
	return ticks;
}

void arch_notify_dom0(void)
{
	fake_notifies++;
}

unsigned fake_irq_edges, fake_last_irq;

void arch_domain_irq_edge(struct domain *d, unsigned gsi)
{
	(void)d;
	fake_irq_edges++;
	fake_last_irq = gsi;
}

void arch_kick_cpu(unsigned pcpu)
{
	(void)pcpu;
	fake_kicks++;
}

void arch_cpu_idle(void)
{
}

void arch_vcpu_run(struct vcpu *v)
{
	(void)v;
}

/* dom0's "guest-virtual" addresses are host pointers here. */
int arch_copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, uint64_t len)
{
	(void)v;
	if (!gva)
		return -QHV_EFAULT;
	memcpy(dst, (const void *)(uintptr_t)gva, len);
	return 0;
}

int arch_copy_to_guest(struct vcpu *v, uint64_t gva, const void *src,
		       uint64_t len)
{
	(void)v;
	if (!gva)
		return -QHV_EFAULT;
	memcpy((void *)(uintptr_t)gva, src, len);
	return 0;
}

/* ---- what core calls outside the files under test ---- */

void console_write_tagged(const char *tag, const char *s, size_t n)
{
	(void)tag;
	(void)s;
	(void)n;
}

void console_log_read(struct qhv_domctl_console *c, char *out)
{
	(void)out;
	c->done = 0;
	c->lost = 0;
	c->produced = 0;
}

/* core/bootdom.c is not linked here: a restart is counted, then refused
 * (as when the limit is reached). */
unsigned fake_restarts;
struct domain *fake_restarted;

int bootdom_restart(struct domain *old)
{
	fake_restarts++;
	fake_restarted = old;
	return -QHV_EAGAIN;
}

void system_finish(int status)
{
	fake_finishes++;
	fake_finish_status = status;
	/* The real one powers off; tests go on. */
	__builtin_trap();
}

void panic(const char *why)
{
	fprintf(stderr, "panic: %s\n", why);
	abort();
}
