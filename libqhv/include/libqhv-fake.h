/* SPDX-License-Identifier: MIT */
/**
 * DOC: libqhv-fake, driving the simulated hv from tests
 *
 * A handle opened on "fake:[options]" (see <libqhv.h>) runs every call
 * against an in-process simulation of the hv.  These functions play the
 * guest's and the hv's side of it: they make a domain print, exit or
 * crash, and let a test look at what the toolstack wrote.  They are
 * exported from libqhv.so for tests only; on a handle to a real device
 * each returns -ENOTTY.  They record a message like every other call.
 *
 * Across processes (fake:state=PATH), the program `qhv-fake-ctl` built
 * beside libqhv calls them from the command line (see docs/libqhv.md).
 */
#ifndef LIBQHV_FAKE_H
#define LIBQHV_FAKE_H

#include "libqhv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Size of the fake's per-domain UART receive FIFO (qhv_console_write()). */
#define QHV_FAKE_RX_FIFO 256u

/**
 * qhv_fake_console_output() - the guest writes to its console.
 * @h: fake handle.
 * @domid: the domain (dom0 too).
 * @buf: bytes.
 * @len: any length; the ring keeps the last QHV_CONSOLE_RING_SIZE bytes.
 *
 * Raises QHV_EVENT_CONSOLE.
 *
 * Return: 0 or a negative errno.
 */
int qhv_fake_console_output(struct qhv_handle *h, uint32_t domid,
			    const void *buf, size_t len);

/**
 * qhv_fake_log() - the hv writes to its log ring.
 * @h: fake handle.
 * @buf: bytes.
 * @len: any length; the ring keeps the last QHV_LOG_RING_SIZE bytes.
 *
 * Raises QHV_EVENT_LOG.
 *
 * Return: 0 or a negative errno.
 */
int qhv_fake_log(struct qhv_handle *h, const void *buf, size_t len);

/**
 * qhv_fake_console_input() - the guest drains its UART receive FIFO.
 * @h: fake handle.
 * @domid: the domain.
 * @buf: destination.
 * @len: its size.
 *
 * Return: bytes taken out of the FIFO (what qhv_console_write() put
 * there), or a negative errno.
 */
ssize_t qhv_fake_console_input(struct qhv_handle *h, uint32_t domid,
			       void *buf, size_t len);

/**
 * qhv_fake_shutdown() - the guest ends itself.
 * @h: fake handle.
 * @domid: a started domain (not dom0).
 * @reason: enum qhv_shutdown_reason (not QHV_SHUTDOWN_NONE).
 * @exit_code: reported with QHV_SHUTDOWN_EXIT.
 *
 * Return: 0, -EINVAL (not started, already ended, bad reason), -EPERM
 * (dom0), -ESRCH.
 */
int qhv_fake_shutdown(struct qhv_handle *h, uint32_t domid,
		      uint32_t reason, uint32_t exit_code);

/**
 * qhv_fake_crash() - the hv crashes a started domain.
 * @h: fake handle.
 * @domid: the domain (not dom0).
 * @reason: text for qhv_domain_info.reason (truncated to fit).
 *
 * Return: 0, -EINVAL (not started or already ended), -EPERM, -ESRCH.
 */
int qhv_fake_crash(struct qhv_handle *h, uint32_t domid, const char *reason);

/**
 * qhv_fake_set_blocked() - every vCPU of a running domain halts or wakes.
 * @h: fake handle.
 * @domid: the domain (not dom0).
 * @blocked: non-zero: QHV_STATE_BLOCKED while running; 0: running.
 *
 * Return: 0, -EINVAL (not started or ended), -EPERM, -ESRCH.
 */
int qhv_fake_set_blocked(struct qhv_handle *h, uint32_t domid, int blocked);

/**
 * qhv_fake_add_cpu_time() - account guest time to a vCPU.
 * @h: fake handle.
 * @domid: the domain.
 * @vcpu: the vCPU.
 * @ns: nanoseconds to add to cpu_time_ns[@vcpu].
 *
 * Return: 0, -EINVAL, -ESRCH.
 */
int qhv_fake_add_cpu_time(struct qhv_handle *h, uint32_t domid,
			  uint32_t vcpu, uint64_t ns);

/**
 * qhv_fake_mem_read() - read a domain's guest-physical memory.
 * @h: fake handle.
 * @domid: the domain (not dom0: its memory is not simulated).
 * @gpa: source address.
 * @buf: destination.
 * @len: bytes; [gpa, gpa + len) must be inside the domain's RAM.
 *
 * Memory never written reads as zero.
 *
 * Return: 0, -EFAULT, -EPERM, -ESRCH.
 */
int qhv_fake_mem_read(struct qhv_handle *h, uint32_t domid, uint64_t gpa,
		      void *buf, size_t len);

/**
 * qhv_fake_vcpu_get() - the start state qhv_vcpu_set() gave a vCPU.
 * @h: fake handle.
 * @domid: the domain.
 * @vcpu: the vCPU.
 * @ctx: receives the state.
 *
 * Return: 0, -ENOENT (never set), -EINVAL (no such vCPU), -ESRCH.
 */
int qhv_fake_vcpu_get(struct qhv_handle *h, uint32_t domid, uint32_t vcpu,
		      struct qhv_vcpu_context *ctx);

/**
 * qhv_fake_fail_next() - make the next management call of a kind fail.
 * @h: fake handle.
 * @ioc: the QHV_IOC_* request to fail (0: whichever comes next).
 * @err: the negative errno it returns (nothing else happens).
 *
 * For testing a program's error paths (-EIO from the driver, ...).
 *
 * Return: 0 or -ENOTTY.
 */
int qhv_fake_fail_next(struct qhv_handle *h, unsigned long ioc, int err);

#ifdef __cplusplus
}
#endif

#endif /* LIBQHV_FAKE_H */
