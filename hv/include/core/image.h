/* SPDX-License-Identifier: MIT */
/**
 * DOC: multiboot kernel images
 *
 * image_parse() reads a guest kernel image (untrusted: it comes from a
 * GRUB module) and produces a load plan: which byte ranges of the file go
 * to which guest-physical addresses, how much is zero-filled after each,
 * and where to enter.  It copies nothing; the caller does the copying
 * after checking the plan against the guest's RAM with image_check_fits().
 *
 * Supported: a Multiboot2 header (with or without the address and entry
 * address tags) and a Multiboot1 header (with or without the a.out
 * kludge, flag 16).  Without an address tag / kludge the image must be a
 * little-endian ELF32 (EM_386) or ELF64 (EM_X86_64) ET_EXEC file, loaded
 * by its PT_LOAD segments' physical addresses.
 */
#ifndef QHV_CORE_IMAGE_H
#define QHV_CORE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/**
 * enum image_proto - boot protocol an image is started with.
 * @IMAGE_MB1: Multiboot 1 (EAX = 0x2BADB002, EBX = info).
 * @IMAGE_MB2: Multiboot 2 (EAX = 0x36D76289, EBX = info).
 */
enum image_proto { IMAGE_MB1 = 1, IMAGE_MB2 = 2, IMAGE_LINUX = 3 };

/**
 * struct image_segment - one piece of the load plan.
 * @file_off: offset in the image of the bytes to copy.
 * @filesz: number of bytes to copy (may be 0).
 * @memsz: bytes occupied at @paddr (>= @filesz; the rest is zeroed).
 * @paddr: guest-physical load address.
 */
struct image_segment {
	uint64_t file_off, filesz, memsz, paddr;
};

#define IMAGE_MAX_SEGMENTS 16

/**
 * struct image_plan - how to load an image.
 * @proto: protocol whose header was used.
 * @entry: guest-physical entry point (always < 4 GiB).
 * @nseg: number of valid entries in @seg (>= 1).
 * @seg: segments; pairwise non-overlapping, none with @memsz 0.
 * @lowest: lowest @paddr of any segment.
 * @highest: highest @paddr + @memsz of any segment (exclusive end).
 */
struct image_plan {
	enum image_proto proto;
	uint64_t entry;
	unsigned nseg;
	struct image_segment seg[IMAGE_MAX_SEGMENTS];
	uint64_t lowest, highest; /* paddr extent */
};

/**
 * image_parse() - validate a kernel image and build its load plan.
 * @img: the image bytes.
 * @size: size of @img in bytes.
 * @prefer: protocol to use when the image has both headers; if the
 *          preferred header is absent the other is used.  Any value other
 *          than IMAGE_MB1 is treated as IMAGE_MB2.
 * @out: receives the plan; its contents are unspecified on error.
 *
 * Header search follows the specs: Multiboot2 on 8-byte boundaries in the
 * first 32768 bytes, Multiboot1 on 4-byte boundaries in the first 8192
 * bytes; a magic with a wrong checksum is skipped (as GRUB does).
 * Multiboot2 header tags: address (2) and entry address (3) are honoured;
 * information request (1), console flags (4), module alignment (6) and
 * relocatable (10) are accepted and need no action; any other tag is
 * ignored when optional and rejected when marked required.  Multiboot1
 * flags 0-2 are accepted; any other of bits 0-15 is rejected.
 *
 * For an ELF image, the entry point is e_entry translated to a physical
 * address through the PT_LOAD segment that contains it (as GRUB does for
 * higher-half kernels; it is e_entry itself when vaddr == paddr), and a
 * Multiboot2 entry address tag overrides it.  The entry must lie inside
 * the loaded image and below 4 GiB, since multiboot enters in 32-bit
 * protected mode.
 *
 * Return: 0, or -QHV_EINVAL with one pr_err saying what is wrong.
 */
int image_parse(const void *img, size_t size, enum image_proto prefer,
		struct image_plan *out);

/**
 * image_parse_linux() - load plan for an uncompressed Linux vmlinux.
 * @img: the image bytes.
 * @size: size of @img in bytes.
 * @out: receives the plan (proto IMAGE_LINUX).
 *
 * The x86 64-bit boot protocol loads PT_LOAD segments at their physical
 * addresses and enters at e_entry, which vmlinux.lds makes the physical
 * address of startup_64.  Same validation as for multiboot ELF images.
 *
 * Return: 0 or -QHV_EINVAL with a message.
 */
int image_parse_linux(const void *img, size_t size, struct image_plan *out);

/**
 * image_check_fits() - check a plan against a guest's RAM.
 * @p: plan from image_parse().
 * @ram_lo: first guest-physical address of RAM.
 * @ram_hi: end of RAM (exclusive).
 *
 * Return: 0 if every segment lies inside [@ram_lo, @ram_hi);
 * -QHV_E2BIG if a segment ends beyond @ram_hi (the guest needs more
 * memory); -QHV_EINVAL if a segment starts below @ram_lo or the plan or
 * range is malformed.  Each failure logs one pr_err.
 */
int image_check_fits(const struct image_plan *p, uint64_t ram_lo,
		     uint64_t ram_hi);

#endif /* QHV_CORE_IMAGE_H */
