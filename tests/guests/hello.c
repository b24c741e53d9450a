// SPDX-License-Identifier: MIT
/*
 * hello: the smallest useful guest.  Proves the loader handed over a sane
 * multiboot environment: magic, command line, memory info and modules.
 * Exits 0, or N given "exit=N".
 */
#include "guest.h"

int main(uint32_t magic, uint32_t info)
{
	uint32_t i;

	printf("hello from %s\n", boot.cmdline);
	printf("hello: magic=%#x (multiboot%d) info=%#x\n", magic,
	       boot.mb_version, info);
	if (boot.has_mem)
		printf("hello: mem lower=%uKiB upper=%uKiB\n", boot.mem_lower,
		       boot.mem_upper);
	else
		printf("hello: no memory info\n");
	printf("hello: mmap entries=%u ram_top=%#lx\n", boot.mmap_count,
	       boot.ram_top);
	printf("hello: modules=%u\n", boot.mods_count);
	for (i = 0; i < boot.mods_count && i < BOOT_MAX_MODULES; i++)
		printf("hello: module %u: [%#lx-%#lx) %s\n", i,
		       boot.mods[i].start, boot.mods[i].end,
		       boot.mods[i].cmdline ? boot.mods[i].cmdline : "");
	if (!boot.mb_version) {
		printf("hello: FAIL unknown boot magic %#x\n", magic);
		return 1;
	}
	printf("hello: done\n");
	/* exit=N: lets qhv-emu's tests check that a status passes through. */
	return cmdline_value("exit") ? (int)parse_u64(cmdline_value("exit")) : 0;
}
