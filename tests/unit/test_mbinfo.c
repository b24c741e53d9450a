// SPDX-License-Identifier: MIT
/* Unit tests for hv/core/mbinfo.c: crafted Multiboot1/2 blocks in a fake
 * physical address space, and build -> parse round trips. */
#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <qhv/hypercall.h>

#include "core/mbinfo.h"
#include "harness.h"

#define PHYS_SIZE (1u << 20)
static uint8_t phys[PHYS_SIZE];
static uint64_t hole_lo, hole_hi; /* [lo, hi) reads as inaccessible */

static const void *fake_map(uint64_t pa, size_t len)
{
	if (pa >= PHYS_SIZE || len > PHYS_SIZE - pa)
		return NULL;
	if (pa < hole_hi && hole_lo < pa + len)
		return NULL;
	return phys + pa;
}

static struct boot_info bi;

static void wr32(uint64_t pa, uint32_t v) { memcpy(phys + pa, &v, 4); }
static void wr64(uint64_t pa, uint64_t v) { memcpy(phys + pa, &v, 8); }

static void setup(void)
{
	harness_reset();
	memset(phys, 0, sizeof(phys));
	hole_lo = hole_hi = 0;
}

static void expect_err(uint32_t magic, uint64_t pa, int rc, const char *msg)
{
	harness_reset();
	ck_assert_int_eq(mbinfo_parse(magic, NULL, pa, &bi, fake_map), rc);
	ck_assert_uint_eq(harness_count(LOG_ERR), 1);
	ck_assert_msg(strstr(harness_last(), msg), "want '%s', got '%s'", msg, harness_last());
}

/* Parses (0) with @n items refused, and says @msg about one of them. */
static void expect_refused(uint32_t magic, uint64_t pa, unsigned n, const char *msg)
{
	harness_reset();
	ck_assert_int_eq(mbinfo_parse(magic, NULL, pa, &bi, fake_map), 0);
	ck_assert_msg(bi.refused_items == n, "%u refused, want %u; log: %s",
		      bi.refused_items, n, harness_log());
	ck_assert_uint_ge(harness_count(LOG_ERR), n);
	ck_assert_msg(harness_logged(msg), "want '%s', last '%s'", msg, harness_last());
}

/* A QEMU-like mb1 block: info at 0x9000, cmdline, 2 mods, 3-entry mmap. */
static void mk_mb1(void)
{
	wr32(0x9000, 0x4f | (1u << 9));
	wr32(0x9004, 639);
	wr32(0x9008, 130048);
	wr32(0x9010, 0x9200);
	strcpy((char *)phys + 0x9200, "/boot/qhv.elf loglvl=debug");
	wr32(0x9014, 2);
	wr32(0x9018, 0x9300);
	wr32(0x9300, 0x200000);
	wr32(0x9304, 0x201234);
	wr32(0x9308, 0x9400);
	wr32(0x9310, 0x300000);
	wr32(0x9314, 0x300000); /* empty module is fine */
	wr32(0x9318, 0);        /* no string */
	strcpy((char *)phys + 0x9400, "guest.elf dom=a");
	wr32(0x902c, 3 * 24);
	wr32(0x9030, 0x9500);
	for (int i = 0; i < 3; i++) {
		uint64_t e = 0x9500 + i * 24;
		static const uint64_t base[] = { 0, 0x9fc00, 0x100000 };
		static const uint64_t len[] = { 0x9fc00, 0x400, 0x7ee0000 };

		wr32(e, 20);
		wr64(e + 4, base[i]);
		wr64(e + 12, len[i]);
		wr32(e + 20, i == 1 ? 2 : 1);
	}
}

START_TEST(mb1_full)
{
	mk_mb1();
	ck_assert_int_eq(mbinfo_parse(MB1_BOOTLOADER_MAGIC, NULL, 0x9000, &bi, fake_map), 0);
	ck_assert_str_eq(bi.cmdline, "/boot/qhv.elf loglvl=debug");
	ck_assert_uint_eq(bi.nmods, 2);
	ck_assert_uint_eq(bi.mods[0].start, 0x200000);
	ck_assert_uint_eq(bi.mods[0].end, 0x201234);
	ck_assert_str_eq(bi.mods[0].string, "guest.elf dom=a");
	ck_assert_str_eq(bi.mods[1].string, "");
	ck_assert_uint_eq(bi.nmmap, 3);
	ck_assert_uint_eq(bi.mmap[2].base, 0x100000);
	ck_assert_uint_eq(bi.mmap[2].len, 0x7ee0000);
	ck_assert_uint_eq(bi.mmap[1].type, 2);
	ck_assert_uint_eq(bi.rsdp_pa, 0);
	ck_assert(!bi.rsdp_from_tag);
	ck_assert_uint_eq(bi.info_start, 0x9000);
	ck_assert_uint_eq(bi.info_end, 0x9500 + 72);
	ck_assert_uint_eq(harness_count(LOG_ERR) + harness_count(LOG_WARN), 0);
}
END_TEST

START_TEST(mb1_meminfo_fallback)
{
	mk_mb1();
	wr32(0x9000, 0x1);
	ck_assert_int_eq(mbinfo_parse(MB1_BOOTLOADER_MAGIC, NULL, 0x9000, &bi, fake_map), 0);
	ck_assert_str_eq(bi.cmdline, "");
	ck_assert_uint_eq(bi.nmods, 0);
	ck_assert_uint_eq(bi.nmmap, 2);
	ck_assert_uint_eq(bi.mmap[0].base, 0);
	ck_assert_uint_eq(bi.mmap[0].len, 639 * 1024);
	ck_assert_uint_eq(bi.mmap[1].base, 0x100000);
	ck_assert_uint_eq(bi.mmap[1].len, 130048ull * 1024);
	ck_assert_uint_eq(bi.info_end, 0x9000 + 52);
	/* Nothing at all. */
	wr32(0x9000, 0);
	ck_assert_int_eq(mbinfo_parse(MB1_BOOTLOADER_MAGIC, NULL, 0x9000, &bi, fake_map), 0);
	ck_assert_uint_eq(bi.nmmap, 0);
}
END_TEST

START_TEST(mb1_bad)
{
	mk_mb1();
	expect_err(0x12345678, 0x9000, -QHV_EINVAL, "qhv: mbinfo: bad boot loader magic 0x12345678");
	expect_err(MB1_BOOTLOADER_MAGIC, PHYS_SIZE - 8, -QHV_EINVAL, "multiboot1 info at 0xffff8 is not accessible");
	/* cmdline without NUL before the hole / too long */
	hole_lo = 0x9210;
	hole_hi = 0x9211;
	memset(phys + 0x9200, 'x', 0x10);
	expect_refused(MB1_BOOTLOADER_MAGIC, 0x9000, 1, "command line at 0x9200 is not accessible");
	ck_assert(harness_logged("hv command line ignored: defaults apply"));
	ck_assert_str_eq(bi.cmdline, "");
	ck_assert_uint_eq(bi.nmods, 2);		/* the rest is still there */
	ck_assert_uint_eq(bi.nmmap, 3);
	hole_lo = hole_hi = 0;
	memset(phys + 0x9200, 'x', 0x100);
	/* 600 characters, away from the rest of the block */
	memset(phys + 0x20000, 'x', 600);
	wr32(0x9010, 0x20000);
	expect_refused(MB1_BOOTLOADER_MAGIC, 0x9000, 1, "command line at 0x20000 is longer than 511 characters");
	ck_assert_str_eq(bi.cmdline, "");
	ck_assert_uint_eq(bi.nmods, 2);
	wr32(0x9010, 0x9200);
	mk_mb1();
	wr32(0x9014, 33);
	wr32(0x9018, 0x30000);	/* 33 empty entries, no strings */
	expect_refused(MB1_BOOTLOADER_MAGIC, 0x9000, 1, "33 modules, at most 32 supported: modules 32.. ignored");
	ck_assert_uint_eq(bi.nmods, 32);
	wr32(0x9018, 0x9300);
	wr32(0x9014, 2);
	wr32(0x9018, PHYS_SIZE - 16);
	expect_refused(MB1_BOOTLOADER_MAGIC, 0x9000, 1, "module list at 0xffff0 is not accessible: no modules");
	ck_assert_uint_eq(bi.nmods, 0);
	ck_assert_uint_eq(bi.nmmap, 3);
	wr32(0x9018, 0x9300);
	wr32(0x9304, 0x1ff000);
	expect_refused(MB1_BOOTLOADER_MAGIC, 0x9000, 1, "module 0 ends (0x1ff000) before it starts (0x200000): refused");
	ck_assert_uint_eq(bi.nmods, 2);
	ck_assert(bi.mods[0].refused);
	ck_assert_uint_eq(bi.mods[0].end, 0);
	ck_assert(!bi.mods[1].refused);
	mk_mb1();
	memset(phys + 0x40000, 'm', 1100);
	wr32(0x9308, 0x40000);
	expect_refused(MB1_BOOTLOADER_MAGIC, 0x9000, 1, "module string at 0x40000 is longer than 1023 characters");
	ck_assert(harness_logged("module 0 refused"));
	ck_assert(bi.mods[0].refused);
	ck_assert_str_eq(bi.mods[0].string, "");
	ck_assert_uint_eq(bi.mods[0].start, 0x200000);	/* still reserved */
	ck_assert(!bi.mods[1].refused);
	ck_assert_str_eq(bi.cmdline, "/boot/qhv.elf loglvl=debug");
	mk_mb1();
	memset(phys + 0x40000, 'm', 1000);	/* 1000 fit (was 255) */
	phys[0x40000 + 1000] = 0;
	wr32(0x9308, 0x40000);
	harness_reset();
	ck_assert_int_eq(mbinfo_parse(MB1_BOOTLOADER_MAGIC, NULL, 0x9000, &bi, fake_map), 0);
	ck_assert_uint_eq(bi.refused_items, 0);
	ck_assert_uint_eq(strlen(bi.mods[0].string), 1000);
	mk_mb1();
	wr32(0x9500 + 24, 19);
	expect_refused(MB1_BOOTLOADER_MAGIC, 0x9000, 1, "memory map entry at offset 24 has bad size 19: rest of the map ignored");
	ck_assert_uint_eq(bi.nmmap, 1);		/* the entry before it */
	wr32(0x9500 + 24, 20);
	wr32(0x9500 + 48, 21); /* overruns mmap_length */
	expect_refused(MB1_BOOTLOADER_MAGIC, 0x9000, 1, "memory map entry at offset 48 has bad size 21");
	ck_assert_uint_eq(bi.nmmap, 2);
	wr32(0x9500 + 48, 20);
	wr32(0x9030, PHYS_SIZE - 8);
	expect_refused(MB1_BOOTLOADER_MAGIC, 0x9000, 1, "memory map at 0xffff8 is not accessible: ignored");
	/* mem_lower/mem_upper stand in for it */
	ck_assert_uint_eq(bi.nmmap, 2);
	ck_assert_uint_eq(bi.mmap[1].len, 130048ull << 10);
}
END_TEST

START_TEST(mb1_long_mmap)
{
	mk_mb1();
	/* 130 entries with size 28 (bigger than 20: the size is respected). */
	wr32(0x902c, 130 * 32);
	wr32(0x9030, 0x10000);
	for (int i = 0; i < 130; i++) {
		wr32(0x10000 + i * 32, 28);
		wr64(0x10000 + i * 32 + 4, (uint64_t)i << 20);
		wr64(0x10000 + i * 32 + 12, 0x1000);
		wr32(0x10000 + i * 32 + 20, 1);
	}
	ck_assert_int_eq(mbinfo_parse(MB1_BOOTLOADER_MAGIC, NULL, 0x9000, &bi, fake_map), 0);
	ck_assert_uint_eq(bi.nmmap, 128);
	ck_assert_uint_eq(bi.mmap[127].base, 127ull << 20);
	ck_assert(harness_logged("memory map too long, 2 entries ignored"));
}
END_TEST

/* mb2 tag writer over phys[]. */
static uint64_t tag(uint64_t pa, uint32_t type, uint32_t size)
{
	wr32(pa, type);
	wr32(pa + 4, size);
	return pa + ((size + 7) & ~7u);
}

static uint64_t mk_mb2(uint64_t base)
{
	uint64_t p = base + 8, t;

	t = p;
	p = tag(p, 1, 8 + 22);
	strcpy((char *)phys + t + 8, "loglvl=info console=x");
	t = p;
	p = tag(p, 2, 8 + 14);
	strcpy((char *)phys + t + 8, "GRUB 2.06-13+");
	t = p;
	p = tag(p, 3, 16 + 10);
	wr32(t + 8, 0x400000);
	wr32(t + 12, 0x480000);
	strcpy((char *)phys + t + 16, "k dom=web");
	t = p;
	p = tag(p, 4, 16);
	wr32(t + 8, 639);
	wr32(t + 12, 1000);
	t = p;
	p = tag(p, 14, 8 + 20);
	memcpy(phys + t + 8, "RSD PTR ", 8);
	t = p;
	p = tag(p, 6, 16 + 3 * 24);
	wr32(t + 8, 24);
	for (int i = 0; i < 3; i++) {
		wr64(t + 16 + i * 24, (uint64_t)i << 20);
		wr64(t + 24 + i * 24, 0x1000 * (i + 1));
		wr32(t + 32 + i * 24, 1 + i);
	}
	t = p;
	p = tag(p, 15, 8 + 36);
	memcpy(phys + t + 8, "RSD PTR ", 8);
	p = tag(p, 21, 12); /* unknown: ignored */
	p = tag(p, 0, 8);
	wr32(base, (uint32_t)(p - base));
	return p - base;
}

START_TEST(mb2_full)
{
	uint64_t total = mk_mb2(0x8000);

	ck_assert_int_eq(mbinfo_parse(MB2_BOOTLOADER_MAGIC, phys + 0x8000, 0x8000, &bi, fake_map), 0);
	ck_assert_str_eq(bi.cmdline, "loglvl=info console=x");
	ck_assert_uint_eq(bi.nmods, 1);
	ck_assert_uint_eq(bi.mods[0].start, 0x400000);
	ck_assert_uint_eq(bi.mods[0].end, 0x480000);
	ck_assert_str_eq(bi.mods[0].string, "k dom=web");
	ck_assert_uint_eq(bi.nmmap, 3);
	ck_assert_uint_eq(bi.mmap[2].base, 2 << 20);
	ck_assert_uint_eq(bi.mmap[2].len, 0x3000);
	ck_assert_uint_eq(bi.mmap[2].type, 3);
	ck_assert(bi.rsdp_from_tag);
	ck_assert_mem_eq(phys + bi.rsdp_pa, "RSD PTR ", 8);
	/* The v2 copy (tag 15) wins over the v1 copy. */
	ck_assert_uint_eq(phys[bi.rsdp_pa - 8], 15);
	ck_assert_uint_eq(bi.info_start, 0x8000);
	ck_assert_uint_eq(bi.info_end, 0x8000 + total);
	ck_assert_uint_eq(harness_count(LOG_ERR) + harness_count(LOG_WARN), 0);
	/* NULL info: read through map. */
	ck_assert_int_eq(mbinfo_parse(MB2_BOOTLOADER_MAGIC, NULL, 0x8000, &bi, fake_map), 0);
	ck_assert_uint_eq(bi.nmods, 1);
}
END_TEST

START_TEST(mb2_meminfo_fallback)
{
	uint64_t p = 0x8008, t = p;

	p = tag(p, 4, 16);
	wr32(t + 8, 600);
	wr32(t + 12, 2048);
	p = tag(p, 0, 8);
	wr32(0x8000, (uint32_t)(p - 0x8000));
	ck_assert_int_eq(mbinfo_parse(MB2_BOOTLOADER_MAGIC, NULL, 0x8000, &bi, fake_map), 0);
	ck_assert_uint_eq(bi.nmmap, 2);
	ck_assert_uint_eq(bi.mmap[1].len, 2048 * 1024);
	ck_assert_uint_eq(bi.rsdp_pa, 0);
}
END_TEST

START_TEST(mb2_bad)
{
	uint64_t total = mk_mb2(0x8000);

	expect_err(MB2_BOOTLOADER_MAGIC, 0x8004, -QHV_EINVAL, "multiboot2 info at 0x8004 is not 8-byte aligned");
	wr32(0x8000, 8);
	expect_err(MB2_BOOTLOADER_MAGIC, 0x8000, -QHV_EINVAL, "multiboot2 info total_size 8 is invalid");
	wr32(0x8000, 0x7fffffff);
	expect_err(MB2_BOOTLOADER_MAGIC, 0x8000, -QHV_EINVAL, "total_size 2147483647 is invalid");
	wr32(0x8000, (uint32_t)total);
	hole_lo = 0x8000 + total - 1;
	hole_hi = hole_lo + 1;
	expect_err(MB2_BOOTLOADER_MAGIC, 0x8000, -QHV_EINVAL, "is not accessible");
	hole_lo = hole_hi = 0;
	/* Truncated: total_size cuts off the end tag. */
	wr32(0x8000, (uint32_t)total - 8);
	expect_err(MB2_BOOTLOADER_MAGIC, 0x8000, -QHV_EINVAL, "multiboot2 info has no end tag");
	/* total_size cuts through a tag. */
	wr32(0x8000, (uint32_t)total - 16);
	expect_err(MB2_BOOTLOADER_MAGIC, 0x8000, -QHV_EINVAL, "multiboot2 tag 21 at offset");
	wr32(0x8000, (uint32_t)total);
	/* cmdline tag: bad size, missing NUL. */
	wr32(0x800c, 4);
	expect_err(MB2_BOOTLOADER_MAGIC, 0x8000, -QHV_EINVAL, "multiboot2 tag 1 at offset 8 has bad size 4");
	wr32(0x800c, 8 + 21);
	expect_refused(MB2_BOOTLOADER_MAGIC, 0x8000, 1, "command line is not NUL-terminated");
	ck_assert_str_eq(bi.cmdline, "");
	mk_mb2(0x8000);
	{
		/* A 600-character command line. */
		uint64_t p = 0x8008;

		p = tag(p, 1, 8 + 601);
		memset(phys + 0x8010, 'c', 600);
		phys[0x8010 + 600] = 0;
		p = tag(p, 0, 8);
		wr32(0x8000, (uint32_t)(p - 0x8000));
		expect_refused(MB2_BOOTLOADER_MAGIC, 0x8000, 1, "command line is longer than 511 characters");
	}
}
END_TEST

START_TEST(mb2_bad_tags)
{
	uint64_t p, t;

	/* Module: too short, end < start, string too long, too many. */
	p = 0x8008;
	t = p;
	p = tag(p, 3, 16);
	p = tag(p, 0, 8);
	wr32(0x8000, (uint32_t)(p - 0x8000));
	expect_refused(MB2_BOOTLOADER_MAGIC, 0x8000, 1, "module tag at offset 8 too short: ignored");
	ck_assert_uint_eq(bi.nmods, 0);
	p = tag(t, 3, 17);
	wr32(t + 8, 0x5000);
	wr32(t + 12, 0x4000);
	p = tag(p, 0, 8);
	wr32(0x8000, (uint32_t)(p - 0x8000));
	expect_refused(MB2_BOOTLOADER_MAGIC, 0x8000, 1, "module 0 ends (0x4000) before it starts (0x5000): refused");
	ck_assert_uint_eq(bi.nmods, 1);
	ck_assert(bi.mods[0].refused);
	/* An over-long module string beside a good module: only the long
	 * one is refused. */
	p = tag(t, 3, 16 + 1101);
	wr32(t + 12, 0x6000);
	memset(phys + t + 16, 's', 1100);
	phys[t + 16 + 1100] = 0;
	{
		uint64_t g = p;

		p = tag(p, 3, 16 + 9);
		wr32(g + 8, 0x7000);
		wr32(g + 12, 0x8000);
		memcpy(phys + g + 16, "good dom", 9);
	}
	p = tag(p, 0, 8);
	wr32(0x8000, (uint32_t)(p - 0x8000));
	expect_refused(MB2_BOOTLOADER_MAGIC, 0x8000, 1, "module string is longer than 1023 characters");
	ck_assert(harness_logged("module 0 refused"));
	ck_assert_uint_eq(bi.nmods, 2);
	ck_assert(bi.mods[0].refused);
	ck_assert(!bi.mods[1].refused);
	ck_assert_str_eq(bi.mods[1].string, "good dom");
	p = 0x8008;
	for (int i = 0; i < 33; i++) {
		t = p;
		p = tag(p, 3, 17);
		wr32(t + 8, 0x1000);
		wr32(t + 12, 0x2000);
		phys[t + 16] = 0;
	}
	p = tag(p, 0, 8);
	wr32(0x8000, (uint32_t)(p - 0x8000));
	expect_refused(MB2_BOOTLOADER_MAGIC, 0x8000, 1, "more than 32 modules: the rest ignored");
	ck_assert_uint_eq(bi.nmods, 32);
	/* mmap: entry_size invalid, tag too short; rsdp too short; meminfo. */
	p = 0x8008;
	t = p;
	p = tag(p, 6, 16 + 20);
	wr32(t + 8, 20);
	p = tag(p, 0, 8);
	wr32(0x8000, (uint32_t)(p - 0x8000));
	expect_refused(MB2_BOOTLOADER_MAGIC, 0x8000, 1, "memory map entry_size 20 is invalid: map ignored");
	ck_assert_uint_eq(bi.nmmap, 0);
	p = tag(t, 6, 12);
	p = tag(p, 0, 8);
	wr32(0x8000, (uint32_t)(p - 0x8000));
	expect_refused(MB2_BOOTLOADER_MAGIC, 0x8000, 1, "memory map tag too short: ignored");
	p = tag(t, 15, 8 + 20);
	p = tag(p, 0, 8);
	wr32(0x8000, (uint32_t)(p - 0x8000));
	expect_refused(MB2_BOOTLOADER_MAGIC, 0x8000, 1, "RSDP tag 15 too short: ignored");
	ck_assert_uint_eq(bi.rsdp_pa, 0);
	p = tag(t, 4, 12);
	p = tag(p, 0, 8);
	wr32(0x8000, (uint32_t)(p - 0x8000));
	expect_refused(MB2_BOOTLOADER_MAGIC, 0x8000, 1, "basic memory info tag too short: ignored");
	/* entry_size 32 (future version): extra bytes skipped. */
	p = tag(t, 6, 16 + 2 * 32 + 8);
	wr32(t + 8, 32);
	wr64(t + 16 + 32, 0x123000);
	wr32(t + 16 + 32 + 16, 1);
	p = tag(p, 0, 8);
	wr32(0x8000, (uint32_t)(p - 0x8000));
	harness_reset();
	ck_assert_int_eq(mbinfo_parse(MB2_BOOTLOADER_MAGIC, NULL, 0x8000, &bi, fake_map), 0);
	ck_assert_uint_eq(bi.nmmap, 2);
	ck_assert_uint_eq(bi.mmap[1].base, 0x123000);
}
END_TEST

static const struct boot_mmap gmap[] = {
	{ 0, 0x9fc00, 1 }, { 0xf0000, 0x10000, 2 }, { 0x100000, 0x3f00000, 1 },
};
static const struct guest_module gmods[] = {
	{ 0x1000000, 0x1001000, "initrd.img" }, { 0x1002000, 0x1002000, NULL },
};
static const struct guest_boot_desc gdesc = {
	.cmdline = "console=ttyS0 quiet",
	.loader_name = "qhv",
	.nmmap = 3, .mmap = gmap,
	.nmods = 2, .mods = gmods,
	.mem_lower_kib = 639, .mem_upper_kib = 64512,
};

static void check_round_trip(const struct boot_info *b)
{
	ck_assert_str_eq(b->cmdline, "console=ttyS0 quiet");
	ck_assert_uint_eq(b->nmods, 2);
	ck_assert_uint_eq(b->mods[0].start, 0x1000000);
	ck_assert_uint_eq(b->mods[0].end, 0x1001000);
	ck_assert_str_eq(b->mods[0].string, "initrd.img");
	ck_assert_str_eq(b->mods[1].string, "");
	ck_assert_uint_eq(b->nmmap, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(b->mmap[i].base, gmap[i].base);
		ck_assert_uint_eq(b->mmap[i].len, gmap[i].len);
		ck_assert_uint_eq(b->mmap[i].type, gmap[i].type);
	}
}

START_TEST(build_mb1_round_trip)
{
	uint32_t info = 0;
	size_t need;

	ck_assert_int_eq(mbinfo_build_mb1(phys + 0x20000, 4096, 0x20000, &gdesc, &info), 0);
	ck_assert_uint_eq(info, 0x20000);
	ck_assert_int_eq(mbinfo_parse(MB1_BOOTLOADER_MAGIC, NULL, info, &bi, fake_map), 0);
	check_round_trip(&bi);
	/* Loader name (flag 9) */
	{
		uint32_t flags, name;

		memcpy(&flags, phys + 0x20000, 4);
		memcpy(&name, phys + 0x20000 + 64, 4);
		ck_assert_uint_eq(flags, 0x24d);
		ck_assert_str_eq((char *)phys + name, "qhv");
	}
	/* Find the exact size: every smaller capacity fails cleanly. */
	need = bi.info_end - bi.info_start;
	ck_assert_uint_ge(need, 120 + 2 * 16 + 3 * 24);
	for (size_t cap = 0; cap < 120 + 32 + 72 + 20 + 4 + 11 + 1; cap++) {
		uint8_t *b = malloc(cap ? cap : 1);

		ck_assert_int_eq(mbinfo_build_mb1(b, cap, 0x20000, &gdesc, &info), -QHV_ENOSPC);
		free(b);
	}
	ck_assert(harness_logged("multiboot1 info needs 260 bytes"));
	{
		uint8_t *b = malloc(260);

		ck_assert_int_eq(mbinfo_build_mb1(b, 260, 0x20000, &gdesc, &info), 0);
		free(b);
	}
	/* Minimal: nothing but memory sizes. */
	{
		struct guest_boot_desc d = { .mem_lower_kib = 1, .mem_upper_kib = 2 };

		ck_assert_int_eq(mbinfo_build_mb1(phys + 0x30000, 120, 0x30000, &d, &info), 0);
		ck_assert_int_eq(mbinfo_parse(MB1_BOOTLOADER_MAGIC, NULL, info, &bi, fake_map), 0);
		ck_assert_uint_eq(bi.nmmap, 2);
		ck_assert_uint_eq(bi.mmap[1].len, 2048);
		ck_assert_uint_eq(bi.nmods, 0);
	}
}
END_TEST

START_TEST(build_mb2_round_trip)
{
	uint32_t info = 0, total;

	ck_assert_int_eq(mbinfo_build_mb2(phys + 0x20000, 4096, 0x20000, &gdesc, &info), 0);
	ck_assert_uint_eq(info, 0x20000);
	ck_assert_int_eq(mbinfo_parse(MB2_BOOTLOADER_MAGIC, phys + info, info, &bi, fake_map), 0);
	check_round_trip(&bi);
	memcpy(&total, phys + 0x20000, 4);
	ck_assert_uint_eq(total % 8, 0);
	ck_assert_uint_eq(bi.info_end - bi.info_start, total);
	for (size_t cap = 0; cap < total; cap++) {
		uint8_t *b = malloc(cap ? cap : 1);

		ck_assert_int_eq(mbinfo_build_mb2(b, cap, 0x20000, &gdesc, &info), -QHV_ENOSPC);
		free(b);
	}
	{
		uint8_t *b = malloc(total);

		ck_assert_int_eq(mbinfo_build_mb2(b, total, 0x20000, &gdesc, &info), 0);
		free(b);
	}
	/* No map: basic meminfo is always there and gives one. */
	{
		struct guest_boot_desc d = { .mem_lower_kib = 640, .mem_upper_kib = 4096 };

		ck_assert_int_eq(mbinfo_build_mb2(phys + 0x30000, 64, 0x30000, &d, &info), 0);
		ck_assert_int_eq(mbinfo_parse(MB2_BOOTLOADER_MAGIC, NULL, info, &bi, fake_map), 0);
		ck_assert_uint_eq(bi.nmmap, 2);
		ck_assert_uint_eq(bi.mmap[1].len, 4096 * 1024);
		ck_assert_str_eq(bi.cmdline, "");
	}
}
END_TEST

START_TEST(build_bad)
{
	uint32_t info;
	struct guest_module m = { 0xfffff000, 0x100001000ull, "x" };
	struct guest_boot_desc d = gdesc;

	ck_assert_int_eq(mbinfo_build_mb1(phys, 4096, 0x20004, &gdesc, &info), -QHV_EINVAL);
	ck_assert(harness_logged("info buffer at 0x20004 (4096 bytes) is misaligned or above 4 GiB"));
	ck_assert_int_eq(mbinfo_build_mb2(phys, 8192, 0xfffff000, &gdesc, &info), -QHV_EINVAL);
	ck_assert_int_eq(mbinfo_build_mb2(phys, 4096, 0x100000000ull, &gdesc, &info), -QHV_EINVAL);
	d.nmods = 1;
	d.mods = &m;
	ck_assert_int_eq(mbinfo_build_mb1(phys, 4096, 0x20000, &d, &info), -QHV_EINVAL);
	ck_assert(harness_logged("guest module 0 (0xfffff000-0x100001000) is invalid or above 4 GiB"));
	ck_assert_int_eq(mbinfo_build_mb2(phys, 4096, 0x20000, &d, &info), -QHV_EINVAL);
}
END_TEST

/* Random corruption of a valid mb2 block in an exact-size heap buffer. */
static uint8_t *heap_blk;
static size_t heap_len;

static const void *heap_map(uint64_t pa, size_t len)
{
	if (pa < 0x1000 || pa - 0x1000 > heap_len || len > heap_len - (pa - 0x1000))
		return NULL;
	return heap_blk + (pa - 0x1000);
}

START_TEST(mb2_mutations)
{
	uint64_t total = mk_mb2(0x8000);

	srandom(7);
	heap_len = total;
	for (int it = 0; it < 20000; it++) {
		heap_blk = malloc(heap_len);
		memcpy(heap_blk, phys + 0x8000, heap_len);
		for (int k = 0; k < 1 + random() % 3; k++)
			heap_blk[random() % heap_len] ^= (uint8_t)(1u << (random() % 8));
		if (mbinfo_parse(MB2_BOOTLOADER_MAGIC, NULL, 0x1000, &bi, heap_map) == 0) {
			ck_assert_uint_le(bi.nmods, BOOT_MAX_MODS);
			ck_assert_uint_le(bi.nmmap, BOOT_MAX_MMAP);
			ck_assert_uint_lt(strlen(bi.cmdline), sizeof(bi.cmdline));
		}
		free(heap_blk);
	}
}
END_TEST

/* Multiboot1 info captured from QEMU -kernel and GRUB (Bochs) by
 * tests/unit/acpi-capture: one file per piece, mb@<address>.bin. */
static const char *data_dir;
static struct { uint64_t pa; size_t len; uint8_t *d; } pieces[16];
static unsigned npieces;

static const void *piece_map(uint64_t pa, size_t len)
{
	for (unsigned i = 0; i < npieces; i++)
		if (pa >= pieces[i].pa && pa - pieces[i].pa <= pieces[i].len &&
		    len <= pieces[i].len - (pa - pieces[i].pa))
			return pieces[i].d + (pa - pieces[i].pa);
	return NULL;
}

static int parse_capture(const char *machine, struct boot_info *b)
{
	char path[4096], file[8192];
	unsigned magic = 0, info = 0;
	struct dirent *de;
	FILE *f;
	DIR *d;
	int rc;

	ck_assert_msg(data_dir, "no data directory given");
	snprintf(path, sizeof(path), "%s/%s", data_dir, machine);
	snprintf(file, sizeof(file), "%s/magic", path);
	f = fopen(file, "r");
	ck_assert_msg(f, "cannot open %s", file);
	ck_assert_int_eq(fscanf(f, "%x %x", &magic, &info), 2);
	fclose(f);
	d = opendir(path);
	ck_assert(d);
	npieces = 0;
	while ((de = readdir(d))) {
		uint64_t pa;
		long len;

		if (sscanf(de->d_name, "mb@%" SCNx64 ".bin", &pa) != 1)
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		f = fopen(file, "rb");
		ck_assert(f && npieces < 16);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		pieces[npieces].pa = pa;
		pieces[npieces].len = (size_t)len;
		pieces[npieces].d = malloc((size_t)len);
		ck_assert_uint_eq(fread(pieces[npieces].d, 1, (size_t)len, f), (size_t)len);
		npieces++;
		fclose(f);
	}
	closedir(d);
	rc = mbinfo_parse(magic, NULL, info, b, piece_map);
	for (unsigned i = 0; i < npieces; i++)
		free(pieces[i].d);
	return rc;
}

static uint64_t ram_total(const struct boot_info *b)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < b->nmmap; i++)
		if (b->mmap[i].type == BOOT_MMAP_RAM)
			t += b->mmap[i].len;
	return t;
}

START_TEST(real_qemu)
{
	static const char *const m[] = { "qemu-pc", "qemu-q35-iommu" };
	char want[64];

	ck_assert_int_eq(parse_capture(m[_i], &bi), 0);
	ck_assert_uint_eq(harness_count(LOG_ERR) + harness_count(LOG_WARN), 0);
	/* QEMU: "<kernel file> <-append>" */
	snprintf(want, sizeof(want), "capture.elf capture %s", m[_i]);
	ck_assert_str_eq(bi.cmdline, want);
	ck_assert_uint_eq(bi.nmods, 0);
	ck_assert_uint_ge(bi.nmmap, 5);
	ck_assert_uint_eq(bi.mmap[0].base, 0);
	ck_assert_uint_eq(bi.mmap[0].type, BOOT_MMAP_RAM);
	/* -m 256: 639 KiB low plus 1 MiB..~256 MiB */
	ck_assert_uint_gt(ram_total(&bi), 250ull << 20);
	ck_assert_uint_le(ram_total(&bi), 256ull << 20);
	ck_assert_uint_eq(bi.info_start, 0x9000);
	ck_assert_uint_eq(bi.rsdp_pa, 0);
}
END_TEST

START_TEST(real_grub_bochs)
{
	ck_assert_int_eq(parse_capture("bochs-grub", &bi), 0);
	ck_assert_uint_eq(harness_count(LOG_ERR) + harness_count(LOG_WARN), 0);
	ck_assert_str_eq(bi.cmdline, "capture"); /* GRUB 2.06 drops the path */
	ck_assert_uint_eq(bi.nmods, 0);
	ck_assert_uint_ge(bi.nmmap, 5);
	ck_assert_uint_eq(bi.mmap[2].base, 0xe8000);
	ck_assert_uint_eq(bi.mmap[2].type, BOOT_MMAP_RESERVED);
	ck_assert_uint_eq(bi.mmap[3].base, 0x100000);
	ck_assert_uint_eq(bi.mmap[3].len, 0xfef0000);
	ck_assert_uint_eq(bi.mmap[4].type, BOOT_MMAP_ACPI);
	ck_assert_uint_gt(ram_total(&bi), 250ull << 20);
	ck_assert_uint_eq(bi.info_start, 0x10000);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("mbinfo");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	data_dir = argc > 1 ? argv[1] : NULL;
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, mb1_full);
	tcase_add_test(tc, mb1_meminfo_fallback);
	tcase_add_test(tc, mb1_bad);
	tcase_add_test(tc, mb1_long_mmap);
	tcase_add_test(tc, mb2_full);
	tcase_add_test(tc, mb2_meminfo_fallback);
	tcase_add_test(tc, mb2_bad);
	tcase_add_test(tc, mb2_bad_tags);
	tcase_add_test(tc, build_mb1_round_trip);
	tcase_add_test(tc, build_mb2_round_trip);
	tcase_add_test(tc, build_bad);
	tcase_add_test(tc, mb2_mutations);
	tcase_add_loop_test(tc, real_qemu, 0, 2);
	tcase_add_test(tc, real_grub_bochs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
