/* SPDX-License-Identifier: MIT */
/**
 * DOC: multiboot information
 *
 * Two directions:
 *
 * - mbinfo_parse() reads the multiboot information the hv itself was
 *   started with (Multiboot1 from QEMU -kernel, Multiboot2 from GRUB)
 *   into the neutral &struct boot_info, validating every pointer, length
 *   and count.  All of it is copied, so the original block is not needed
 *   afterwards, except for the RSDP copy a Multiboot2 block may carry
 *   (@rsdp_pa then points into the block; reserve info_start..info_end).
 *
 * - mbinfo_build_mb1() / mbinfo_build_mb2() write a multiboot information
 *   block for a guest into a caller-provided buffer that will sit at
 *   guest-physical address buf_gpa; every pointer inside it is a
 *   guest-physical address within the buffer.
 */
#ifndef QHV_CORE_MBINFO_H
#define QHV_CORE_MBINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB1_BOOTLOADER_MAGIC 0x2BADB002u
#define MB2_BOOTLOADER_MAGIC 0x36D76289u

/* Memory map entry types, as in E820 and both multiboot specs. */
#define BOOT_MMAP_RAM 1
#define BOOT_MMAP_RESERVED 2
#define BOOT_MMAP_ACPI 3
#define BOOT_MMAP_NVS 4
#define BOOT_MMAP_BAD 5

#define BOOT_MAX_MODS 32
#define BOOT_MAX_MMAP 128

/**
 * struct boot_module - one boot module.
 * @start: physical address of the first byte.
 * @end: physical address one past the last byte.
 * @string: the module's string (command line), NUL-terminated; "" when
 *   @refused.
 * @refused: the loader's entry for it was unusable (string too long or
 *   unreadable, end before start): no domain uses it.  Its line has been
 *   printed; its range (0-0 when itself bad) stays reserved until boot
 *   domains are built.
 */
struct boot_module {
	uint64_t start, end;
	char string[1024];
	bool refused;
};

/**
 * struct boot_mmap - one memory map entry.
 * @base: physical start address.
 * @len: length in bytes.
 * @type: BOOT_MMAP_*; other values are possible and mean "not RAM".
 */
struct boot_mmap {
	uint64_t base, len;
	uint32_t type;
};

/**
 * struct boot_info - what the boot loader told the hv.
 * @cmdline: the hv's command line ("" if none).
 * @nmods: number of valid entries in @mods.
 * @mods: boot modules, in the loader's order.
 * @nmmap: number of valid entries in @mmap.
 * @mmap: memory map; synthesised from mem_lower/mem_upper when the loader
 *        gives no map (two RAM entries: 0 and 1 MiB).
 * @rsdp_pa: physical address of an RSDP copy inside the info block
 *           (Multiboot2 tag 15 preferred over 14), 0 if none.
 * @rsdp_from_tag: @rsdp_pa came from such a tag.
 * @info_start: lowest physical address of the info block (for Multiboot1:
 *              of the info structure and everything it points to).
 * @info_end: end (exclusive) of that extent.
 * @refused_items: items dropped one by one (a module, the hv command
 *   line, a memory map or RSDP tag), each with its own line; the run's
 *   exit status says so (1), the rest of the machine boots.
 */
struct boot_info {
	char cmdline[512];
	unsigned nmods;
	struct boot_module mods[BOOT_MAX_MODS];
	unsigned nmmap;
	struct boot_mmap mmap[BOOT_MAX_MMAP];
	uint64_t rsdp_pa;
	bool rsdp_from_tag;
	uint64_t info_start, info_end;
	unsigned refused_items;
};

/**
 * mbinfo_parse() - parse the multiboot information handed to the hv.
 * @magic: EAX at entry: MB1_BOOTLOADER_MAGIC or MB2_BOOTLOADER_MAGIC.
 * @info: pointer to the block as the hv sees it, or NULL.  Only the
 *        Multiboot2 size header (8 bytes) is read through it (through
 *        @map when NULL); everything else, including the whole Multiboot2
 *        block (total_size bytes) and the Multiboot1 structure (its first
 *        52 bytes), is read through @map, which bounds every access.
 * @info_pa: physical address of the block (EBX at entry).
 * @out: receives the result; contents unspecified on error.
 * @map: returns a pointer through which [pa, pa + len) can be read, or
 *       NULL if that range is not accessible.
 *
 * Multiboot1: flags bit 2 (cmdline), 3 (modules), 6 (memory map) and 0
 * (mem_lower/mem_upper, used only without a map).  Multiboot2: tags
 * walked with 8-byte alignment within total_size; types 1 (cmdline),
 * 3 (module), 4 (basic memory info, used only without a map), 6 (memory
 * map, entry_size respected), 14/15 (RSDP copies); others ignored.
 * Memory map entries beyond BOOT_MAX_MMAP are dropped with a pr_warn.
 *
 * Bad items are refused one by one (see @refused_items): an unreadable or
 * over-long hv command line is ignored (defaults apply); a module whose
 * string is unreadable, unterminated or longer than its buffer, or that
 * ends before it starts, is kept as @refused; modules beyond
 * BOOT_MAX_MODS, a short module/RSDP/memory-info tag and a memory map with
 * a bad entry size are ignored (a Multiboot1 map keeps the entries before
 * a bad one).
 *
 * Return: 0, also with refused items; -QHV_EINVAL only when the block as a
 * whole cannot be read: bad magic, the block or its header inaccessible or
 * misaligned, an invalid total_size, a tag whose size breaks the walk, no
 * end tag.  Each refusal and error logs one pr_err.
 */
int mbinfo_parse(uint32_t magic, const void *info, uint64_t info_pa,
		 struct boot_info *out,
		 const void *(*map)(uint64_t pa, size_t len));

/**
 * struct guest_module - a module as given to a guest.
 * @start: guest-physical address of the first byte.
 * @end: guest-physical address one past the last byte.
 * @string: the module's string; NULL is written as "".
 */
struct guest_module {
	uint64_t start, end;
	const char *string;
};

/**
 * struct guest_boot_desc - what to tell a guest.
 * @cmdline: kernel command line, or NULL for none.
 * @loader_name: boot loader name, or NULL for none.
 * @nmmap: number of entries in @mmap (0 for no map).
 * @mmap: memory map, guest-physical.
 * @nmods: number of entries in @mods.
 * @mods: modules.
 * @mem_lower_kib: KiB of RAM from 0 (at most 640).
 * @mem_upper_kib: KiB of RAM from 1 MiB.
 */
struct guest_boot_desc {
	const char *cmdline;
	const char *loader_name;
	unsigned nmmap;
	const struct boot_mmap *mmap;
	unsigned nmods;
	const struct guest_module *mods;
	uint32_t mem_lower_kib, mem_upper_kib;
};

/**
 * mbinfo_build_mb1() - write a Multiboot1 information block.
 * @buf: where to write; it will be at guest-physical @buf_gpa.
 * @cap: size of @buf in bytes.
 * @buf_gpa: guest-physical address of @buf; 8-byte aligned, and
 *           @buf_gpa + @cap must not exceed 4 GiB (Multiboot1 pointers
 *           are 32-bit).
 * @d: what to describe; module addresses must be below 4 GiB.
 * @info_gpa_out: receives the guest-physical address of the info
 *                structure (the value for EBX).
 *
 * Layout: the info structure, the module list, the memory map, then the
 * strings.  Flags set: 0 (mem), 2 (cmdline, if any), 3 (mods, if any),
 * 6 (mmap, if any), 9 (loader name, if any).
 *
 * Return: 0; -QHV_ENOSPC if @cap is too small; -QHV_EINVAL for an
 * unusable @buf_gpa or a module above 4 GiB.
 */
int mbinfo_build_mb1(void *buf, size_t cap, uint64_t buf_gpa,
		     const struct guest_boot_desc *d, uint32_t *info_gpa_out);

/**
 * mbinfo_build_mb2() - write a Multiboot2 information block.
 * @buf: where to write; it will be at guest-physical @buf_gpa.
 * @cap: size of @buf in bytes.
 * @buf_gpa: guest-physical address of @buf: 8-byte aligned, below 4 GiB.
 * @d: what to describe; module addresses must be below 4 GiB.
 * @info_gpa_out: receives @buf_gpa (the value for EBX).
 *
 * Tags written: cmdline (1, if any), boot loader name (2, if any), basic
 * memory info (4), one module tag (3) per module, memory map (6, if any;
 * entry_size 24, version 0), end (0).
 *
 * Return: 0; -QHV_ENOSPC if @cap is too small; -QHV_EINVAL for an
 * unusable @buf_gpa or a module above 4 GiB.
 */
int mbinfo_build_mb2(void *buf, size_t cap, uint64_t buf_gpa,
		     const struct guest_boot_desc *d, uint32_t *info_gpa_out);

#endif /* QHV_CORE_MBINFO_H */
