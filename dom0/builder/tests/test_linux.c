// SPDX-License-Identifier: MIT
/*
 * qhvbuild's Linux builder and ACPI writer: plans for synthetic bzImages
 * (every boot_params field the builder sets, the page tables, the e820
 * map), malformed images one by one, and the ACPI tables parsed back by
 * the hv's own parser (hv/arch/x86/acpi.c) and checked field by field.
 * An optional argument names a real bzImage (the dom0 image's vmlinuz)
 * to plan as well.
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qhv/platform.h>

#include "arch/acpi.h"
#include "lib/unaligned.h"
#include "qhvbuild.h"

#define MIB (1ull << 20)
#define IMG_LEN (64 * 1024)

static const char *real_kernel;

/* A minimal bzImage: one setup sector after the boot sector, a 2.15
 * header, a protected-mode part of @pm bytes. */
static uint8_t *make_bz(size_t *len, size_t pm)
{
	uint8_t *k = calloc(1, 1024 + pm);

	ck_assert_ptr_nonnull(k);
	k[0x1f1] = 1;		/* setup_sects: (1 + 1) * 512 bytes */
	wr32(k + 0x1f4, (uint32_t)(pm / 16));	/* syssize */
	wr16(k + 0x1fe, 0xaa55);
	k[0x200] = 0xeb;	/* jmp over the header ... */
	k[0x201] = 0x66;	/* ... to 0x268 */
	wr32(k + 0x202, 0x53726448);	/* "HdrS" */
	wr16(k + 0x206, 0x020f);
	k[0x211] = 0x01;	/* LOADED_HIGH */
	wr32(k + 0x214, 0x100000);
	wr32(k + 0x22c, 0x7fffffff);	/* initrd_addr_max */
	wr32(k + 0x230, 0x200000);	/* kernel_alignment */
	k[0x234] = 1;		/* relocatable */
	k[0x236] = 0x03;	/* XLF_KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
	wr32(k + 0x238, 2047);	/* cmdline_size */
	wr64(k + 0x258, 0x1000000);	/* pref_address */
	wr32(k + 0x260, 8 * MIB);	/* init_size */
	for (size_t i = 0; i < pm; i++)
		k[1024 + i] = (uint8_t)(i * 7 + 1);
	*len = 1024 + pm;
	return k;
}

static const struct qhv_build_write *find_write(const struct qhv_build_plan *p,
						 uint64_t gpa)
{
	for (unsigned i = 0; i < p->nr_writes; i++)
		if (p->writes[i].gpa == gpa)
			return &p->writes[i];
	return NULL;
}

/* The boot data write holds boot_params at BP_GPA. */
static const uint8_t *boot_params(const struct qhv_build_plan *p)
{
	const struct qhv_build_write *w = find_write(p, QHV_BUILD_LINUX_LOW_GPA);

	ck_assert_ptr_nonnull(w);
	ck_assert_uint_eq(w->len, QHV_BUILD_LINUX_LOW_SIZE);
	return (const uint8_t *)w->data + (QHV_BUILD_LINUX_BP_GPA - QHV_BUILD_LINUX_LOW_GPA);
}

static const uint8_t *low_at(const struct qhv_build_plan *p, uint64_t gpa)
{
	const struct qhv_build_write *w = find_write(p, QHV_BUILD_LINUX_LOW_GPA);

	return (const uint8_t *)w->data + (gpa - QHV_BUILD_LINUX_LOW_GPA);
}

static void check_writes_sane(const struct qhv_build_plan *p)
{
	for (unsigned i = 0; i < p->nr_writes; i++) {
		const struct qhv_build_write *w = &p->writes[i];

		ck_assert_uint_gt(w->len, 0);
		ck_assert_uint_le(w->gpa + w->len, p->mem_bytes);
		for (unsigned j = 0; j < i; j++) {
			const struct qhv_build_write *o = &p->writes[j];

			ck_assert_msg(w->gpa >= o->gpa + o->len || o->gpa >= w->gpa + w->len,
				      "%s and %s overlap", w->what, o->what);
		}
	}
}

static int plan_of(const uint8_t *k, size_t klen, const void *initrd,
		   size_t ilen, const char *cmdline, uint64_t mem, unsigned vcpus,
		   struct qhv_build_plan *p, char *err)
{
	struct qhv_build_linux_request r = {
		.kernel = k, .kernel_size = klen, .initrd = initrd,
		.initrd_size = ilen, .cmdline = cmdline, .mem_bytes = mem,
		.nr_vcpus = vcpus,
	};

	return qhv_build_linux(&r, p, err, 256);
}

START_TEST(test_plan_fields)
{
	static uint8_t initrd[10000];
	struct qhv_build_plan p;
	char err[256];
	size_t klen;
	uint8_t *k = make_bz(&klen, 4096);
	const uint8_t *bp;
	uint64_t total = 0;

	memset(initrd, 0x5a, sizeof(initrd));
	ck_assert_int_eq(plan_of(k, klen, initrd, sizeof(initrd), "console=ttyS0 quiet",
				 128 * MIB, 2, &p, err), 0);
	ck_assert_uint_eq(p.proto, QHV_BUILD_LINUX);
	check_writes_sane(&p);
	/* Kernel at its preferred address, 64-bit entry 0x200 in. */
	ck_assert_uint_eq(p.kernel.start, 0x1000000);
	ck_assert_uint_eq(p.entry, 0x1000200);
	ck_assert_ptr_eq(find_write(&p, 0x1000000)->data, k + 1024);
	/* The reset vector: mov al,6; mov dx,0xcf9; out dx,al; cli; hlt... */
	{
		const struct qhv_build_write *rv = find_write(&p, 0xffff0);
		static const uint8_t want[] = { 0xb0, 0x06, 0xba, 0xf9, 0x0c,
						0xee, 0xfa, 0xf4, 0xeb, 0xfd };

		ck_assert_ptr_nonnull(rv);
		ck_assert_uint_eq(rv->len, 16);
		ck_assert_mem_eq(rv->data, want, sizeof(want));
	}
	ck_assert_uint_eq(find_write(&p, 0x1000000)->len, 4096);
	/* vCPU 0 as the 64-bit boot protocol asks. */
	ck_assert_uint_eq(p.vcpu0.mode, QHV_VCPU_MODE_LONG64);
	ck_assert_uint_eq(p.vcpu0.cs_sel, 0x10);
	ck_assert_uint_eq(p.vcpu0.ds_sel, 0x18);
	ck_assert_uint_eq(p.vcpu0.rsi, QHV_BUILD_LINUX_BP_GPA);
	ck_assert_uint_eq(p.vcpu0.rip, 0x1000200);
	ck_assert_uint_eq(p.vcpu0.cr3, QHV_BUILD_LINUX_PT_GPA);
	/* The GDT's boot descriptors. */
	ck_assert_uint_eq(rd64(low_at(&p, QHV_BUILD_GDT_GPA + 0x10)), 0x00af9b000000ffffull);
	ck_assert_uint_eq(rd64(low_at(&p, QHV_BUILD_GDT_GPA + 0x18)), 0x00cf93000000ffffull);
	/* Identity page tables: walk a few addresses. */
	for (uint64_t va = 0; va < (4ull << 30); va += 0x3ff00000ull) {
		uint64_t e = rd64(low_at(&p, QHV_BUILD_LINUX_PT_GPA));
		uint64_t pdpt = e & ~0xfffull, pd, pde;

		ck_assert_uint_eq(e & 1, 1);
		e = rd64(low_at(&p, pdpt + 8 * ((va >> 30) & 511)));
		pd = e & ~0xfffull;
		pde = rd64(low_at(&p, pd + 8 * ((va >> 21) & 511)));
		ck_assert_uint_eq(pde & 0x83, 0x83);
		ck_assert_uint_eq(pde & ~0xfffull, va & ~0x1fffffull);
	}
	/* boot_params. */
	bp = boot_params(&p);
	ck_assert_uint_eq(rd16(bp + 0x1fe), 0xaa55);
	ck_assert_uint_eq(rd32(bp + 0x202), 0x53726448);
	ck_assert_uint_eq(bp[0x210], 0xff);
	ck_assert_uint_eq(rd32(bp + 0x214), 0x1000000);
	ck_assert_uint_eq(rd32(bp + 0x228), QHV_BUILD_LINUX_CMDLINE_GPA);
	ck_assert_str_eq((const char *)low_at(&p, QHV_BUILD_LINUX_CMDLINE_GPA),
			 "console=ttyS0 quiet");
	ck_assert_uint_eq(rd32(bp + 0x21c), sizeof(initrd));
	ck_assert_uint_eq(rd32(bp + 0x218), p.modules[0].start);
	ck_assert_uint_eq(p.modules[0].start % 4096, 0);
	ck_assert_uint_le(p.modules[0].end, 128 * MIB);
	ck_assert_uint_gt(p.modules[0].end, 128 * MIB - 4096);	/* at the top */
	ck_assert_ptr_eq(find_write(&p, p.modules[0].start)->data, initrd);
	ck_assert_uint_eq(rd64(bp + 0x070), QHV_BUILD_ACPI_GPA);
	ck_assert_uint_eq(bp[0x1ef], 0);
	/* e820: exactly the domain's memory, no gaps, no overlap. */
	ck_assert_uint_eq(bp[0x1e8], 3);
	for (unsigned i = 0; i < bp[0x1e8]; i++) {
		const uint8_t *e = bp + 0x2d0 + 20 * i;

		ck_assert_uint_eq(rd64(e), total);
		total += rd64(e + 8);
		ck_assert_uint_eq(rd32(e + 16), i == 1 ? 2 : 1);
	}
	ck_assert_uint_eq(total, 128 * MIB);
	/* The ACPI tables are a write of their own in the reserved range. */
	ck_assert_ptr_nonnull(find_write(&p, QHV_BUILD_ACPI_GPA));
	qhv_build_plan_free(&p);
	free(k);
}
END_TEST

START_TEST(test_relocated_when_small)
{
	struct qhv_build_plan p;
	char err[256];
	size_t klen;
	uint8_t *k = make_bz(&klen, 4096);

	/* 20 MiB: 16 MiB + 8 MiB init_size does not fit at 16 MiB. */
	ck_assert_int_eq(plan_of(k, klen, NULL, 0, NULL, 20 * MIB, 1, &p, err), 0);
	ck_assert_uint_eq(p.kernel.start, 2 * MIB);
	ck_assert_uint_eq(p.vcpu0.rip, 2 * MIB + 0x200);
	ck_assert_uint_eq(p.nr_modules, 0);
	check_writes_sane(&p);
	qhv_build_plan_free(&p);
	/* Not relocatable: refused with the reason. */
	k[0x234] = 0;
	ck_assert_int_eq(plan_of(k, klen, NULL, 0, NULL, 20 * MIB, 1, &p, err), -E2BIG);
	ck_assert_msg(strstr(err, "init_size"), "%s", err);
	ck_assert_uint_eq(p.nr_writes, 0);
	free(k);
}
END_TEST

/* Each malformed input: its errno and a phrase of its one message. */
START_TEST(test_malformed)
{
	static uint8_t big_initrd[40 << 20];
	struct qhv_build_plan p;
	char err[256], longcmd[3000];
	size_t klen;
	uint8_t *k = make_bz(&klen, 4096);
	uint8_t *c = malloc(klen);
	ck_assert_ptr_nonnull(c);
#define EXPECT(rc_, phrase_, ...)                                            \
	do {                                                                  \
		ck_assert_int_eq(__VA_ARGS__, rc_);                           \
		ck_assert_msg(strstr(err, phrase_), "got '%s'", err);        \
		ck_assert_uint_eq(p.nr_writes, 0);                            \
		ck_assert_ptr_null(p.writes);                                 \
	} while (0)

	memcpy(c, k, klen);
	c[0x1fe] = 0;
	EXPECT(-EINVAL, "not a bzImage", plan_of(c, klen, NULL, 0, NULL, 64 * MIB, 1, &p, err));
	memcpy(c, k, klen);
	wr16(c + 0x206, 0x020b);
	EXPECT(-EINVAL, "2.11 is too old", plan_of(c, klen, NULL, 0, NULL, 64 * MIB, 1, &p, err));
	memcpy(c, k, klen);
	c[0x236] = 0;
	EXPECT(-EINVAL, "not a 64-bit kernel", plan_of(c, klen, NULL, 0, NULL, 64 * MIB, 1, &p, err));
	memcpy(c, k, klen);
	c[0x211] = 0;
	EXPECT(-EINVAL, "zImage", plan_of(c, klen, NULL, 0, NULL, 64 * MIB, 1, &p, err));
	memcpy(c, k, klen);
	c[0x201] = 0x10;	/* header ends before init_size */
	EXPECT(-EINVAL, "setup header", plan_of(c, klen, NULL, 0, NULL, 64 * MIB, 1, &p, err));
	/* Truncated: the file is shorter than syssize says. */
	EXPECT(-EINVAL, "truncated", plan_of(k, klen - 512, NULL, 0, NULL, 64 * MIB, 1, &p, err));
	EXPECT(-EINVAL, "not a bzImage", plan_of(k, 0x100, NULL, 0, NULL, 64 * MIB, 1, &p, err));
	memcpy(c, k, klen);
	wr32(c + 0x260, 100);
	EXPECT(-EINVAL, "init_size", plan_of(c, klen, NULL, 0, NULL, 64 * MIB, 1, &p, err));
	memcpy(c, k, klen);
	wr32(c + 0x230, 0x3000);
	EXPECT(-EINVAL, "kernel_alignment", plan_of(c, klen, NULL, 0, NULL, 64 * MIB, 1, &p, err));
	memcpy(c, k, klen);
	wr32(c + 0x260, 0x7fffffff);
	EXPECT(-E2BIG, "init_size", plan_of(c, klen, NULL, 0, NULL, 64 * MIB, 1, &p, err));
	/* Sizes and counts. */
	EXPECT(-E2BIG, "initrd does not fit",
	       plan_of(k, klen, big_initrd, sizeof(big_initrd), NULL, 32 * MIB, 1, &p, err));
	EXPECT(-EINVAL, "too small", plan_of(k, klen, NULL, 0, NULL, 8 * MIB, 1, &p, err));
	EXPECT(-EINVAL, "too large", plan_of(k, klen, NULL, 0, NULL, 4096 * MIB, 1, &p, err));
	EXPECT(-EINVAL, "multiple of 4 KiB", plan_of(k, klen, NULL, 0, NULL, 64 * MIB + 1, 1, &p, err));
	EXPECT(-EINVAL, "vCPUs", plan_of(k, klen, NULL, 0, NULL, 64 * MIB, 0, &p, err));
	EXPECT(-EINVAL, "vCPUs", plan_of(k, klen, NULL, 0, NULL, 64 * MIB, QHV_MAX_VCPUS + 1, &p, err));
	memset(longcmd, 'x', sizeof(longcmd) - 1);
	longcmd[sizeof(longcmd) - 1] = 0;
	EXPECT(-EINVAL, "longer than the kernel accepts",
	       plan_of(k, klen, NULL, 0, longcmd, 64 * MIB, 1, &p, err));
	/* A multiboot-sized ELF is not a bzImage. */
	memset(c, 0, klen);
	memcpy(c, "\x7f" "ELF", 4);
	ck_assert(!qhv_build_is_bzimage(c, klen));
	ck_assert(qhv_build_is_bzimage(k, klen));
#undef EXPECT
	free(c);
	free(k);
}
END_TEST

/* The ACPI tables, read back by the hv's parser. */
static uint8_t acpi_buf[QHV_BUILD_ACPI_SIZE];
static size_t acpi_used;

static const void *acpi_map(uint64_t pa, size_t len)
{
	if (pa < QHV_BUILD_ACPI_GPA || pa - QHV_BUILD_ACPI_GPA > acpi_used ||
	    len > acpi_used - (pa - QHV_BUILD_ACPI_GPA))
		return NULL;
	return acpi_buf + (pa - QHV_BUILD_ACPI_GPA);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static const uint8_t *find_table(const char *sig)
{
	const uint8_t *xsdt = acpi_map(rd64(acpi_buf + 24), 36);
	uint32_t len = rd32(xsdt + 4);

	if (!strcmp(sig, "XSDT"))
		return xsdt;
	for (uint32_t o = 36; o + 8 <= len; o += 8) {
		const uint8_t *t = acpi_map(rd64(xsdt + o), 36);

		if (t && !memcmp(t, sig, 4))
			return t;
	}
	if (!strcmp(sig, "DSDT")) {
		const uint8_t *f = find_table("FACP");

		return acpi_map(rd64(f + 140), 36);
	}
	return NULL;
}

START_TEST(test_acpi_parsed_back)
{
	unsigned n = (unsigned)_i;
	struct acpi_info ai;
	const char *sigs[] = { "XSDT", "FACP", "APIC", "DSDT" };
	const uint8_t *f, *d, *com1;

	memset(acpi_buf, 0xcc, sizeof(acpi_buf));
	ck_assert_int_eq(qhv_build_acpi(acpi_buf, sizeof(acpi_buf), QHV_BUILD_ACPI_GPA,
					n, &acpi_used), 0);
	ck_assert_uint_le(acpi_used, sizeof(acpi_buf));
	ck_assert_int_eq(acpi_parse(QHV_BUILD_ACPI_GPA, acpi_map, &ai), 0);
	ck_assert_uint_eq(ai.revision, 2);
	ck_assert_uint_eq(ai.ncpus, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_uint_eq(ai.cpu_apic_id[i], i);
	ck_assert_uint_eq(ai.nioapic, 1);
	ck_assert_uint_eq(ai.ioapic[0].addr, QHV_PLAT_IOAPIC_BASE);
	ck_assert_uint_eq(ai.ioapic[0].id, QHV_PLAT_IOAPIC_ID);
	ck_assert_uint_eq(ai.ioapic[0].gsi_base, 0);
	ck_assert_uint_eq(ai.lapic_pa, QHV_PLAT_LAPIC_BASE);
	ck_assert(ai.reset_valid);
	ck_assert_uint_eq(ai.reset_reg_port, QHV_PLAT_RESET_PORT);
	ck_assert_uint_eq(ai.reset_value, QHV_PLAT_RESET_VALUE);
	ck_assert(ai.s5_valid);
	ck_assert_uint_eq(ai.slp_typa, QHV_PLAT_SLP_TYP_S5);
	ck_assert_uint_eq(ai.slp_typb, QHV_PLAT_SLP_TYP_S5);
	ck_assert_uint_eq(ai.pm1a_cnt, 0);	/* hardware-reduced */
	ck_assert_uint_eq(ai.dmar_pa, 0);
	/* Checksums and the fields the hv's parser does not read. */
	ck_assert_uint_eq(sum(acpi_buf, 20), 0);
	ck_assert_uint_eq(sum(acpi_buf, 36), 0);
	ck_assert_uint_eq(rd32(acpi_buf + 16), 0);	/* no RSDT */
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *t = find_table(sigs[i]);

		ck_assert_msg(t != NULL, "%s missing", sigs[i]);
		ck_assert_uint_eq(sum(t, rd32(t + 4)), 0);
	}
	f = find_table("FACP");
	ck_assert_uint_eq(rd32(f + 4), 276);
	ck_assert_uint_eq(f[8], 6);
	ck_assert_uint_eq(rd32(f + 112) & (1u << 20), 1u << 20);	/* HW_REDUCED */
	ck_assert_uint_eq(rd16(f + 109) & 0x2, 0);	/* no 8042 */
	ck_assert_uint_eq(rd16(f + 109) & 0x20, 0);	/* a CMOS RTC is there */
	ck_assert_uint_eq(f[244], 1);	/* sleep control: I/O */
	ck_assert_uint_eq(rd64(f + 248), QHV_PLAT_SLEEP_CTL_PORT);
	ck_assert_uint_eq(rd64(f + 260), QHV_PLAT_SLEEP_STS_PORT);
	ck_assert_uint_eq(rd32(f + 40), rd64(f + 140));
	ck_assert_uint_eq(rd32(find_table("APIC") + 40), 0);	/* no 8259 */
	/* The DSDT's COM1: PNP0501 with the UART's ports and IRQ. */
	d = find_table("DSDT");
	com1 = memmem(d, rd32(d + 4), "COM1", 4);
	ck_assert_ptr_nonnull(com1);
	ck_assert_ptr_nonnull(memmem(com1, 40, "\x0c\x41\xd0\x05\x01", 5));
	ck_assert_ptr_nonnull(memmem(com1, 60, "\x47\x01\xf8\x03\xf8\x03\x01\x08\x22\x10\x00\x79", 12));
	ck_assert_ptr_nonnull(memmem(d, rd32(d + 4), "\x0c\x41\xd0\x0b\x00", 5));
}
END_TEST

START_TEST(test_acpi_bad_args)
{
	uint8_t small[64];
	size_t used;

	ck_assert_int_eq(qhv_build_acpi(acpi_buf, sizeof(acpi_buf), QHV_BUILD_ACPI_GPA, 0, &used), -EINVAL);
	ck_assert_int_eq(qhv_build_acpi(acpi_buf, sizeof(acpi_buf), QHV_BUILD_ACPI_GPA,
					QHV_MAX_VCPUS + 1, &used), -EINVAL);
	ck_assert_int_eq(qhv_build_acpi(acpi_buf, sizeof(acpi_buf), QHV_BUILD_ACPI_GPA + 4, 1, &used), -EINVAL);
	ck_assert_int_eq(qhv_build_acpi(small, sizeof(small), QHV_BUILD_ACPI_GPA, 1, &used), -ENOSPC);
	ck_assert_int_eq(qhv_build_acpi(NULL, 10, QHV_BUILD_ACPI_GPA, 1, &used), -EINVAL);
}
END_TEST

/* The real Debian kernel, when the dom0 image was built. */
START_TEST(test_real_bzimage)
{
	struct qhv_build_plan p;
	char err[256];
	void *k;
	size_t klen;
	static uint8_t initrd[4 << 20];

	if (!real_kernel)
		return;
	ck_assert_int_eq(qhv_build_load_file(real_kernel, &k, &klen, err, sizeof(err)), 0);
	ck_assert(qhv_build_is_bzimage(k, klen));
	ck_assert_msg(plan_of(k, klen, initrd, sizeof(initrd), "console=ttyS0", 128 * MIB, 2,
			      &p, err) == 0, "%s: %s", real_kernel, err);
	check_writes_sane(&p);
	ck_assert_uint_ge(p.kernel.start, MIB);
	ck_assert_uint_le(p.kernel.end, p.modules[0].start);
	qhv_build_plan_free(&p);
	/* Every truncation is refused with "truncated". */
	for (size_t cut = 4096; cut < klen; cut += klen / 7) {
		ck_assert_int_eq(plan_of(k, cut, NULL, 0, NULL, 128 * MIB, 1, &p, err), -EINVAL);
		ck_assert_msg(strstr(err, "truncated"), "cut %zu: %s", cut, err);
	}
	free(k);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("qhvbuild-linux");
	TCase *tc = tcase_create("linux");
	SRunner *sr;
	int failed;

	if (argc > 1 && argv[1][0])
		real_kernel = argv[1];
	tcase_add_test(tc, test_plan_fields);
	tcase_add_test(tc, test_relocated_when_small);
	tcase_add_test(tc, test_malformed);
	tcase_add_loop_test(tc, test_acpi_parsed_back, 1, QHV_MAX_VCPUS + 1);
	tcase_add_test(tc, test_acpi_bad_args);
	tcase_add_test(tc, test_real_bzimage);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
