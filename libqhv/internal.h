/* SPDX-License-Identifier: MIT */
/*
 * libqhv internals: a handle holds a backend (an ops table) and the last
 * error message.  Backends speak the ioctl interface of <qhv/qhv_ioctl.h>
 * (same request numbers and structs, @buf fields as pointers in this
 * process), so the code above them is the same for the real device and
 * the fake.
 */
#ifndef LIBQHV_INTERNAL_H
#define LIBQHV_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include "libqhv.h"

#define QHV_ERR_MAX 256

struct qhv_handle;

/**
 * struct qhv_backend_ops - what a backend provides.
 * @ioctl: one management call: @req is a QHV_IOC_* number, @arg its
 *   struct.  Returns >= 0 (the hv's result) or a negative errno.
 * @event_fd: a pollable descriptor (>= 0) or a negative errno.
 * @event_read: one record: 1, 0 when none is pending, or -errno.
 * @close: release everything the backend holds.
 */
struct qhv_backend_ops {
	int (*ioctl)(struct qhv_handle *h, unsigned long req, void *arg);
	int (*event_fd)(struct qhv_handle *h);
	int (*event_read)(struct qhv_handle *h, struct qhv_event_record *ev);
	void (*close)(struct qhv_handle *h);
};

struct qhv_handle {
	const struct qhv_backend_ops *ops;
	void *priv;		/* backend state */
	int fd;			/* real device, or -1 */
	int fake;		/* ops is the fake backend */
	char err[QHV_ERR_MAX];
};

/* Set the handle's message (printf-style); returns @err unchanged. */
int qhv_set_error(struct qhv_handle *h, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Open the fake backend with options @opts (the text after "fake:"). */
int qhv_fake_open(struct qhv_handle *h, const char *opts, char *err,
		  size_t errlen);

/* Name check shared by the library and the fake: 0 or -EINVAL. */
int qhv_name_valid(const char *name, size_t cap);

#endif
