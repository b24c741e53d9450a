// SPDX-License-Identifier: MIT
/*
 * IDT and TSS.  Every guest gets handlers for the 32 exception vectors so
 * that an unexpected fault prints a diagnostic and exits with 0x80+vector
 * instead of silently triple-faulting (only triple_fault wants that).
 */
#include "guest.h"

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type_attr;
	uint16_t off_mid;
	uint32_t off_hi, reserved;
} __attribute__((packed));

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2;
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern char trap_stubs[];
extern char user_return_stub[];
extern uint64_t gdt[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
/* Stack the CPU switches to when a CPL3 function traps or returns. */
static uint8_t ring0_stack[8192] __attribute__((aligned(16)));

volatile unsigned int trap_hits;
volatile uint64_t trap_rflags;
static volatile unsigned int expect_vector = ~0u;
static volatile unsigned int expect_skip;

static void set_gate(unsigned int vec, void *handler, unsigned int dpl)
{
	uint64_t off = (uintptr_t)handler;

	idt[vec] = (struct idt_gate){
		.off_lo = off & 0xffff,
		.sel = GDT_CODE64,
		.type_attr = 0x8e | (dpl << 5),	/* present interrupt gate */
		.off_mid = (off >> 16) & 0xffff,
		.off_hi = off >> 32,
	};
}

static void tss_init(void)
{
	uint64_t base = (uintptr_t)&tss;
	uint64_t limit = sizeof(tss) - 1;

	tss.rsp0 = (uintptr_t)(ring0_stack + sizeof(ring0_stack));
	tss.iomap_base = sizeof(tss);	/* no I/O bitmap */
	/* 16-byte available 64-bit TSS descriptor, type 9, present. */
	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			   (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
			   (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;
	asm volatile("ltr %w0" : : "r"(GDT_TSS));
}

void trap_init(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (uintptr_t)idt };
	unsigned int vec;

	for (vec = 0; vec < 32; vec++)
		set_gate(vec, trap_stubs + 16 * vec, 0);
	set_gate(USER_RETURN_VECTOR, user_return_stub, 3);
	tss_init();
	asm volatile("lidt %0" : : "m"(idtr));
}

void trap_expect(unsigned int vector, unsigned int skip_len)
{
	trap_hits = 0;
	expect_skip = skip_len;
	expect_vector = vector;
}

void trap_expect_none(void)
{
	expect_vector = ~0u;
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector == expect_vector) {
		trap_hits++;
		trap_rflags = f->rflags;
		f->rip += expect_skip;
		return;
	}
	printf("guest: unexpected exception %lu error=%#lx rip=%#lx cs=%#lx\n",
	       f->vector, f->error, f->rip, f->cs);
	guest_exit(0x80 + (int)f->vector);
}

void trap_load(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	asm volatile("lidt %0" : : "m"(idtr));
}

void trap_set_gate(unsigned int vector, void (*handler)(void))
{
	set_gate(vector, (void *)handler, 0);
}

bool msr_readable(uint32_t msr)
{
	trap_expect(13, 2);
	(void)rdmsr(msr);
	trap_expect_none();
	return trap_hits == 0;
}

bool msr_writable(uint32_t msr, uint64_t v)
{
	trap_expect(13, 2);
	wrmsr(msr, v);
	trap_expect_none();
	return trap_hits == 0;
}
