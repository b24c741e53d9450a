// SPDX-License-Identifier: MIT
/*
 * qhvbuild: plans for synthetic multiboot images (ELF32/ELF64, a.out
 * kludge, Multiboot2 address tag), malformed images one by one, plans
 * applied to libqhv's fake hv, and every real kernel in the directories
 * given as arguments (and $QHV_BUILDER_KERNELS, colon-separated).  The
 * multiboot information is checked by parsing it back with the hv's own
 * mbinfo_parse() and, for a few fields, byte by byte against the specs.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mbinfo.h"
#include "lib/unaligned.h"
#include "libqhv-fake.h"
#include "qhvbuild.h"

#define MIB (1ull << 20)
#define IMG_CAP (64 * 1024)

static char **kernel_dirs;
static int nkernel_dirs;

/* ---------------------------------------------------------------- */
/* Synthetic images                                                  */

struct seg {
	uint64_t off, vaddr, paddr, filesz, memsz;
};

struct img {
	uint8_t b[IMG_CAP];
	size_t len;
};

static void grow(struct img *im, size_t end)
{
	ck_assert_uint_le(end, IMG_CAP);
	if (end > im->len)
		im->len = end;
}

/* Fill segment file bytes with a pattern derived from their offset. */
static void payload(struct img *im, const struct seg *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		grow(im, s[i].off + s[i].filesz);
		for (uint64_t k = 0; k < s[i].filesz; k++)
			im->b[s[i].off + k] = (uint8_t)(0x40 + i * 16 + k * 3);
	}
}

/* ELF header + program headers at @phoff. */
static void elf(struct img *im, bool is64, uint64_t entry, size_t phoff,
		const struct seg *s, unsigned n)
{
	uint8_t *b = im->b;

	grow(im, is64 ? 64 : 52);
	memcpy(b, "\x7f" "ELF", 4);
	b[4] = is64 ? 2 : 1;
	b[5] = 1;
	b[6] = 1;
	wr16(b + 16, 2);		/* ET_EXEC */
	wr16(b + 18, is64 ? 62 : 3);
	wr32(b + 20, 1);
	if (is64) {
		wr64(b + 24, entry);
		wr64(b + 32, phoff);
		wr16(b + 52, 64);
		wr16(b + 54, 56);
		wr16(b + 56, (uint16_t)n);
	} else {
		wr32(b + 24, (uint32_t)entry);
		wr32(b + 28, (uint32_t)phoff);
		wr16(b + 40, 52);
		wr16(b + 42, 32);
		wr16(b + 44, (uint16_t)n);
	}
	for (unsigned i = 0; i < n; i++) {
		uint8_t *ph = b + phoff + i * (is64 ? 56 : 32);

		grow(im, phoff + (i + 1) * (is64 ? 56 : 32));
		wr32(ph, 1);	/* PT_LOAD */
		if (is64) {
			wr32(ph + 4, 7);
			wr64(ph + 8, s[i].off);
			wr64(ph + 16, s[i].vaddr);
			wr64(ph + 24, s[i].paddr);
			wr64(ph + 32, s[i].filesz);
			wr64(ph + 40, s[i].memsz);
		} else {
			wr32(ph + 4, (uint32_t)s[i].off);
			wr32(ph + 8, (uint32_t)s[i].vaddr);
			wr32(ph + 12, (uint32_t)s[i].paddr);
			wr32(ph + 16, (uint32_t)s[i].filesz);
			wr32(ph + 20, (uint32_t)s[i].memsz);
			wr32(ph + 24, 7);
		}
	}
	payload(im, s, n);
}

/* Multiboot1 header at @off; @kludge = {header, load, load_end, bss_end,
 * entry} or NULL. */
static void mb1(struct img *im, size_t off, uint32_t flags, const uint32_t *kludge)
{
	uint8_t *h = im->b + off;

	grow(im, off + (kludge ? 32 : 12));
	wr32(h, 0x1BADB002u);
	wr32(h + 4, flags | (kludge ? 1u << 16 : 0));
	wr32(h + 8, -(0x1BADB002u + (flags | (kludge ? 1u << 16 : 0))));
	for (int i = 0; kludge && i < 5; i++)
		wr32(h + 12 + 4 * i, kludge[i]);
}

/* Multiboot2 header at @off; @addr = {header, load, load_end, bss_end}
 * or NULL; @entry 0 = no entry tag. */
static void mb2(struct img *im, size_t off, const uint32_t *addr, uint32_t entry)
{
	uint8_t *h = im->b + off;
	size_t pos = 16;
	uint32_t len;

	if (addr) {
		wr16(h + pos, 2);
		wr16(h + pos + 2, 0);
		wr32(h + pos + 4, 24);
		for (int i = 0; i < 4; i++)
			wr32(h + pos + 8 + 4 * i, addr[i]);
		pos += 24;
	}
	if (entry) {
		wr16(h + pos, 3);
		wr16(h + pos + 2, 0);
		wr32(h + pos + 4, 12);
		wr32(h + pos + 8, entry);
		pos += 16;
	}
	wr16(h + pos, 0);
	wr16(h + pos + 2, 0);
	wr32(h + pos + 4, 8);
	pos += 8;
	len = (uint32_t)pos;
	wr32(h, 0xE85250D6u);
	wr32(h + 4, 0);
	wr32(h + 8, len);
	wr32(h + 12, -(0xE85250D6u + len));
	grow(im, off + pos);
}

/* A two-segment ELF32 kernel with a Multiboot1 header. */
static void k32_mb1(struct img *im)
{
	static const struct seg s[] = {
		{ 0x1000, 0x100000, 0x100000, 0x300, 0x2000 },
		{ 0x2000, 0x200000, 0x200000, 0x80, 0x80 },
	};

	memset(im, 0, sizeof(*im));
	elf(im, false, 0x100010, 0x34, s, 2);
	mb1(im, 0x200, 0x3, NULL);
}

/* A higher-half ELF64 kernel with a Multiboot2 header. */
static void k64_mb2(struct img *im)
{
	static const struct seg s[] = {
		{ 0x1000, 0xffffffff80100000ull, 0x100000, 0x400, 0x1800 },
	};

	memset(im, 0, sizeof(*im));
	elf(im, true, 0xffffffff80100020ull, 0x40, s, 1);
	mb2(im, 0x400, NULL, 0);
}

/* ---------------------------------------------------------------- */
/* Plan checks                                                       */

static uint8_t *guest;		/* for map_guest() */
static uint64_t guest_size;

static const void *map_guest(uint64_t pa, size_t len)
{
	if (pa > guest_size || len > guest_size - pa)
		return NULL;
	return guest + pa;
}

/* The guest's memory as the plan leaves it (caller frees). */
static uint8_t *plan_memory(const struct qhv_build_plan *p)
{
	uint8_t *m = calloc(1, p->mem_bytes);

	ck_assert_ptr_nonnull(m);
	for (unsigned i = 0; i < p->nr_writes; i++)
		if (p->writes[i].data)
			memcpy(m + p->writes[i].gpa, p->writes[i].data, p->writes[i].len);
	return m;
}

/* Invariants every plan has. */
static void check_plan(const struct qhv_build_plan *p)
{
	bool entry_in_kernel = false;

	ck_assert_uint_gt(p->nr_writes, 2);
	for (unsigned i = 0; i < p->nr_writes; i++) {
		const struct qhv_build_write *w = &p->writes[i];

		ck_assert_uint_gt(w->len, 0);
		ck_assert_uint_lt(w->gpa, p->mem_bytes);
		ck_assert_uint_le(w->len, p->mem_bytes - w->gpa);
		ck_assert_ptr_nonnull(w->what);
		if (i)
			ck_assert_uint_le(p->writes[i - 1].gpa + p->writes[i - 1].len, w->gpa);
		if (!strncmp(w->what, "kernel segment", 14) &&
		    p->entry >= w->gpa && p->entry - w->gpa < w->len)
			entry_in_kernel = true;
	}
	ck_assert_msg(entry_in_kernel, "entry 0x%llx outside the kernel",
		      (unsigned long long)p->entry);
	ck_assert_uint_eq(p->writes[0].gpa, QHV_BUILD_GDT_GPA);
	ck_assert_str_eq(p->writes[0].what, "GDT");
	ck_assert_uint_eq(p->writes[1].gpa, QHV_BUILD_INFO_GPA);
	ck_assert_uint_le(p->info_size, QHV_BUILD_INFO_MAX);
	ck_assert_uint_ge(p->kernel.start, QHV_BUILD_HIGH_RAM);
	ck_assert_uint_eq(p->vcpu0.mode, QHV_VCPU_MODE_FLAT32);
	ck_assert_uint_eq(p->vcpu0.cs_sel, 0x08);
	ck_assert_uint_eq(p->vcpu0.ds_sel, 0x10);
	ck_assert_uint_eq(p->vcpu0.gdt_base, QHV_BUILD_GDT_GPA);
	ck_assert_uint_eq(p->vcpu0.gdt_limit, 23);
	ck_assert_uint_eq(p->vcpu0.rip, p->entry);
	ck_assert_uint_eq(p->vcpu0.rflags, 2);
	ck_assert_uint_eq(p->vcpu0.rbx, p->info_gpa);
	ck_assert_uint_eq(p->vcpu0.rax, p->proto == QHV_BUILD_MB1 ?
			  QHV_BUILD_MB1_MAGIC : QHV_BUILD_MB2_MAGIC);
	for (unsigned i = 0; i < p->nr_modules; i++) {
		ck_assert_uint_eq(p->modules[i].start % 4096, 0);
		ck_assert_uint_ge(p->modules[i].start, p->kernel.end);
		if (i)
			ck_assert_uint_ge(p->modules[i].start, p->modules[i - 1].end);
	}
}

/* The GDT the plan writes: null, flat 32-bit code and data. */
static void check_gdt(const uint8_t *m)
{
	ck_assert_uint_eq(rd64(m + QHV_BUILD_GDT_GPA), 0);
	ck_assert_uint_eq(rd64(m + QHV_BUILD_GDT_GPA + 8), 0x00cf9b000000ffffull);
	ck_assert_uint_eq(rd64(m + QHV_BUILD_GDT_GPA + 16), 0x00cf93000000ffffull);
}

/* Parse the info back and compare with the request. */
static void check_info(const struct qhv_build_plan *p,
		       const struct qhv_build_request *r, uint8_t *m)
{
	static struct boot_info bi;
	int rc;

	guest = m;
	guest_size = p->mem_bytes;
	rc = mbinfo_parse((uint32_t)p->vcpu0.rax, NULL, p->vcpu0.rbx, &bi, map_guest);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(bi.cmdline, r->cmdline ? r->cmdline : "");
	ck_assert_uint_eq(bi.nmods, r->nr_modules);
	for (unsigned i = 0; i < r->nr_modules; i++) {
		const struct qhv_build_module *mod = &r->modules[i];

		ck_assert_uint_eq(bi.mods[i].start, p->modules[i].start);
		ck_assert_uint_eq(bi.mods[i].end - bi.mods[i].start, mod->size);
		ck_assert_str_eq(bi.mods[i].string, mod->string ? mod->string : "");
		ck_assert(!memcmp(m + bi.mods[i].start, mod->data, mod->size));
	}
	ck_assert_uint_eq(bi.nmmap, 3);
	ck_assert_uint_eq(bi.mmap[0].base, 0);
	ck_assert_uint_eq(bi.mmap[0].len, 0x9fc00);
	ck_assert_uint_eq(bi.mmap[0].type, 1);
	ck_assert_uint_eq(bi.mmap[1].type, 2);
	ck_assert_uint_eq(bi.mmap[2].base, MIB);
	ck_assert_uint_eq(bi.mmap[2].len, p->mem_bytes - MIB);
	ck_assert_uint_eq(bi.mmap[2].type, 1);
	/* The info lies inside the bytes the plan writes for it. */
	ck_assert_uint_ge(bi.info_start, p->info_gpa);
	ck_assert_uint_le(bi.info_end, p->info_gpa + p->info_size);
	check_gdt(m);
}

static const char mod0[] = "module zero contents";
static const char mod1[] = "second module, a bit longer than the first one";

static void req_init(struct qhv_build_request *r, const struct img *im,
		     struct qhv_build_module *mods)
{
	memset(r, 0, sizeof(*r));
	r->kernel = im->b;
	r->kernel_size = im->len;
	r->cmdline = "console=ttyS0 root=/dev/xvda";
	r->mem_bytes = 16 * MIB;
	if (mods) {
		mods[0] = (struct qhv_build_module){ mod0, sizeof(mod0), "initrd.img size=20" };
		mods[1] = (struct qhv_build_module){ mod1, sizeof(mod1), NULL };
		r->modules = mods;
		r->nr_modules = 2;
	}
}

/* ---------------------------------------------------------------- */
/* Good images                                                       */

START_TEST(test_elf32_mb1)
{
	static struct img im;
	struct qhv_build_module mods[2];
	struct qhv_build_request r;
	struct qhv_build_plan p;
	char err[256] = "x";
	uint8_t *m, *info;

	k32_mb1(&im);
	req_init(&r, &im, mods);
	ck_assert_int_eq(qhv_build_multiboot(&r, &p, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	check_plan(&p);
	ck_assert_uint_eq(p.proto, QHV_BUILD_MB1);
	ck_assert_uint_eq(p.entry, 0x100010);
	ck_assert_uint_eq(p.kernel.start, 0x100000);
	ck_assert_uint_eq(p.kernel.end, 0x200080);
	ck_assert_uint_eq(p.modules[0].start, 0x201000);
	ck_assert_uint_eq(p.modules[1].start, 0x202000);
	/* GDT, info, seg0, seg0 bss, seg1, two modules. */
	ck_assert_uint_eq(p.nr_writes, 7);
	ck_assert_str_eq(p.writes[2].what, "kernel segment 0");
	ck_assert_uint_eq(p.writes[2].len, 0x300);
	ck_assert_ptr_eq(p.writes[2].data, im.b + 0x1000);
	ck_assert_str_eq(p.writes[3].what, "kernel segment 0 (bss)");
	ck_assert_ptr_null(p.writes[3].data);
	ck_assert_uint_eq(p.writes[3].gpa, 0x100300);
	ck_assert_uint_eq(p.writes[3].len, 0x1d00);
	ck_assert_str_eq(p.writes[6].what, "module 1");
	m = plan_memory(&p);
	check_info(&p, &r, m);
	/* Multiboot1 info by the spec: flags mem|cmdline|mods|mmap|loader. */
	info = m + p.info_gpa;
	ck_assert_uint_eq(rd32(info), (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
	ck_assert_uint_eq(rd32(info + 4), 639);
	ck_assert_uint_eq(rd32(info + 8), (16 * MIB - MIB) >> 10);
	ck_assert_str_eq((char *)m + rd32(info + 16), "console=ttyS0 root=/dev/xvda");
	ck_assert_str_eq((char *)m + rd32(info + 64), "qhv");
	ck_assert_uint_eq(rd32(info + 20), 2);
	ck_assert_uint_eq(rd32(m + rd32(info + 24)), 0x201000);
	ck_assert(!memcmp(m + 0x100000, im.b + 0x1000, 0x300));
	ck_assert(!memcmp(m + 0x200000, im.b + 0x2000, 0x80));
	free(m);
	qhv_build_plan_free(&p);
	ck_assert_ptr_null(p.writes);
	qhv_build_plan_free(&p);
	qhv_build_plan_free(NULL);
}
END_TEST

START_TEST(test_elf64_mb2)
{
	static struct img im;
	struct qhv_build_module mods[2];
	struct qhv_build_request r;
	struct qhv_build_plan p;
	char err[256];
	uint8_t *m, *info;

	k64_mb2(&im);
	req_init(&r, &im, mods);
	r.loader_name = "qhv-builder-test";
	r.cmdline = NULL;
	ck_assert_int_eq(qhv_build_multiboot(&r, &p, err, sizeof(err)), 0);
	check_plan(&p);
	ck_assert_uint_eq(p.proto, QHV_BUILD_MB2);
	ck_assert_uint_eq(p.entry, 0x100020);	/* through the segment */
	ck_assert_uint_eq(p.vcpu0.rax, 0x36d76289);
	m = plan_memory(&p);
	check_info(&p, &r, m);
	/* Multiboot2 by the spec: total_size, reserved, then tags; the
	 * first is the loader name here (no command line). */
	info = m + p.info_gpa;
	ck_assert_uint_eq(rd32(info), p.info_size);
	ck_assert_uint_eq(rd32(info + 4), 0);
	ck_assert_uint_eq(rd32(info + 8), 2);
	ck_assert_str_eq((char *)info + 16, "qhv-builder-test");
	ck_assert_uint_eq(p.info_size % 8, 0);
	free(m);
	qhv_build_plan_free(&p);
}
END_TEST

START_TEST(test_aout_kludge)
{
	static struct img im;
	struct qhv_build_request r;
	struct qhv_build_plan p;
	/* header at file offset 0x40, address 0x100040: load from 0x100000
	 * (file offset 0), the whole file, bss to 0x104000. */
	const uint32_t k[5] = { 0x100040, 0x100000, 0, 0x104000, 0x100060 };
	char err[256];
	uint8_t *m;

	memset(&im, 0, sizeof(im));
	mb1(&im, 0x40, 0, k);
	grow(&im, 0x800);
	for (size_t i = 0x60; i < 0x800; i++)
		im.b[i] = (uint8_t)i;
	req_init(&r, &im, NULL);
	ck_assert_int_eq(qhv_build_multiboot(&r, &p, err, sizeof(err)), 0);
	check_plan(&p);
	ck_assert_uint_eq(p.proto, QHV_BUILD_MB1);
	ck_assert_uint_eq(p.entry, 0x100060);
	ck_assert_uint_eq(p.kernel.start, 0x100000);
	ck_assert_uint_eq(p.kernel.end, 0x104000);
	ck_assert_uint_eq(p.nr_writes, 4);
	ck_assert_uint_eq(p.writes[2].len, 0x800);
	ck_assert_uint_eq(p.writes[3].len, 0x4000 - 0x800);
	m = plan_memory(&p);
	check_info(&p, &r, m);
	ck_assert(!memcmp(m + 0x100000, im.b, 0x800));
	free(m);
	qhv_build_plan_free(&p);
}
END_TEST

START_TEST(test_mb2_address_tag)
{
	static struct img im;
	struct qhv_build_request r;
	struct qhv_build_plan p;
	const uint32_t a[4] = { 0x200000, 0x200000, 0x200400, 0x201000 };
	char err[256];

	memset(&im, 0, sizeof(im));
	mb2(&im, 0, a, 0x200100);
	grow(&im, 0x600);
	req_init(&r, &im, NULL);
	ck_assert_int_eq(qhv_build_multiboot(&r, &p, err, sizeof(err)), 0);
	check_plan(&p);
	ck_assert_uint_eq(p.proto, QHV_BUILD_MB2);
	ck_assert_uint_eq(p.entry, 0x200100);
	ck_assert_uint_eq(p.writes[2].len, 0x400);
	ck_assert_uint_eq(p.writes[3].len, 0xc00);
	qhv_build_plan_free(&p);
}
END_TEST

START_TEST(test_both_headers)
{
	static struct img im;
	struct qhv_build_request r;
	struct qhv_build_plan p;
	char err[256];

	k32_mb1(&im);
	mb2(&im, 0x400, NULL, 0);
	req_init(&r, &im, NULL);
	ck_assert_int_eq(qhv_build_multiboot(&r, &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p.proto, QHV_BUILD_MB2);
	qhv_build_plan_free(&p);
	r.proto = QHV_BUILD_MB1;
	ck_assert_int_eq(qhv_build_multiboot(&r, &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p.proto, QHV_BUILD_MB1);
	ck_assert_uint_eq(p.vcpu0.rax, 0x2badb002);
	qhv_build_plan_free(&p);
	/* A preference for a header the kernel lacks falls back. */
	k64_mb2(&im);
	ck_assert_int_eq(qhv_build_multiboot(&r, &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p.proto, QHV_BUILD_MB2);
	qhv_build_plan_free(&p);
}
END_TEST

START_TEST(test_empty_module_and_big_mem)
{
	static struct img im;
	struct qhv_build_module mods[3] = {
		{ NULL, 0, "empty" }, { mod0, sizeof(mod0), "m" }, { NULL, 0, NULL },
	};
	struct qhv_build_request r;
	struct qhv_build_plan p;
	char err[256];

	k32_mb1(&im);
	req_init(&r, &im, NULL);
	r.modules = mods;
	r.nr_modules = 3;
	r.mem_bytes = 6ull << 30;	/* above 4 GiB: map and mem_upper */
	ck_assert_int_eq(qhv_build_multiboot(&r, &p, err, sizeof(err)), 0);
	check_plan(&p);
	ck_assert_uint_eq(p.nr_writes, 6);	/* no writes for empty modules */
	ck_assert_uint_eq(p.modules[0].start, p.modules[0].end);
	qhv_build_plan_free(&p);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Malformed input, one by one                                       */

static void expect_bad(struct qhv_build_request *r, int want, const char *substr)
{
	struct qhv_build_plan p;
	char err[256] = "";
	int rc;

	memset(&p, 0x5a, sizeof(p));
	rc = qhv_build_multiboot(r, &p, err, sizeof(err));
	ck_assert_msg(rc == want, "rc %d, want %d (%s)", rc, want, err);
	ck_assert_msg(strstr(err, substr), "message '%s' lacks '%s'", err, substr);
	ck_assert_msg(!strchr(err, '\n'), "message '%s' has a newline", err);
	ck_assert_uint_eq(p.nr_writes, 0);
	ck_assert_ptr_null(p.writes);
	ck_assert_ptr_null(p.priv);
	qhv_build_plan_free(&p);
}

START_TEST(test_malformed)
{
	static struct img im;
	static char longstr[QHV_BUILD_STRING_MAX + 8];
	struct qhv_build_module mods[QHV_BUILD_MAX_MODULES + 1];
	struct qhv_build_request r;

	/* Not ELF, no multiboot header. */
	memset(&im, 0, sizeof(im));
	memcpy(im.b, "hello, I am not a kernel", 24);
	im.len = 24;
	req_init(&r, &im, NULL);
	expect_bad(&r, -EINVAL, "kernel: no multiboot header");

	/* Not ELF, a Multiboot1 header without load addresses. */
	mb1(&im, 0x20, 0, NULL);
	req_init(&r, &im, NULL);
	expect_bad(&r, -EINVAL, "kernel: not an ELF file");

	/* A valid ELF without any multiboot header. */
	k32_mb1(&im);
	memset(im.b + 0x200, 0, 12);
	req_init(&r, &im, NULL);
	expect_bad(&r, -EINVAL, "kernel: no multiboot header");

	/* A bad checksum is no header (and said so). */
	k32_mb1(&im);
	im.b[0x208] ^= 1;
	req_init(&r, &im, NULL);
	expect_bad(&r, -EINVAL, "multiboot1 header has a bad checksum");

	/* Truncated ELF: the program headers, a segment, the header itself. */
	{
		static const struct seg s[] = { { 0x1000, 0x100000, 0x100000, 0x300, 0x300 } };

		memset(&im, 0, sizeof(im));
		elf(&im, false, 0x100000, 0x300, s, 1);	/* phdrs after the mb header */
		mb1(&im, 0x40, 0, NULL);
		req_init(&r, &im, NULL);
		r.kernel_size = 0x100;
		expect_bad(&r, -EINVAL, "program headers beyond end of file");
		r.kernel_size = 0x400;
		expect_bad(&r, -EINVAL, "segment 0 beyond end of file");
	}
	memset(&im, 0, sizeof(im));
	memcpy(im.b + 0x10, "\x7f" "ELF\x01\x01\x01", 7);
	r.kernel = im.b + 0x10;
	r.kernel_size = 40;	/* ELF32 header needs 52 */
	mb1(&im, 0x10 + 0x10, 0, NULL);
	expect_bad(&r, -EINVAL, "ELF header truncated");

	/* Segments overlapping. */
	{
		static const struct seg s[] = {
			{ 0x1000, 0x100000, 0x100000, 0x100, 0x2000 },
			{ 0x2000, 0x101000, 0x101000, 0x100, 0x100 },
		};

		memset(&im, 0, sizeof(im));
		elf(&im, false, 0x100000, 0x34, s, 2);
		mb1(&im, 0x200, 0, NULL);
		req_init(&r, &im, NULL);
		expect_bad(&r, -EINVAL, "kernel: ELF segments 0 and 1 overlap");
	}

	/* Segments outside memory: below 1 MiB, beyond the end. */
	{
		static const struct seg lo[] = { { 0x1000, 0x8000, 0x8000, 0x100, 0x100 } };
		static const struct seg hi[] = { { 0x1000, 0x100000, 0x100000, 0x100, 0x4000000 } };

		memset(&im, 0, sizeof(im));
		elf(&im, false, 0x8000, 0x34, lo, 1);
		mb1(&im, 0x200, 0, NULL);
		req_init(&r, &im, NULL);
		expect_bad(&r, -EINVAL, "kernel: segment 0 at 0x8000 is below 1 MiB");
		memset(&im, 0, sizeof(im));
		elf(&im, false, 0x100000, 0x34, hi, 1);
		mb1(&im, 0x200, 0, NULL);
		req_init(&r, &im, NULL);
		expect_bad(&r, -E2BIG, "ends beyond the domain's memory (16 MiB; the kernel needs 65 MiB)");
	}

	/* Kernel and modules larger than memory. */
	{
		static char bigmod[15 * MIB];
		struct qhv_build_module m1 = { bigmod, sizeof(bigmod), "big" };

		k32_mb1(&im);
		req_init(&r, &im, NULL);
		r.modules = &m1;
		r.nr_modules = 1;
		expect_bad(&r, -E2BIG,
			   "modules do not fit: the kernel and modules need 18 MiB, the domain has 16 MiB");
	}

	/* A 64-bit ELF with only a Multiboot1 header (no a.out kludge). */
	{
		static const struct seg s[] = { { 0x1000, 0x100000, 0x100000, 0x100, 0x100 } };

		memset(&im, 0, sizeof(im));
		elf(&im, true, 0x100000, 0x40, s, 1);
		mb1(&im, 0x200, 0, NULL);
		req_init(&r, &im, NULL);
		expect_bad(&r, -EINVAL, "a 64-bit ELF kernel needs a multiboot2 header");
	}

	/* Entry outside the image; ELF for another machine. */
	{
		static const struct seg s[] = { { 0x1000, 0x100000, 0x100000, 0x100, 0x100 } };

		memset(&im, 0, sizeof(im));
		elf(&im, false, 0x500000, 0x34, s, 1);
		mb1(&im, 0x200, 0, NULL);
		req_init(&r, &im, NULL);
		expect_bad(&r, -EINVAL, "entry point 0x500000 is not inside a loadable segment");
		wr16(im.b + 18, 40);	/* ARM */
		expect_bad(&r, -EINVAL, "machine 40 is not i386");
	}

	/* Multiboot1 flags asking for what we do not offer. */
	k32_mb1(&im);
	mb1(&im, 0x200, 1u << 4, NULL);
	req_init(&r, &im, NULL);
	expect_bad(&r, -EINVAL, "requires unsupported features");

	/* The request itself. */
	k32_mb1(&im);
	req_init(&r, &im, NULL);
	r.mem_bytes = MIB;
	expect_bad(&r, -EINVAL, "memory size 1024 KiB is too small");
	r.mem_bytes = 16 * MIB + 1;
	expect_bad(&r, -EINVAL, "not a multiple of 4 KiB");
	r.mem_bytes = 16 * MIB;
	r.proto = 7;
	expect_bad(&r, -EINVAL, "unknown protocol 7");
	r.proto = 0;
	r.kernel_size = 0;
	expect_bad(&r, -EINVAL, "kernel: empty image");
	r.kernel_size = im.len;
	memset(longstr, 'a', sizeof(longstr) - 1);
	r.cmdline = longstr;
	expect_bad(&r, -EINVAL, "command line longer than 4095 bytes");
	r.cmdline = NULL;
	r.loader_name = longstr;
	expect_bad(&r, -EINVAL, "loader name longer");
	r.loader_name = NULL;
	for (unsigned i = 0; i <= QHV_BUILD_MAX_MODULES; i++)
		mods[i] = (struct qhv_build_module){ mod0, sizeof(mod0), "x" };
	r.modules = mods;
	r.nr_modules = QHV_BUILD_MAX_MODULES + 1;
	expect_bad(&r, -EINVAL, "33 modules (at most 32)");
	r.nr_modules = 2;
	mods[1].data = NULL;
	expect_bad(&r, -EINVAL, "module 1: no data");
	/* cppcheck-suppress unreadVariable ; read through r.modules */
	mods[1] = (struct qhv_build_module){ mod0, sizeof(mod0), longstr };
	expect_bad(&r, -EINVAL, "module 1: string longer");
	r.modules = NULL;
	expect_bad(&r, -EINVAL, "no module array");
	expect_bad(NULL, -EINVAL, "no request");
	ck_assert_int_eq(qhv_build_multiboot(&r, NULL, NULL, 0), -EINVAL);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Applying plans                                                    */

static struct qhv_handle *fake(void)
{
	struct qhv_handle *h;
	char err[256];

	ck_assert_int_eq(qhv_open_dev("fake:pool=1G", &h, err, sizeof(err)), 0);
	return h;
}

static uint32_t mkdom(struct qhv_handle *h, const char *name, uint64_t mem)
{
	struct qhv_domctl_create c;
	uint32_t id;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.mem_bytes = mem;
	c.nr_vcpus = 2;
	ck_assert_int_eq(qhv_domain_create(h, &c, &id), 0);
	return id;
}

/* Apply @p to a new domain and check the fake's memory and vCPU. */
static void apply_and_check(struct qhv_handle *h, const char *name,
			    const struct qhv_build_plan *p)
{
	struct qhv_vcpu_context ctx;
	char err[256] = "";
	uint32_t id = mkdom(h, name, p->mem_bytes);
	uint8_t *want = plan_memory(p), *got = malloc(p->mem_bytes);
	int rc;

	ck_assert_ptr_nonnull(got);
	rc = qhv_build_apply(h, id, p, err, sizeof(err));
	ck_assert_msg(rc == 0, "apply: %d %s", rc, err);
	ck_assert_int_eq(qhv_fake_mem_read(h, id, 0, got, p->mem_bytes), 0);
	ck_assert(!memcmp(want, got, p->mem_bytes));
	ck_assert_int_eq(qhv_fake_vcpu_get(h, id, 0, &ctx), 0);
	ck_assert(!memcmp(&ctx, &p->vcpu0, sizeof(ctx)));
	ck_assert_int_eq(qhv_fake_vcpu_get(h, id, 1, &ctx), -ENOENT);	/* APs wait for SIPI */
	ck_assert_int_eq(qhv_domain_start(h, id), 0);
	ck_assert_int_eq(qhv_domain_destroy(h, id), 0);
	free(want);
	free(got);
}

START_TEST(test_apply)
{
	static struct img im;
	struct qhv_build_module mods[2];
	struct qhv_build_request r;
	struct qhv_build_plan p;
	struct qhv_handle *h = fake();
	char err[256];
	uint8_t zero[64], buf[64];
	uint32_t id;

	k32_mb1(&im);
	req_init(&r, &im, mods);
	ck_assert_int_eq(qhv_build_multiboot(&r, &p, err, sizeof(err)), 0);
	apply_and_check(h, "good", &p);

	/* Wrong memory size, wrong state: refused, nothing written. */
	memset(zero, 0, sizeof(zero));
	id = mkdom(h, "small", 8 * MIB);
	ck_assert_int_eq(qhv_build_apply(h, id, &p, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "the plan is for 16 MiB of memory, the domain has 8 MiB"), "%s", err);
	ck_assert_int_eq(qhv_fake_mem_read(h, id, QHV_BUILD_INFO_GPA, buf, sizeof(buf)), 0);
	ck_assert(!memcmp(buf, zero, sizeof(buf)));
	id = mkdom(h, "running", 16 * MIB);
	ck_assert_int_eq(qhv_build_apply(h, id, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(qhv_domain_start(h, id), 0);
	ck_assert_int_eq(qhv_build_apply(h, id, &p, err, sizeof(err)), -EBUSY);
	ck_assert_msg(strstr(err, "build 3 ('running'): domain is running"), "%s", err);
	ck_assert_int_eq(qhv_build_apply(h, 77, &p, err, sizeof(err)), -ESRCH);
	ck_assert_msg(strstr(err, "no such domain"), "%s", err);
	/* A failing memwrite is reported with what was being written. */
	id = mkdom(h, "failing", 16 * MIB);
	ck_assert_int_eq(qhv_fake_fail_next(h, QHV_IOC_MEMWRITE, -EIO), 0);
	ck_assert_int_eq(qhv_build_apply(h, id, &p, err, sizeof(err)), -EIO);
	ck_assert_msg(strstr(err, "build: GDT: memwrite 4 ('failing'): I/O error"), "%s", err);
	ck_assert_int_eq(qhv_build_apply(NULL, id, &p, err, sizeof(err)), -EINVAL);
	qhv_build_plan_free(&p);
	qhv_close(h);
}
END_TEST

START_TEST(test_load_file)
{
	char path[] = "/tmp/qhvbuild-test-XXXXXX", err[256];
	int fd = mkstemp(path);
	void *data;
	size_t size;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "kernel", 6), 6);
	close(fd);
	ck_assert_int_eq(qhv_build_load_file(path, &data, &size, err, sizeof(err)), 0);
	ck_assert_uint_eq(size, 6);
	ck_assert(!memcmp(data, "kernel", 6));
	free(data);
	unlink(path);
	ck_assert_int_eq(qhv_build_load_file(path, &data, &size, err, sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "No such file or directory") && strstr(err, path), "%s", err);
	ck_assert_int_eq(qhv_build_load_file("/tmp", &data, &size, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "not a regular file"), "%s", err);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Real kernels                                                      */

/* A request for the kernel file at @path in 64 MiB; *@data to free. */
static void kernel_request(const char *path, struct qhv_build_request *r,
			   struct img *dummy, struct qhv_build_module *mods,
			   void **data)
{
	char err[256];
	size_t size;

	ck_assert_int_eq(qhv_build_load_file(path, data, &size, err, sizeof(err)), 0);
	dummy->len = 0;
	req_init(r, dummy, mods);
	r->kernel = *data;
	r->kernel_size = size;
	r->mem_bytes = 64 * MIB;
}

static int test_kernel_file(struct qhv_handle *h, const char *path, int idx)
{
	struct qhv_build_module mods[2];
	struct qhv_build_request r;
	struct qhv_build_plan p;
	char err[256], name[32];
	struct img dummy;
	void *data;

	kernel_request(path, &r, &dummy, mods, &data);
	for (uint32_t proto = QHV_BUILD_AUTO; proto <= QHV_BUILD_MB2; proto++) {
		uint8_t *m;
		int rc;

		r.proto = proto;
		rc = qhv_build_multiboot(&r, &p, err, sizeof(err));
		ck_assert_msg(rc == 0, "%s: %s", path, err);
		check_plan(&p);
		m = plan_memory(&p);
		check_info(&p, &r, m);
		free(m);
		if (proto == QHV_BUILD_AUTO) {
			snprintf(name, sizeof(name), "real%d", idx);
			apply_and_check(h, name, &p);
			printf("%s: multiboot%u, entry 0x%llx, kernel 0x%llx-0x%llx, %u writes\n",
			       path, p.proto, (unsigned long long)p.entry,
			       (unsigned long long)p.kernel.start,
			       (unsigned long long)p.kernel.end, p.nr_writes);
		}
		qhv_build_plan_free(&p);
	}
	free(data);
	return 1;
}

/* The test guests named *.low.elf load below 1 MiB: boot domains take
 * them, this builder refuses them by design (docs/builder.md), with its
 * one message and no plan. */
static int test_low_kernel_file(const char *path)
{
	struct qhv_build_module mods[2];
	struct qhv_build_request r;
	struct qhv_build_plan p;
	char err[256];
	struct img dummy;
	void *data;
	int rc;

	kernel_request(path, &r, &dummy, mods, &data);
	rc = qhv_build_multiboot(&r, &p, err, sizeof(err));
	ck_assert_msg(rc == -EINVAL && strstr(err, "below 1 MiB"), "%s: rc %d: %s",
		      path, rc, err);
	free(data);
	return 1;
}

static bool ends_with(const char *s, size_t len, const char *tail)
{
	size_t t = strlen(tail);

	return len >= t && !strcmp(s + len - t, tail);
}

static int test_kernel_dir(struct qhv_handle *h, const char *dir, int *idx)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[4096];

		if (len < 5 || strcmp(e->d_name + len - 4, ".elf") ||
		    e->d_type == DT_DIR)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (ends_with(e->d_name, len, ".low.elf"))
			n += test_low_kernel_file(path);
		else
			n += test_kernel_file(h, path, (*idx)++);
	}
	closedir(d);
	return n;
}

START_TEST(test_real_kernels)
{
	struct qhv_handle *h = fake();
	const char *env = getenv("QHV_BUILDER_KERNELS");
	int n = 0, idx = 0;

	for (int i = 0; i < nkernel_dirs; i++) {
		int k = test_kernel_dir(h, kernel_dirs[i], &idx);

		ck_assert_msg(k > 0, "no kernels in %s", kernel_dirs[i]);
		n += k;
	}
	if (env && *env) {
		char *copy = strdup(env), *save = NULL;

		for (char *dir = strtok_r(copy, ":", &save); dir;
		     dir = strtok_r(NULL, ":", &save))
			n += test_kernel_dir(h, dir, &idx);
		free(copy);
	}
	printf("real kernels planned and applied: %d\n", n);
	qhv_close(h);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("qhvbuild");
	TCase *tc = tcase_create("builder");
	SRunner *sr;
	int failed;

	kernel_dirs = argv + 1;
	nkernel_dirs = argc - 1;
	tcase_add_test(tc, test_elf32_mb1);
	tcase_add_test(tc, test_elf64_mb2);
	tcase_add_test(tc, test_aout_kludge);
	tcase_add_test(tc, test_mb2_address_tag);
	tcase_add_test(tc, test_both_headers);
	tcase_add_test(tc, test_empty_module_and_big_mem);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_apply);
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_real_kernels);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
