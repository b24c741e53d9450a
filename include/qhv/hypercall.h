/* SPDX-License-Identifier: MIT */
/**
 * DOC: qhv hypercall ABI, version 0.2
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

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define QHV_ABI_MAJOR 0
#define QHV_ABI_MINOR 2
#define QHV_ABI_VERSION ((QHV_ABI_MAJOR << 16) | QHV_ABI_MINOR)

/*
 * CPUID layout.  qhv's own leaves are at 0x40000000 for dom0 and plain
 * domains.  A later Xen-compatible domain flavour gets Xen's leaves at
 * 0x40000000 instead (and no qhv signature), so the two never meet in one
 * domain; 0x40000100.. stays free for Xen's "next 0x100 boundary" rule.
 *
 * CPUID leaf 0x40000000: EAX = max leaf, EBX/ECX/EDX = "QHVQHVQHVQHV". */
#define QHV_CPUID_BASE 0x40000000u
#define QHV_CPUID_SIG_EBX 0x51564851u /* "QHVQ" */
#define QHV_CPUID_SIG_ECX 0x48515648u /* "HVQH" */
#define QHV_CPUID_SIG_EDX 0x56485156u /* "VQHV" */
/* CPUID leaf 0x40000001: EAX = QHV_ABI_VERSION, EBX = feature bits. */
#define QHV_CPUID_VERSION (QHV_CPUID_BASE + 1)
/* Leaf 0x40000001 EBX: this domain may use the management calls. */
#define QHV_CPUID_F_PRIVILEGED (1u << 0)

/*
 * Hypercall number space.  Xen's hypercall numbers (0..63, reached through
 * a hypercall page or a bare VMCALL) are kept free for the Xen-compatible
 * guest interface; qhv's own calls live at QHV_HC_BASE and up, so both
 * can be decoded side by side.
 */
#define QHV_HC_BASE 0x51480000u /* "QH" << 16 */

/**
 * enum qhv_hypercall - hypercall numbers (RAX/EAX).
 * @QHV_HC_VERSION: no arguments; returns QHV_ABI_VERSION.
 * @QHV_HC_CONSOLE_WRITE: (buf, len): write @len bytes at guest-virtual
 *   @buf to the domain's console (the hv console, tagged with the domain's
 *   name, and the domain's console ring).  len must be
 *   <= QHV_CONSOLE_WRITE_MAX.  Returns bytes written, -QHV_EFAULT for an
 *   unmapped buffer, -QHV_EINVAL for an oversized length.
 * @QHV_HC_DOMAIN_EXIT: (code): ends the calling domain with exit @code
 *   (low 32 bits).  Does not return.
 * @QHV_HC_YIELD: no arguments; gives up the rest of the time slice.
 *   Returns 0.
 * @QHV_HC_DOMCTL: (op, buf, len): a management operation on one domain,
 *   dom0 only; see <qhv/domctl.h>.  Any other domain gets -QHV_EPERM.
 * @QHV_HC_SYSCTL: (op, buf, len): a management operation on the machine
 *   (domain list, pool, hv log, events), dom0 only; see <qhv/domctl.h>.
 */
enum qhv_hypercall {
	QHV_HC_VERSION = QHV_HC_BASE + 0,
	QHV_HC_CONSOLE_WRITE = QHV_HC_BASE + 1,
	QHV_HC_DOMAIN_EXIT = QHV_HC_BASE + 2,
	QHV_HC_YIELD = QHV_HC_BASE + 3,
	QHV_HC_DOMCTL = QHV_HC_BASE + 16,
	QHV_HC_SYSCTL = QHV_HC_BASE + 17,
};

#define QHV_CONSOLE_WRITE_MAX 4096u

/* Error numbers returned (negated) by hypercalls; values are Linux's. */
#define QHV_EPERM 1
#define QHV_ENOENT 2
#define QHV_ESRCH 3
#define QHV_E2BIG 7
#define QHV_ENOMEM 12
#define QHV_EFAULT 14
#define QHV_EBUSY 16
#define QHV_EEXIST 17
#define QHV_ENODEV 19
#define QHV_EINVAL 22
#define QHV_ENOSPC 28
#define QHV_ENOSYS 38
#define QHV_EAGAIN 11
#define QHV_ERANGE 34
#define QHV_EOVERFLOW 75

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
