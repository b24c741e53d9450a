/* SPDX-License-Identifier: MIT */
/*
 * dom0: a stock Linux kernel (uncompressed vmlinux) booted by the Linux
 * x86 64-bit boot protocol as the privileged management VM.
 *
 *   module2 /vmlinux dom0 <linux command line>
 *   module2 /initrd.cpio dom0-initrd
 *   hv command line: dom0_mem=<MiB> dom0_cpus=<N>
 *
 * Memory is 1:1: dom0's RAM is the lowest dom0_mem of the machine's RAM
 * above 1 MiB (less the hv image), plus the low 640 KiB.  Its EPT also
 * maps, 1:1 and uncached, everything that is not RAM (firmware tables,
 * PCI holes, IOAPIC, HPET), except the local APIC page, which the hv
 * emulates.  RAM dom0 does not own is absent from its EPT and "unusable"
 * in its e820.  See docs/dom0.md.
 */
#include <qhv/hypercall.h>
#include "core/dom0.h"
#include "core/bootmove.h"
#include "core/cmdline.h"
#include "core/domain.h"
#include "core/image.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "arch/platform.h"
#include "arch/vcpu.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/unaligned.h"

#define MIB ((uint64_t)1 << 20)
#define FOUR_GIB ((uint64_t)1 << 32)
#define LOW_RAM_END 0x100000ull
#define DOM0_DEFAULT_MIB 256
#define DOM0_MIN_MIB 64
#define MAX_RANGES 32
#define E820_MAX 128

/* Where the loader's own structures go in dom0's low RAM. */
#define BP_GDT 0x6000ull
#define BP_ZERO_PAGE 0x7000ull
#define BP_PML4 0x9000ull	/* + PDPT 0xa000, PDs 0xb000..0xe000 */
#define BP_CMDLINE 0x20000ull
#define CMDLINE_MAX 2048


static struct {
	int kernel, initrd;		/* module indices, -1 if absent */
	uint64_t mem_bytes;
	unsigned want_cpus;
	unsigned nram;
	struct phys_range ram[MAX_RANGES];	/* dom0's RAM above 1 MiB */
	uint64_t hv_start, hv_end;
} d0 = { -1, -1, 0, 1, 0, { { 0, 0 } }, 0, 0 };

/* Is @key in module string @s, bare or as key=value?  Module strings fit
 * in a boot_module's string, so any value fits in the scratch buffer. */
static bool has_key(const char *s, const char *key)
{
	char v[sizeof(((struct boot_module *)0)->string)];

	return cmdline_get(s, key, v, sizeof(v));
}

bool dom0_module(const char *s)
{
	return has_key(s, "dom0") || has_key(s, "dom0-initrd");
}

static void find_modules(const struct boot_info *bi)
{
	unsigned i;

	for (i = 0; i < bi->nmods; i++) {
		if (has_key(bi->mods[i].string, "dom0") && d0.kernel < 0)
			d0.kernel = (int)i;
		else if (has_key(bi->mods[i].string, "dom0-initrd") &&
			 d0.initrd < 0)
			d0.initrd = (int)i;
	}
}

static bool in_dom0_ram(uint64_t base, uint64_t end)
{
	unsigned i;

	for (i = 0; i < d0.nram; i++)
		if (base >= d0.ram[i].base && end <= d0.ram[i].end)
			return true;
	return false;
}

static void add_ram(uint64_t base, uint64_t end, uint64_t *left)
{
	base = (base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	end &= ~(PAGE_SIZE - 1);
	if (end <= base || !*left || d0.nram == MAX_RANGES)
		return;
	if (end - base > *left)
		end = base + *left;
	d0.ram[d0.nram].base = base;
	d0.ram[d0.nram].end = end;
	d0.nram++;
	*left -= end - base;
}

/* Host RAM entries in ascending order (firmware maps usually are). */
static void sorted_ram(const struct boot_info *bi, unsigned *idx, unsigned *n)
{
	unsigned i, j;

	*n = 0;
	for (i = 0; i < bi->nmmap; i++)
		if (bi->mmap[i].type == BOOT_MMAP_RAM)
			idx[(*n)++] = i;
	for (i = 1; i < *n; i++)
		for (j = i; j > 0 && bi->mmap[idx[j]].base <
					     bi->mmap[idx[j - 1]].base; j--) {
			unsigned t = idx[j];

			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
}

static int parse_options(const struct boot_info *bi)
{
	uint64_t v;
	int rc;

	d0.mem_bytes = (uint64_t)DOM0_DEFAULT_MIB * MIB;
	rc = cmdline_get_u64(bi->cmdline, "dom0_mem", &v);
	if (rc == 0) {
		if (v < DOM0_MIN_MIB || v > 4096) {
			pr_err("qhv: dom0_mem=%lu: want %u..4096 (MiB)\n", v,
			       DOM0_MIN_MIB);
			return -QHV_EINVAL;
		}
		d0.mem_bytes = v * MIB;
	} else if (rc != -QHV_ENOENT) {
		pr_err("qhv: dom0_mem: not a number of MiB\n");
		return rc;
	}
	rc = cmdline_get_u64(bi->cmdline, "dom0_cpus", &v);
	if (rc == 0) {
		if (v < 1 || v > MAX_VCPUS) {
			pr_err("qhv: dom0_cpus=%lu: want 1..%u\n", v, MAX_VCPUS);
			return -QHV_EINVAL;
		}
		d0.want_cpus = (unsigned)v;
	} else if (rc != -QHV_ENOENT) {
		pr_err("qhv: dom0_cpus: not a number\n");
		return rc;
	}
	return 0;
}

int dom0_reserve(struct boot_info *bi, uint64_t hv_start, uint64_t hv_end)
{
	unsigned idx[BOOT_MAX_MMAP], n, i;
	uint64_t left;
	int rc;

	find_modules(bi);
	if (d0.kernel < 0) {
		if (d0.initrd >= 0)
			pr_err("qhv: a dom0-initrd module but no dom0 kernel module\n");
		return d0.initrd >= 0 ? -QHV_EINVAL : 0;
	}
	rc = parse_options(bi);
	if (rc)
		return rc;
	d0.hv_start = hv_start;
	d0.hv_end = hv_end;
	left = d0.mem_bytes;
	sorted_ram(bi, idx, &n);
	for (i = 0; i < n && left; i++) {
		const struct boot_mmap *e = &bi->mmap[idx[i]];
		uint64_t base = e->base < LOW_RAM_END ? LOW_RAM_END : e->base;
		uint64_t end = e->base + e->len > FOUR_GIB ? FOUR_GIB :
							      e->base + e->len;

		if (end <= base)
			continue;
		/* The hv image splits a range in two. */
		if (hv_start < end && base < hv_end) {
			add_ram(base, hv_start, &left);
			add_ram(hv_end, end, &left);
		} else {
			add_ram(base, end, &left);
		}
	}
	if (left) {
		pr_err("qhv: dom0_mem=%lu MiB is more than the machine's RAM below 4 GiB allows (%lu MiB short)\n",
		       d0.mem_bytes / MIB, (left + MIB - 1) / MIB);
		d0.kernel = -1;
		return -QHV_ENOMEM;
	}
	for (i = 0; i < d0.nram; i++)
		frames_reserve_range(&hv_frames, d0.ram[i].base,
				     d0.ram[i].end - d0.ram[i].base);
	/* Modules in what is now dom0's RAM move out before it is built. */
	rc = bootmove_evacuate(&hv_frames, bi->mods, bi->nmods,
			       d0.ram, d0.nram,
			       FOUR_GIB, phys_to_virt);
	if (rc)
		return rc;
	pr_info("qhv: dom0: %lu MiB reserved in %u range(s) from 0x%lx\n",
		d0.mem_bytes / MIB, d0.nram, d0.ram[0].base);
	return 0;
}

/* ---- dom0's address space and e820 ---- */

static int map_range(struct domain *d, uint64_t base, uint64_t end, bool mmio)
{
	int rc;

	if (end <= base)
		return 0;
	/* The local APIC page is emulated, never passed through. */
	if (mmio && base <= 0xfee00000ull && end > 0xfee00000ull) {
		rc = map_range(d, base, 0xfee00000ull, true);
		if (!rc)
			rc = map_range(d, 0xfee01000ull, end, true);
		return rc;
	}
	rc = arch_map_identity(d, base, end - base, mmio);
	if (rc)
		pr_err("qhv: dom0: cannot map 0x%lx-0x%lx (%d)\n", base, end, rc);
	return rc;
}

/* 1:1 map: low RAM and dom0's RAM as RAM, every non-RAM hole below 4 GiB
 * as MMIO, nothing of the RAM dom0 does not own. */
static int build_address_space(struct domain *d, const struct boot_info *bi)
{
	unsigned idx[BOOT_MAX_MMAP], n, i;
	uint64_t cursor = 0;
	int rc = 0;

	sorted_ram(bi, idx, &n);
	for (i = 0; i < n && !rc; i++) {
		const struct boot_mmap *e = &bi->mmap[idx[i]];
		uint64_t base = e->base & ~(PAGE_SIZE - 1);
		uint64_t end = (e->base + e->len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

		if (base >= FOUR_GIB)
			break;
		if (end > FOUR_GIB)
			end = FOUR_GIB;
		if (base > cursor)
			rc = map_range(d, cursor, base, true);
		if (!rc && base < LOW_RAM_END)
			rc = map_range(d, base, end < LOW_RAM_END ? end : LOW_RAM_END,
				       false);
		if (end > cursor)
			cursor = end;
	}
	if (!rc && cursor < FOUR_GIB)
		rc = map_range(d, cursor, FOUR_GIB, true);
	for (i = 0; i < d0.nram && !rc; i++)
		rc = map_range(d, d0.ram[i].base, d0.ram[i].end, false);
	return rc;
}

struct e820 {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

static void e820_add(struct e820 *t, unsigned *n, uint64_t base, uint64_t end,
		     uint32_t type)
{
	if (end <= base || *n == E820_MAX)
		return;
	if (*n && t[*n - 1].type == type &&
	    t[*n - 1].addr + t[*n - 1].size == base) {
		t[*n - 1].size += end - base;
		return;
	}
	t[*n].addr = base;
	t[*n].size = end - base;
	t[*n].type = type;
	(*n)++;
}

/* Firmware's map, with host RAM split into dom0's (1) and not (5). */
static unsigned build_e820(const struct boot_info *bi, struct e820 *t)
{
	unsigned i, n = 0, k;
	uint64_t pos;

	for (i = 0; i < bi->nmmap; i++) {
		const struct boot_mmap *e = &bi->mmap[i];
		uint64_t end = e->base + e->len;

		if (e->type != BOOT_MMAP_RAM) {
			e820_add(t, &n, e->base, end, e->type);
			continue;
		}
		pos = e->base;
		if (pos < LOW_RAM_END) {
			uint64_t lo_end = end < LOW_RAM_END ? end : LOW_RAM_END;

			e820_add(t, &n, pos, lo_end, 1);
			pos = lo_end;
		}
		while (pos < end) {
			uint64_t next = end;
			uint32_t type = 5;

			for (k = 0; k < d0.nram; k++) {
				if (pos >= d0.ram[k].base && pos < d0.ram[k].end) {
					type = 1;
					next = d0.ram[k].end < end ? d0.ram[k].end : end;
					break;
				}
				if (d0.ram[k].base > pos && d0.ram[k].base < next)
					next = d0.ram[k].base;
			}
			e820_add(t, &n, pos, next, type);
			pos = next;
		}
	}
	return n;
}

/* ---- the Linux boot protocol ---- */

/* What no copy into dom0's RAM may touch: every module, and the
 * boot_params area in low RAM. */
static unsigned busy_ranges(const struct boot_info *bi, struct phys_range *r)
{
	unsigned i;

	for (i = 0; i < bi->nmods; i++) {
		r[i].base = bi->mods[i].start;
		r[i].end = bi->mods[i].end;
	}
	r[i].base = BP_GDT;
	r[i].end = BP_CMDLINE + CMDLINE_MAX;
	return i + 1;
}

static int load_kernel(const struct boot_module *m, struct image_plan *plan,
		       const struct phys_range *busy, unsigned nbusy)
{
	const uint8_t *img = phys_to_virt(m->start);
	unsigned i;

	if (image_parse_linux(img, m->end - m->start, plan))
		return -QHV_EINVAL;
	for (i = 0; i < plan->nseg; i++) {
		const struct image_segment *s = &plan->seg[i];

		if (!in_dom0_ram(s->paddr, s->paddr + s->memsz)) {
			pr_err("qhv: dom0: kernel segment 0x%lx-0x%lx is outside dom0's RAM (give more dom0_mem)\n",
			       s->paddr, s->paddr + s->memsz);
			return -QHV_E2BIG;
		}
	}
	for (i = 0; i < plan->nseg; i++) {
		const struct image_segment *s = &plan->seg[i];
		int rc = bootmove_copy(s->paddr, m->start + s->file_off,
				       s->filesz, busy, nbusy, phys_to_virt);

		if (rc)
			return rc;
		memset(phys_to_virt(s->paddr + s->filesz), 0,
		       s->memsz - s->filesz);
	}
	return 0;
}

/* The initrd goes at the top of dom0's RAM below 2 GiB (the limit older
 * kernels assume without a setup header to say otherwise). */
static int load_initrd(const struct boot_module *m, uint64_t kernel_end,
		       const struct phys_range *busy, unsigned nbusy,
		       uint64_t *addr, uint64_t *size)
{
	uint64_t len = m->end - m->start;
	int i;

	for (i = (int)d0.nram - 1; i >= 0; i--) {
		uint64_t top = d0.ram[i].end < 0x80000000ull ? d0.ram[i].end :
							       0x80000000ull;
		uint64_t base = (top - len) & ~(PAGE_SIZE - 1);

		int rc;

		if (top < len || base < d0.ram[i].base || base < kernel_end)
			continue;
		rc = bootmove_copy(base, m->start, len, busy, nbusy,
				   phys_to_virt);
		if (rc)
			return rc;
		*addr = base;
		*size = len;
		return 0;
	}
	pr_err("qhv: dom0: no room for the %lu KiB initrd in dom0's RAM\n",
	       len >> 10);
	return -QHV_E2BIG;
}

/* Identity page tables for the first 4 GiB (2 MiB pages) and a GDT with
 * __BOOT_CS (0x10) and __BOOT_DS (0x18), as boot.rst asks. */
static void build_boot_tables(void)
{
	uint64_t *pml4 = phys_to_virt(BP_PML4);
	uint64_t *pdpt = phys_to_virt(BP_PML4 + PAGE_SIZE);
	uint64_t *gdt = phys_to_virt(BP_GDT);
	unsigned i;

	memset(pml4, 0, 6 * PAGE_SIZE);
	pml4[0] = (BP_PML4 + PAGE_SIZE) | 3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (BP_PML4 + (2 + i) * PAGE_SIZE) | 3;
	for (i = 0; i < 2048; i++)
		((uint64_t *)phys_to_virt(BP_PML4 + 2 * PAGE_SIZE))[i] =
			((uint64_t)i << 21) | 0x83;
	gdt[0] = 0;
	gdt[1] = 0;
	gdt[2] = 0x00af9b000000ffffull; /* 0x10: 64-bit code */
	gdt[3] = 0x00cf93000000ffffull; /* 0x18: data */
}

static int build_cmdline(const struct boot_module *m, unsigned ncpus)
{
	char *out = phys_to_virt(BP_CMDLINE);
	const char *s = m->string;
	size_t n = 0;
	int extra;

	/* The module string minus the "dom0" marker (and a leading path,
	 * which QEMU's -initrd puts there) is Linux's command line. */
	while (*s) {
		const char *t;
		size_t len;

		while (*s == ' ')
			s++;
		t = s;
		while (*s && *s != ' ')
			s++;
		len = (size_t)(s - t);
		if (!len || (len == 4 && !strncmp(t, "dom0", 4)) ||
		    (t == m->string && *t == '/'))
			continue;
		if (n + len + 1 >= CMDLINE_MAX)
			goto too_long;
		memcpy(out + n, t, len);
		n += len;
		out[n++] = ' ';
	}
	extra = snprintf(out + n, CMDLINE_MAX - n,
			 "qhv.dom0_mem=%lu qhv.dom0_cpus=%u qhv.hv_range=0x%lx-0x%lx",
			 d0.mem_bytes / MIB, ncpus, d0.hv_start, d0.hv_end);
	if (extra < 0 || (size_t)extra >= CMDLINE_MAX - n)
		goto too_long;
	n += (size_t)extra;
	/* Firmware lists every CPU; dom0 must only start its own. */
	if (!has_key(m->string, "nr_cpus")) {
		extra = snprintf(out + n, CMDLINE_MAX - n, " nr_cpus=%u", ncpus);
		if (extra < 0 || (size_t)extra >= CMDLINE_MAX - n)
			goto too_long;
		n += (size_t)extra;
	}
	return (int)n + 1;
too_long:
	pr_err("qhv: dom0: command line longer than %u bytes\n", CMDLINE_MAX - 1);
	return -QHV_E2BIG;
}

static void build_zero_page(const struct boot_info *bi, int cmdline_size,
			    uint64_t initrd, uint64_t initrd_size)
{
	uint8_t *bp = phys_to_virt(BP_ZERO_PAGE);
	struct e820 *t = (struct e820 *)(bp + 0x2d0);

	memset(bp, 0, PAGE_SIZE);
	bp[0x1e8] = (uint8_t)build_e820(bi, t);
	wr64(bp + 0x070, bi->rsdp_pa);		/* acpi_rsdp_addr */
	wr16(bp + 0x1fe, 0xaa55);		/* boot_flag */
	wr32(bp + 0x202, 0x53726448);		/* "HdrS" */
	wr16(bp + 0x206, 0x020f);		/* protocol 2.15 */
	bp[0x210] = 0xff;			/* type_of_loader: other */
	bp[0x211] = 0x01;			/* loadflags: LOADED_HIGH */
	wr32(bp + 0x218, (uint32_t)initrd);
	wr32(bp + 0x21c, (uint32_t)initrd_size);
	wr32(bp + 0x228, (uint32_t)BP_CMDLINE);
	wr32(bp + 0x230, 0x1000000);		/* kernel_alignment */
	wr32(bp + 0x238, (uint32_t)cmdline_size);
}

int dom0_build(const struct boot_info *bi, unsigned ncpus)
{
	struct phys_range busy[BOOT_MAX_MODS + 2];
	unsigned nbusy;
	struct image_plan plan;
	uint64_t initrd = 0, initrd_size = 0;
	struct domain *d;
	int cmdline_size, rc;
	unsigned i;

	if (d0.kernel < 0)
		return 0;
	if (d0.want_cpus > ncpus) {
		pr_warn("qhv: dom0_cpus=%u but %u CPU(s) online: using %u\n",
			d0.want_cpus, ncpus, ncpus);
		d0.want_cpus = ncpus;
	}
	/* Without an initramfs (or a root= to mount) Linux can only panic. */
	if (d0.initrd < 0 && !has_key(bi->mods[d0.kernel].string, "root")) {
		pr_err("qhv: dom0: no 'dom0-initrd' module and no root= on its command line\n");
		return -QHV_EINVAL;
	}
	nbusy = busy_ranges(bi, busy);
	rc = load_kernel(&bi->mods[d0.kernel], &plan, busy, nbusy);
	/* The initrd's copy must not land on the kernel just loaded. */
	busy[nbusy].base = plan.lowest;
	busy[nbusy].end = plan.highest;
	if (!rc && d0.initrd >= 0)
		rc = load_initrd(&bi->mods[d0.initrd], plan.highest, busy,
				 nbusy + 1, &initrd, &initrd_size);
	if (rc) {
		pr_err("qhv: dom0: cannot load its kernel (see above)\n");
		return rc;
	}
	cmdline_size = build_cmdline(&bi->mods[d0.kernel], d0.want_cpus);
	if (cmdline_size < 0)
		return cmdline_size;
	build_boot_tables();
	build_zero_page(bi, cmdline_size, initrd, initrd_size);
	d = domain_alloc_dom0(d0.want_cpus);
	if (!d)
		return -QHV_ENOMEM;
	d->mem_bytes = d0.mem_bytes;
	rc = build_address_space(d, bi);
	if (rc) {
		domain_abandon(d);
		return rc;
	}
	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = &d->vcpu[i];

		arch_vcpu_enable_vlapic(v, percpu_area[i].apic_id);
		if (i == 0)
			arch_vcpu_set_linux_state(v, plan.entry, BP_ZERO_PAGE,
						  BP_PML4, BP_GDT);
		else
			arch_vcpu_set_wait_sipi(v);
		percpu_area[i].dom0_vcpu = v;
	}
	pr_info("qhv: dom0: kernel 0x%lx-0x%lx entry 0x%lx, initrd %lu KiB at 0x%lx, %u vCPU(s), tsc=%lu\n",
		plan.lowest, plan.highest, plan.entry, initrd_size >> 10,
		initrd, d->nr_vcpus, arch_read_tsc());
	pr_info("qhv: dom0: cmdline '%s'\n", (const char *)phys_to_virt(BP_CMDLINE));
	rc = domain_start(d, 0);
	if (rc) {
		domain_abandon(d);
		return rc;
	}
	domain_put(d);
	return 1;
}
