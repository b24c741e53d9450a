// SPDX-License-Identifier: MIT
/*
 * Multiboot 1 and 2 information parsing into one struct boot_info, and
 * command-line helpers.  Guests accept either flavour because GRUB uses
 * multiboot2, `qemu -kernel` multiboot1, and qhv may hand domains either.
 */
#include "guest.h"

struct boot_info boot;

struct mb1_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
};

struct mb1_module {
	uint32_t start, end, cmdline, reserved;
};

struct mb1_mmap {
	uint32_t size;
	uint64_t base, len;
	uint32_t type;
} __attribute__((packed));

struct mb2_tag {
	uint32_t type, size;
};

struct mb2_mmap_entry {
	uint64_t base, len;
	uint32_t type, reserved;
};

#define MB_RAM_AVAILABLE 1

static void note_ram(uint64_t base, uint64_t len, uint32_t type)
{
	boot.mmap_count++;
	if (type == MB_RAM_AVAILABLE && base + len > boot.ram_top)
		boot.ram_top = base + len;
}

static void add_module(uint64_t start, uint64_t end, const char *cmdline)
{
	if (boot.mods_count < BOOT_MAX_MODULES) {
		struct boot_module *m = &boot.mods[boot.mods_count];

		m->start = start;
		m->end = end;
		m->cmdline = cmdline;
	}
	boot.mods_count++;
}

static void parse_mb1(const struct mb1_info *mbi)
{
	uint32_t i;

	if (mbi->flags & (1u << 0)) {
		boot.has_mem = true;
		boot.mem_lower = mbi->mem_lower;
		boot.mem_upper = mbi->mem_upper;
	}
	if (mbi->flags & (1u << 2))
		boot.cmdline = (const char *)(uintptr_t)mbi->cmdline;
	if (mbi->flags & (1u << 3)) {
		const struct mb1_module *m =
			(const void *)(uintptr_t)mbi->mods_addr;

		for (i = 0; i < mbi->mods_count; i++)
			add_module(m[i].start, m[i].end,
				   (const char *)(uintptr_t)m[i].cmdline);
	}
	if (mbi->flags & (1u << 6)) {
		uintptr_t p = mbi->mmap_addr;
		uintptr_t end = p + mbi->mmap_length;

		while (p < end) {
			const struct mb1_mmap *e = (const void *)p;

			note_ram(e->base, e->len, e->type);
			p += e->size + sizeof(e->size);
		}
	}
}

static void parse_mb2_mmap(const struct mb2_tag *tag)
{
	const uint32_t *hdr = (const uint32_t *)(tag + 1);
	uint32_t entry_size = hdr[0];
	uintptr_t p = (uintptr_t)(hdr + 2);
	uintptr_t end = (uintptr_t)tag + tag->size;

	for (; entry_size && p + entry_size <= end; p += entry_size) {
		const struct mb2_mmap_entry *e = (const void *)p;

		note_ram(e->base, e->len, e->type);
	}
}

static void parse_mb2(uintptr_t info)
{
	uint32_t total = *(const uint32_t *)info;
	uintptr_t p = info + 8;

	while (p + sizeof(struct mb2_tag) <= info + total) {
		const struct mb2_tag *tag = (const void *)p;
		const uint32_t *body = (const uint32_t *)(tag + 1);

		if (tag->type == 0)
			break;
		switch (tag->type) {
		case 1:
			boot.cmdline = (const char *)body;
			break;
		case 3:
			add_module(body[0], body[1],
				   (const char *)(body + 2));
			break;
		case 4:
			boot.has_mem = true;
			boot.mem_lower = body[0];
			boot.mem_upper = body[1];
			break;
		case 6:
			parse_mb2_mmap(tag);
			break;
		}
		p += (tag->size + 7) & ~7u;
	}
}

void boot_info_parse(uint32_t magic, uint32_t info)
{
	boot.magic = magic;
	boot.cmdline = "";
	if (magic == MB1_BOOT_MAGIC) {
		boot.mb_version = 1;
		parse_mb1((const struct mb1_info *)(uintptr_t)info);
	} else if (magic == MB2_BOOT_MAGIC) {
		boot.mb_version = 2;
		parse_mb2(info);
	}
	/* No memory map: derive the top of RAM from mem_upper. */
	if (!boot.ram_top && boot.has_mem)
		boot.ram_top = 0x100000 + (uint64_t)boot.mem_upper * 1024;
	if (!boot.cmdline)
		boot.cmdline = "";
}

/* Finds @key as a whole token or as the "key=" part of one. */
static const char *find_token(const char *key, bool want_value)
{
	const char *p = boot.cmdline;
	size_t klen = strlen(key);

	while (*p) {
		const char *tok;

		while (*p == ' ')
			p++;
		tok = p;
		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - tok) < klen || strncmp(tok, key, klen))
			continue;
		if (want_value && tok[klen] == '=')
			return tok + klen + 1;
		if (!want_value && (tok[klen] == ' ' || !tok[klen]))
			return tok;
	}
	return NULL;
}

bool cmdline_has(const char *token)
{
	return find_token(token, false) != NULL;
}

const char *cmdline_value(const char *key)
{
	return find_token(key, true);
}

uint64_t parse_u64(const char *s)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else if (*s == '_')
			continue;
		else
			break;
		v = v * base + d;
	}
	return v;
}
