// SPDX-License-Identifier: MIT
/*
 * The Linux domain builder: a bzImage (x86 boot protocol 2.12 or later)
 * started at its 64-bit entry point, with boot_params, an e820 map of
 * exactly the domain's memory, the command line, the initrd, identity
 * page tables and the ACPI tables of acpi_tables.c.  Pure, like the
 * multiboot planner: bytes in, a plan of guest-physical writes out.
 * Layout and reasons: docs/builder.md.  Field offsets: the kernel's
 * Documentation/arch/x86/boot.rst ("The real-mode kernel header") and
 * zero-page.rst.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qhv/platform.h>

#include "builder_priv.h"
#include "lib/unaligned.h"
#include "qhvbuild.h"

#define PAGE 4096ull
#define MIB (1ull << 20)

/* Setup header fields (offsets in the image and in boot_params). */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP 0x200
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_MIN_END 0x264	/* protocol 2.12 header ends after init_size */

#define BOOT_FLAG 0xaa55
#define HDRS_MAGIC 0x53726448u	/* "HdrS" */
#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x01
#define MIN_PROTOCOL 0x020c
#define PROTOCOL_ACPI_RSDP 0x020e	/* acpi_rsdp_addr is read from 2.14 */

/* boot_params ("zero page") fields outside the setup header. */
#define BP_ACPI_RSDP 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_SENTINEL 0x1ef
#define BP_E820_TABLE 0x2d0
#define BP_SIZE 4096u
#define E820_RAM 1u
#define E820_RESERVED 2u

#define LOADER_UNDEFINED 0xff

typedef unsigned long long ull;

/*
 * The firmware's reset vector, F000:FFF0 in real mode: out 0xcf9 <- 6
 * (the reset the FADT names), then halt.  Linux on a hardware-reduced
 * ACPI platform tries EFI, then jumps here (BOOT_BIOS) after the ACPI
 * reset register, so with no firmware at all it would execute zeros.
 */
static const uint8_t reset_stub[16] = {
	0xb0, QHV_PLAT_RESET_VALUE,			/* mov al, 6 */
	0xba, QHV_PLAT_RESET_PORT & 0xff, QHV_PLAT_RESET_PORT >> 8, /* mov dx, 0xcf9 */
	0xee,						/* out dx, al */
	0xfa,						/* cli */
	0xf4,						/* hlt */
	0xeb, 0xfd,					/* jmp to the hlt */
	0xf4, 0xf4, 0xf4, 0xf4, 0xf4, 0xf4,
};

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static ull mib_up(uint64_t b)
{
	return (ull)((b + MIB - 1) / MIB);
}

bool qhv_build_is_bzimage(const void *kernel, size_t size)
{
	const uint8_t *k = kernel;

	return k && size >= HDR_MAGIC + 4 && rd16(k + HDR_BOOT_FLAG) == BOOT_FLAG &&
	       rd32(k + HDR_MAGIC) == HDRS_MAGIC;
}

/* What the builder takes from the image's setup header. */
struct bz {
	unsigned version;
	size_t setup_len;	/* real-mode part, skipped */
	const uint8_t *pm;	/* protected-mode kernel */
	size_t pm_len;
	uint32_t init_size;
	uint32_t kernel_align;
	uint64_t pref_address;
	bool relocatable;
	uint32_t initrd_max;
	uint32_t cmdline_size;
	size_t hdr_end;		/* one past the setup header */
};

static int parse_bzimage(const uint8_t *k, size_t size, struct bz *b,
			 char *err, size_t errlen)
{
	unsigned sects;
	uint64_t sys;

	if (!qhv_build_is_bzimage(k, size))
		return fail(err, errlen, -EINVAL,
			    "kernel: not a bzImage (no boot sector signature 0xaa55 and \"HdrS\" header)");
	b->version = rd16(k + HDR_VERSION);
	if (b->version < MIN_PROTOCOL)
		return fail(err, errlen, -EINVAL,
			    "kernel: boot protocol %u.%02u is too old (2.12 or later is needed for the 64-bit entry)",
			    b->version >> 8, b->version & 0xff);
	b->hdr_end = HDR_JUMP + 2 + k[HDR_JUMP + 1];
	if (b->hdr_end < HDR_MIN_END || b->hdr_end > size)
		return fail(err, errlen, -EINVAL,
			    "kernel: setup header of %zu bytes is truncated or malformed",
			    b->hdr_end);
	if (!(k[HDR_XLOADFLAGS] & XLF_KERNEL_64))
		return fail(err, errlen, -EINVAL,
			    "kernel: not a 64-bit kernel (XLF_KERNEL_64 is clear)");
	if (!(k[HDR_LOADFLAGS] & LOADED_HIGH))
		return fail(err, errlen, -EINVAL,
			    "kernel: a zImage (loaded low) is not supported");
	sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;
	b->setup_len = (size_t)(sects + 1) * 512;
	sys = (uint64_t)rd32(k + HDR_SYSSIZE) * 16;
	if (b->setup_len >= size || sys == 0 || sys > size - b->setup_len)
		return fail(err, errlen, -EINVAL,
			    "kernel: truncated (the header promises %llu bytes, the file has %zu)",
			    (ull)(b->setup_len + sys), size);
	b->pm = k + b->setup_len;
	b->pm_len = size - b->setup_len;
	b->init_size = rd32(k + HDR_INIT_SIZE);
	b->kernel_align = rd32(k + HDR_KERNEL_ALIGNMENT);
	b->pref_address = rd64(k + HDR_PREF_ADDRESS);
	b->relocatable = k[HDR_RELOCATABLE] != 0;
	b->initrd_max = rd32(k + HDR_INITRD_ADDR_MAX);
	b->cmdline_size = rd32(k + HDR_CMDLINE_SIZE);
	if (b->init_size < b->pm_len)
		return fail(err, errlen, -EINVAL,
			    "kernel: init_size %u is smaller than the kernel (%zu bytes)",
			    b->init_size, b->pm_len);
	if (b->relocatable && (b->kernel_align < PAGE ||
			       (b->kernel_align & (b->kernel_align - 1))))
		return fail(err, errlen, -EINVAL,
			    "kernel: kernel_alignment 0x%x is not a power of two of at least 4 KiB",
			    b->kernel_align);
	if (b->pref_address < MIB || b->pref_address % PAGE)
		return fail(err, errlen, -EINVAL,
			    "kernel: preferred load address 0x%llx is below 1 MiB or unaligned",
			    (ull)b->pref_address);
	return 0;
}

/* Where the kernel goes: its preferred address, or (relocatable) the
 * lowest aligned address from 1 MiB where init_size fits. */
static int place_kernel(const struct bz *b, uint64_t mem, uint64_t *load,
			char *err, size_t errlen)
{
	uint64_t a;

	if (b->pref_address <= mem && b->init_size <= mem - b->pref_address) {
		*load = b->pref_address;
		return 0;
	}
	if (b->relocatable) {
		a = (MIB + b->kernel_align - 1) & ~((uint64_t)b->kernel_align - 1);
		if (a <= mem && b->init_size <= mem - a) {
			*load = a;
			return 0;
		}
	}
	return fail(err, errlen, -E2BIG,
		    "kernel: needs %llu MiB from 0x%llx to decompress and run (init_size), the domain has %llu MiB",
		    mib_up(b->init_size), (ull)(b->relocatable ? MIB : b->pref_address),
		    (ull)(mem / MIB));
}

static void e820_add(uint8_t *bp, uint64_t start, uint64_t end, uint32_t type)
{
	uint8_t n = bp[BP_E820_ENTRIES];
	uint8_t *e = bp + BP_E820_TABLE + 20u * n;

	wr64(e, start);
	wr64(e + 8, end - start);
	wr32(e + 16, type);
	bp[BP_E820_ENTRIES] = (uint8_t)(n + 1);
}

/* Identity map of the first 4 GiB with 2 MiB pages: PML4, PDPT, 4 PDs. */
static void write_page_tables(uint8_t *pt)
{
	uint8_t *pml4 = pt, *pdpt = pt + PAGE, *pd = pt + 2 * PAGE;

	wr64(pml4, (QHV_BUILD_LINUX_PT_GPA + PAGE) | 0x3);	/* P, RW */
	for (unsigned i = 0; i < 4; i++)
		wr64(pdpt + 8 * i, (QHV_BUILD_LINUX_PT_GPA + (2 + i) * PAGE) | 0x3);
	for (unsigned i = 0; i < 4 * 512; i++)
		wr64(pd + 8 * i, ((uint64_t)i << 21) | 0x83);	/* P, RW, PS */
}

static int check_linux_request(const struct qhv_build_linux_request *req,
			       char *err, size_t errlen)
{
	if (!req)
		return fail(err, errlen, -EINVAL, "no request");
	if (!req->kernel || req->kernel_size == 0)
		return fail(err, errlen, -EINVAL, "kernel: empty image");
	if (req->initrd_size && !req->initrd)
		return fail(err, errlen, -EINVAL, "initrd: no data");
	if (req->mem_bytes % PAGE)
		return fail(err, errlen, -EINVAL,
			    "memory size %" PRIu64 " is not a multiple of 4 KiB",
			    req->mem_bytes);
	if (req->mem_bytes < QHV_BUILD_LINUX_MIN_MEM)
		return fail(err, errlen, -EINVAL,
			    "memory size %" PRIu64 " KiB is too small for Linux (at least %llu MiB)",
			    req->mem_bytes >> 10, QHV_BUILD_LINUX_MIN_MEM / MIB);
	if (req->mem_bytes > QHV_PLAT_RAM_LIMIT)
		return fail(err, errlen, -EINVAL,
			    "memory size %llu MiB is too large (a domU has at most %llu MiB, below its APIC pages)",
			    (ull)(req->mem_bytes / MIB), QHV_PLAT_RAM_LIMIT / MIB);
	if (req->nr_vcpus < 1 || req->nr_vcpus > QHV_MAX_VCPUS)
		return fail(err, errlen, -EINVAL, "%u vCPUs: 1..%u are supported",
			    req->nr_vcpus, QHV_MAX_VCPUS);
	if (req->cmdline &&
	    strnlen(req->cmdline, QHV_BUILD_LINUX_CMDLINE_MAX) >= QHV_BUILD_LINUX_CMDLINE_MAX)
		return fail(err, errlen, -EINVAL, "command line longer than %u bytes",
			    QHV_BUILD_LINUX_CMDLINE_MAX - 1);
	return 0;
}

int qhv_build_linux(const struct qhv_build_linux_request *req,
		    struct qhv_build_plan *plan, char *err, size_t errlen)
{
	const uint8_t *k;
	struct plan_priv *priv = NULL;
	struct qhv_build_write *w = NULL;
	uint64_t mem, load = 0, initrd_gpa = 0, top;
	size_t cmdlen, acpi_len = 0;
	uint8_t *low, *bp;
	unsigned nw = 0;
	struct bz b = { 0 };
	int rc;

	if (!plan)
		return fail(err, errlen, -EINVAL, "no plan");
	memset(plan, 0, sizeof(*plan));
	if (err && errlen)
		err[0] = '\0';
	rc = check_linux_request(req, err, errlen);
	if (rc)
		return rc;
	k = req->kernel;
	mem = req->mem_bytes;
	rc = parse_bzimage(k, req->kernel_size, &b, err, errlen);
	if (rc)
		return rc;
	cmdlen = req->cmdline ? strlen(req->cmdline) : 0;
	if (b.cmdline_size && cmdlen > b.cmdline_size)
		return fail(err, errlen, -EINVAL,
			    "command line of %zu bytes is longer than the kernel accepts (%u)",
			    cmdlen, b.cmdline_size);
	rc = place_kernel(&b, mem, &load, err, errlen);
	if (rc)
		return rc;

	/* The initrd: as high as the kernel allows, page-aligned, above
	 * the kernel's init_size (where the kernel decompresses into). */
	if (req->initrd_size) {
		top = mem;
		if (b.initrd_max && (uint64_t)b.initrd_max + 1 < top)
			top = (uint64_t)b.initrd_max + 1;
		if (req->initrd_size > top || ((top - req->initrd_size) & ~(PAGE - 1)) <
						      load + b.init_size)
			return fail(err, errlen, -E2BIG,
				    "initrd does not fit: the kernel needs %llu MiB and the initrd %llu MiB, the domain has %llu MiB",
				    mib_up(load + b.init_size), mib_up(req->initrd_size),
				    (ull)(mem / MIB));
		initrd_gpa = (top - req->initrd_size) & ~(PAGE - 1);
	}

	priv = calloc(1, sizeof(*priv));
	w = calloc(5, sizeof(*w));
	if (priv) {
		priv->info = calloc(1, QHV_BUILD_LINUX_LOW_SIZE);
		priv->extra = calloc(1, QHV_BUILD_ACPI_SIZE);
	}
	if (!priv || !w || !priv->info || !priv->extra) {
		rc = fail(err, errlen, -ENOMEM, "out of memory");
		goto out_free;
	}
	low = priv->info;	/* guest-physical [LOW_GPA, LOW_GPA + LOW_SIZE) */

	/* GDT: __BOOT_CS (0x10) 64-bit code, __BOOT_DS (0x18) data. */
	wr64(low + QHV_BUILD_GDT_GPA - QHV_BUILD_LINUX_LOW_GPA + 0x10,
	     0x00af9b000000ffffull);
	wr64(low + QHV_BUILD_GDT_GPA - QHV_BUILD_LINUX_LOW_GPA + 0x18,
	     0x00cf93000000ffffull);
	write_page_tables(low + QHV_BUILD_LINUX_PT_GPA - QHV_BUILD_LINUX_LOW_GPA);
	if (cmdlen)
		memcpy(low + QHV_BUILD_LINUX_CMDLINE_GPA - QHV_BUILD_LINUX_LOW_GPA,
		       req->cmdline, cmdlen);

	/* boot_params: the image's setup header, then what a loader sets. */
	bp = low + QHV_BUILD_LINUX_BP_GPA - QHV_BUILD_LINUX_LOW_GPA;
	memcpy(bp + HDR_SETUP_SECTS, k + HDR_SETUP_SECTS, b.hdr_end - HDR_SETUP_SECTS);
	bp[BP_SENTINEL] = 0;
	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	wr32(bp + HDR_CODE32_START, (uint32_t)load);
	wr32(bp + HDR_CMD_LINE_PTR, QHV_BUILD_LINUX_CMDLINE_GPA);
	wr32(bp + BP_EXT_CMD_LINE_PTR, 0);
	wr32(bp + HDR_RAMDISK_IMAGE, (uint32_t)initrd_gpa);
	wr32(bp + HDR_RAMDISK_SIZE, (uint32_t)req->initrd_size);
	wr32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd_gpa >> 32));
	wr32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)((uint64_t)req->initrd_size >> 32));
	if (b.version >= PROTOCOL_ACPI_RSDP)
		wr64(bp + BP_ACPI_RSDP, QHV_BUILD_ACPI_GPA);
	/* Exactly the domain's memory: the BIOS area is RAM the guest is
	 * told not to use (it holds the ACPI tables), nothing else exists. */
	e820_add(bp, 0, QHV_BUILD_LINUX_EBDA_GPA, E820_RAM);
	e820_add(bp, QHV_BUILD_LINUX_EBDA_GPA, MIB, E820_RESERVED);
	e820_add(bp, MIB, mem, E820_RAM);

	rc = qhv_build_acpi(priv->extra, QHV_BUILD_ACPI_SIZE, QHV_BUILD_ACPI_GPA, req->nr_vcpus,
			    &acpi_len);
	if (rc) {
		rc = fail(err, errlen, -EINVAL, "ACPI tables: %s", strerror(-rc));
		goto out_free;
	}

	w[nw++] = (struct qhv_build_write){ QHV_BUILD_LINUX_LOW_GPA,
					    QHV_BUILD_LINUX_LOW_SIZE, low,
					    "boot data (GDT, page tables, boot_params)" };
	w[nw++] = (struct qhv_build_write){ QHV_BUILD_ACPI_GPA, acpi_len,
					    priv->extra, "ACPI tables" };
	w[nw++] = (struct qhv_build_write){ load, b.pm_len, b.pm, "kernel" };
	if (req->initrd_size)
		w[nw++] = (struct qhv_build_write){ initrd_gpa, req->initrd_size,
						    req->initrd, "initrd" };
	w[nw++] = (struct qhv_build_write){ QHV_PLAT_RESET_VECTOR,
					    sizeof(reset_stub), reset_stub,
					    "reset vector" };

	plan->proto = QHV_BUILD_LINUX;
	plan->mem_bytes = mem;
	plan->nr_writes = nw;
	plan->writes = w;
	plan->priv = priv;
	plan->entry = load + 0x200;	/* startup_64 */
	plan->kernel.start = load;
	plan->kernel.end = load + b.init_size;
	plan->info_gpa = QHV_BUILD_LINUX_BP_GPA;
	plan->info_size = BP_SIZE;
	if (req->initrd_size) {
		plan->nr_modules = 1;
		plan->modules[0].start = initrd_gpa;
		plan->modules[0].end = initrd_gpa + req->initrd_size;
	}
	plan->vcpu0.mode = QHV_VCPU_MODE_LONG64;
	plan->vcpu0.cs_sel = 0x10;
	plan->vcpu0.ds_sel = 0x18;
	plan->vcpu0.gdt_base = QHV_BUILD_GDT_GPA;
	plan->vcpu0.gdt_limit = 0x1f;
	plan->vcpu0.cr3 = QHV_BUILD_LINUX_PT_GPA;
	plan->vcpu0.rip = plan->entry;
	plan->vcpu0.rsp = QHV_BUILD_LINUX_STACK_TOP;
	plan->vcpu0.rflags = 0x2;
	plan->vcpu0.rsi = QHV_BUILD_LINUX_BP_GPA;
	return 0;

out_free:
	if (priv) {
		free(priv->info);
		free(priv->extra);
	}
	free(priv);
	free(w);
	memset(plan, 0, sizeof(*plan));
	return rc;
}
