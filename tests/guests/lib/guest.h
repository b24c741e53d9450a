/* SPDX-License-Identifier: MIT */
/*
 * Tiny freestanding runtime for qhv test guests: port I/O, MSRs, a UART
 * printf, multiboot parsing, exception trapping, CPL3 calls and the qhv
 * hypercall wrappers.  main() runs in 64-bit mode, identity-mapped.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qhv/hypercall.h>

#include "guest_asm.h"

#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- port I/O, MSRs, CPUID, TSC ------------------------------------- */

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32)) : "memory");
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* ---- qhv hypercalls (64-bit convention: RAX, RDI, RSI, RDX) --------- */

static inline long qhv_hypercall(unsigned long nr, unsigned long a0,
				 unsigned long a1, unsigned long a2)
{
	long ret;

	asm volatile("vmcall"
		     : "=a"(ret)
		     : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
		     : "memory");
	return ret;
}

static inline long qhv_version(void)
{
	return qhv_hypercall(QHV_HC_VERSION, 0, 0, 0);
}

static inline long qhv_console_write(const void *buf, unsigned long len)
{
	return qhv_hypercall(QHV_HC_CONSOLE_WRITE, (unsigned long)buf, len, 0);
}

static inline long qhv_yield(void)
{
	return qhv_hypercall(QHV_HC_YIELD, 0, 0, 0);
}

/* Set by crt0 from its 32-bit probe. */
extern uint32_t qhv_present32, qhv_version32;

bool qhv_present(void);

/* ---- console and exit ----------------------------------------------- */

void serial_init(void);
void serial_putc(char c);
void serial_puts(const char *s);
/* Waits (bounded) until the UART has sent every byte. */
void serial_flush(void);
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Ends the guest: 32-bit OUT of @code to the test-exit port, then halt. */
void guest_exit(int code) __noreturn;
void guest_halt(void) __noreturn;

/* PASS/FAIL bookkeeping: prints "PASS name" or "FAIL name: details". */
extern unsigned int checks_passed, checks_failed;
bool check(const char *name, bool ok, const char *fmt, ...) __printf(3, 4);
void skip(const char *name, const char *why);
/* Running on qhv, or told to expect it ("expect-qhv"): then a missing qhv
 * is a failure, not a reason to skip. */
bool on_qhv(void);
/* check(), except that off qhv a failure is a SKIP: checks whose bare
 * emulator answer differs from hardware's. */
void check_qhv(const char *name, bool ok, const char *detail);
/* Prints "<guest>: N passed, M failed" and returns the exit code. */
int check_summary(const char *guest);

/* ---- boot information --------------------------------------------- */

#define BOOT_MAX_MODULES 8

struct boot_module {
	uint64_t start, end;
	const char *cmdline;
};

struct boot_info {
	uint32_t magic;
	int mb_version;		/* 1, 2, or 0 for an unknown magic */
	const char *cmdline;
	bool has_mem;
	uint32_t mem_lower, mem_upper;	/* KiB, multiboot style */
	uint32_t mods_count;
	struct boot_module mods[BOOT_MAX_MODULES];
	uint32_t mmap_count;
	uint64_t ram_top;	/* end of the highest available RAM range */
};

extern struct boot_info boot;

bool cmdline_has(const char *token);
/* Value of "key=value" on the command line, or NULL. */
const char *cmdline_value(const char *key);
uint64_t parse_u64(const char *s);

/* ---- exceptions and CPL3 -------------------------------------------- */

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * Lets exactly the next exceptions of @vector be survived: the handler
 * counts them in trap_hits and resumes @skip_len bytes further on.
 */
void trap_expect(unsigned int vector, unsigned int skip_len);
/* Load the IDT on another CPU (an AP of the smp guest). */
void trap_load(void);
/* An interrupt gate for @vector (e.g. an IPI), DPL 0. */
void trap_set_gate(unsigned int vector, void (*handler)(void));
void trap_expect_none(void);
extern volatile unsigned int trap_hits;
/* RDMSR / WRMSR of @msr without #GP (each is 2 bytes: 0f 32, 0f 30). */
bool msr_readable(uint32_t msr);
bool msr_writable(uint32_t msr, uint64_t v);
/* RFLAGS the CPU pushed for the last expected exception. */
extern volatile uint64_t trap_rflags;

long user_call(void (*fn)(void), void *user_stack_top);
void user_hc_version(void);

extern uint64_t pml4[512], pdpt[512];

/* ---- freestanding string helpers (gcc may emit calls to these) ------ */

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

int main(uint32_t magic, uint32_t info);

#endif /* GUEST_H */
