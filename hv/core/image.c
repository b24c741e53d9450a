// SPDX-License-Identifier: MIT
/*
 * Multiboot kernel image parser.  The image is untrusted: every field
 * read from it is bounds-checked against @size before use, all address
 * arithmetic is checked for wrap-around, and fields are read byte by byte
 * so that alignment of the buffer never matters.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qhv/hypercall.h>

#include "core/image.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/unaligned.h"

#define MB1_MAGIC 0x1BADB002u
#define MB1_SEARCH 8192
#define MB1_FLAG_AOUT_KLUDGE (1u << 16)
#define MB1_FLAGS_KNOWN_REQUIRED 0x7u	/* page-align, mem info, video */
#define MB1_FLAGS_REQUIRED_MASK 0xffffu

#define MB2_MAGIC 0xE85250D6u
#define MB2_SEARCH 32768
#define MB2_TAG_END 0
#define MB2_TAG_INFO_REQ 1
#define MB2_TAG_ADDRESS 2
#define MB2_TAG_ENTRY 3
#define MB2_TAG_CONSOLE 4
#define MB2_TAG_MODALIGN 6
#define MB2_TAG_RELOCATABLE 10
#define MB2_TAG_OPTIONAL 1u	/* flags bit 0 */

#define ELF_PT_LOAD 1
#define ELF_ET_EXEC 2
#define ELF_EM_386 3
#define ELF_EM_X86_64 62

#define FOUR_GIB (1ull << 32)

typedef unsigned long long ull;

static void finish_extent(struct image_plan *out)
{
	out->lowest = UINT64_MAX;
	out->highest = 0;
	for (unsigned i = 0; i < out->nseg; i++) {
		const struct image_segment *s = &out->seg[i];

		if (s->paddr < out->lowest)
			out->lowest = s->paddr;
		if (s->paddr + s->memsz > out->highest)
			out->highest = s->paddr + s->memsz;
	}
}

/* The four load addresses of a Multiboot1 a.out kludge / Multiboot2
 * address tag; the semantics are the same in both specs. */
struct load_addrs {
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
};

static int plan_from_addrs(size_t size, size_t hdr_off,
			   const struct load_addrs *a, uint32_t entry,
			   const char *what, struct image_plan *out)
{
	uint64_t delta, file_off, filesz, memsz;

	if (a->load_addr > a->header_addr) {
		pr_err("qhv: image: %s: load_addr 0x%x is above header_addr 0x%x\n",
		       what, a->load_addr, a->header_addr);
		return -QHV_EINVAL;
	}
	/* The header sits at file offset hdr_off and address header_addr,
	 * so loading starts (header_addr - load_addr) bytes before it. */
	delta = a->header_addr - a->load_addr;
	if (delta > hdr_off) {
		pr_err("qhv: image: %s: load_addr 0x%x would start loading before the beginning of the file\n",
		       what, a->load_addr);
		return -QHV_EINVAL;
	}
	file_off = hdr_off - delta;
	if (a->load_end_addr == 0) {
		filesz = size - file_off;
	} else {
		if (a->load_end_addr < a->load_addr) {
			pr_err("qhv: image: %s: load_end_addr 0x%x is below load_addr 0x%x\n",
			       what, a->load_end_addr, a->load_addr);
			return -QHV_EINVAL;
		}
		filesz = a->load_end_addr - a->load_addr;
		if (filesz > size - file_off) {
			pr_err("qhv: image: %s: load_end_addr 0x%x is beyond the end of the file\n",
			       what, a->load_end_addr);
			return -QHV_EINVAL;
		}
	}
	if (a->bss_end_addr == 0) {
		memsz = filesz;
	} else {
		if (a->bss_end_addr < a->load_addr + filesz) {
			pr_err("qhv: image: %s: bss_end_addr 0x%x is below the end of the loaded data\n",
			       what, a->bss_end_addr);
			return -QHV_EINVAL;
		}
		memsz = a->bss_end_addr - a->load_addr;
	}
	if (memsz == 0) {
		pr_err("qhv: image: %s: nothing to load\n", what);
		return -QHV_EINVAL;
	}
	if (a->load_addr + memsz > FOUR_GIB) {
		pr_err("qhv: image: %s: image at 0x%x extends past 4 GiB\n",
		       what, a->load_addr);
		return -QHV_EINVAL;
	}
	if (entry < a->load_addr || entry - a->load_addr >= memsz) {
		pr_err("qhv: image: %s: entry 0x%x is outside the loaded image 0x%x-0x%llx\n",
		       what, entry, a->load_addr, (ull)(a->load_addr + memsz));
		return -QHV_EINVAL;
	}
	out->nseg = 1;
	out->seg[0].file_off = file_off;
	out->seg[0].filesz = filesz;
	out->seg[0].memsz = memsz;
	out->seg[0].paddr = a->load_addr;
	out->entry = entry;
	finish_extent(out);
	return 0;
}

static int parse_elf(const uint8_t *b, size_t size, struct image_plan *out,
		     bool phys_entry)
{
	uint64_t vaddr[IMAGE_MAX_SEGMENTS], entry, phoff;
	unsigned phidx[IMAGE_MAX_SEGMENTS];
	unsigned phentsize, phnum, minph;
	bool is64;

	if (size < 16 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F') {
		pr_err("qhv: image: not an ELF file, and its multiboot header gives no load addresses\n");
		return -QHV_EINVAL;
	}
	if (b[4] != 1 && b[4] != 2) {
		pr_err("qhv: image: ELF class %u is neither ELF32 nor ELF64\n", b[4]);
		return -QHV_EINVAL;
	}
	is64 = b[4] == 2;
	if (b[5] != 1) {
		pr_err("qhv: image: ELF file is not little-endian\n");
		return -QHV_EINVAL;
	}
	if (b[6] != 1) {
		pr_err("qhv: image: ELF version %u is not 1\n", b[6]);
		return -QHV_EINVAL;
	}
	if (size < (is64 ? 64u : 52u)) {
		pr_err("qhv: image: ELF header truncated\n");
		return -QHV_EINVAL;
	}
	if (rd16(b + 16) != ELF_ET_EXEC) {
		pr_err("qhv: image: ELF type %u is not ET_EXEC\n", rd16(b + 16));
		return -QHV_EINVAL;
	}
	if (rd16(b + 18) != (is64 ? ELF_EM_X86_64 : ELF_EM_386)) {
		pr_err("qhv: image: ELF%s machine %u is not %s\n", is64 ? "64" : "32",
		       rd16(b + 18), is64 ? "x86_64" : "i386");
		return -QHV_EINVAL;
	}
	if (is64) {
		entry = rd64(b + 24);
		phoff = rd64(b + 32);
		phentsize = rd16(b + 54);
		phnum = rd16(b + 56);
		minph = 56;
	} else {
		entry = rd32(b + 24);
		phoff = rd32(b + 28);
		phentsize = rd16(b + 42);
		phnum = rd16(b + 44);
		minph = 32;
	}
	if (phnum == 0 || phnum == 0xffff) {
		pr_err("qhv: image: ELF has %s program headers\n",
		       phnum ? "an extended number of" : "no");
		return -QHV_EINVAL;
	}
	if (phentsize < minph) {
		pr_err("qhv: image: ELF program header size %u is too small\n", phentsize);
		return -QHV_EINVAL;
	}
	if (phoff > size || (uint64_t)phnum * phentsize > size - phoff) {
		pr_err("qhv: image: ELF program headers beyond end of file\n");
		return -QHV_EINVAL;
	}

	out->nseg = 0;
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = b + phoff + (uint64_t)i * phentsize;
		uint64_t off, va, pa, filesz, memsz;
		struct image_segment *s;

		if (rd32(ph) != ELF_PT_LOAD)
			continue;
		if (is64) {
			off = rd64(ph + 8);
			va = rd64(ph + 16);
			pa = rd64(ph + 24);
			filesz = rd64(ph + 32);
			memsz = rd64(ph + 40);
		} else {
			off = rd32(ph + 4);
			va = rd32(ph + 8);
			pa = rd32(ph + 12);
			filesz = rd32(ph + 16);
			memsz = rd32(ph + 20);
		}
		if (filesz > memsz) {
			pr_err("qhv: image: ELF segment %u has filesz 0x%llx > memsz 0x%llx\n",
			       i, (ull)filesz, (ull)memsz);
			return -QHV_EINVAL;
		}
		if (off > size || filesz > size - off) {
			pr_err("qhv: image: ELF segment %u beyond end of file\n", i);
			return -QHV_EINVAL;
		}
		if (memsz == 0)
			continue;
		if (memsz > UINT64_MAX - pa || (!is64 && pa + memsz > FOUR_GIB)) {
			pr_err("qhv: image: ELF segment %u at 0x%llx size 0x%llx wraps the address space\n",
			       i, (ull)pa, (ull)memsz);
			return -QHV_EINVAL;
		}
		if (out->nseg == IMAGE_MAX_SEGMENTS) {
			pr_err("qhv: image: ELF has more than %u loadable segments\n",
			       IMAGE_MAX_SEGMENTS);
			return -QHV_EINVAL;
		}
		for (unsigned j = 0; j < out->nseg; j++) {
			const struct image_segment *o = &out->seg[j];

			if (pa < o->paddr + o->memsz && o->paddr < pa + memsz) {
				pr_err("qhv: image: ELF segments %u and %u overlap\n",
				       phidx[j], i);
				return -QHV_EINVAL;
			}
		}
		s = &out->seg[out->nseg];
		s->file_off = off;
		s->filesz = filesz;
		s->memsz = memsz;
		s->paddr = pa;
		vaddr[out->nseg] = va;
		phidx[out->nseg++] = i;
	}
	if (out->nseg == 0) {
		pr_err("qhv: image: ELF has no loadable segments\n");
		return -QHV_EINVAL;
	}

	/* e_entry is virtual (multiboot kernels) or physical (Linux vmlinux:
	 * ENTRY(phys_startup_64)); translate it through its segment. */
	for (unsigned j = 0; j < out->nseg; j++) {
		uint64_t base = phys_entry ? out->seg[j].paddr : vaddr[j];

		if (entry - base < out->seg[j].memsz && entry >= base) {
			out->entry = entry - base + out->seg[j].paddr;
			if (out->entry >= FOUR_GIB) {
				pr_err("qhv: image: ELF entry point 0x%llx is above 4 GiB\n",
				       (ull)out->entry);
				return -QHV_EINVAL;
			}
			finish_extent(out);
			return 0;
		}
	}
	pr_err("qhv: image: ELF entry point 0x%llx is not inside a loadable segment\n",
	       (ull)entry);
	return -QHV_EINVAL;
}

/* Is there a valid header at @off?  Sets *why for diagnostics if not. */
static bool mb2_header_at(const uint8_t *b, size_t off, const char **why)
{
	uint32_t magic = rd32(b + off), arch = rd32(b + off + 4);
	uint32_t len = rd32(b + off + 8), csum = rd32(b + off + 12);

	if (magic != MB2_MAGIC)
		return false;
	if ((uint32_t)(magic + arch + len + csum) != 0) {
		*why = "multiboot2 header has a bad checksum";
		return false;
	}
	if (arch != 0) {
		*why = "multiboot2 header is not for i386 (architecture 0)";
		return false;
	}
	return true;
}

static bool find_mb2(const uint8_t *b, size_t size, size_t *off, const char **why)
{
	size_t lim = size < MB2_SEARCH ? size : MB2_SEARCH;

	for (size_t o = 0; o + 16 <= lim; o += 8) {
		if (mb2_header_at(b, o, why)) {
			*off = o;
			return true;
		}
	}
	return false;
}

static bool find_mb1(const uint8_t *b, size_t size, size_t *off, const char **why)
{
	size_t lim = size < MB1_SEARCH ? size : MB1_SEARCH;

	for (size_t o = 0; o + 12 <= lim; o += 4) {
		uint32_t magic = rd32(b + o);

		if (magic != MB1_MAGIC)
			continue;
		if ((uint32_t)(magic + rd32(b + o + 4) + rd32(b + o + 8)) != 0) {
			*why = "multiboot1 header has a bad checksum";
			continue;
		}
		*off = o;
		return true;
	}
	return false;
}

static int parse_mb2(const uint8_t *b, size_t size, size_t off,
		     struct image_plan *out)
{
	size_t lim = size < MB2_SEARCH ? size : MB2_SEARCH;
	uint32_t hlen = rd32(b + off + 8), entry = 0;
	bool have_addr = false, have_entry = false, have_end = false;
	struct load_addrs a = { 0 };
	size_t pos, end;
	int rc;

	if (hlen < 16 + 8 || hlen > lim - off) {
		pr_err("qhv: image: multiboot2 header length 0x%x is invalid\n", hlen);
		return -QHV_EINVAL;
	}
	end = off + hlen;
	for (pos = off + 16; pos + 8 <= end;) {
		uint16_t type = rd16(b + pos), flags = rd16(b + pos + 2);
		uint32_t tsize = rd32(b + pos + 4);

		if (tsize < 8 || tsize > end - pos) {
			pr_err("qhv: image: multiboot2 header tag %u at offset 0x%llx has bad size %u\n",
			       type, (ull)pos, tsize);
			return -QHV_EINVAL;
		}
		if (type == MB2_TAG_END) {
			have_end = true;
			break;
		}
		switch (type) {
		case MB2_TAG_ADDRESS:
			if (tsize < 24) {
				pr_err("qhv: image: multiboot2 address tag too short\n");
				return -QHV_EINVAL;
			}
			a.header_addr = rd32(b + pos + 8);
			a.load_addr = rd32(b + pos + 12);
			a.load_end_addr = rd32(b + pos + 16);
			a.bss_end_addr = rd32(b + pos + 20);
			have_addr = true;
			break;
		case MB2_TAG_ENTRY:
			if (tsize < 12) {
				pr_err("qhv: image: multiboot2 entry address tag too short\n");
				return -QHV_EINVAL;
			}
			entry = rd32(b + pos + 8);
			have_entry = true;
			break;
		case MB2_TAG_INFO_REQ:
		case MB2_TAG_CONSOLE:
		case MB2_TAG_MODALIGN:
		case MB2_TAG_RELOCATABLE:
			/* We always provide what GRUB does for these, page-align
			 * modules and load at the preferred address. */
			break;
		default:
			if (!(flags & MB2_TAG_OPTIONAL)) {
				pr_err("qhv: image: multiboot2 header tag %u is required but not supported\n",
				       type);
				return -QHV_EINVAL;
			}
			break;
		}
		/* Tags are 8-byte aligned; tsize <= end - pos so no wrap. */
		pos += (tsize + 7) & ~(size_t)7;
	}
	if (!have_end) {
		pr_err("qhv: image: multiboot2 header has no end tag\n");
		return -QHV_EINVAL;
	}
	out->proto = IMAGE_MB2;
	if (have_addr) {
		if (!have_entry) {
			pr_err("qhv: image: multiboot2 address tag without an entry address tag\n");
			return -QHV_EINVAL;
		}
		return plan_from_addrs(size, off, &a, entry, "multiboot2 address tag", out);
	}
	rc = parse_elf(b, size, out, false);
	if (rc)
		return rc;
	if (have_entry) {
		/* The tag overrides e_entry; it must still hit the image. */
		bool inside = false;

		for (unsigned i = 0; i < out->nseg; i++)
			if (entry >= out->seg[i].paddr &&
			    entry - out->seg[i].paddr < out->seg[i].memsz)
				inside = true;
		if (!inside) {
			pr_err("qhv: image: multiboot2 entry address 0x%x is outside the loaded image\n",
			       entry);
			return -QHV_EINVAL;
		}
		out->entry = entry;
	}
	return 0;
}

static int parse_mb1(const uint8_t *b, size_t size, size_t off,
		     struct image_plan *out)
{
	size_t lim = size < MB1_SEARCH ? size : MB1_SEARCH;
	uint32_t flags = rd32(b + off + 4);
	uint32_t unknown = flags & MB1_FLAGS_REQUIRED_MASK & ~MB1_FLAGS_KNOWN_REQUIRED;
	struct load_addrs a;

	if (unknown) {
		pr_err("qhv: image: multiboot1 header requires unsupported features (flags 0x%x)\n",
		       unknown);
		return -QHV_EINVAL;
	}
	out->proto = IMAGE_MB1;
	if (!(flags & MB1_FLAG_AOUT_KLUDGE))
		return parse_elf(b, size, out, false);
	if (off + 32 > lim) {
		pr_err("qhv: image: multiboot1 header truncated (a.out kludge fields missing)\n");
		return -QHV_EINVAL;
	}
	a.header_addr = rd32(b + off + 12);
	a.load_addr = rd32(b + off + 16);
	a.load_end_addr = rd32(b + off + 20);
	a.bss_end_addr = rd32(b + off + 24);
	return plan_from_addrs(size, off, &a, rd32(b + off + 28),
			       "multiboot1 a.out kludge", out);
}

int image_parse(const void *img, size_t size, enum image_proto prefer,
		struct image_plan *out)
{
	const uint8_t *b = img;
	const char *why = NULL;
	size_t off1 = 0, off2 = 0;
	bool has1, has2;

	memset(out, 0, sizeof(*out));
	if (!img || size == 0) {
		pr_err("qhv: image: empty image\n");
		return -QHV_EINVAL;
	}
	has2 = find_mb2(b, size, &off2, &why);
	has1 = find_mb1(b, size, &off1, &why);
	if (has2 && (prefer != IMAGE_MB1 || !has1))
		return parse_mb2(b, size, off2, out);
	if (has1)
		return parse_mb1(b, size, off1, out);
	pr_err("qhv: image: no multiboot header%s%s%s\n", why ? " (" : "",
	       why ? why : "", why ? ")" : "");
	return -QHV_EINVAL;
}

int image_parse_linux(const void *img, size_t size, struct image_plan *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!img || size == 0) {
		pr_err("qhv: image: empty image\n");
		return -QHV_EINVAL;
	}
	if (size < 4 || memcmp(img, "\x7f" "ELF", 4)) {
		pr_err("qhv: image: dom0 kernel is not an ELF vmlinux (a bzImage must be decompressed first)\n");
		return -QHV_EINVAL;
	}
	rc = parse_elf(img, size, out, true);
	if (rc == 0 && size >= 20 && ((const uint8_t *)img)[4] != 2) {
		pr_err("qhv: image: a Linux vmlinux must be ELF64\n");
		return -QHV_EINVAL;
	}
	out->proto = IMAGE_LINUX;
	return rc;
}

int image_check_fits(const struct image_plan *p, uint64_t ram_lo,
		     uint64_t ram_hi)
{
	if (p->nseg == 0 || p->nseg > IMAGE_MAX_SEGMENTS || ram_lo >= ram_hi) {
		pr_err("qhv: image: bad load plan or RAM range\n");
		return -QHV_EINVAL;
	}
	for (unsigned i = 0; i < p->nseg; i++) {
		const struct image_segment *s = &p->seg[i];

		if (s->paddr < ram_lo) {
			pr_err("qhv: image: segment %u at 0x%llx is below guest RAM at 0x%llx\n",
			       i, (ull)s->paddr, (ull)ram_lo);
			return -QHV_EINVAL;
		}
		if (s->memsz > ram_hi - s->paddr || s->paddr >= ram_hi) {
			pr_err("qhv: image: segment %u at 0x%llx size 0x%llx ends beyond guest RAM end 0x%llx\n",
			       i, (ull)s->paddr, (ull)s->memsz, (ull)ram_hi);
			return -QHV_E2BIG;
		}
	}
	return 0;
}
