// SPDX-License-Identifier: MIT
/*
 * ticker: a guest for lifecycle tests.  Prints "ticker: tick N" every
 * every=ITERATIONS loop turns (default 2000000), ticks=N times (default:
 * forever), and echoes each byte that arrives on its UART's receive side
 * as "ticker: got 'c'", so pausing (ticks stop), CPU time and console
 * input can be watched from dom0.  A byte 'q' ends it with exit code 0.
 */
#include "guest.h"

#define UART 0x3f8

int main(uint32_t magic, uint32_t info)
{
	const char *e = cmdline_value("every"), *t = cmdline_value("ticks");
	uint64_t every = e ? parse_u64(e) : 2000000, ticks = t ? parse_u64(t) : 0;
	uint64_t n = 0, i = 0;

	(void)magic;
	(void)info;
	printf("ticker: start\n");
	for (;;) {
		asm volatile("" : : "r"(i) : "memory");
		if (++i >= every) {
			i = 0;
			printf("ticker: tick %lu\n", ++n);
			if (ticks && n >= ticks)
				break;
		}
		if (inb(UART + 5) & 1) {
			char c = (char)inb(UART);

			printf("ticker: got '%c'\n", c);
			if (c == 'q')
				break;
		}
	}
	printf("ticker: done\n");
	return 0;
}
