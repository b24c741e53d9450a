/* SPDX-License-Identifier: MIT */
/*
 * Boot CPU set-up after head.S: descriptor tables, console, boot
 * information, physical memory, ACPI; then core's hv_start().
 */
#include "arch/vpc.h"
#include <qhv/hypercall.h>
#include "arch/acpi.h"
#include "arch/cpu.h"
#include "arch/serial.h"
#include "arch/setup.h"
#include "arch/x86.h"
#include "core/cmdline.h"
#include "core/console.h"
#include "core/dom0.h"
#include "arch/apic.h"
#include "core/main.h"
#include "core/mbinfo.h"
#include "core/mm.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/system.h"
#include "lib/printk.h"
#include "lib/string.h"

#define BOOT_MAPPED (4ull << 30)	/* what head.S maps 1:1 */
#define MAX_PHYS (64ull << 30)		/* what the hv can map and manage */
#define GIB (1ull << 30)

struct percpu percpu_area[MAX_CPUS];
unsigned nr_cpus = 1;
struct acpi_info acpi;

static uint8_t ist_stacks[MAX_CPUS][2][4096] __attribute__((aligned(16)));
static uint64_t frame_bitmap[MAX_PHYS / PAGE_SIZE / 64];
/* Page directories for the 1:1 map above head.S's 4 GiB, one per GiB. */
static uint64_t high_pd[(MAX_PHYS - BOOT_MAPPED) / GIB][512]
	__attribute__((aligned(4096)));
static uint64_t mapped_top = BOOT_MAPPED;
extern uint64_t boot_pdpt[512];
static struct boot_info boot_info;

extern char _image_start[], _end[];

void cpu_early_init(unsigned id)
{
	struct percpu *pc = &percpu_area[id];

	pc->id = id;
	cpu_tables_init(pc, (uint64_t)&ist_stacks[id][0][4096],
			(uint64_t)&ist_stacks[id][1][4096]);
}

static const void *map_identity(uint64_t pa, size_t len)
{
	if (pa + len < pa || pa + len > mapped_top)
		return 0;
	return phys_to_virt(pa);
}

int dom0_error;

/* Extend the 1:1 map (2 MiB pages) to @top, so RAM above 4 GiB can go to
 * domains.  Before the APs start: they load the same page tables. */
static void map_above_4g(uint64_t top)
{
	uint64_t gib, i;

	for (gib = BOOT_MAPPED / GIB; gib * GIB < top; gib++) {
		uint64_t *pd = high_pd[gib - BOOT_MAPPED / GIB];

		for (i = 0; i < 512; i++)
			pd[i] = (gib * GIB + (i << 21)) | 0x83;
		boot_pdpt[gib] = virt_to_phys(pd) | 3;
	}
	mapped_top = gib * GIB > BOOT_MAPPED ? gib * GIB : BOOT_MAPPED;
	write_cr3(read_cr3());
}

static void memory_init(struct boot_info *bi)
{
	uint64_t top = 0, total = 0;
	unsigned i;

	for (i = 0; i < bi->nmmap; i++) {
		const struct boot_mmap *e = &bi->mmap[i];

		if (e->type == 1 && e->base + e->len > top)
			top = e->base + e->len;
	}
	if (top > MAX_PHYS) {
		pr_warn("qhv: using the first %llu GiB of RAM only (of %lu MiB)\n",
			MAX_PHYS / GIB, top >> 20);
		top = MAX_PHYS;
	}
	map_above_4g(top);
	frames_init(&hv_frames, frame_bitmap, top / PAGE_SIZE);
	for (i = 0; i < bi->nmmap; i++)
		if (bi->mmap[i].type == 1)
			frames_release_range(&hv_frames, bi->mmap[i].base,
					     bi->mmap[i].len);
	/* Low memory holds firmware data and the AP trampoline. */
	frames_reserve_range(&hv_frames, 0, 0x100000);
	frames_reserve_range(&hv_frames, (uint64_t)_image_start,
			     (uint64_t)_end - (uint64_t)_image_start);
	frames_reserve_range(&hv_frames, bi->info_start,
			     bi->info_end - bi->info_start);
	for (i = 0; i < bi->nmods; i++)
		frames_reserve_range(&hv_frames, bi->mods[i].start,
				     bi->mods[i].end - bi->mods[i].start);
	/* Before anything else allocates: dom0's RAM is 1:1 and low. */
	dom0_error = dom0_reserve(bi, (uint64_t)_image_start, (uint64_t)_end);
	total = frames_free_count(&hv_frames);
	pr_info("qhv: memory: %lu MiB usable, %u modules, top 0x%lx\n",
		(total * PAGE_SIZE) >> 20, bi->nmods, top);
}

static void acpi_init(const struct boot_info *bi)
{
	uint64_t rsdp = bi->rsdp_pa;

	if (!rsdp)
		rsdp = acpi_find_rsdp_bios(map_identity);
	if (!rsdp) {
		pr_warn("qhv: no ACPI RSDP found: one CPU, no ACPI power-off\n");
		return;
	}
	if (acpi_parse(rsdp, map_identity, &acpi)) {
		pr_warn("qhv: ACPI tables unusable: one CPU, no ACPI power-off\n");
		memset(&acpi, 0, sizeof(acpi));
		return;
	}
	pr_info("qhv: acpi: rsdp 0x%lx rev %u, %u cpus, %u ioapics, dmar %s, s5 %s\n",
		rsdp, acpi.revision, acpi.ncpus, acpi.nioapic,
		acpi.dmar_pa ? "yes" : "no", acpi.s5_valid ? "yes" : "no");
}

void boot_main(uint32_t magic, uint32_t info_pa)
{
	char flag[8];

	idt_init();
	cpu_early_init(0);
	serial_init();
	/* The legacy PICs' interrupts belong to no one yet (dom0 will own
	 * them): mask them so none reaches a CPU running a guest. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	if (mbinfo_parse(magic, map_identity(info_pa, 8), info_pa, &boot_info,
			 map_identity)) {
		/* No memory map, no modules: nothing can run.  Bad input,
		 * not an hv fault: an orderly end, not a panic. */
		pr_err("qhv: unusable boot information (magic 0x%x): nothing to run\n",
		       magic);
		system_finish(1);
	}
	console_configure(boot_info.cmdline);
	/* The TSC stamp lets benchmarks measure emulated time from here. */
	pr_info("qhv: qhv %s (hypercall ABI %u.%u) starting at tsc=%lu; cmdline '%s'\n",
		QHV_VERSION_STRING, QHV_ABI_MAJOR, QHV_ABI_MINOR, rdtsc(),
		boot_info.cmdline);
	memory_init(&boot_info);
	acpi_init(&boot_info);
	tsc_calibrate();
	vpc_clock_init();
	apic_cpu_init(true);
	if (cmdline_get(boot_info.cmdline, "debug_hv_fault", flag, sizeof(flag))) {
		/* Test hook: prove the exception reporter works (non-canonical
		 * access -> #GP inside the hv). */
		pr_info("qhv: debug_hv_fault: faulting on purpose\n");
		(void)*(volatile uint64_t *)0x8000000000000000ull;
	}
	hv_start(&boot_info);
}
