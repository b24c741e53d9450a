/* SPDX-License-Identifier: MIT */
/**
 * DOC: /dev/qhv, the dom0 driver's interface to user space
 *
 * One ioctl per management call.  Each takes the same struct as the
 * hypercall (<qhv/domctl.h>); the @buf fields in it are user-space
 * addresses here, which the driver copies through kernel buffers (so the
 * hv never sees a user address).  The driver checks hdr.interface_version
 * and the sizes, and returns the hv's result: 0 or a positive count, or
 * -1 with errno set to the hv's (negative) error.
 *
 * QHV_IOC_MEMWRITE takes any @len: the driver splits it into
 * QHV_MEMWRITE_MAX pieces.  Console and log reads are bounded by
 * QHV_CONSOLE_IO_MAX per call.
 *
 * Events: read(2) on the open file returns one struct qhv_event_record
 * per notification (blocking, or -EAGAIN with O_NONBLOCK); poll(2) says
 * POLLIN when one is pending.  Each open file sees every event from the
 * time it was opened.
 *
 * Per-open state: a domain created through a file and not yet started
 * when that file is closed (the builder died half-way) is destroyed.
 *
 * /dev/qhv is mode 0600, and open() also needs CAP_SYS_ADMIN.
 */
#ifndef QHV_QHV_IOCTL_H
#define QHV_QHV_IOCTL_H

#ifdef __KERNEL__
#include <linux/ioctl.h>
#include <linux/types.h>
#else
#include <sys/ioctl.h>
#include <stdint.h>
#endif
#include "domctl.h"

#define QHV_IOC_MAGIC 'Q'

#define QHV_IOC_CREATE        _IOWR(QHV_IOC_MAGIC, 0x01, struct qhv_domctl_create)
#define QHV_IOC_DESTROY       _IOW(QHV_IOC_MAGIC, 0x02, struct qhv_mgmt_hdr)
#define QHV_IOC_PAUSE         _IOW(QHV_IOC_MAGIC, 0x03, struct qhv_mgmt_hdr)
#define QHV_IOC_UNPAUSE       _IOW(QHV_IOC_MAGIC, 0x04, struct qhv_mgmt_hdr)
#define QHV_IOC_GETINFO       _IOWR(QHV_IOC_MAGIC, 0x05, struct qhv_domain_info)
#define QHV_IOC_MEMWRITE      _IOW(QHV_IOC_MAGIC, 0x06, struct qhv_domctl_memwrite)
#define QHV_IOC_SET_VCPU      _IOW(QHV_IOC_MAGIC, 0x07, struct qhv_domctl_vcpu)
#define QHV_IOC_START         _IOW(QHV_IOC_MAGIC, 0x08, struct qhv_mgmt_hdr)
#define QHV_IOC_CONSOLE_READ  _IOWR(QHV_IOC_MAGIC, 0x09, struct qhv_domctl_console)
#define QHV_IOC_CONSOLE_WRITE _IOWR(QHV_IOC_MAGIC, 0x0a, struct qhv_domctl_console)
#define QHV_IOC_LIST          _IOWR(QHV_IOC_MAGIC, 0x10, struct qhv_sysctl_list)
#define QHV_IOC_POOLINFO      _IOWR(QHV_IOC_MAGIC, 0x11, struct qhv_pool_info)
#define QHV_IOC_LOG_READ      _IOWR(QHV_IOC_MAGIC, 0x12, struct qhv_domctl_console)

/**
 * struct qhv_event_record - what read(2) on /dev/qhv returns.
 * @events: QHV_EVENT_* bits.
 * @state_seq: the hv's domain state-change counter at that moment.
 */
struct qhv_event_record {
	uint32_t events;
	uint32_t pad;
	uint64_t state_seq;
};

#endif /* QHV_QHV_IOCTL_H */
