// SPDX-License-Identifier: MIT
/*
 * fuzz_mbinfo.c - libFuzzer target for the hv's boot-information parser
 * (hv/core/mbinfo.c, unchanged): what GRUB or any boot loader hands the hv
 * is untrusted.  Byte 0 picks Multiboot1 or 2 and where the block lies;
 * the rest is a 64 KiB physical address space (the block and everything
 * it points to), read only through a bounds-checked map.
 *
 * Invariants: the parser returns 0 or -QHV_EINVAL, never reads outside the
 * map (ASan), and says why: an error logs a line; every refused item logs
 * at least one; whatever it accepts is within its documented bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <qhv/hypercall.h>
#include "core/mbinfo.h"
#include "harness.h"

#define PHYS (64u << 10)

static uint8_t *phys;

static const void *map(uint64_t pa, size_t len)
{
	if (pa >= PHYS || len > PHYS - pa)
		return NULL;
	return phys + pa;
}

static void check_str(const char *s, size_t cap)
{
	if (!memchr(s, 0, cap))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	uint32_t magic;
	uint64_t at;
	int rc;

	if (size < 1)
		return 0;
	magic = data[0] & 1 ? MB2_BOOTLOADER_MAGIC : MB1_BOOTLOADER_MAGIC;
	at = (uint64_t)(data[0] >> 1) * 8;	/* 0 .. 1016, 8-aligned */
	if (data[0] == 0xff)
		magic = 0x12345678;		/* a loader we do not know */
	phys = calloc(1, PHYS);
	if (!phys)
		abort();
	size--;
	if (size > PHYS - at)
		size = PHYS - at;
	memcpy(phys + at, data + 1, size);
	harness_reset();
	rc = mbinfo_parse(magic, NULL, at, &bi, map);
	if (rc != 0 && rc != -QHV_EINVAL)
		abort();
	if (rc) {
		if (harness_count(LOG_ERR) < 1)
			abort();
		free(phys);
		return 0;
	}
	if (harness_count(LOG_ERR) < bi.refused_items)
		abort();
	if (bi.nmods > BOOT_MAX_MODS || bi.nmmap > BOOT_MAX_MMAP)
		abort();
	check_str(bi.cmdline, sizeof(bi.cmdline));
	for (unsigned i = 0; i < bi.nmods; i++) {
		const struct boot_module *m = &bi.mods[i];

		check_str(m->string, sizeof(m->string));
		if (m->end < m->start || (m->refused && m->string[0]))
			abort();
	}
	free(phys);
	return 0;
}
