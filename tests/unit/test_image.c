// SPDX-License-Identifier: MIT
/* Unit tests for hv/core/image.c: byte-crafted images plus real kernels
 * built by the toolchain (paths passed on the command line). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qhv/hypercall.h>

#include "core/image.h"
#include "harness.h"

static uint8_t img[65536];
static struct image_plan plan;
static const char *kernel_dir;

static void wr16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, v); wr16(p + 2, v >> 16); }
static void wr64(uint8_t *p, uint64_t v) { wr32(p, v); wr32(p + 4, v >> 32); }

struct ph {
	uint32_t type;
	uint64_t off, vaddr, paddr, filesz, memsz;
};

/* ELF header at 0, program headers right after it. */
static void mk_elf(bool is64, uint64_t entry, const struct ph *ph, unsigned n)
{
	unsigned ehsz = is64 ? 64 : 52, phsz = is64 ? 56 : 32;

	memcpy(img, "\x7f" "ELF", 4);
	img[4] = is64 ? 2 : 1;
	img[5] = 1;
	img[6] = 1;
	wr16(img + 16, 2);
	wr16(img + 18, is64 ? 62 : 3);
	wr32(img + 20, 1);
	if (is64) {
		wr64(img + 24, entry);
		wr64(img + 32, ehsz);
		wr16(img + 52, ehsz);
		wr16(img + 54, phsz);
		wr16(img + 56, n);
	} else {
		wr32(img + 24, entry);
		wr32(img + 28, ehsz);
		wr16(img + 40, ehsz);
		wr16(img + 42, phsz);
		wr16(img + 44, n);
	}
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = img + ehsz + i * phsz;

		wr32(p, ph[i].type);
		if (is64) {
			wr64(p + 8, ph[i].off);
			wr64(p + 16, ph[i].vaddr);
			wr64(p + 24, ph[i].paddr);
			wr64(p + 32, ph[i].filesz);
			wr64(p + 40, ph[i].memsz);
		} else {
			wr32(p + 4, ph[i].off);
			wr32(p + 8, ph[i].vaddr);
			wr32(p + 12, ph[i].paddr);
			wr32(p + 16, ph[i].filesz);
			wr32(p + 20, ph[i].memsz);
		}
	}
}

static void put_mb1(size_t off, uint32_t flags, const uint32_t *kludge)
{
	wr32(img + off, 0x1BADB002);
	wr32(img + off + 4, flags);
	wr32(img + off + 8, -(0x1BADB002u + flags));
	if (kludge)
		for (int i = 0; i < 5; i++)
			wr32(img + off + 12 + 4 * i, kludge[i]);
}

/* Multiboot2 header with @tags (already 8-aligned) followed by an end tag. */
static void put_mb2(size_t off, const uint8_t *tags, size_t tlen)
{
	uint32_t len = 16 + tlen + 8;

	wr32(img + off, 0xE85250D6);
	wr32(img + off + 4, 0);
	wr32(img + off + 8, len);
	wr32(img + off + 12, -(0xE85250D6u + len));
	memcpy(img + off + 16, tags, tlen);
	wr16(img + off + 16 + tlen, 0);
	wr16(img + off + 18 + tlen, 0);
	wr32(img + off + 20 + tlen, 8);
}

static void setup(void)
{
	harness_reset();
	memset(img, 0, sizeof(img));
	memset(&plan, 0xa5, sizeof(plan));
}

static void expect_err(size_t size, int prefer, const char *msg)
{
	harness_reset();
	ck_assert_int_eq(image_parse(img, size, prefer, &plan), -QHV_EINVAL);
	ck_assert_uint_eq(harness_count(LOG_ERR), 1);
	ck_assert_msg(strstr(harness_last(), msg), "want '%s', got '%s'", msg,
		      harness_last());
}

/* A standard ELF32 kernel: text at 1 MiB (file 0x1000), data+bss. */
static const struct ph std32[] = {
	{ 1, 0x1000, 0x100000, 0x100000, 0x800, 0x800 },
	{ 6, 0, 0, 0, 0, 0 }, /* PT_PHDR: ignored */
	{ 1, 0x2000, 0x101000, 0x101000, 0x100, 0x3000 },
};

START_TEST(elf32_mb1)
{
	mk_elf(false, 0x100010, std32, 3);
	put_mb1(0x1000, 0x3, NULL);
	ck_assert_int_eq(image_parse(img, 0x2100, IMAGE_MB2, &plan), 0);
	ck_assert_int_eq(plan.proto, IMAGE_MB1);
	ck_assert_uint_eq(plan.entry, 0x100010);
	ck_assert_uint_eq(plan.nseg, 2);
	ck_assert_uint_eq(plan.seg[0].file_off, 0x1000);
	ck_assert_uint_eq(plan.seg[0].filesz, 0x800);
	ck_assert_uint_eq(plan.seg[1].paddr, 0x101000);
	ck_assert_uint_eq(plan.seg[1].filesz, 0x100);
	ck_assert_uint_eq(plan.seg[1].memsz, 0x3000);
	ck_assert_uint_eq(plan.lowest, 0x100000);
	ck_assert_uint_eq(plan.highest, 0x104000);
	ck_assert_uint_eq(harness_count(LOG_ERR), 0);
}
END_TEST

START_TEST(elf64_higher_half_mb2)
{
	const struct ph ph[] = {
		{ 1, 0x1000, 0x100000, 0x100000, 0x100, 0x100 },
		{ 1, 0x2000, 0xffffffff80200000ull, 0x200000, 0x1000, 0x5000 },
		{ 1, 0x3000, 0x300000, 0x300000, 0, 0 }, /* empty: skipped */
	};
	uint8_t tags[16] = { 1, 0, 0, 0, 16, 0, 0, 0, 6, 0, 0, 0, 1 };

	mk_elf(true, 0xffffffff80200040ull, ph, 3);
	put_mb2(0x1000, tags, sizeof(tags));
	ck_assert_int_eq(image_parse(img, 0x3000, IMAGE_MB2, &plan), 0);
	ck_assert_int_eq(plan.proto, IMAGE_MB2);
	ck_assert_uint_eq(plan.entry, 0x200040);
	ck_assert_uint_eq(plan.nseg, 2);
	ck_assert_uint_eq(plan.lowest, 0x100000);
	ck_assert_uint_eq(plan.highest, 0x205000);
	/* An entry address tag overrides e_entry. */
	{
		uint8_t t[32] = { 1, 0, 0, 0, 16, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0,
				  3, 0, 0, 0, 12, 0, 0, 0, 0x20, 0, 0x10, 0 };

		put_mb2(0x1000, t, sizeof(t));
		ck_assert_int_eq(image_parse(img, 0x3000, IMAGE_MB2, &plan), 0);
		ck_assert_uint_eq(plan.entry, 0x100020);
		wr32(t + 24, 0x400000);
		put_mb2(0x1000, t, sizeof(t));
		expect_err(0x3000, IMAGE_MB2, "multiboot2 entry address 0x400000 is outside the loaded image");
	}
}
END_TEST

START_TEST(elf_entry_checks)
{
	const struct ph ph[] = {
		{ 1, 0x1000, 0x100000, 0x100000000ull, 0x100, 0x100 },
	};

	mk_elf(true, 0x100000, ph, 1);
	put_mb1(0x1000, 0, NULL);
	expect_err(0x1100, IMAGE_MB1, "ELF entry point 0x100000000 is above 4 GiB");
	mk_elf(true, 0x100100, ph, 1); /* one past the end */
	expect_err(0x1100, IMAGE_MB1, "ELF entry point 0x100100 is not inside a loadable segment");
}
END_TEST

START_TEST(no_header)
{
	mk_elf(false, 0x100010, std32, 3);
	expect_err(0x2100, IMAGE_MB2, "qhv: image: no multiboot header\n");
	put_mb1(0x1000, 0, NULL);
	wr32(img + 0x1008, 0);
	expect_err(0x2100, IMAGE_MB2, "no multiboot header (multiboot1 header has a bad checksum)");
	memset(img + 0x1000, 0, 12);
	put_mb2(0x1000, NULL, 0);
	wr32(img + 0x100c, 1);
	expect_err(0x2100, IMAGE_MB2, "no multiboot header (multiboot2 header has a bad checksum)");
	put_mb2(0x1000, NULL, 0);
	wr32(img + 0x1004, 4);
	wr32(img + 0x100c, -(0xE85250D6u + 4 + 24));
	expect_err(0x2100, IMAGE_MB2, "not for i386");
	ck_assert_int_eq(image_parse(NULL, 0, IMAGE_MB2, &plan), -QHV_EINVAL);
	ck_assert_int_eq(image_parse(img, 0, IMAGE_MB2, &plan), -QHV_EINVAL);
	ck_assert_str_eq(harness_last(), "qhv: image: empty image\n");
}
END_TEST

START_TEST(header_placement)
{
	static const struct ph far[] = { { 1, 0x9000, 0x100000, 0x100000, 0x10, 0x10 } };

	mk_elf(false, 0x100000, far, 1);
	/* mb1 must be 4-aligned and within 8192 bytes. */
	put_mb1(8192 - 12, 0, NULL);
	ck_assert_int_eq(image_parse(img, 0x9010, IMAGE_MB1, &plan), 0);
	memset(img + 8192 - 12, 0, 12);
	put_mb1(8192 - 8, 0, NULL);
	expect_err(0x9010, IMAGE_MB1, "no multiboot header");
	memset(img + 8192 - 8, 0, 12);
	put_mb1(0x102, 0, NULL);
	expect_err(0x9010, IMAGE_MB1, "no multiboot header");
	memset(img + 0x102, 0, 12);
	/* mb2 must be 8-aligned and wholly within 32768 bytes. */
	put_mb2(0x104, NULL, 0);
	expect_err(0x9010, IMAGE_MB2, "no multiboot header");
	memset(img + 0x104, 0, 24);
	put_mb2(32768 - 24, NULL, 0);
	ck_assert_int_eq(image_parse(img, 0x9010, IMAGE_MB2, &plan), 0);
	memset(img + 32768 - 24, 0, 24);
	put_mb2(32768 - 16, NULL, 0); /* end tag beyond 32 KiB */
	expect_err(0x9010, IMAGE_MB2, "multiboot2 header length 0x18 is invalid");
	/* A header cut off by the end of the file. */
	memset(img + 32768 - 16, 0, 24);
	put_mb2(0x200, NULL, 0);
	expect_err(0x210, IMAGE_MB2, "multiboot2 header length 0x18 is invalid");
}
END_TEST

START_TEST(prefer)
{
	mk_elf(false, 0x100010, std32, 3);
	put_mb1(0x1000, 0, NULL);
	put_mb2(0x1010, NULL, 0);
	ck_assert_int_eq(image_parse(img, 0x2100, IMAGE_MB2, &plan), 0);
	ck_assert_int_eq(plan.proto, IMAGE_MB2);
	ck_assert_int_eq(image_parse(img, 0x2100, IMAGE_MB1, &plan), 0);
	ck_assert_int_eq(plan.proto, IMAGE_MB1);
	ck_assert_int_eq(image_parse(img, 0x2100, 0, &plan), 0);
	ck_assert_int_eq(plan.proto, IMAGE_MB2);
	memset(img + 0x1000, 0, 12);
	ck_assert_int_eq(image_parse(img, 0x2100, IMAGE_MB1, &plan), 0);
	ck_assert_int_eq(plan.proto, IMAGE_MB2);
	memset(img + 0x1010, 0, 24);
	put_mb1(0x1000, 0, NULL);
	ck_assert_int_eq(image_parse(img, 0x2100, IMAGE_MB2, &plan), 0);
	ck_assert_int_eq(plan.proto, IMAGE_MB1);
}
END_TEST

START_TEST(elf_bad_headers)
{
	mk_elf(true, 0x100010, (const struct ph[]){ { 1, 0x1000, 0x100000, 0x100000, 0x800, 0x800 } }, 1);
	put_mb1(0x1000, 0, NULL);
	expect_err(0x1000 + 12, IMAGE_MB1, "ELF segment 0 beyond end of file");
	img[5] = 2;
	expect_err(0x1800, IMAGE_MB1, "ELF file is not little-endian");
	img[5] = 1;
	img[4] = 3;
	expect_err(0x1800, IMAGE_MB1, "ELF class 3 is neither ELF32 nor ELF64");
	img[4] = 2;
	img[6] = 0;
	expect_err(0x1800, IMAGE_MB1, "ELF version 0 is not 1");
	img[6] = 1;
	wr16(img + 16, 3);
	expect_err(0x1800, IMAGE_MB1, "ELF type 3 is not ET_EXEC");
	wr16(img + 16, 2);
	wr16(img + 18, 3);
	expect_err(0x1800, IMAGE_MB1, "ELF64 machine 3 is not x86_64");
	wr16(img + 18, 62);
	wr16(img + 56, 0);
	expect_err(0x1800, IMAGE_MB1, "ELF has no program headers");
	wr16(img + 56, 0xffff);
	expect_err(0x1800, IMAGE_MB1, "ELF has an extended number of program headers");
	wr16(img + 56, 1);
	wr16(img + 54, 40);
	expect_err(0x1800, IMAGE_MB1, "ELF program header size 40 is too small");
	wr16(img + 54, 56);
	wr64(img + 32, 0x17f0);
	expect_err(0x1800, IMAGE_MB1, "ELF program headers beyond end of file");
	wr64(img + 32, UINT64_MAX - 8);
	expect_err(0x1800, IMAGE_MB1, "ELF program headers beyond end of file");
	wr64(img + 32, 64);
	ck_assert_int_eq(image_parse(img, 0x1800, IMAGE_MB1, &plan), 0);
	/* Truncated ELF header; and not an ELF at all. */
	memmove(img + 0x20, img + 0x1000, 12);
	expect_err(0x30, IMAGE_MB1, "ELF header truncated");
	img[0] = 0;
	expect_err(0x1800, IMAGE_MB1, "not an ELF file, and its multiboot header gives no load addresses");
}
END_TEST

START_TEST(elf_bad_segments)
{
	struct ph ph[3];

	memcpy(ph, std32, sizeof(ph));
	ph[2].off = 0x2000;
	ph[2].filesz = 0x200; /* file is 0x2100 bytes */
	mk_elf(false, 0x100010, ph, 3);
	put_mb1(0x1000, 0, NULL);
	expect_err(0x2100, IMAGE_MB1, "qhv: image: ELF segment 2 beyond end of file\n");
	ph[2].filesz = 0x100;
	ph[2].off = 0xffffff00;
	mk_elf(false, 0x100010, ph, 3);
	expect_err(0x2100, IMAGE_MB1, "ELF segment 2 beyond end of file");
	ph[2].off = 0x2000;
	ph[2].memsz = 0xff;
	mk_elf(false, 0x100010, ph, 3);
	expect_err(0x2100, IMAGE_MB1, "ELF segment 2 has filesz 0x100 > memsz 0xff");
	ph[2].memsz = 0x3000;
	ph[2].paddr = 0x100700; /* overlaps segment 0 */
	mk_elf(false, 0x100010, ph, 3);
	expect_err(0x2100, IMAGE_MB1, "ELF segments 0 and 2 overlap");
	ph[2].paddr = 0xfffff000; /* past 4 GiB in a 32-bit ELF */
	mk_elf(false, 0x100010, ph, 3);
	expect_err(0x2100, IMAGE_MB1, "ELF segment 2 at 0xfffff000 size 0x3000 wraps the address space");
	ph[2].paddr = 0xff000; /* touching, not overlapping */
	ph[2].memsz = 0x1000;
	mk_elf(false, 0x100010, ph, 3);
	ck_assert_int_eq(image_parse(img, 0x2100, IMAGE_MB1, &plan), 0);
	ck_assert_uint_eq(plan.lowest, 0xff000);
	{
		struct ph w = { 1, 0x1000, 0x100000, 0xfffffffffffff000ull, 0x10, 0x2000 };

		mk_elf(true, 0x100000, &w, 1);
		expect_err(0x2100, IMAGE_MB1, "ELF segment 0 at 0xfffffffffffff000 size 0x2000 wraps");
	}
	/* No PT_LOAD at all. */
	ph[0].type = ph[2].type = 4;
	mk_elf(false, 0x100010, ph, 3);
	expect_err(0x2100, IMAGE_MB1, "ELF has no loadable segments");
}
END_TEST

START_TEST(elf_too_many_segments)
{
	struct ph ph[17];

	for (int i = 0; i < 17; i++)
		ph[i] = (struct ph){ 1, 0x2000, 0x100000 + i * 0x1000,
				     0x100000 + i * 0x1000, 0x10, 0x1000 };
	mk_elf(false, 0x100000, ph, 16);
	put_mb1(0x1000, 0, NULL);
	ck_assert_int_eq(image_parse(img, 0x2100, IMAGE_MB1, &plan), 0);
	ck_assert_uint_eq(plan.nseg, 16);
	mk_elf(false, 0x100000, ph, 17);
	expect_err(0x2100, IMAGE_MB1, "ELF has more than 16 loadable segments");
}
END_TEST

START_TEST(mb1_kludge)
{
	/* Header at file 0x40, address 0x100040: load from file 0. */
	uint32_t k[5] = { 0x100040, 0x100000, 0x101000, 0x104000, 0x100080 };

	put_mb1(0x40, 0x10003, k);
	ck_assert_int_eq(image_parse(img, 0x1800, IMAGE_MB1, &plan), 0);
	ck_assert_int_eq(plan.proto, IMAGE_MB1);
	ck_assert_uint_eq(plan.nseg, 1);
	ck_assert_uint_eq(plan.seg[0].file_off, 0);
	ck_assert_uint_eq(plan.seg[0].filesz, 0x1000);
	ck_assert_uint_eq(plan.seg[0].memsz, 0x4000);
	ck_assert_uint_eq(plan.seg[0].paddr, 0x100000);
	ck_assert_uint_eq(plan.entry, 0x100080);
	ck_assert_uint_eq(plan.highest, 0x104000);
	/* load_end 0 = to the end of the file; bss_end 0 = no bss. */
	k[2] = k[3] = 0;
	put_mb1(0x40, 0x10000, k);
	ck_assert_int_eq(image_parse(img, 0x1800, IMAGE_MB1, &plan), 0);
	ck_assert_uint_eq(plan.seg[0].filesz, 0x1800);
	ck_assert_uint_eq(plan.seg[0].memsz, 0x1800);
	/* Header placed later in the file than its address implies. */
	k[0] = 0x100040;
	k[1] = 0x100020;
	put_mb1(0x40, 0x10000, k);
	ck_assert_int_eq(image_parse(img, 0x1800, IMAGE_MB1, &plan), 0);
	ck_assert_uint_eq(plan.seg[0].file_off, 0x20);
	ck_assert_uint_eq(plan.seg[0].paddr, 0x100020);
}
END_TEST

START_TEST(mb1_kludge_bad)
{
	uint32_t k[5] = { 0x100040, 0x100000, 0x101000, 0x104000, 0x100080 };

	k[1] = 0x100044;
	put_mb1(0x40, 0x10000, k);
	expect_err(0x1800, IMAGE_MB1, "multiboot1 a.out kludge: load_addr 0x100044 is above header_addr 0x100040");
	k[1] = 0xfff00;
	put_mb1(0x40, 0x10000, k);
	expect_err(0x1800, IMAGE_MB1, "would start loading before the beginning of the file");
	k[1] = 0x100000;
	k[2] = 0x102000;
	put_mb1(0x40, 0x10000, k);
	expect_err(0x1800, IMAGE_MB1, "load_end_addr 0x102000 is beyond the end of the file");
	k[2] = 0xff000;
	put_mb1(0x40, 0x10000, k);
	expect_err(0x1800, IMAGE_MB1, "load_end_addr 0xff000 is below load_addr 0x100000");
	k[2] = 0x101000;
	k[3] = 0x100800;
	put_mb1(0x40, 0x10000, k);
	expect_err(0x1800, IMAGE_MB1, "bss_end_addr 0x100800 is below the end of the loaded data");
	k[3] = 0x104000;
	k[4] = 0x104000;
	put_mb1(0x40, 0x10000, k);
	expect_err(0x1800, IMAGE_MB1, "entry 0x104000 is outside the loaded image 0x100000-0x104000");
	k[4] = 0x100080;
	k[0] = 0xfffff040;
	k[1] = 0xfffff000;
	k[2] = 0;
	k[3] = 0;
	k[4] = 0xfffff000;
	put_mb1(0x40, 0x10000, k);
	expect_err(0x1800, IMAGE_MB1, "extends past 4 GiB");
	/* Kludge fields cut off by the end of the file. */
	put_mb1(0x40, 0x10000, k);
	expect_err(0x40 + 28, IMAGE_MB1, "multiboot1 header truncated");
	/* Unsupported required flags. */
	put_mb1(0x40, 0x1000b, k);
	expect_err(0x1800, IMAGE_MB1, "multiboot1 header requires unsupported features (flags 0x8)");
}
END_TEST

static size_t tag(uint8_t *t, uint16_t type, uint16_t flags, uint32_t size,
		  const uint32_t *body)
{
	wr16(t, type);
	wr16(t + 2, flags);
	wr32(t + 4, size);
	for (uint32_t i = 0; i + 8 < size; i += 4)
		wr32(t + 8 + i, body[i / 4]);
	return (size + 7) & ~7u;
}

START_TEST(mb2_address_tag)
{
	uint8_t t[128];
	size_t n = 0;

	/* Header at file 0x1000 and address 0x201000: load from file 0. */
	n += tag(t + n, 5, 1, 20, (const uint32_t[]){ 1024, 768, 32 });
	n += tag(t + n, 2, 0, 24, (const uint32_t[]){ 0x201000, 0x200000, 0x202000, 0x210000 });
	n += tag(t + n, 3, 0, 12, (const uint32_t[]){ 0x201100 });
	n += tag(t + n, 99, 1, 8, NULL); /* unknown but optional */
	n += tag(t + n, 10, 0, 24, (const uint32_t[]){ 0, 0, 0, 0 });
	put_mb2(0x1000, t, n);
	ck_assert_int_eq(image_parse(img, 0x3000, IMAGE_MB2, &plan), 0);
	ck_assert_int_eq(plan.proto, IMAGE_MB2);
	ck_assert_uint_eq(plan.nseg, 1);
	ck_assert_uint_eq(plan.seg[0].file_off, 0);
	ck_assert_uint_eq(plan.seg[0].filesz, 0x2000);
	ck_assert_uint_eq(plan.seg[0].memsz, 0x10000);
	ck_assert_uint_eq(plan.seg[0].paddr, 0x200000);
	ck_assert_uint_eq(plan.entry, 0x201100);
	ck_assert_uint_eq(harness_count(LOG_ERR), 0);
}
END_TEST

START_TEST(mb2_tags_bad)
{
	uint8_t t[128];
	size_t n;

	n = tag(t, 2, 0, 24, (const uint32_t[]){ 0x201000, 0x200000, 0, 0 });
	put_mb2(0x1000, t, n);
	expect_err(0x3000, IMAGE_MB2, "multiboot2 address tag without an entry address tag");
	n = tag(t, 2, 0, 20, (const uint32_t[]){ 0x201000, 0x200000, 0 });
	put_mb2(0x1000, t, n);
	expect_err(0x3000, IMAGE_MB2, "multiboot2 address tag too short");
	n = tag(t, 3, 0, 8, NULL);
	put_mb2(0x1000, t, n);
	expect_err(0x3000, IMAGE_MB2, "multiboot2 entry address tag too short");
	n = tag(t, 5, 0, 20, (const uint32_t[]){ 1024, 768, 32 });
	put_mb2(0x1000, t, n);
	expect_err(0x3000, IMAGE_MB2, "multiboot2 header tag 5 is required but not supported");
	n = tag(t, 1234, 0, 8, NULL);
	put_mb2(0x1000, t, n);
	expect_err(0x3000, IMAGE_MB2, "multiboot2 header tag 1234 is required but not supported");
	n = tag(t, 4, 0, 12, (const uint32_t[]){ 0 });
	put_mb2(0x1000, t, n);
	wr32(t + 4, 4);
	put_mb2(0x1000, t, n);
	expect_err(0x3000, IMAGE_MB2, "multiboot2 header tag 4 at offset 0x1010 has bad size 4");
	wr32(t + 4, 0x100);
	put_mb2(0x1000, t, n);
	expect_err(0x3000, IMAGE_MB2, "multiboot2 header tag 4 at offset 0x1010 has bad size 256");
	/* No end tag: the header length stops short of it. */
	n = tag(t, 4, 0, 12, (const uint32_t[]){ 0 });
	put_mb2(0x1000, t, n);
	wr32(img + 0x1008, 16 + n);
	wr32(img + 0x100c, -(0xE85250D6u + 16 + (uint32_t)n));
	expect_err(0x3000, IMAGE_MB2, "multiboot2 header has no end tag");
	/* Length smaller than a bare header. */
	wr32(img + 0x1008, 16);
	wr32(img + 0x100c, -(0xE85250D6u + 16));
	expect_err(0x3000, IMAGE_MB2, "multiboot2 header length 0x10 is invalid");
}
END_TEST

START_TEST(check_fits)
{
	mk_elf(false, 0x100010, std32, 3);
	put_mb1(0x1000, 0, NULL);
	ck_assert_int_eq(image_parse(img, 0x2100, IMAGE_MB1, &plan), 0);
	ck_assert_int_eq(image_check_fits(&plan, 0, 0x104000), 0);
	ck_assert_int_eq(image_check_fits(&plan, 0x100000, 0x1000000), 0);
	ck_assert_int_eq(image_check_fits(&plan, 0, 0x103fff), -QHV_E2BIG);
	ck_assert(harness_logged("segment 1 at 0x101000 size 0x3000 ends beyond guest RAM end 0x103fff"));
	ck_assert_int_eq(image_check_fits(&plan, 0, 0x100000), -QHV_E2BIG);
	ck_assert_int_eq(image_check_fits(&plan, 0x100001, 0x1000000), -QHV_EINVAL);
	ck_assert(harness_logged("segment 0 at 0x100000 is below guest RAM at 0x100001"));
	ck_assert_int_eq(image_check_fits(&plan, 0x1000, 0x1000), -QHV_EINVAL);
	plan.nseg = 17;
	ck_assert_int_eq(image_check_fits(&plan, 0, 0x1000000), -QHV_EINVAL);
	plan.nseg = 1;
	plan.seg[0].paddr = UINT64_MAX - 0x10;
	ck_assert_int_eq(image_check_fits(&plan, 0, UINT64_MAX), -QHV_E2BIG);
}
END_TEST

static size_t load_file(const char *name, uint8_t *buf, size_t cap)
{
	char path[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", kernel_dir, name);
	f = fopen(path, "rb");
	ck_assert_msg(f, "cannot open %s", path);
	n = fread(buf, 1, cap, f);
	ck_assert(feof(f));
	fclose(f);
	return n;
}

START_TEST(real_k32_mb1)
{
	size_t n;

	if (!kernel_dir)
		return;
	n = load_file("k32_mb1.elf", img, sizeof(img));
	ck_assert_int_eq(image_parse(img, n, IMAGE_MB2, &plan), 0);
	ck_assert_int_eq(plan.proto, IMAGE_MB1);
	ck_assert_uint_eq(plan.nseg, 2);
	ck_assert_uint_eq(plan.lowest, 0x100000);
	ck_assert_uint_eq(plan.seg[0].paddr, 0x100000);
	ck_assert_uint_eq(plan.entry, 0x10000c); /* after the 12-byte header */
	ck_assert_uint_eq(plan.seg[1].paddr, 0x101000);
	ck_assert_uint_eq(plan.seg[1].filesz, 4);
	ck_assert_uint_eq(plan.seg[1].memsz, 4 + 8192);
	ck_assert_uint_eq(img[plan.seg[1].file_off], 0x78); /* .data 0x12345678 */
}
END_TEST

START_TEST(real_k64_mb2)
{
	size_t n;

	if (!kernel_dir)
		return;
	n = load_file("k64_mb2.elf", img, sizeof(img));
	ck_assert_int_eq(image_parse(img, n, IMAGE_MB1, &plan), 0);
	ck_assert_int_eq(plan.proto, IMAGE_MB2);
	ck_assert_uint_eq(plan.nseg, 3);
	ck_assert_uint_eq(plan.lowest, 0x100000);
	ck_assert_uint_eq(plan.seg[1].paddr, 0x200000);
	ck_assert_uint_eq(plan.seg[2].paddr, 0x201000);
	ck_assert_uint_eq(plan.seg[2].memsz, 8 + 4096);
	ck_assert_uint_eq(plan.highest, 0x201000 + 8 + 4096);
	ck_assert_uint_eq(img[plan.seg[2].file_off], 0x88);
	/* _start follows the header in .boot: magic at seg 0's start. */
	ck_assert_uint_eq(img[plan.seg[0].file_off], 0xd6);
	ck_assert(plan.entry > 0x100000 && plan.entry < 0x100100);
	ck_assert_uint_eq(img[plan.seg[0].file_off + plan.entry - 0x100000], 0xfa); /* cli */
}
END_TEST

START_TEST(real_k64_kludge)
{
	size_t n;
	uint64_t hdr;

	if (!kernel_dir)
		return;
	n = load_file("k64_kludge.elf", img, sizeof(img));
	ck_assert_int_eq(image_parse(img, n, IMAGE_MB2, &plan), 0);
	ck_assert_int_eq(plan.proto, IMAGE_MB1);
	ck_assert_uint_eq(plan.nseg, 1);
	ck_assert_uint_eq(plan.seg[0].paddr, 0x100000);
	ck_assert_uint_eq(plan.seg[0].memsz, plan.seg[0].filesz + 4096);
	hdr = plan.seg[0].file_off;
	ck_assert_uint_eq(img[hdr], 0x02); /* magic first: header at load_addr */
	ck_assert_uint_eq(img[hdr + 3], 0x1b);
	ck_assert_uint_eq(img[hdr + plan.entry - 0x100000], 0xfa); /* cli */
}
END_TEST

/* Random corruption of valid images must never crash or read out of
 * bounds (ASan checks the latter); the result may be either. */
START_TEST(mutations)
{
	static uint8_t base[65536];
	size_t n = 0x3000;
	uint8_t t[64];
	size_t tl = 0;

	srandom(99);
	tl += tag(t + tl, 2, 0, 24, (const uint32_t[]){ 0x201000, 0x200000, 0x202000, 0x210000 });
	tl += tag(t + tl, 3, 0, 12, (const uint32_t[]){ 0x201100 });
	for (int round = 0; round < 3; round++) {
		memset(img, 0, sizeof(img));
		if (round == 0) {
			mk_elf(false, 0x100010, std32, 3);
			put_mb1(0x1000, 0, NULL);
		} else if (round == 1) {
			put_mb2(0x1000, t, tl);
		} else {
			uint32_t k[5] = { 0x100040, 0x100000, 0x101000, 0x104000, 0x100080 };

			mk_elf(true, 0x100010, std32, 3);
			put_mb1(0x40, 0x10003, k);
		}
		memcpy(base, img, n);
		for (int it = 0; it < 3000; it++) {
			size_t sz = random() % 4 ? n : (size_t)random() % n;
			uint8_t *heap;

			memcpy(img, base, n);
			for (int k = 0; k < 1 + random() % 4; k++) {
				size_t at = random() % 2 ? (size_t)random() % 0x80 :
					    0x1000 + (size_t)random() % 0x40;

				img[at] ^= (uint8_t)(1u << (random() % 8));
			}
			/* Exact-size heap copy so ASan sees any overread. */
			heap = malloc(sz ? sz : 1);
			memcpy(heap, img, sz);
			if (image_parse(heap, sz, round == 1 ? IMAGE_MB2 : IMAGE_MB1, &plan) == 0) {
				ck_assert(plan.nseg >= 1 && plan.nseg <= IMAGE_MAX_SEGMENTS);
				for (unsigned i = 0; i < plan.nseg; i++)
					ck_assert(plan.seg[i].file_off + plan.seg[i].filesz <= sz);
			}
			free(heap);
		}
	}
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	kernel_dir = argc > 1 ? argv[1] : NULL;
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, elf32_mb1);
	tcase_add_test(tc, elf64_higher_half_mb2);
	tcase_add_test(tc, elf_entry_checks);
	tcase_add_test(tc, no_header);
	tcase_add_test(tc, header_placement);
	tcase_add_test(tc, prefer);
	tcase_add_test(tc, elf_bad_headers);
	tcase_add_test(tc, elf_bad_segments);
	tcase_add_test(tc, elf_too_many_segments);
	tcase_add_test(tc, mb1_kludge);
	tcase_add_test(tc, mb1_kludge_bad);
	tcase_add_test(tc, mb2_address_tag);
	tcase_add_test(tc, mb2_tags_bad);
	tcase_add_test(tc, check_fits);
	tcase_add_test(tc, real_k32_mb1);
	tcase_add_test(tc, real_k64_mb2);
	tcase_add_test(tc, real_k64_kludge);
	tcase_add_test(tc, mutations);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
