// SPDX-License-Identifier: MIT
/*
 * spin: burn CPU for spin=N iterations (default 10000000) with progress
 * lines, then exit 0.  Run next to other domains it proves the hv
 * time-slices instead of running one domain to completion.
 */
#include "guest.h"

#define SPIN_DEFAULT 10000000ull
#define STEPS 4

int main(uint32_t magic, uint32_t info)
{
	const char *arg = cmdline_value("spin");
	uint64_t n = arg ? parse_u64(arg) : SPIN_DEFAULT;
	uint64_t step = n / STEPS ? n / STEPS : 1;
	uint64_t next = step;
	uint64_t i;

	(void)magic;
	(void)info;
	printf("spin: %lu iterations\n", n);
	for (i = 1; i <= n; i++) {
		asm volatile("" : : "r"(i) : "memory");
		if (i == next) {
			printf("spin: %lu%%\n", i * 100 / n);
			next += step;
		}
	}
	printf("spin: done\n");
	return 0;
}
