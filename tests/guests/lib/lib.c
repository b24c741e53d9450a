// SPDX-License-Identifier: MIT
/*
 * C entry, exit path, PASS/FAIL bookkeeping and string helpers.
 */
#include "guest.h"

_Static_assert(CRT0_QHV_CPUID_BASE == QHV_CPUID_BASE, "crt0 ABI copy");
_Static_assert(CRT0_QHV_SIG_EBX == QHV_CPUID_SIG_EBX, "crt0 ABI copy");
_Static_assert(CRT0_QHV_SIG_ECX == QHV_CPUID_SIG_ECX, "crt0 ABI copy");
_Static_assert(CRT0_QHV_SIG_EDX == QHV_CPUID_SIG_EDX, "crt0 ABI copy");
_Static_assert(CRT0_QHV_HC_VERSION == QHV_HC_VERSION, "crt0 ABI copy");
_Static_assert(CRT0_QHV_HC_CONSOLE_WRITE == QHV_HC_CONSOLE_WRITE, "crt0 ABI copy");

void boot_info_parse(uint32_t magic, uint32_t info);
void trap_init(void);
void guest_start(uint32_t magic, uint32_t info) __noreturn;

/* Bochs' "Shutdown" port: lets a bare guest stand in for the hv. */
#define BOCHS_SHUTDOWN_PORT 0x8900

unsigned int checks_passed, checks_failed;
static bool bare_shutdown;
static bool exit_via_hypercall;

void guest_start(uint32_t magic, uint32_t info)
{
	trap_init();
	/*
	 * qhv's UART needs no set-up, and a divisor-latch write to 0x3f8 with
	 * LCR.DLAB set would be a stray console byte if it ignored DLAB.
	 */
	if (!qhv_present())
		serial_init();
	boot_info_parse(magic, info);
	/*
	 * "bare-shutdown" makes the guest print the hv's final console line
	 * itself and power Bochs off: qhv-emu's self-test boots a guest as
	 * if it were the hypervisor.
	 */
	bare_shutdown = cmdline_has("bare-shutdown");
	/* "exit-via-hypercall": end with QHV_HC_DOMAIN_EXIT, not port 0xf4. */
	exit_via_hypercall = cmdline_has("exit-via-hypercall");
	guest_exit(main(magic, info));
}

bool qhv_present(void)
{
	struct cpuid_regs r = cpuid(QHV_CPUID_BASE, 0);

	return r.ebx == QHV_CPUID_SIG_EBX && r.ecx == QHV_CPUID_SIG_ECX &&
	       r.edx == QHV_CPUID_SIG_EDX;
}

void guest_exit(int code)
{
	const char *s;
	long r;

	if (exit_via_hypercall && qhv_present()) {
		r = qhv_hypercall(QHV_HC_DOMAIN_EXIT, (uint32_t)code, 0, 0);
		printf("FAIL domain-exit: hypercall returned %ld\n", r);
	}
	outl(QHV_PORT_TEST_EXIT, (uint32_t)code);
	/* Still here: no qhv and no isa-debug-exit device. */
	if (bare_shutdown) {
		printf("qhv: shutdown status=%d\n", code);
		serial_flush();
		for (s = "Shutdown"; *s; s++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	}
	guest_halt();
}

bool check(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		checks_passed++;
		printf("PASS %s\n", name);
		return true;
	}
	checks_failed++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return false;
}

void skip(const char *name, const char *why)
{
	printf("SKIP %s: %s\n", name, why);
}

bool on_qhv(void)
{
	return qhv_present() || cmdline_has("expect-qhv");
}

void check_qhv(const char *name, bool ok, const char *detail)
{
	if (!ok && !on_qhv())
		skip(name, detail);
	else
		check(name, ok, "%s", detail);
}

int check_summary(const char *guest)
{
	printf("%s: %u passed, %u failed\n", guest, checks_passed,
	       checks_failed);
	return checks_failed ? 1 : 0;
}

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *pa = a, *pb = b;

	for (; n; n--, pa++, pb++)
		if (*pa != *pb)
			return *pa - *pb;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}
