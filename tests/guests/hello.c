// SPDX-License-Identifier: MIT
/*
 * hello: the smallest useful guest.  Proves the loader handed over a sane
 * multiboot environment: magic, command line, memory info and modules.
 * Exits 0, or N given "exit=N"; "reset=kbc|92|cf9" ends it with a PC
 * reset request instead, "halt-cli" with cli; hlt.
 */
#include "guest.h"

int main(uint32_t magic, uint32_t info)
{
	uint32_t i, n;
	char argv0[64];

	printf("hello from %s\n", boot.cmdline);
	/* argv[0]: the kernel's name, as QEMU and multiboot1 loaders put it
	 * first (qhv too: the domain's name when the loader gave no path). */
	for (n = 0; boot.cmdline[n] && boot.cmdline[n] != ' ' &&
		    n < sizeof(argv0) - 1; n++)
		argv0[n] = boot.cmdline[n];
	argv0[n] = '\0';
	printf("hello: argv0=%s\n", argv0);
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
	/* reset=kbc|92|cf9: end the way a PC resets; halt-cli: cli; hlt. */
	if (cmdline_value("reset")) {
		const char *how = cmdline_value("reset");

		if (!strncmp(how, "kbc", 3))
			outb(0x64, 0xfe);
		else if (!strncmp(how, "92", 2))
			outb(0x92, inb(0x92) | 1);
		else if (!strncmp(how, "cf9", 3))
			outb(0xcf9, 0x06);
		printf("hello: FAIL still running after reset=%s\n", how);
		return 1;
	}
	if (cmdline_has("halt-cli")) {
		asm volatile("cli; hlt");
		printf("hello: FAIL woke from cli; hlt\n");
		return 1;
	}
	/* exit=N: lets qhv-emu's tests check that a status passes through. */
	return cmdline_value("exit") ? (int)parse_u64(cmdline_value("exit")) : 0;
}
