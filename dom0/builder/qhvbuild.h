/* SPDX-License-Identifier: MIT */
/**
 * DOC: qhvbuild, the multiboot domain builder
 *
 * Builds a domain from a multiboot kernel in two steps:
 *
 * 1. qhv_build_multiboot() is pure: from the kernel and module bytes, a
 *    command line and the domain's memory size it computes a plan, a
 *    list of guest-physical writes (kernel segments, modules, multiboot
 *    information, a GDT) and vCPU 0's start state.  It reads no files
 *    and talks to no device, so it is unit-tested and fuzzed on any
 *    host.  Every malformed input is refused here with one message,
 *    before anything reaches the domain.
 * 2. qhv_build_apply() writes a plan into a freshly created domain
 *    through libqhv (qhv_memwrite(), qhv_vcpu_set()).  Starting the
 *    domain is left to the caller (qhv_domain_start()).
 *
 * Kernels: Multiboot1 (ELF32 or ELF64 with the a.out kludge, or a flat
 * a.out-kludge image) and Multiboot2 (ELF32/ELF64, or the address tag);
 * the parser is the hv's own (hv/core/image.c), the information blocks
 * are written by the hv's hv/core/mbinfo.c, both compiled unchanged.
 * The guest-physical layout and start state are in docs/builder.md.
 *
 * Linux: qhv_build_linux() plans a bzImage the same way (64-bit boot
 * protocol, boot_params, e820, ACPI tables from qhv_build_acpi()); the
 * same qhv_build_apply() writes it.
 *
 * Threads: no global state; the functions may run in several threads.
 */
#ifndef QHVBUILD_H
#define QHVBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qhv/domctl.h>

#ifdef __cplusplus
extern "C" {
#endif

struct qhv_handle;

/* Guest-physical layout (docs/builder.md). */
#define QHV_BUILD_GDT_GPA 0x1000ull	/* null, code 0x08, data 0x10 */
#define QHV_BUILD_GDT_LIMIT 23u
#define QHV_BUILD_CS_SEL 0x08u
#define QHV_BUILD_DS_SEL 0x10u
#define QHV_BUILD_STACK_TOP 0x10000ull	/* initial ESP (a courtesy) */
#define QHV_BUILD_INFO_GPA 0x10000ull	/* multiboot information */
#define QHV_BUILD_INFO_MAX 0x80000ull	/* its largest size */
#define QHV_BUILD_LOW_RAM_END 0x9fc00ull	/* reserved from here ... */
#define QHV_BUILD_HIGH_RAM 0x100000ull	/* ... to 1 MiB; kernels load above */
#define QHV_BUILD_MIN_MEM (2ull << 20)
#define QHV_BUILD_MAX_MODULES 32u
#define QHV_BUILD_STRING_MAX 4096u	/* command line and module strings */

#define QHV_BUILD_MB1_MAGIC 0x2BADB002u	/* EAX for Multiboot1 */
#define QHV_BUILD_MB2_MAGIC 0x36D76289u	/* EAX for Multiboot2 */

/**
 * enum qhv_build_proto - which multiboot protocol to start a kernel with.
 * @QHV_BUILD_AUTO: Multiboot2 if the kernel has that header, else 1.
 * @QHV_BUILD_MB1: prefer Multiboot1 when the kernel has both headers.
 * @QHV_BUILD_MB2: prefer Multiboot2 (the same as AUTO).
 *
 * A kernel with only one header is started with that one whatever the
 * preference (like the hv's boot=mb1); the plan says which was used.
 */
enum qhv_build_proto {
	QHV_BUILD_AUTO = 0,
	QHV_BUILD_MB1 = 1,
	QHV_BUILD_MB2 = 2,
	QHV_BUILD_LINUX = 3,	/* a plan's @proto only: qhv_build_linux() */
};

/* Linux guest-physical layout (docs/builder.md). */
#define QHV_BUILD_LINUX_LOW_GPA 0x1000ull	/* GDT .. command line */
#define QHV_BUILD_LINUX_LOW_SIZE 0x9000ull
#define QHV_BUILD_LINUX_PT_GPA 0x2000ull	/* PML4, PDPT, 4 PDs */
#define QHV_BUILD_LINUX_BP_GPA 0x8000ull	/* boot_params (RSI) */
#define QHV_BUILD_LINUX_CMDLINE_GPA 0x9000ull
#define QHV_BUILD_LINUX_CMDLINE_MAX 4096u	/* with the NUL */
#define QHV_BUILD_LINUX_STACK_TOP 0xf000ull
#define QHV_BUILD_LINUX_EBDA_GPA 0x9f000ull	/* reserved from here to 1 MiB */
#define QHV_BUILD_LINUX_MIN_MEM (16ull << 20)
#define QHV_BUILD_ACPI_GPA 0xe0000ull	/* RSDP first: the BIOS scan finds it */
#define QHV_BUILD_ACPI_SIZE 0x2000u

/**
 * struct qhv_build_module - one multiboot module.
 * @data: its bytes (borrowed: keep them until the plan is applied).
 * @size: its size (0 is allowed: an empty module).
 * @string: its string (command line), or NULL for "".
 */
struct qhv_build_module {
	const void *data;
	size_t size;
	const char *string;
};

/**
 * struct qhv_build_request - what to build.
 * @kernel: the kernel image (borrowed, like module data).
 * @kernel_size: its size.
 * @cmdline: the kernel's command line, or NULL for none.
 * @modules: @nr_modules modules, loaded in this order.
 * @nr_modules: 0..QHV_BUILD_MAX_MODULES.
 * @mem_bytes: the domain's RAM (as in qhv_domctl_create: from
 *   guest-physical 0, a multiple of 4 KiB, at least QHV_BUILD_MIN_MEM).
 * @proto: enum qhv_build_proto.
 * @loader_name: the boot loader name given to the kernel, or NULL for
 *   "qhv".
 */
struct qhv_build_request {
	const void *kernel;
	size_t kernel_size;
	const char *cmdline;
	const struct qhv_build_module *modules;
	unsigned nr_modules;
	uint64_t mem_bytes;
	uint32_t proto;
	const char *loader_name;
};

/**
 * struct qhv_build_write - one guest-physical write of a plan.
 * @gpa: destination.
 * @len: bytes (> 0).
 * @data: source bytes (into the request's kernel or module buffers, or
 *   the plan's own), or NULL for zeros (BSS).
 * @what: what it is, for messages: "GDT", "multiboot2 info",
 *   "kernel segment 0", "kernel segment 0 (bss)", "module 1".
 */
struct qhv_build_write {
	uint64_t gpa;
	uint64_t len;
	const void *data;
	const char *what;
};

/**
 * struct qhv_build_range - a guest-physical range [start, end).
 * @start: first byte.
 * @end: one past the last byte.
 */
struct qhv_build_range {
	uint64_t start, end;
};

/**
 * struct qhv_build_plan - a domain ready to be written.
 * @proto: QHV_BUILD_MB1 or QHV_BUILD_MB2: the protocol used.
 * @mem_bytes: the memory size the plan was made for (its memory map
 *   says so): qhv_build_apply() refuses a domain of another size.
 * @nr_writes: entries in @writes.
 * @writes: sorted by @gpa, pairwise disjoint, all inside
 *   [0, @mem_bytes).
 * @vcpu0: vCPU 0's start state: QHV_VCPU_MODE_FLAT32, the GDT's
 *   selectors, EIP = the kernel's entry, EAX = the protocol's magic,
 *   EBX = @info_gpa.
 * @kernel: extent of the kernel's segments.
 * @entry: the kernel's entry point (also @vcpu0.rip).
 * @info_gpa: the multiboot information (EBX).
 * @info_size: its size in bytes.
 * @nr_modules: as requested.
 * @modules: where each module was put (page-aligned, after the kernel).
 * @priv: buffers the plan owns; freed by qhv_build_plan_free().
 */
struct qhv_build_plan {
	uint32_t proto;
	uint64_t mem_bytes;
	unsigned nr_writes;
	struct qhv_build_write *writes;
	struct qhv_vcpu_context vcpu0;
	struct qhv_build_range kernel;
	uint64_t entry;
	uint64_t info_gpa, info_size;
	unsigned nr_modules;
	struct qhv_build_range modules[QHV_BUILD_MAX_MODULES];
	void *priv;
};

/**
 * qhv_build_multiboot() - plan a multiboot domain.
 * @req: the request.
 * @plan: receives the plan (zeroed on failure: nothing to free, though
 *   qhv_build_plan_free() is harmless).
 * @err: receives one message on failure, e.g. "kernel: ELF segments 0
 *   and 1 overlap" or "modules do not fit: the kernel and modules need
 *   35 MiB, the domain has 32 MiB" (may be NULL).
 * @errlen: size of @err.
 *
 * Refused: an image that is not ELF and has no multiboot header with
 * load addresses; a truncated ELF; no multiboot header; overlapping
 * segments; a segment below 1 MiB or beyond the memory; a 64-bit ELF
 * with only a Multiboot1 header (without the a.out kludge, it needs
 * Multiboot2); kernel plus modules larger than the memory (or above
 * 4 GiB); more than QHV_BUILD_MAX_MODULES modules; strings longer than
 * QHV_BUILD_STRING_MAX; a bad memory size.
 *
 * Return: 0; -EINVAL (malformed input), -E2BIG (does not fit in the
 * memory), -ENOMEM.
 */
int qhv_build_multiboot(const struct qhv_build_request *req,
			struct qhv_build_plan *plan, char *err, size_t errlen);

/**
 * struct qhv_build_linux_request - a Linux domain to build.
 * @kernel: the bzImage (borrowed until the plan is applied).
 * @kernel_size: its size.
 * @initrd: the initramfs, or NULL (borrowed too).
 * @initrd_size: its size (0: none).
 * @cmdline: the kernel command line, or NULL for none.
 * @mem_bytes: the domain's RAM: a multiple of 4 KiB, at least
 *   QHV_BUILD_LINUX_MIN_MEM and at most QHV_PLAT_RAM_LIMIT.
 * @nr_vcpus: 1..QHV_MAX_VCPUS: one MADT entry each.
 */
struct qhv_build_linux_request {
	const void *kernel;
	size_t kernel_size;
	const void *initrd;
	size_t initrd_size;
	const char *cmdline;
	uint64_t mem_bytes;
	unsigned nr_vcpus;
};

/**
 * qhv_build_is_bzimage() - whether an image has the x86 boot protocol's
 * signatures (0xaa55 at 0x1fe, "HdrS" at 0x202).
 * @kernel: the image.
 * @size: its size.
 *
 * Return: true for a bzImage (valid or not: qhv_build_linux() checks).
 */
bool qhv_build_is_bzimage(const void *kernel, size_t size);

/**
 * qhv_build_linux() - plan a Linux domain from a bzImage.
 * @req: the request.
 * @plan: receives the plan (zeroed on failure); @plan->proto is
 *   QHV_BUILD_LINUX, @info_gpa the boot_params, @modules[0] the initrd.
 * @err: receives one message on failure (may be NULL), e.g. "kernel:
 *   truncated (the header promises 7340544 bytes, the file has 4096)".
 * @errlen: size of @err.
 *
 * The kernel is loaded at its preferred address when its init_size fits
 * there, else (relocatable) at the lowest aligned address from 1 MiB; the
 * initrd as high as initrd_addr_max allows; vCPU 0 starts at the 64-bit
 * entry (load + 0x200) in long mode with RSI = boot_params.  Refused: not
 * a bzImage, protocol before 2.12, not 64-bit, truncated, kernel or
 * initrd larger than the memory, a command line the kernel cannot take.
 *
 * Return: 0; -EINVAL (malformed input), -E2BIG (does not fit), -ENOMEM.
 */
int qhv_build_linux(const struct qhv_build_linux_request *req,
		    struct qhv_build_plan *plan, char *err, size_t errlen);

/**
 * qhv_build_acpi() - write a domU's ACPI tables (docs/platform.md).
 * @buf: receives them, laid out to sit at guest-physical @gpa.
 * @len: size of @buf (QHV_BUILD_ACPI_SIZE is enough for QHV_MAX_VCPUS).
 * @gpa: where @buf goes: 16-byte aligned, below 4 GiB.  The RSDP is at
 *   @gpa itself.
 * @nr_vcpus: 1..QHV_MAX_VCPUS local APICs in the MADT (APIC ids 0..n-1).
 * @used: receives the bytes written (may be NULL).
 *
 * Tables: RSDP (2.0), XSDT, FADT (6.0, hardware-reduced, reset and sleep
 * registers of <qhv/platform.h>), MADT (the LAPICs, the IOAPIC), DSDT
 * (\_S5_, COM1 with its IRQ, the RTC); every checksum set.
 *
 * Return: 0; -EINVAL (bad arguments), -ENOSPC (@len too small).
 */
int qhv_build_acpi(uint8_t *buf, size_t len, uint64_t gpa, unsigned nr_vcpus,
		   size_t *used);

/**
 * qhv_build_apply() - write a plan into a domain.
 * @h: libqhv handle.
 * @domid: a domain created with the plan's memory size and never
 *   started (state built, or paused before its start).
 * @plan: from qhv_build_multiboot(); its request's buffers must still
 *   be valid.
 * @err: receives one message on failure (may be NULL).
 * @errlen: size of @err.
 *
 * Writes every non-zero write with qhv_memwrite() (a new domain's RAM
 * is zero, so BSS is not written) and vCPU 0's state with
 * qhv_vcpu_set().  It checks the domain first, so a wrong domain gets
 * nothing; a failure half-way leaves a domain the caller destroys.
 *
 * Return: 0 or a negative errno (from libqhv, or -EINVAL / -EBUSY for a
 * domain of the wrong size / state).
 */
int qhv_build_apply(struct qhv_handle *h, uint32_t domid,
		    const struct qhv_build_plan *plan, char *err,
		    size_t errlen);

/**
 * qhv_build_plan_free() - free what a plan owns.
 * @plan: the plan (NULL is allowed); it is zeroed.
 */
void qhv_build_plan_free(struct qhv_build_plan *plan);

/**
 * qhv_build_load_file() - read a kernel or module file into memory.
 * @path: the file.
 * @data: receives a malloc'ed buffer (free() it).
 * @size: receives its size.
 * @err: receives a message on failure ("PATH: No such file or
 *   directory") (may be NULL).
 * @errlen: size of @err.
 *
 * Files larger than 4 GiB are refused (-EFBIG).
 *
 * Return: 0 or a negative errno.
 */
int qhv_build_load_file(const char *path, void **data, size_t *size,
			char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* QHVBUILD_H */
