/* SPDX-License-Identifier: MIT */
/**
 * DOC: libqhv, the dom0 library for qhv's management interface
 *
 * libqhv wraps /dev/qhv (<qhv/qhv_ioctl.h>): one call per management
 * operation, with the argument structs of <qhv/domctl.h>.  The library
 * fills hdr.interface_version and hdr.domid itself.
 *
 * Errors: every function returns 0 (or a non-negative count) on success
 * and a negative errno on failure (the hv's QHV_E* values are Linux's
 * errno numbers, so -ESRCH == -QHV_ESRCH).  On failure it also records a
 * message with context in the handle, e.g. "create 'web': name already
 * in use" or "destroy 0: dom0 cannot be destroyed"; qhv_last_error()
 * returns it.  qhv_strerror() words an error number alone.
 *
 * Common errors: -ESRCH no such domain id; -ENOENT no domain by that
 * name (qhv_domain_lookup()); -EPERM the target is dom0, or the caller
 * is not dom0 / lacks CAP_SYS_ADMIN; -EBUSY wrong domain state for the
 * operation (memory write while running, SET_VCPU or START after start);
 * -EEXIST name in use; -ENOMEM not enough free memory in the pool;
 * -EINVAL bad argument; -ENODEV no /dev/qhv (no driver, or not dom0).
 *
 * Threads: there is no global state.  A handle may be used by one
 * thread at a time; use one handle per thread for concurrency.
 *
 * Backends: qhv_open() opens the device named by $QHV_DEVICE, or
 * /dev/qhv when unset.  The device name "fake:" (optionally
 * "fake:KEY=VAL,...") selects an in-process simulation of the hv's
 * management semantics instead of a real device, so programs and their
 * tests run on any host:
 *
 *   QHV_DEVICE=fake: qhv list
 *
 * Fake options (comma-separated after "fake:"):
 *   pool=SIZE     free memory for domains (default 256M; K/M/G suffix)
 *   cpus=N        physical CPUs reported (default 4)
 *   state=PATH    keep the simulated hv in file PATH: loaded at open,
 *                 saved at close (under an exclusive lock held while the
 *                 handle is open), so separate processes (one CLI
 *                 invocation after another) see the same domains.
 *                 Without it the state lives and dies with the handle.
 *
 * The fake starts with dom0 (id 0, "Domain-0", running, privileged).
 * It models: ids 1.. handed out moving forward; unique names; the states
 * built, running, blocked, paused, shutdown, crashed; nested pauses; a
 * pool of frames (-ENOMEM beyond it); guest memory written by
 * qhv_memwrite() (-EBUSY while the domain is started and not paused,
 * -EFAULT outside its RAM); vCPU start states (-EBUSY after start); a
 * console ring of QHV_CONSOLE_RING_SIZE bytes per domain and an hv log
 * ring, with the cursor/lost semantics of the real rings; dom0 refusing
 * destroy, pause and memwrite with -EPERM; events (a pollable pipe);
 * and the per-open rule of the driver: a domain created through a handle
 * and not started when the handle is closed is destroyed.  Tests drive
 * the guest side (console output, exits, crashes) and inspect memory and
 * vCPU state with the qhv_fake_*() functions in <libqhv-fake.h>.
 */
#ifndef LIBQHV_H
#define LIBQHV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <qhv/domctl.h>
#include <qhv/qhv_ioctl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version (matches the shared library's 0.2.0). */
#define LIBQHV_VERSION_MAJOR 0
#define LIBQHV_VERSION_MINOR 2

/* Device used when $QHV_DEVICE is unset. */
#define QHV_DEVICE_DEFAULT "/dev/qhv"

struct qhv_handle;

/**
 * qhv_open() - open the management device.
 * @out: receives the handle (NULL on failure).
 *
 * Opens $QHV_DEVICE, or QHV_DEVICE_DEFAULT when unset ("fake:..." selects
 * the simulation, see the DOC above).  Same as qhv_open_dev(NULL, out,
 * NULL, 0).
 *
 * Return: 0, or a negative errno (-ENOENT/-ENODEV: no device, -EACCES/
 * -EPERM: not root or no CAP_SYS_ADMIN).
 */
int qhv_open(struct qhv_handle **out);

/**
 * qhv_open_dev() - open a named management device.
 * @device: a device path, "fake:[options]", or NULL for $QHV_DEVICE /
 *   QHV_DEVICE_DEFAULT.
 * @out: receives the handle (NULL on failure).
 * @err: if not NULL, receives a message on failure (there is no handle
 *   to hold it yet), e.g. "/dev/qhv: No such file or directory (is the
 *   qhv driver loaded?)".
 * @errlen: size of @err.
 *
 * Return: 0, or a negative errno.
 */
int qhv_open_dev(const char *device, struct qhv_handle **out,
		 char *err, size_t errlen);

/**
 * qhv_close() - close a handle and free it.
 * @h: the handle, or NULL (nothing happens).
 *
 * Domains created through @h and never started are destroyed (by the
 * driver, or by the fake).
 */
void qhv_close(struct qhv_handle *h);

/**
 * qhv_strerror() - describe an error number.
 * @err: a negative errno as returned by libqhv (a positive one works too).
 *
 * Return: a static string, with qhv wording where it helps ("no such
 * domain" for ESRCH, "not permitted" ...).  Never NULL; thread-safe.
 */
const char *qhv_strerror(int err);

/**
 * qhv_last_error() - message of the last failure on a handle.
 * @h: the handle (NULL gives "no handle").
 *
 * Return: the message of the most recent failed call on @h, with its
 * context ("pause 'web' (3): domain has ended"), or "" when no call has
 * failed yet.  Valid until the next call on @h.
 */
const char *qhv_last_error(const struct qhv_handle *h);

/**
 * qhv_domain_create() - create a domain (built, not started).
 * @h: handle.
 * @req: the request; hdr is filled by the library (a copy is sent, @req
 *   is not changed).  The name is checked first (1..31 bytes of
 *   [A-Za-z0-9_.-]), mem_bytes (a non-zero multiple of 4 KiB) and
 *   nr_vcpus (1..QHV_MAX_VCPUS) too.
 * @domid: receives the new id (may be NULL).
 *
 * Return: 0, -EEXIST (name in use), -ENOMEM (pool too small), -EINVAL,
 * -ENOSPC (no free id).
 */
int qhv_domain_create(struct qhv_handle *h,
		      const struct qhv_domctl_create *req, uint32_t *domid);

/**
 * qhv_domain_destroy() - destroy a domain in any state.
 * @h: handle.
 * @domid: the domain.
 *
 * Return: 0 once it is gone or going, -ESRCH, -EPERM for dom0.
 */
int qhv_domain_destroy(struct qhv_handle *h, uint32_t domid);

/**
 * qhv_domain_pause() - pause a domain (pauses nest).
 * @h: handle.
 * @domid: the domain.
 *
 * Return: 0, -ESRCH, -EPERM for dom0.
 */
int qhv_domain_pause(struct qhv_handle *h, uint32_t domid);

/**
 * qhv_domain_unpause() - undo one qhv_domain_pause().
 * @h: handle.
 * @domid: the domain.
 *
 * Return: 0, -ESRCH, -EPERM for dom0, -EINVAL when not paused.
 */
int qhv_domain_unpause(struct qhv_handle *h, uint32_t domid);

/**
 * qhv_domain_start() - start a built domain.
 * @h: handle.
 * @domid: the domain; its vCPU 0 should have a state (qhv_vcpu_set()).
 *
 * Return: 0, -ESRCH, -EPERM for dom0, -EBUSY when already started.
 */
int qhv_domain_start(struct qhv_handle *h, uint32_t domid);

/**
 * qhv_domain_getinfo() - a domain's state.
 * @h: handle.
 * @domid: the domain.
 * @out: receives the info.
 *
 * Return: 0 or -ESRCH.
 */
int qhv_domain_getinfo(struct qhv_handle *h, uint32_t domid,
		       struct qhv_domain_info *out);

/**
 * qhv_domain_list() - every live domain, dom0 included, by id.
 * @h: handle.
 * @out: receives a malloc'ed array sorted by domain id (free() it;
 *   NULL when @n is 0).
 * @n: receives the number of entries.
 *
 * Domains that vanish between the id list and their info are left out.
 *
 * Return: 0, -ENOMEM.
 */
int qhv_domain_list(struct qhv_handle *h, struct qhv_domain_info **out,
		    size_t *n);

/**
 * qhv_domain_lookup() - find a domain by id or name.
 * @h: handle.
 * @name_or_id: a decimal id ("3") or a name ("web").  A string of
 *   digits is always an id (names of digits only cannot be looked up
 *   by name).
 * @domid: receives the id.
 *
 * Return: 0, -ENOENT (message "no domain named 'web'"), -ESRCH (message
 * "no domain with id 7"), -EINVAL (empty or malformed).
 */
int qhv_domain_lookup(struct qhv_handle *h, const char *name_or_id,
		      uint32_t *domid);

/**
 * qhv_domain_check_uuid() - check that an id still names the same domain.
 * @h: handle.
 * @domid: an id looked up earlier.
 * @uuid: the uuid it had then (16 bytes).
 *
 * Ids are reused only after a long time, but a tool that keeps an id
 * across user interaction checks it before acting.
 *
 * Return: 0, -ESRCH when the id is gone or now names another domain.
 */
int qhv_domain_check_uuid(struct qhv_handle *h, uint32_t domid,
			  const uint8_t uuid[16]);

/**
 * qhv_memwrite() - copy bytes into a domain's guest-physical memory.
 * @h: handle.
 * @domid: the domain, built (never started) or paused.
 * @gpa: guest-physical destination.
 * @buf: source bytes.
 * @len: any length (split into QHV_MEMWRITE_MAX pieces below); 0 does
 *   nothing.
 *
 * Return: 0, -EBUSY (running), -EFAULT (outside the domain's RAM: the
 * range is checked as a whole first), -EPERM for dom0, -ESRCH.
 */
int qhv_memwrite(struct qhv_handle *h, uint32_t domid, uint64_t gpa,
		 const void *buf, size_t len);

/**
 * qhv_vcpu_set() - set a vCPU's start state.
 * @h: handle.
 * @domid: the domain, not yet started.
 * @vcpu: 0..nr_vcpus-1.
 * @ctx: the state (<qhv/domctl.h>).
 *
 * Return: 0, -EBUSY (already started), -EINVAL (bad vCPU, mode, rflags,
 * cr3), -ESRCH, -EPERM for dom0.
 */
int qhv_vcpu_set(struct qhv_handle *h, uint32_t domid, uint32_t vcpu,
		 const struct qhv_vcpu_context *ctx);

/**
 * qhv_console_read() - read a domain's console output from a cursor.
 * @h: handle.
 * @domid: the domain.
 * @cursor: in: stream offset to read from (0 = the oldest byte still in
 *   the ring); out: the offset after the last byte returned (pass it
 *   back next time).
 * @buf: destination.
 * @len: its size (read in QHV_CONSOLE_IO_MAX pieces until @len bytes or
 *   no more output).
 * @lost: if not NULL, receives how many bytes between the old @cursor
 *   and the oldest byte still in the ring were lost (the reader was too
 *   slow).
 *
 * Return: bytes read (0: nothing new), or a negative errno (-ESRCH).
 */
ssize_t qhv_console_read(struct qhv_handle *h, uint32_t domid,
			 uint64_t *cursor, void *buf, size_t len,
			 uint64_t *lost);

/**
 * qhv_console_write() - send bytes to a domain's UART receive side.
 * @h: handle.
 * @domid: the domain.
 * @buf: bytes.
 * @len: at most QHV_CONSOLE_IO_MAX are offered in one call.
 *
 * Return: bytes taken (may be fewer than @len, or 0, when the receive
 * FIFO is full: retry later), or a negative errno.
 */
ssize_t qhv_console_write(struct qhv_handle *h, uint32_t domid,
			  const void *buf, size_t len);

/**
 * qhv_log_read() - read the hv's own log ring (like `xl dmesg`).
 * @h: handle.
 * @cursor: as for qhv_console_read().
 * @buf: destination.
 * @len: its size.
 * @lost: as for qhv_console_read() (may be NULL).
 *
 * Return: bytes read, or a negative errno.
 */
ssize_t qhv_log_read(struct qhv_handle *h, uint64_t *cursor, void *buf,
		     size_t len, uint64_t *lost);

/**
 * qhv_pool_info() - the machine's memory pool and counts.
 * @h: handle.
 * @out: receives the info.
 *
 * Return: 0 or a negative errno.
 */
int qhv_pool_info(struct qhv_handle *h, struct qhv_pool_info *out);

/**
 * qhv_event_fd() - a file descriptor to poll(2) for events.
 * @h: handle.
 *
 * POLLIN means qhv_event_read() has a record.  The descriptor belongs to
 * the handle: do not close or read it yourself.
 *
 * Return: the descriptor (>= 0), or a negative errno.
 */
int qhv_event_fd(struct qhv_handle *h);

/**
 * qhv_event_read() - take one event record, without blocking.
 * @h: handle.
 * @ev: receives the record: QHV_EVENT_* bits and the state counter.
 *
 * After a QHV_EVENT_DOMAIN_STATE record, re-read the domain list or
 * info; events say "something changed", not what.
 *
 * Return: 1 with a record in @ev, 0 when none is pending, or a negative
 * errno.
 */
int qhv_event_read(struct qhv_handle *h, struct qhv_event_record *ev);

/**
 * qhv_state_name() - name of a domain state.
 * @state: enum qhv_domain_state.
 *
 * Return: "built", "running", "blocked", "paused", "shutdown",
 * "crashed", "dying", or "unknown".
 */
const char *qhv_state_name(uint32_t state);

/**
 * qhv_shutdown_reason_name() - name of a shutdown reason.
 * @reason: enum qhv_shutdown_reason.
 *
 * Return: "none", "exit", "poweroff", "reboot", or "unknown".
 */
const char *qhv_shutdown_reason_name(uint32_t reason);

/**
 * qhv_is_fake() - whether a handle uses the simulated backend.
 * @h: handle.
 *
 * Return: 1 for the fake, 0 for a real device.
 */
int qhv_is_fake(const struct qhv_handle *h);

#ifdef __cplusplus
}
#endif

#endif /* LIBQHV_H */
