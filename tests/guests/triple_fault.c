// SPDX-License-Identifier: MIT
/*
 * triple_fault: with a null IDT any exception escalates to a triple fault;
 * qhv must crash this domain alone and keep the others running.
 */
#include "guest.h"

int main(uint32_t magic, uint32_t info)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) null_idt = { 0, 0 };

	(void)magic;
	(void)info;
	printf("triple_fault: loading a null IDT and executing ud2\n");
	asm volatile("lidt %0\n\tud2" : : "m"(null_idt));
	printf("FAIL triple_fault: survived ud2 with a null IDT\n");
	return 1;
}
