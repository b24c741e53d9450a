/* SPDX-License-Identifier: MIT */
/**
 * DOC: qhv hypercall ABI, version 0
 *
 * One source of truth for the hypervisor, test guests, the future dom0
 * driver and libqhv.  This header is freestanding: it needs only the
 * compiler's <stdint.h>.
 *
 * Calling convention (VMCALL, from CPL 0 only; CPL > 0 gets -QHV_EPERM):
 *
 *   64-bit guest (CS.L = 1): number in RAX, arguments in RDI, RSI, RDX,
 *                            R10, R8; result in RAX.
 *   32-bit guest (protected or real mode): number in EAX, arguments in
 *                            EBX, ECX, EDX, ESI, EDI; result in EAX
 *                            (sign-extended 32-bit value).
 *
 * Every other register is preserved.  Results are >= 0 on success and a
 * negative QHV_E* value (Linux errno numbers) on failure.  Pointers are
 * guest-virtual addresses, translated through the calling vCPU's current
 * paging mode.
 *
 * Versioning: QHV_HC_VERSION returns (major << 16) | minor.  A minor bump
 * only adds hypercalls or flags; a major bump may change existing ones.
 */
#ifndef QHV_HYPERCALL_H
#define QHV_HYPERCALL_H

#include <stdint.h>

#define QHV_ABI_MAJOR 0
#define QHV_ABI_MINOR 1
#define QHV_ABI_VERSION ((QHV_ABI_MAJOR << 16) | QHV_ABI_MINOR)

/* CPUID leaf 0x40000000: EAX = max leaf, EBX/ECX/EDX = "QHVQHVQHVQHV". */
#define QHV_CPUID_BASE 0x40000000u
#define QHV_CPUID_SIG_EBX 0x51564851u /* "QHVQ" */
#define QHV_CPUID_SIG_ECX 0x48515648u /* "HVQH" */
#define QHV_CPUID_SIG_EDX 0x56485156u /* "VQHV" */
/* CPUID leaf 0x40000001: EAX = QHV_ABI_VERSION, EBX = feature bits. */
#define QHV_CPUID_VERSION (QHV_CPUID_BASE + 1)

/**
 * enum qhv_hypercall - hypercall numbers (RAX/EAX).
 * @QHV_HC_VERSION: no arguments; returns QHV_ABI_VERSION.
 * @QHV_HC_CONSOLE_WRITE: (buf, len): write @len bytes at guest-virtual
 *   @buf to the hv console, tagged with the domain's name.  len must be
 *   <= QHV_CONSOLE_WRITE_MAX.  Returns bytes written, -QHV_EFAULT for an
 *   unmapped buffer, -QHV_EINVAL for an oversized length.
 * @QHV_HC_DOMAIN_EXIT: (code): ends the calling domain with exit @code
 *   (low 32 bits).  Does not return.
 * @QHV_HC_YIELD: no arguments; gives up the rest of the time slice.
 *   Returns 0.
 */
enum qhv_hypercall {
	QHV_HC_VERSION = 0,
	QHV_HC_CONSOLE_WRITE = 1,
	QHV_HC_DOMAIN_EXIT = 2,
	QHV_HC_YIELD = 3,
	QHV_HC_MAX
};

#define QHV_CONSOLE_WRITE_MAX 4096u

/* Error numbers returned (negated) by hypercalls; values are Linux's. */
#define QHV_EPERM 1
#define QHV_ENOENT 2
#define QHV_E2BIG 7
#define QHV_ENOMEM 12
#define QHV_EFAULT 14
#define QHV_EBUSY 16
#define QHV_EEXIST 17
#define QHV_EINVAL 22
#define QHV_ENOSPC 28
#define QHV_ENOSYS 38

/*
 * Devices every domain sees (emulated by the hv):
 *   0x3f8-0x3ff  16550 UART, transmit only; output is printed on the hv
 *                console as "[name] line".
 *   0xf4         test-exit port: a 32-bit OUT of a code ends the domain
 *                with that exit code (like QEMU's isa-debug-exit).
 */
#define QHV_PORT_UART 0x3f8
#define QHV_PORT_TEST_EXIT 0xf4

#endif /* QHV_HYPERCALL_H */
