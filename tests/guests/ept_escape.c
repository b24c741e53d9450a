// SPDX-License-Identifier: MIT
/*
 * ept_escape: touch guest-physical memory far above the domain's RAM.
 * qhv must end the domain with an EPT violation; getting past the access
 * means the domain reached memory it does not own.
 */
#include "guest.h"

#define TARGET_DEFAULT (1ull << 30)	/* the 1 GiB mark */

int main(uint32_t magic, uint32_t info)
{
	volatile uint64_t *own = (volatile uint64_t *)(uintptr_t)0x100000;
	const char *arg = cmdline_value("target");
	uint64_t target = arg ? parse_u64(arg) : TARGET_DEFAULT;
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)target;
	uint64_t v;

	(void)magic;
	(void)info;
	v = *own;
	if (boot.ram_top)
		v += *(volatile uint64_t *)(uintptr_t)(boot.ram_top - 8);
	printf("ept_escape: own RAM readable (ram_top=%#lx, sum %#lx)\n",
	       boot.ram_top, v);
	if (boot.ram_top > target)
		printf("ept_escape: warning: target %#lx is inside RAM\n",
		       target);
	printf("ept_escape: touching %#lx\n", target);
	v = *p;
	*p = v ^ 0x5a5a5a5a5a5a5a5aull;
	printf("FAIL escaped: read %#lx at %#lx and wrote it back\n", v, target);
	return 1;
}
