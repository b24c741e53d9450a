// SPDX-License-Identifier: MIT
/*
 * badargs: hostile console_write arguments.  Each must fail cleanly with
 * the documented error and leave the domain running.
 */
#include "guest.h"

#define NONCANONICAL 0xffff800000000000ull
/* PML4[0] covers 512 GiB; crt0 maps only the first 4 GiB of it. */
#define UNMAPPED_GVA (64ull << 30)
/* GVA window whose 4 KiB mapping badargs builds itself: page 0 mapped. */
#define SPLIT_GVA (5ull << 30)
#define PTE_P 0x1ull
#define PTE_RW 0x2ull

static uint64_t split_pd[512] __attribute__((aligned(4096)));
static uint64_t split_pt[512] __attribute__((aligned(4096)));
static char split_page[4096] __attribute__((aligned(4096)));
static char okbuf[QHV_CONSOLE_WRITE_MAX + 16];
static uint8_t user_stack[4096] __attribute__((aligned(16)));

static void expect_ret(const char *name, long got, long want)
{
	check(name, got == want, "returned %ld want %ld", got, want);
}

/* GVA SPLIT_GVA: one page mapped to split_page, the next one absent. */
static void map_split_window(void)
{
	split_pt[0] = (uintptr_t)split_page | PTE_P | PTE_RW;
	split_pd[0] = (uintptr_t)split_pt | PTE_P | PTE_RW;
	pdpt[SPLIT_GVA >> 30] = (uintptr_t)split_pd | PTE_P | PTE_RW;
	asm volatile("invlpg (%0)" : : "r"(SPLIT_GVA) : "memory");
}

static void check_wild_pointers(void)
{
	uint64_t beyond = boot.ram_top + (16ull << 20);

	expect_ret("noncanonical-efault",
		   qhv_console_write((void *)NONCANONICAL, 8), -QHV_EFAULT);
	expect_ret("unmapped-gva-efault",
		   qhv_console_write((void *)UNMAPPED_GVA, 8), -QHV_EFAULT);
	if (!boot.ram_top || beyond >= (4ull << 30)) {
		skip("beyond-ram-efault", "RAM size unknown or too large");
		return;
	}
	/* Mapped by the guest's page tables, but no RAM behind it. */
	expect_ret("beyond-ram-efault",
		   qhv_console_write((void *)beyond, 8), -QHV_EFAULT);
}

static void check_lengths(void)
{
	memset(okbuf, 'x', sizeof(okbuf));
	expect_ret("oversize-einval",
		   qhv_console_write(okbuf, QHV_CONSOLE_WRITE_MAX + 1),
		   -QHV_EINVAL);
	expect_ret("zero-length", qhv_console_write(okbuf, 0), 0);
}

static void check_spanning(void)
{
	char *p = (char *)(uintptr_t)(SPLIT_GVA + 4096 - 8);

	map_split_window();
	memcpy(p, "span-gva", 8);
	expect_ret("span-unmapped-gva-efault", qhv_console_write(p, 16),
		   -QHV_EFAULT);
	if (!boot.ram_top || boot.ram_top > (4ull << 30)) {
		skip("span-beyond-ram-efault", "RAM size unknown or too large");
		return;
	}
	/* The last 8 bytes of RAM, then 8 bytes of nothing. */
	expect_ret("span-beyond-ram-efault",
		   qhv_console_write((void *)(boot.ram_top - 8), 16),
		   -QHV_EFAULT);
}

/* CPL3 body used bare, to prove the ring switch itself works. */
void user_ret42(void);
asm(".text\n"
    "user_ret42:\n"
    "	movl $42, %eax\n"
    "	int $" "0x81" "\n");
_Static_assert(USER_RETURN_VECTOR == 0x81, "user_ret42 vector");

static void check_cpl3(void)
{
	long r = user_call(user_hc_version, user_stack + sizeof(user_stack));

	expect_ret("cpl3-eperm", r, -QHV_EPERM);
}

int main(uint32_t magic, uint32_t info)
{
	(void)magic;
	(void)info;
	if (!qhv_present()) {
		if (cmdline_has("expect-qhv"))
			check("badargs-qhv-present", false,
			      "no qhv CPUID signature");
		else
			skip("badargs", "not running on qhv");
		expect_ret("cpl3-call-bare",
			   user_call(user_ret42,
				     user_stack + sizeof(user_stack)), 42);
		return check_summary("badargs");
	}
	printf("badargs: ram_top=%#lx\n", boot.ram_top);
	check_wild_pointers();
	check_lengths();
	check_spanning();
	check_cpl3();
	printf("badargs: survived\n");
	return check_summary("badargs");
}
