// SPDX-License-Identifier: MIT
/*
 * spin: burn CPU for spin=N iterations (default 10000000) with progress
 * lines, then exit 0.  Run next to other domains it proves the hv
 * time-slices instead of running one domain to completion.
 *
 * With state=V the guest also puts V into registers VMX does not switch
 * (XMM0, CR2, LSTAR, KERNEL_GS_BASE) before spinning and checks them after:
 * with two such spinners on one CPU this fails unless the hv saves and
 * restores them when it switches vCPUs.
 */
#include "guest.h"

#define SPIN_DEFAULT 10000000ull
#define STEPS 4

static void state_set(uint64_t v)
{
	uint64_t cr0, cr4;

	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	cr0 = (cr0 & ~(1ull << 2)) | (1ull << 1);	/* EM off, MP on */
	cr4 |= (1ull << 9) | (1ull << 10);		/* OSFXSR, OSXMMEXCPT */
	asm volatile("mov %0, %%cr0" : : "r"(cr0));
	asm volatile("mov %0, %%cr4" : : "r"(cr4));
	asm volatile("movq %0, %%xmm0" : : "r"(v));
	asm volatile("mov %0, %%cr2" : : "r"(v));
	wrmsr(0xc0000082, v);	/* LSTAR */
	wrmsr(0xc0000102, ~v);	/* KERNEL_GS_BASE */
}

static int state_check(uint64_t v)
{
	uint64_t x, cr2, lstar = rdmsr(0xc0000082), kgs = rdmsr(0xc0000102);

	asm volatile("movq %%xmm0, %0" : "=r"(x));
	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	if (x != v || cr2 != v || lstar != v || kgs != ~v) {
		printf("FAIL spin: state lost: xmm0=%lx cr2=%lx lstar=%lx kgs=%lx want %lx\n",
		       x, cr2, lstar, kgs, v);
		return 1;
	}
	printf("spin: state kept\n");
	return 0;
}

int main(uint32_t magic, uint32_t info)
{
	const char *st = cmdline_value("state");
	/* canonical, so it is a valid LSTAR; ~state is canonical too */
	uint64_t state = st ? 0x00005a5a00000000ull | parse_u64(st) : 0;
	const char *arg = cmdline_value("spin");
	uint64_t n = arg ? parse_u64(arg) : SPIN_DEFAULT;
	uint64_t step = n / STEPS ? n / STEPS : 1;
	uint64_t next = step;
	uint64_t i;

	(void)magic;
	(void)info;
	printf("spin: %lu iterations\n", n);
	if (st)
		state_set(state);
	for (i = 1; i <= n; i++) {
		asm volatile("" : : "r"(i) : "memory");
		if (i == next) {
			printf("spin: %lu%%\n", i * 100 / n);
			next += step;
		}
	}
	printf("spin: done\n");
	return st ? state_check(state) : 0;
}
