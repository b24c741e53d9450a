// SPDX-License-Identifier: MIT
/*
 * fuzz_build.c - libFuzzer target for the builder's planner: kernel
 * image parsing (hv/core/image.c), layout and the multiboot information
 * (hv/core/mbinfo.c).  Byte 0 picks the protocol preference, the memory
 * size and the number of modules; the rest is the kernel image.  Every
 * plan must keep the documented invariants and its information block
 * must parse back; every refusal must come with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mbinfo.h"
#include "qhvbuild.h"

static const uint8_t *info_buf;
static uint64_t info_gpa, info_size;

static const void *map_info(uint64_t pa, size_t len)
{
	if (pa < info_gpa || pa - info_gpa > info_size ||
	    len > info_size - (pa - info_gpa))
		return NULL;
	return info_buf + (pa - info_gpa);
}

static void check(const struct qhv_build_plan *p, const uint8_t *k, size_t ksize)
{
	static struct boot_info bi;
	const struct qhv_build_write *info = NULL;

	for (unsigned i = 0; i < p->nr_writes; i++) {
		const struct qhv_build_write *w = &p->writes[i];

		if (!w->len || w->gpa >= p->mem_bytes || w->len > p->mem_bytes - w->gpa)
			abort();
		if (i && p->writes[i - 1].gpa + p->writes[i - 1].len > w->gpa)
			abort();
		/* Kernel bytes come from inside the image. */
		if (w->data && !strncmp(w->what, "kernel", 6) &&
		    ((const uint8_t *)w->data < k ||
		     (const uint8_t *)w->data + w->len > k + ksize))
			abort();
		if (w->gpa == p->info_gpa)
			info = w;
	}
	if (!info || p->vcpu0.rip != p->entry || p->entry >= (1ull << 32) ||
	    p->kernel.start < QHV_BUILD_HIGH_RAM || p->kernel.end > p->mem_bytes)
		abort();
	info_buf = info->data;
	info_gpa = p->info_gpa;
	info_size = p->info_size;
	if (mbinfo_parse((uint32_t)p->vcpu0.rax, NULL, p->info_gpa, &bi, map_info))
		abort();
	if (bi.nmods != p->nr_modules || bi.nmmap != 3)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char m0[] = "module 0", m1[] = "module one";
	struct qhv_build_module mods[2] = {
		{ m0, sizeof(m0), "mod0 arg=1" }, { m1, sizeof(m1), NULL },
	};
	struct qhv_build_request r;
	struct qhv_build_plan p;
	char err[256];
	int rc;

	if (size < 1)
		return 0;
	memset(&r, 0, sizeof(r));
	r.kernel = data + 1;
	r.kernel_size = size - 1;
	r.proto = data[0] % 3;
	r.mem_bytes = (data[0] & 0x10) ? (2u << 20) : (16u << 20);
	r.nr_modules = (data[0] >> 5) % 3;
	r.modules = mods;
	r.cmdline = (data[0] & 0x80) ? NULL : "fuzz cmdline";
	rc = qhv_build_multiboot(&r, &p, err, sizeof(err));
	if (rc == 0)
		check(&p, data + 1, size - 1);
	else if (!err[0] || p.writes || p.nr_writes)
		abort();
	qhv_build_plan_free(&p);
	return 0;
}
