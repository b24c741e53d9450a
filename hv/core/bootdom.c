/* SPDX-License-Identifier: MIT */
/*
 * Boot domains: multiboot kernels handed to the hv as modules, each started
 * by the standard multiboot1 or multiboot2 protocol so existing test
 * kernels boot unchanged.
 *
 * Guest-physical layout: RAM at [0, mem); [0x9fc00, 1 MiB) reported as
 * reserved; the kernel's segments at their load addresses (anywhere in RAM
 * but that reserved hole, so real-mode payloads below 1 MiB load too); the
 * domain's own modules after the kernel (above 1 MiB), page-aligned; the
 * multiboot information at INFO_GPA, or after the modules where the kernel
 * occupies INFO_GPA.
 */
#include <qhv/hypercall.h>
#include "core/bootdom.h"
#include "core/cmdline.h"
#include "core/dom0.h"
#include "core/domain.h"
#include "core/image.h"
#include "core/mm.h"
#include "lib/printk.h"
#include "lib/string.h"

#define INFO_GPA 0x10000ull
#define INFO_CAP 0x80000ull
#define LOW_RAM_END 0x9fc00ull
#define HIGH_RAM_START 0x100000ull
#define MB1_BOOT_MAGIC 0x2badb002u
#define MB2_BOOT_MAGIC 0x36d76289u
#define MAX_DOM_MODULES 8

static int load_kernel(struct domain *d, const struct boot_module *m,
		       const struct image_plan *plan)
{
	const uint8_t *img = phys_to_virt(m->start);
	unsigned i;

	for (i = 0; i < plan->nseg; i++) {
		const struct image_segment *s = &plan->seg[i];

		/* image_parse() bounded file_off+filesz by the module size. */
		if (domain_write_gpa(d, s->paddr, img + s->file_off, s->filesz) ||
		    domain_write_gpa(d, s->paddr + s->filesz, 0,
				     s->memsz - s->filesz))
			return -QHV_EFAULT;
	}
	return 0;
}

static bool plan_overlaps(const struct image_plan *p, uint64_t lo,
			  uint64_t hi)
{
	unsigned i;

	for (i = 0; i < p->nseg; i++)
		if (p->seg[i].paddr < hi && lo < p->seg[i].paddr + p->seg[i].memsz)
			return true;
	return false;
}

/* Copy the modules attached to @spec's domain (modfor=<name>) after the
 * kernel; fill @mods with their guest-physical extents. */
static int load_modules(struct domain *d, const struct boot_info *bi,
			uint64_t gpa, struct guest_module *mods,
			struct dom_spec *specs, unsigned *nmods, uint64_t *end)
{
	unsigned i;

	/* Above the reserved hole, also after a kernel that loads low. */
	if (gpa < HIGH_RAM_START)
		gpa = HIGH_RAM_START;
	*end = gpa;

	*nmods = 0;
	for (i = 0; i < bi->nmods; i++) {
		const struct boot_module *m = &bi->mods[i];
		uint64_t len = m->end - m->start;

		if (!specs[i].is_modfor || strcmp(specs[i].modfor, d->name))
			continue;
		if (*nmods == MAX_DOM_MODULES) {
			pr_err("qhv: dom %s: more than %u modules\n", d->name,
			       MAX_DOM_MODULES);
			return -QHV_E2BIG;
		}
		gpa = (gpa + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		if (domain_write_gpa(d, gpa, phys_to_virt(m->start), len)) {
			pr_err("qhv: dom %s: module %u does not fit in its RAM\n",
			       d->name, i);
			return -QHV_E2BIG;
		}
		mods[*nmods].start = gpa;
		mods[*nmods].end = gpa + len;
		mods[*nmods].string = specs[i].guest_cmdline;
		(*nmods)++;
		gpa += len;
		*end = gpa;
	}
	return 0;
}

/*
 * The command line starts with the kernel's name, as QEMU and multiboot1
 * loaders give it (kernels that drop argv[0] see their arguments): the
 * module's own first word when it is a path, else the domain's name.
 */
static const char *kernel_cmdline(const struct dom_spec *spec, char *buf,
				  size_t cap)
{
	const char *g = spec->guest_cmdline, *c;

	for (c = g; *c && *c != ' '; c++)
		if (*c == '/')
			return g;
	snprintf(buf, cap, "%s%s%s", spec->name, *g ? " " : "", g);
	return buf;
}

static int build_info(struct domain *d, const struct dom_spec *spec,
		      enum image_proto proto, struct guest_module *mods,
		      unsigned nmods, uint64_t gpa, uint32_t *info_gpa)
{
	static uint8_t buf[INFO_CAP];
	static char cmdline[sizeof(spec->guest_cmdline) + sizeof(spec->name)];
	struct boot_mmap mmap[3] = {
		{ 0, LOW_RAM_END, 1 },
		{ LOW_RAM_END, HIGH_RAM_START - LOW_RAM_END, 2 },
		{ HIGH_RAM_START, d->mem_bytes - HIGH_RAM_START, 1 },
	};
	struct guest_boot_desc desc = {
		.cmdline = kernel_cmdline(spec, cmdline, sizeof(cmdline)),
		.loader_name = "qhv",
		.nmmap = 3,
		.mmap = mmap,
		.nmods = nmods,
		.mods = mods,
		.mem_lower_kib = LOW_RAM_END >> 10,
		.mem_upper_kib = (uint32_t)((d->mem_bytes - HIGH_RAM_START) >> 10),
	};
	int rc;

	/* Boot domains are built one at a time on the boot CPU, so one
	 * static scratch buffer is enough. */
	memset(buf, 0, sizeof(buf));
	if (proto == IMAGE_MB1)
		rc = mbinfo_build_mb1(buf, sizeof(buf), gpa, &desc, info_gpa);
	else
		rc = mbinfo_build_mb2(buf, sizeof(buf), gpa, &desc, info_gpa);
	if (rc)
		return rc;
	return domain_write_gpa(d, gpa, buf, sizeof(buf));
}

/* The multiboot information at INFO_GPA, or, where a kernel that loads low
 * is there, after the modules (in RAM, below 4 GiB: its pointers are
 * 32-bit). */
static int place_info(const struct domain *d, const struct image_plan *plan,
		      uint64_t mods_end, uint64_t *gpa)
{
	*gpa = INFO_GPA;
	if (!plan_overlaps(plan, INFO_GPA, INFO_GPA + INFO_CAP))
		return 0;
	*gpa = (mods_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (*gpa + INFO_CAP > d->mem_bytes || *gpa + INFO_CAP > 1ull << 32) {
		pr_err("qhv: dom %s: no room for the multiboot information\n",
		       d->name);
		return -QHV_E2BIG;
	}
	return 0;
}

static int bootdom_build(const struct boot_info *bi, unsigned idx,
			 struct dom_spec *specs, unsigned pcpu,
			 unsigned restarts)
{
	const struct dom_spec *spec = &specs[idx];
	const struct boot_module *m = &bi->mods[idx];
	struct guest_module mods[MAX_DOM_MODULES];
	uint64_t mem = spec->mem_mib << 20;
	enum image_proto prefer = IMAGE_MB2;
	struct image_plan plan;
	struct domain *d;
	uint32_t info_gpa;
	uint64_t mods_end, info_at;
	unsigned nmods;
	char proto[8];

	if (spec->cpus > MAX_VCPUS) {
		pr_err("qhv: dom %s: cpus=%u: at most %u vCPUs\n", spec->name,
		       spec->cpus, MAX_VCPUS);
		return -QHV_EINVAL;
	}
	if (mem < 2 * HIGH_RAM_START) {
		pr_err("qhv: dom %s: mem=%lu MiB is too small (minimum 2)\n",
		       spec->name, spec->mem_mib);
		return -QHV_EINVAL;
	}
	if (cmdline_get(spec->guest_cmdline, "boot", proto, sizeof(proto)) &&
	    !strcmp(proto, "mb1"))
		prefer = IMAGE_MB1;
	if (image_parse(phys_to_virt(m->start), m->end - m->start, prefer,
			&plan) ||
	    image_check_fits(&plan, 0, mem)) {
		pr_err("qhv: dom %s: kernel image unusable (see above)\n",
		       spec->name);
		return -QHV_EINVAL;
	}
	/* Not RAM on a PC: the EBDA, VGA and BIOS area. */
	if (plan_overlaps(&plan, LOW_RAM_END, HIGH_RAM_START)) {
		pr_err("qhv: dom %s: kernel loads into [0x%llx, 0x%llx), which is not RAM\n",
		       spec->name, (unsigned long long)LOW_RAM_END,
		       (unsigned long long)HIGH_RAM_START);
		return -QHV_EINVAL;
	}
	d = domain_alloc(spec->name, mem, spec->cpus);
	if (!d)
		return -QHV_ENOMEM;
	if (load_kernel(d, m, &plan) ||
	    load_modules(d, bi, plan.highest, mods, specs, &nmods, &mods_end) ||
	    place_info(d, &plan, mods_end, &info_at) ||
	    build_info(d, spec, plan.proto, mods, nmods, info_at, &info_gpa)) {
		pr_err("qhv: dom %s: cannot load its kernel and modules\n",
		       spec->name);
		domain_abandon(d);
		return -QHV_EINVAL;
	}
	d->restart_on_reboot = spec->restart_on_reboot;
	d->boot_module = idx;
	d->boot_restarts = restarts;
	arch_vcpu_set_mb_state(&d->vcpu[0], (uint32_t)plan.entry,
			       plan.proto == IMAGE_MB1 ? MB1_BOOT_MAGIC :
							 MB2_BOOT_MAGIC,
			       info_gpa);
	/* A PC has a local APIC per CPU, also with one (ids 0..n-1); the
	 * APs wait for the boot vCPU's INIT-SIPI. */
	{
		unsigned i;

		for (i = 0; i < spec->cpus; i++) {
			arch_vcpu_enable_vlapic(&d->vcpu[i], i);
			if (i)
				arch_vcpu_set_wait_sipi(&d->vcpu[i]);
		}
	}
	if (domain_start(d, pcpu)) {
		domain_abandon(d);
		return -QHV_ENOSPC;
	}
	domain_put(d);
	return 0;
}

/* What bootdoms_create() parsed, kept for restarts: the boot information
 * and its modules stay in hv memory for the whole run. */
static const struct boot_info *boot_bi;
static struct dom_spec specs[BOOT_MAX_MODS];
/* protects: the builder's static buffers (build_info) during a restart */
static spinlock_t restart_lock;

unsigned bootdoms_create(const struct boot_info *bi, unsigned ncpus,
			 unsigned *errors)
{
	unsigned i, created = 0;

	*errors = 0;
	for (i = 0; i < bi->nmods; i++) {
		/* dom0's modules are not boot domains; refused ones are
		 * nothing (mbinfo said why and counted them). */
		if (bi->mods[i].refused || dom0_module(bi->mods[i].string)) {
			memset(&specs[i], 0, sizeof(specs[i]));
			continue;
		}
		if (dom_spec_parse(bi->mods[i].string, &specs[i])) {
			memset(&specs[i], 0, sizeof(specs[i]));
			(*errors)++;
		}
	}
	for (i = 0; i < bi->nmods; i++) {
		if (!specs[i].is_domain)
			continue;
		if (bootdom_build(bi, i, specs, created % ncpus, 0))
			(*errors)++;
		else
			created++;
	}
	boot_bi = bi;
	return created;
}

int bootdom_restart(struct domain *old)
{
	unsigned n = old->boot_restarts + 1;
	int rc;

	if (!boot_bi || old->boot_module >= boot_bi->nmods)
		return -QHV_EINVAL;	/* not one of ours: an hv bug */
	if (n > BOOTDOM_MAX_RESTARTS) {
		pr_info("qhv: dom %s: reset %u times after restarts: not restarted again\n",
			old->name, BOOTDOM_MAX_RESTARTS);
		return -QHV_EAGAIN;
	}
	pr_info("qhv: dom %s: restarting (%u of at most %u)\n", old->name, n,
		BOOTDOM_MAX_RESTARTS);
	spin_lock(&restart_lock);
	rc = bootdom_build(boot_bi, old->boot_module, specs, old->vcpu[0].pcpu,
			   n);
	spin_unlock(&restart_lock);
	if (rc)
		pr_err("qhv: dom %s: restart failed\n", old->name);
	return rc;
}
