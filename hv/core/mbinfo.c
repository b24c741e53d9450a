// SPDX-License-Identifier: MIT
/*
 * Multiboot information: parsing what the hv was booted with, and
 * building blocks for guests.  Everything read goes through the map
 * callback with an explicit length, so a pointer or length from the boot
 * loader can never make us read memory we did not ask for.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qhv/hypercall.h>

#include "core/mbinfo.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/unaligned.h"

typedef const void *(*map_fn)(uint64_t pa, size_t len);
typedef unsigned long long ull;

#define MB1_INFO_READ 52	/* through mmap_addr: all we use */
#define MB1_INFO_SIZE 120	/* full structure written for guests */
#define MB1_F_MEM (1u << 0)
#define MB1_F_CMDLINE (1u << 2)
#define MB1_F_MODS (1u << 3)
#define MB1_F_MMAP (1u << 6)
#define MB1_F_LOADER (1u << 9)

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MEMINFO 4
#define MB2_TAG_MMAP 6
#define MB2_TAG_RSDP_V1 14
#define MB2_TAG_RSDP_V2 15
#define MB2_MAX_TOTAL (1u << 20)	/* far more than any loader writes */

#define FOUR_GIB (1ull << 32)

/* One item of the boot information is unusable: it alone is dropped
 * (its line already printed) and the rest of the machine boots. */
static void refuse(struct boot_info *out)
{
	out->refused_items++;
}

/* A module kept in the list (its memory stays reserved) but not used. */
static void refuse_module(struct boot_info *out, struct boot_module *bm)
{
	bm->refused = true;
	bm->string[0] = '\0';
	refuse(out);
}

static void extent_add(struct boot_info *out, uint64_t pa, uint64_t len)
{
	if (pa < out->info_start)
		out->info_start = pa;
	if (pa + len > out->info_end)
		out->info_end = pa + len;
}

static void mmap_add(struct boot_info *out, uint64_t base, uint64_t len,
		     uint32_t type, unsigned *dropped)
{
	if (out->nmmap == BOOT_MAX_MMAP) {
		(*dropped)++;
		return;
	}
	out->mmap[out->nmmap].base = base;
	out->mmap[out->nmmap].len = len;
	out->mmap[out->nmmap].type = type;
	out->nmmap++;
}

static void mmap_from_meminfo(struct boot_info *out, uint32_t lower_kib,
			      uint32_t upper_kib)
{
	unsigned dropped = 0;

	mmap_add(out, 0, (uint64_t)lower_kib << 10, BOOT_MMAP_RAM, &dropped);
	mmap_add(out, 0x100000, (uint64_t)upper_kib << 10, BOOT_MMAP_RAM, &dropped);
}

/*
 * Copy a NUL-terminated string at physical @pa into @buf (@cap bytes).
 * Multiboot1 gives no string lengths, so map one byte at a time: that
 * never asks for more than the string itself.
 */
static int copy_str_pa(map_fn map, uint64_t pa, char *buf, size_t cap,
		       const char *what, struct boot_info *out)
{
	for (size_t i = 0; i < cap; i++) {
		const char *c = pa + i >= pa ? map(pa + i, 1) : NULL;

		if (!c) {
			pr_err("qhv: mbinfo: %s at 0x%llx is not accessible\n",
			       what, (ull)pa);
			return -QHV_EINVAL;
		}
		buf[i] = *c;
		if (!*c) {
			extent_add(out, pa, i + 1);
			return 0;
		}
	}
	pr_err("qhv: mbinfo: %s at 0x%llx is longer than %u characters\n",
	       what, (ull)pa, (unsigned)cap - 1);
	return -QHV_E2BIG;
}

static int parse_mb1(uint64_t info_pa, struct boot_info *out, map_fn map)
{
	const uint8_t *h = map(info_pa, MB1_INFO_READ), *m;
	unsigned dropped = 0;
	uint32_t flags;

	if (!h) {
		pr_err("qhv: mbinfo: multiboot1 info at 0x%llx is not accessible\n",
		       (ull)info_pa);
		return -QHV_EINVAL;
	}
	flags = rd32(h);
	extent_add(out, info_pa, MB1_INFO_READ);

	if (flags & MB1_F_CMDLINE &&
	    copy_str_pa(map, rd32(h + 16), out->cmdline, sizeof(out->cmdline),
			"command line", out)) {
		pr_err("qhv: mbinfo: hv command line ignored: defaults apply\n");
		out->cmdline[0] = '\0';
		refuse(out);
	}

	if (flags & MB1_F_MODS) {
		uint32_t count = rd32(h + 20), addr = rd32(h + 24);

		if (count > BOOT_MAX_MODS) {
			pr_err("qhv: mbinfo: %u modules, at most %u supported: modules %u.. ignored\n",
			       count, BOOT_MAX_MODS, BOOT_MAX_MODS);
			count = BOOT_MAX_MODS;
			refuse(out);
		}
		m = count ? map(addr, count * 16u) : NULL;
		if (count && !m) {
			pr_err("qhv: mbinfo: module list at 0x%x is not accessible: no modules\n",
			       addr);
			refuse(out);
		}
		if (count)
			extent_add(out, addr, count * 16u);
		for (unsigned i = 0; m && i < count; i++) {
			const uint8_t *e = m + i * 16;
			struct boot_module *bm = &out->mods[i];
			uint32_t str = rd32(e + 8);

			bm->start = rd32(e);
			bm->end = rd32(e + 4);
			out->nmods++;
			if (bm->end < bm->start) {
				pr_err("qhv: mbinfo: module %u ends (0x%llx) before it starts (0x%llx): refused\n",
				       i, (ull)bm->end, (ull)bm->start);
				bm->start = bm->end = 0;
				refuse_module(out, bm);
				continue;
			}
			if (str && copy_str_pa(map, str, bm->string,
					       sizeof(bm->string), "module string", out)) {
				pr_err("qhv: mbinfo: module %u refused\n", i);
				refuse_module(out, bm);
			}
		}
	}

	if (flags & MB1_F_MMAP) {
		uint32_t len = rd32(h + 44), addr = rd32(h + 48), off = 0;

		m = len ? map(addr, len) : NULL;
		if (len && !m) {
			pr_err("qhv: mbinfo: memory map at 0x%x is not accessible: ignored\n",
			       addr);
			refuse(out);
		}
		if (m)
			extent_add(out, addr, len);
		/* Each entry is preceded by its size, which excludes itself.
		 * A bad size ends the walk: what came before it is kept (RAM
		 * left out of the map is only RAM unused). */
		while (m && len - off >= 4) {
			uint32_t size = rd32(m + off);

			if (size < 20 || size > len - off - 4) {
				pr_err("qhv: mbinfo: memory map entry at offset %u has bad size %u: rest of the map ignored\n",
				       off, size);
				refuse(out);
				break;
			}
			mmap_add(out, rd64(m + off + 4), rd64(m + off + 12),
				 rd32(m + off + 20), &dropped);
			off += size + 4;
		}
	}
	if (!out->nmmap && flags & MB1_F_MEM)
		mmap_from_meminfo(out, rd32(h + 4), rd32(h + 8));
	if (dropped)
		pr_warn("qhv: mbinfo: memory map too long, %u entries ignored\n", dropped);
	return 0;
}

/* A NUL-terminated string filling a tag's payload [p, p + n). */
static int tag_str(const uint8_t *p, size_t n, char *buf, size_t cap,
		   const char *what)
{
	size_t l = strnlen((const char *)p, n);

	if (l == n) {
		pr_err("qhv: mbinfo: %s is not NUL-terminated\n", what);
		return -QHV_EINVAL;
	}
	if (l >= cap) {
		pr_err("qhv: mbinfo: %s is longer than %u characters\n", what,
		       (unsigned)cap - 1);
		return -QHV_E2BIG;
	}
	memcpy(buf, p, l + 1);
	return 0;
}

static int parse_mb2(const void *info, uint64_t info_pa, struct boot_info *out,
		     map_fn map)
{
	const uint8_t *b = info ? info : map(info_pa, 8);
	bool have_end = false, have_mmap = false, have_meminfo = false;
	uint32_t total, off, lower = 0, upper = 0;
	unsigned dropped = 0;
	bool rsdp_v2 = false, too_many = false;

	if (info_pa & 7) {
		pr_err("qhv: mbinfo: multiboot2 info at 0x%llx is not 8-byte aligned\n",
		       (ull)info_pa);
		return -QHV_EINVAL;
	}
	if (!b) {
		pr_err("qhv: mbinfo: multiboot2 info at 0x%llx is not accessible\n",
		       (ull)info_pa);
		return -QHV_EINVAL;
	}
	total = rd32(b);
	if (total < 16 || total > MB2_MAX_TOTAL) {
		pr_err("qhv: mbinfo: multiboot2 info total_size %u is invalid\n", total);
		return -QHV_EINVAL;
	}
	b = map(info_pa, total);
	if (!b) {
		pr_err("qhv: mbinfo: multiboot2 info at 0x%llx (%u bytes) is not accessible\n",
		       (ull)info_pa, total);
		return -QHV_EINVAL;
	}
	out->info_start = info_pa;
	out->info_end = info_pa + total;

	for (off = 8; total - off >= 8;) {
		uint32_t type = rd32(b + off), size = rd32(b + off + 4);
		const uint8_t *t = b + off;

		if (size < 8 || size > total - off) {
			pr_err("qhv: mbinfo: multiboot2 tag %u at offset %u has bad size %u\n",
			       type, off, size);
			return -QHV_EINVAL;
		}
		if (type == MB2_TAG_END) {
			have_end = true;
			break;
		}
		switch (type) {
		case MB2_TAG_CMDLINE:
			if (tag_str(t + 8, size - 8, out->cmdline,
				    sizeof(out->cmdline), "command line")) {
				pr_err("qhv: mbinfo: hv command line ignored: defaults apply\n");
				out->cmdline[0] = '\0';
				refuse(out);
			}
			break;
		case MB2_TAG_MODULE: {
			struct boot_module *bm = &out->mods[out->nmods];

			if (size < 17) {
				pr_err("qhv: mbinfo: module tag at offset %u too short: ignored\n",
				       off);
				refuse(out);
				break;
			}
			if (out->nmods == BOOT_MAX_MODS) {
				if (!too_many)
					pr_err("qhv: mbinfo: more than %u modules: the rest ignored\n",
					       BOOT_MAX_MODS);
				too_many = true;
				refuse(out);
				break;
			}
			bm->start = rd32(t + 8);
			bm->end = rd32(t + 12);
			out->nmods++;
			if (bm->end < bm->start) {
				pr_err("qhv: mbinfo: module %u ends (0x%llx) before it starts (0x%llx): refused\n",
				       out->nmods - 1, (ull)bm->end, (ull)bm->start);
				bm->start = bm->end = 0;
				refuse_module(out, bm);
				break;
			}
			if (tag_str(t + 16, size - 16, bm->string,
				    sizeof(bm->string), "module string")) {
				pr_err("qhv: mbinfo: module %u refused\n", out->nmods - 1);
				refuse_module(out, bm);
			}
			break;
		}
		case MB2_TAG_MEMINFO:
			if (size < 16) {
				pr_err("qhv: mbinfo: basic memory info tag too short: ignored\n");
				refuse(out);
				break;
			}
			lower = rd32(t + 8);
			upper = rd32(t + 12);
			have_meminfo = true;
			break;
		case MB2_TAG_MMAP: {
			uint32_t esz;

			if (size < 16) {
				pr_err("qhv: mbinfo: memory map tag too short: ignored\n");
				refuse(out);
				break;
			}
			esz = rd32(t + 8);
			if (esz < 24 || esz % 8) {
				pr_err("qhv: mbinfo: memory map entry_size %u is invalid: map ignored\n",
				       esz);
				refuse(out);
				break;
			}
			if (have_mmap) {
				pr_warn("qhv: mbinfo: second memory map tag ignored\n");
				break;
			}
			have_mmap = true;
			/* entry_size may grow in later versions: skip the rest. */
			for (uint32_t e = 16; size - e >= esz; e += esz)
				mmap_add(out, rd64(t + e), rd64(t + e + 8),
					 rd32(t + e + 16), &dropped);
			break;
		}
		case MB2_TAG_RSDP_V1:
		case MB2_TAG_RSDP_V2:
			/* The tag payload is a copy of the RSDP (20 or 36 bytes). */
			if (size < 8 + (type == MB2_TAG_RSDP_V2 ? 36u : 20u)) {
				pr_err("qhv: mbinfo: RSDP tag %u too short: ignored\n", type);
				refuse(out);
				break;
			}
			if (type == MB2_TAG_RSDP_V2 || !rsdp_v2) {
				out->rsdp_pa = info_pa + off + 8;
				out->rsdp_from_tag = true;
				rsdp_v2 = type == MB2_TAG_RSDP_V2;
			}
			break;
		default:
			break;
		}
		off += (size + 7) & ~7u;
		if (off > total)
			break;
	}
	if (!have_end) {
		pr_err("qhv: mbinfo: multiboot2 info has no end tag\n");
		return -QHV_EINVAL;
	}
	if (!have_mmap && have_meminfo)
		mmap_from_meminfo(out, lower, upper);
	if (dropped)
		pr_warn("qhv: mbinfo: memory map too long, %u entries ignored\n", dropped);
	return 0;
}

int mbinfo_parse(uint32_t magic, const void *info, uint64_t info_pa,
		 struct boot_info *out, map_fn map)
{
	memset(out, 0, sizeof(*out));
	out->info_start = UINT64_MAX;
	if (magic == MB1_BOOTLOADER_MAGIC)
		return parse_mb1(info_pa, out, map);
	if (magic == MB2_BOOTLOADER_MAGIC)
		return parse_mb2(info, info_pa, out, map);
	pr_err("qhv: mbinfo: bad boot loader magic 0x%x\n", magic);
	return -QHV_EINVAL;
}

/* Checks common to both builders. */
static int build_check(size_t cap, uint64_t buf_gpa,
		       const struct guest_boot_desc *d)
{
	if ((buf_gpa & 7) || buf_gpa >= FOUR_GIB || cap > FOUR_GIB - buf_gpa) {
		pr_err("qhv: mbinfo: info buffer at 0x%llx (%llu bytes) is misaligned or above 4 GiB\n",
		       (ull)buf_gpa, (ull)cap);
		return -QHV_EINVAL;
	}
	for (unsigned i = 0; i < d->nmods; i++) {
		if (d->mods[i].end >= FOUR_GIB || d->mods[i].end < d->mods[i].start) {
			pr_err("qhv: mbinfo: guest module %u (0x%llx-0x%llx) is invalid or above 4 GiB\n",
			       i, (ull)d->mods[i].start, (ull)d->mods[i].end);
			return -QHV_EINVAL;
		}
	}
	return 0;
}

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Append string @s (NULL = "") at *pos; returns its guest address. */
static uint32_t put_str(uint8_t *buf, uint64_t buf_gpa, size_t *pos, const char *s)
{
	size_t n = slen(s);
	uint32_t gpa = (uint32_t)(buf_gpa + *pos);

	if (n)
		memcpy(buf + *pos, s, n);
	buf[*pos + n] = '\0';
	*pos += n + 1;
	return gpa;
}

int mbinfo_build_mb1(void *buf, size_t cap, uint64_t buf_gpa,
		     const struct guest_boot_desc *d, uint32_t *info_gpa_out)
{
	uint8_t *b = buf;
	uint64_t need = MB1_INFO_SIZE;
	size_t mods_off, mmap_off, pos;
	uint32_t flags = MB1_F_MEM;
	int rc = build_check(cap, buf_gpa, d);

	if (rc)
		return rc;
	mods_off = (size_t)need;
	need += (uint64_t)d->nmods * 16;
	mmap_off = (size_t)need;
	need += (uint64_t)d->nmmap * 24;
	if (d->cmdline)
		need += slen(d->cmdline) + 1;
	if (d->loader_name)
		need += slen(d->loader_name) + 1;
	for (unsigned i = 0; i < d->nmods; i++)
		need += slen(d->mods[i].string) + 1;
	if (need > cap) {
		pr_err("qhv: mbinfo: multiboot1 info needs %llu bytes, buffer has %llu\n",
		       (ull)need, (ull)cap);
		return -QHV_ENOSPC;
	}

	memset(b, 0, (size_t)need);
	pos = mmap_off + (size_t)d->nmmap * 24;
	wr32(b + 4, d->mem_lower_kib);
	wr32(b + 8, d->mem_upper_kib);
	if (d->cmdline) {
		flags |= MB1_F_CMDLINE;
		wr32(b + 16, put_str(b, buf_gpa, &pos, d->cmdline));
	}
	if (d->nmods) {
		flags |= MB1_F_MODS;
		wr32(b + 20, d->nmods);
		wr32(b + 24, (uint32_t)(buf_gpa + mods_off));
		for (unsigned i = 0; i < d->nmods; i++) {
			uint8_t *e = b + mods_off + i * 16;

			wr32(e, (uint32_t)d->mods[i].start);
			wr32(e + 4, (uint32_t)d->mods[i].end);
			wr32(e + 8, put_str(b, buf_gpa, &pos, d->mods[i].string));
		}
	}
	if (d->nmmap) {
		flags |= MB1_F_MMAP;
		wr32(b + 44, d->nmmap * 24);
		wr32(b + 48, (uint32_t)(buf_gpa + mmap_off));
		for (unsigned i = 0; i < d->nmmap; i++) {
			uint8_t *e = b + mmap_off + i * 24;

			wr32(e, 20);
			wr64(e + 4, d->mmap[i].base);
			wr64(e + 12, d->mmap[i].len);
			wr32(e + 20, d->mmap[i].type);
		}
	}
	if (d->loader_name) {
		flags |= MB1_F_LOADER;
		wr32(b + 64, put_str(b, buf_gpa, &pos, d->loader_name));
	}
	wr32(b, flags);
	*info_gpa_out = (uint32_t)buf_gpa;
	return 0;
}

static uint64_t align8(uint64_t x)
{
	return (x + 7) & ~7ull;
}

/* Start a tag at *pos; returns a pointer to it. */
static uint8_t *tag_start(uint8_t *b, size_t *pos, uint32_t type, uint32_t size)
{
	uint8_t *t = b + *pos;

	wr32(t, type);
	wr32(t + 4, size);
	*pos += (size_t)align8(size);
	return t;
}

int mbinfo_build_mb2(void *buf, size_t cap, uint64_t buf_gpa,
		     const struct guest_boot_desc *d, uint32_t *info_gpa_out)
{
	uint8_t *b = buf, *t;
	uint64_t need = 8;
	size_t pos = 8;
	int rc = build_check(cap, buf_gpa, d);

	if (rc)
		return rc;
	if (d->cmdline)
		need += align8(8 + slen(d->cmdline) + 1);
	if (d->loader_name)
		need += align8(8 + slen(d->loader_name) + 1);
	need += 16;
	for (unsigned i = 0; i < d->nmods; i++)
		need += align8(16 + slen(d->mods[i].string) + 1);
	if (d->nmmap)
		need += 16 + (uint64_t)d->nmmap * 24;
	need += 8;
	if (need > cap || need > UINT32_MAX) {
		pr_err("qhv: mbinfo: multiboot2 info needs %llu bytes, buffer has %llu\n",
		       (ull)need, (ull)cap);
		return -QHV_ENOSPC;
	}

	memset(b, 0, (size_t)need);
	wr32(b, (uint32_t)need);
	if (d->cmdline) {
		t = tag_start(b, &pos, MB2_TAG_CMDLINE, (uint32_t)(8 + slen(d->cmdline) + 1));
		memcpy(t + 8, d->cmdline, slen(d->cmdline));
	}
	if (d->loader_name) {
		t = tag_start(b, &pos, MB2_TAG_LOADER, (uint32_t)(8 + slen(d->loader_name) + 1));
		memcpy(t + 8, d->loader_name, slen(d->loader_name));
	}
	t = tag_start(b, &pos, MB2_TAG_MEMINFO, 16);
	wr32(t + 8, d->mem_lower_kib);
	wr32(t + 12, d->mem_upper_kib);
	for (unsigned i = 0; i < d->nmods; i++) {
		size_t n = slen(d->mods[i].string);

		t = tag_start(b, &pos, MB2_TAG_MODULE, (uint32_t)(16 + n + 1));
		wr32(t + 8, (uint32_t)d->mods[i].start);
		wr32(t + 12, (uint32_t)d->mods[i].end);
		if (n)
			memcpy(t + 16, d->mods[i].string, n);
	}
	if (d->nmmap) {
		t = tag_start(b, &pos, MB2_TAG_MMAP, 16 + d->nmmap * 24);
		wr32(t + 8, 24);
		wr32(t + 12, 0);
		for (unsigned i = 0; i < d->nmmap; i++) {
			uint8_t *e = t + 16 + i * 24;

			wr64(e, d->mmap[i].base);
			wr64(e + 8, d->mmap[i].len);
			wr32(e + 16, d->mmap[i].type);
		}
	}
	tag_start(b, &pos, MB2_TAG_END, 8);
	*info_gpa_out = (uint32_t)buf_gpa;
	return 0;
}
