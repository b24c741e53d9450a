// SPDX-License-Identifier: MIT
/*
 * libqhv: the management calls, their argument checks and error
 * messages, and the /dev/qhv backend.  The fake backend is in fake.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

#define MIB(x) ((unsigned long long)((x) >> 20))

int qhv_set_error(struct qhv_handle *h, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->err, sizeof(h->err), fmt, ap);
	va_end(ap);
	return err;
}

int qhv_name_valid(const char *name, size_t cap)
{
	size_t n = strnlen(name, cap);

	if (n == 0 || n >= cap || n >= QHV_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return -EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Error wording                                                     */

static const struct {
	int err;
	const char *msg;
} err_table[] = {
	{ EPERM, "operation not permitted" },
	{ ENOENT, "not found" },
	{ ESRCH, "no such domain" },
	{ EIO, "I/O error" },
	{ E2BIG, "argument too big" },
	{ EAGAIN, "try again" },
	{ ENOMEM, "not enough memory" },
	{ EACCES, "permission denied (needs root and CAP_SYS_ADMIN)" },
	{ EFAULT, "address outside the domain's memory" },
	{ EBUSY, "wrong domain state for this operation" },
	{ EEXIST, "already exists" },
	{ ENODEV, "no qhv device (not running in dom0 under qhv?)" },
	{ EINVAL, "invalid argument" },
	{ ENOTTY, "not a qhv device (or a driver of another ABI version)" },
	{ ENOSPC, "no space left (no free domain id)" },
	{ ERANGE, "out of range" },
	{ ENOSYS, "not implemented by this hv" },
	{ EOVERFLOW, "value too large" },
};

const char *qhv_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err == 0)
		return "success";
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].err == err)
			return err_table[i].msg;
	/* strerrordesc_np() is thread-safe, unlike strerror(). */
	const char *s = strerrordesc_np(err);

	return s ? s : "unknown error";
}

const char *qhv_last_error(const struct qhv_handle *h)
{
	return h ? h->err : "no handle";
}

const char *qhv_state_name(uint32_t state)
{
	static const char *const names[] = {
		[QHV_STATE_BUILT] = "built",
		[QHV_STATE_RUNNING] = "running",
		[QHV_STATE_BLOCKED] = "blocked",
		[QHV_STATE_PAUSED] = "paused",
		[QHV_STATE_SHUTDOWN] = "shutdown",
		[QHV_STATE_CRASHED] = "crashed",
		[QHV_STATE_DYING] = "dying",
	};

	if (state < sizeof(names) / sizeof(names[0]) && names[state])
		return names[state];
	return "unknown";
}

const char *qhv_shutdown_reason_name(uint32_t reason)
{
	switch (reason) {
	case QHV_SHUTDOWN_NONE: return "none";
	case QHV_SHUTDOWN_EXIT: return "exit";
	case QHV_SHUTDOWN_POWEROFF: return "poweroff";
	case QHV_SHUTDOWN_REBOOT: return "reboot";
	default: return "unknown";
	}
}

/* ---------------------------------------------------------------- */
/* The /dev/qhv backend                                              */

static int dev_ioctl(struct qhv_handle *h, unsigned long req, void *arg)
{
	int rc;

	do {
		rc = ioctl(h->fd, req, arg);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return errno > 0 ? -errno : errno ? errno : -EIO;
	return rc;
}

static int dev_event_fd(struct qhv_handle *h)
{
	return h->fd;
}

static int dev_event_read(struct qhv_handle *h, struct qhv_event_record *ev)
{
	ssize_t n;

	do {
		n = read(h->fd, ev, sizeof(*ev));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	if (n != (ssize_t)sizeof(*ev))
		return -EIO;
	return 1;
}

static void dev_close(struct qhv_handle *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

static const struct qhv_backend_ops dev_ops = {
	.ioctl = dev_ioctl,
	.event_fd = dev_event_fd,
	.event_read = dev_event_read,
	.close = dev_close,
};

/* ---------------------------------------------------------------- */
/* Open and close                                                    */

int qhv_open_dev(const char *device, struct qhv_handle **out, char *err,
		 size_t errlen)
{
	struct qhv_handle *h;
	int rc;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!device)
		device = getenv("QHV_DEVICE");
	if (!device || !*device)
		device = QHV_DEVICE_DEFAULT;
	h = calloc(1, sizeof(*h));
	if (!h) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h->fd = -1;
	if (!strncmp(device, "fake:", 5)) {
		rc = qhv_fake_open(h, device + 5, err, errlen);
		if (rc) {
			free(h);
			return rc;
		}
	} else {
		/* O_NONBLOCK only affects read(2): events never block. */
		h->fd = open(device, O_RDWR | O_CLOEXEC | O_NONBLOCK);
		if (h->fd < 0) {
			rc = -errno;
			if (err && errlen)
				snprintf(err, errlen, "%s: %s%s", device,
					 strerrordesc_np(-rc),
					 rc == -ENOENT || rc == -ENODEV ?
					 " (is the qhv driver loaded? are we dom0 under qhv?)" :
					 rc == -EACCES || rc == -EPERM ?
					 " (needs root and CAP_SYS_ADMIN)" : "");
			free(h);
			return rc;
		}
		h->ops = &dev_ops;
	}
	*out = h;
	return 0;
}

int qhv_open(struct qhv_handle **out)
{
	return qhv_open_dev(NULL, out, NULL, 0);
}

void qhv_close(struct qhv_handle *h)
{
	if (!h)
		return;
	h->ops->close(h);
	free(h);
}

int qhv_is_fake(const struct qhv_handle *h)
{
	return h && h->fake;
}

/* ---------------------------------------------------------------- */
/* Helpers                                                           */

static void hdr_init(struct qhv_mgmt_hdr *hdr, uint32_t domid)
{
	hdr->interface_version = QHV_DOMCTL_INTERFACE_VERSION;
	hdr->domid = domid;
}

/* "3 ('web')" when the domain can be found, else "3". */
static const char *dom_desc(struct qhv_handle *h, uint32_t domid,
			    char *buf, size_t cap)
{
	struct qhv_domain_info info;

	memset(&info, 0, sizeof(info));
	hdr_init(&info.hdr, domid);
	if (h->ops->ioctl(h, QHV_IOC_GETINFO, &info) >= 0 && info.name[0]) {
		info.name[QHV_NAME_MAX - 1] = '\0';
		snprintf(buf, cap, "%" PRIu32 " ('%s')", domid, info.name);
	} else {
		snprintf(buf, cap, "%" PRIu32, domid);
	}
	return buf;
}

/* Wording of @err for operation @op on an existing domain. */
static const char *dom_err_text(const char *op, uint32_t domid, int err)
{
	if (err == -EPERM && domid == QHV_DOMID_DOM0) {
		if (!strcmp(op, "destroy"))
			return "dom0 cannot be destroyed";
		if (!strcmp(op, "pause") || !strcmp(op, "unpause"))
			return "dom0 cannot be paused";
		if (!strcmp(op, "memwrite"))
			return "dom0's memory cannot be written";
		return "not permitted on dom0";
	}
	switch (-err) {
	case ESRCH:
		return "no such domain";
	case EPERM:
		return "not permitted (only dom0 may manage domains)";
	case EBUSY:
		if (!strcmp(op, "memwrite"))
			return "domain is running (pause it first)";
		if (!strcmp(op, "start") || !strcmp(op, "set vcpu"))
			return "domain has already been started";
		return "domain is busy";
	case EINVAL:
		if (!strcmp(op, "unpause"))
			return "domain is not paused";
		if (!strcmp(op, "pause"))
			return "domain cannot be paused in its state";
		break;
	default:
		break;
	}
	return qhv_strerror(err);
}

static int dom_fail(struct qhv_handle *h, const char *op, uint32_t domid,
		    int err)
{
	char d[64];

	/* Look the name up first: the message buffer is free until then. */
	dom_desc(h, domid, d, sizeof(d));
	return qhv_set_error(h, err, "%s %s: %s", op, d,
			     dom_err_text(op, domid, err));
}

/* A domctl on one domain that takes only the header. */
static int simple_op(struct qhv_handle *h, unsigned long req,
		     const char *op, uint32_t domid)
{
	struct qhv_mgmt_hdr hdr;
	int rc;

	if (!h)
		return -EINVAL;
	hdr_init(&hdr, domid);
	rc = h->ops->ioctl(h, req, &hdr);
	if (rc < 0)
		return dom_fail(h, op, domid, rc);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Domain calls                                                      */

int qhv_domain_create(struct qhv_handle *h,
		      const struct qhv_domctl_create *req, uint32_t *domid)
{
	struct qhv_domctl_create c;
	int rc;

	if (!h)
		return -EINVAL;
	if (!req)
		return qhv_set_error(h, -EINVAL, "create: no request");
	c = *req;
	if (qhv_name_valid(c.name, sizeof(c.name)))
		return qhv_set_error(h, -EINVAL,
				     "create: invalid name '%.*s' (1..%d characters of A-Z a-z 0-9 _ . -)",
				     (int)strnlen(c.name, sizeof(c.name)),
				     c.name, QHV_NAME_MAX - 1);
	if (c.mem_bytes == 0 || (c.mem_bytes & 4095))
		return qhv_set_error(h, -EINVAL,
				     "create '%s': memory size %" PRIu64 " is not a non-zero multiple of 4 KiB",
				     c.name, c.mem_bytes);
	if (c.nr_vcpus < 1 || c.nr_vcpus > QHV_MAX_VCPUS)
		return qhv_set_error(h, -EINVAL,
				     "create '%s': %" PRIu32 " vCPUs (1..%d allowed)",
				     c.name, c.nr_vcpus, QHV_MAX_VCPUS);
	if (c.flags & ~QHV_CREATE_F_MASK)
		return qhv_set_error(h, -EINVAL,
				     "create '%s': unknown flags 0x%" PRIx32,
				     c.name, c.flags);
	hdr_init(&c.hdr, 0);
	rc = h->ops->ioctl(h, QHV_IOC_CREATE, &c);
	if (rc < 0) {
		struct qhv_pool_info p;

		switch (-rc) {
		case EEXIST:
			return qhv_set_error(h, rc, "create '%s': name already in use",
					     c.name);
		case ENOMEM:
			memset(&p, 0, sizeof(p));
			hdr_init(&p.hdr, 0);
			if (h->ops->ioctl(h, QHV_IOC_POOLINFO, &p) >= 0)
				return qhv_set_error(h, rc,
						     "create '%s': not enough free memory (%llu MiB asked, %llu MiB free)",
						     c.name, MIB(c.mem_bytes),
						     MIB(p.free_frames * (uint64_t)p.page_size));
			return qhv_set_error(h, rc, "create '%s': not enough free memory",
					     c.name);
		case ENOSPC:
			return qhv_set_error(h, rc, "create '%s': no free domain id",
					     c.name);
		case EPERM:
			return qhv_set_error(h, rc,
					     "create '%s': not permitted (only dom0 may manage domains)",
					     c.name);
		case EINVAL:
			return qhv_set_error(h, rc,
					     "create '%s': the hv refused the request (memory, vCPUs or CPU affinity invalid)",
					     c.name);
		default:
			return qhv_set_error(h, rc, "create '%s': %s", c.name,
					     qhv_strerror(rc));
		}
	}
	if (domid)
		*domid = c.hdr.domid;
	return 0;
}

int qhv_domain_destroy(struct qhv_handle *h, uint32_t domid)
{
	return simple_op(h, QHV_IOC_DESTROY, "destroy", domid);
}

int qhv_domain_pause(struct qhv_handle *h, uint32_t domid)
{
	return simple_op(h, QHV_IOC_PAUSE, "pause", domid);
}

int qhv_domain_unpause(struct qhv_handle *h, uint32_t domid)
{
	return simple_op(h, QHV_IOC_UNPAUSE, "unpause", domid);
}

int qhv_domain_start(struct qhv_handle *h, uint32_t domid)
{
	return simple_op(h, QHV_IOC_START, "start", domid);
}

int qhv_domain_getinfo(struct qhv_handle *h, uint32_t domid,
		       struct qhv_domain_info *out)
{
	struct qhv_domain_info info;
	int rc;

	if (!h)
		return -EINVAL;
	if (!out)
		return qhv_set_error(h, -EINVAL, "getinfo: no output buffer");
	memset(&info, 0, sizeof(info));
	hdr_init(&info.hdr, domid);
	rc = h->ops->ioctl(h, QHV_IOC_GETINFO, &info);
	if (rc < 0)
		return qhv_set_error(h, rc, "getinfo %" PRIu32 ": %s", domid,
				     rc == -ESRCH ? "no such domain" : qhv_strerror(rc));
	info.name[QHV_NAME_MAX - 1] = '\0';
	info.reason[QHV_REASON_MAX - 1] = '\0';
	*out = info;
	return 0;
}

static int cmp_info(const void *a, const void *b)
{
	uint32_t x = ((const struct qhv_domain_info *)a)->hdr.domid;
	uint32_t y = ((const struct qhv_domain_info *)b)->hdr.domid;

	return (x > y) - (x < y);
}

int qhv_domain_list(struct qhv_handle *h, struct qhv_domain_info **out,
		    size_t *n)
{
	struct qhv_sysctl_list l;
	struct qhv_domain_info *infos;
	uint32_t *ids = NULL, max = 64;
	size_t k = 0;
	int rc;

	if (!h)
		return -EINVAL;
	if (!out || !n)
		return qhv_set_error(h, -EINVAL, "list: no output pointers");
	*out = NULL;
	*n = 0;
	/* Domains come and go between calls: grow until the list fits. */
	for (;;) {
		uint32_t *tmp = realloc(ids, max * sizeof(*ids));

		if (!tmp) {
			free(ids);
			return qhv_set_error(h, -ENOMEM, "list: out of memory");
		}
		ids = tmp;
		memset(&l, 0, sizeof(l));
		hdr_init(&l.hdr, 0);
		l.buf = (uint64_t)(uintptr_t)ids;
		l.max = max;
		rc = h->ops->ioctl(h, QHV_IOC_LIST, &l);
		if (rc < 0) {
			free(ids);
			return qhv_set_error(h, rc, "list: %s", qhv_strerror(rc));
		}
		if (l.count <= max)
			break;
		if (l.count > QHV_DOMID_MAX + 1) {
			free(ids);
			return qhv_set_error(h, -EIO, "list: the hv reports %" PRIu32 " domains",
					     l.count);
		}
		max = l.count + 16;
	}
	infos = calloc(l.count ? l.count : 1, sizeof(*infos));
	if (!infos) {
		free(ids);
		return qhv_set_error(h, -ENOMEM, "list: out of memory");
	}
	for (uint32_t i = 0; i < l.count; i++) {
		struct qhv_domain_info *info = &infos[k];

		hdr_init(&info->hdr, ids[i]);
		rc = h->ops->ioctl(h, QHV_IOC_GETINFO, info);
		if (rc == -ESRCH || rc == -ENOENT)
			continue;	/* destroyed meanwhile */
		if (rc < 0) {
			qhv_set_error(h, rc, "list: getinfo %" PRIu32 ": %s",
				      ids[i], qhv_strerror(rc));
			free(ids);
			free(infos);
			return rc;
		}
		info->name[QHV_NAME_MAX - 1] = '\0';
		info->reason[QHV_REASON_MAX - 1] = '\0';
		k++;
	}
	free(ids);
	if (k == 0) {
		free(infos);
		return 0;
	}
	qsort(infos, k, sizeof(*infos), cmp_info);
	*out = infos;
	*n = k;
	return 0;
}

int qhv_domain_lookup(struct qhv_handle *h, const char *name_or_id,
		      uint32_t *domid)
{
	struct qhv_domain_info *all, info;
	size_t n, i, len;
	int rc;

	if (!h)
		return -EINVAL;
	if (!name_or_id || !*name_or_id)
		return qhv_set_error(h, -EINVAL, "lookup: empty domain name");
	len = strlen(name_or_id);
	if (strspn(name_or_id, "0123456789") == len) {
		unsigned long long v = 0;

		for (i = 0; i < len && v <= QHV_DOMID_MAX; i++)
			v = v * 10 + (unsigned)(name_or_id[i] - '0');
		if (v > QHV_DOMID_MAX)
			return qhv_set_error(h, -ESRCH,
					     "no domain with id %s (ids are 0..%u)",
					     name_or_id, QHV_DOMID_MAX);
		memset(&info, 0, sizeof(info));
		hdr_init(&info.hdr, (uint32_t)v);
		rc = h->ops->ioctl(h, QHV_IOC_GETINFO, &info);
		if (rc == -ESRCH || rc == -ENOENT)
			return qhv_set_error(h, -ESRCH, "no domain with id %llu", v);
		if (rc < 0)
			return qhv_set_error(h, rc, "lookup %llu: %s", v,
					     qhv_strerror(rc));
		if (domid)
			*domid = (uint32_t)v;
		return 0;
	}
	if (qhv_name_valid(name_or_id, QHV_NAME_MAX + 1))
		return qhv_set_error(h, -EINVAL,
				     "lookup: '%s' is neither a domain id nor a valid name",
				     name_or_id);
	rc = qhv_domain_list(h, &all, &n);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		if (!strcmp(all[i].name, name_or_id)) {
			if (domid)
				*domid = all[i].hdr.domid;
			free(all);
			return 0;
		}
	}
	free(all);
	return qhv_set_error(h, -ENOENT, "no domain named '%s'", name_or_id);
}

int qhv_domain_check_uuid(struct qhv_handle *h, uint32_t domid,
			  const uint8_t uuid[16])
{
	struct qhv_domain_info info;
	int rc;

	if (!h)
		return -EINVAL;
	if (!uuid)
		return qhv_set_error(h, -EINVAL, "check uuid: no uuid");
	rc = qhv_domain_getinfo(h, domid, &info);
	if (rc)
		return rc;
	if (memcmp(info.uuid, uuid, 16))
		return qhv_set_error(h, -ESRCH,
				     "domain %" PRIu32 " ('%s') is another domain now (uuid differs)",
				     domid, info.name);
	return 0;
}

int qhv_memwrite(struct qhv_handle *h, uint32_t domid, uint64_t gpa,
		 const void *buf, size_t len)
{
	struct qhv_domctl_memwrite w;
	struct qhv_domain_info info;
	int rc;

	if (!h)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!buf)
		return qhv_set_error(h, -EINVAL, "memwrite %" PRIu32 ": no buffer", domid);
	/* Check the whole range first, so that a bad one writes nothing
	 * (the driver splits it into several hypercalls). */
	memset(&info, 0, sizeof(info));
	hdr_init(&info.hdr, domid);
	rc = h->ops->ioctl(h, QHV_IOC_GETINFO, &info);
	if (rc < 0)
		return dom_fail(h, "memwrite", domid, rc);
	if (domid != QHV_DOMID_DOM0 &&
	    (gpa >= info.mem_bytes || len > info.mem_bytes - gpa)) {
		info.name[QHV_NAME_MAX - 1] = '\0';
		return qhv_set_error(h, -EFAULT,
				     "memwrite %" PRIu32 " ('%s'): 0x%" PRIx64 "+0x%zx is outside its memory (%llu MiB)",
				     domid, info.name, gpa, len, MIB(info.mem_bytes));
	}
	memset(&w, 0, sizeof(w));
	hdr_init(&w.hdr, domid);
	w.gpa = gpa;
	w.buf = (uint64_t)(uintptr_t)buf;
	w.len = len;
	rc = h->ops->ioctl(h, QHV_IOC_MEMWRITE, &w);
	if (rc < 0) {
		if (rc == -EFAULT) {
			char d[64];

			return qhv_set_error(h, rc, "memwrite %s: 0x%" PRIx64 "+0x%zx: %s",
					     dom_desc(h, domid, d, sizeof(d)), gpa, len,
					     qhv_strerror(rc));
		}
		return dom_fail(h, "memwrite", domid, rc);
	}
	return 0;
}

int qhv_vcpu_set(struct qhv_handle *h, uint32_t domid, uint32_t vcpu,
		 const struct qhv_vcpu_context *ctx)
{
	struct qhv_domctl_vcpu v;
	int rc;

	if (!h)
		return -EINVAL;
	if (!ctx)
		return qhv_set_error(h, -EINVAL, "set vcpu %" PRIu32 ": no context", domid);
	if (ctx->mode < QHV_VCPU_MODE_REAL || ctx->mode > QHV_VCPU_MODE_LONG64)
		return qhv_set_error(h, -EINVAL,
				     "set vcpu %" PRIu32 ".%" PRIu32 ": unknown mode %" PRIu32,
				     domid, vcpu, ctx->mode);
	memset(&v, 0, sizeof(v));
	hdr_init(&v.hdr, domid);
	v.vcpu = vcpu;
	v.ctx = *ctx;
	rc = h->ops->ioctl(h, QHV_IOC_SET_VCPU, &v);
	if (rc == -EINVAL) {
		char d[64];

		return qhv_set_error(h, rc,
				     "set vcpu %s vCPU %" PRIu32 ": the hv refused the state (vCPU number, mode, rflags or cr3 invalid)",
				     dom_desc(h, domid, d, sizeof(d)), vcpu);
	}
	if (rc < 0) {
		return dom_fail(h, "set vcpu", domid, rc);
	}
	return 0;
}

/* Console and log reads share one loop; @domid 0 with @log set reads
 * the hv's log. */
static ssize_t ring_read(struct qhv_handle *h, int log, uint32_t domid,
			 uint64_t *cursor, void *buf, size_t len,
			 uint64_t *lost)
{
	const char *what = log ? "log read" : "console read";
	uint64_t cur, lost_sum = 0;
	size_t total = 0;

	if (!h)
		return -EINVAL;
	if (!cursor || (!buf && len))
		return qhv_set_error(h, -EINVAL, "%s: no cursor or buffer", what);
	if (len > (size_t)SSIZE_MAX)
		len = (size_t)SSIZE_MAX;
	cur = *cursor;
	while (total < len) {
		struct qhv_domctl_console c;
		size_t chunk = len - total;
		int rc;

		if (chunk > QHV_CONSOLE_IO_MAX)
			chunk = QHV_CONSOLE_IO_MAX;
		memset(&c, 0, sizeof(c));
		hdr_init(&c.hdr, domid);
		c.cursor = cur;
		c.buf = (uint64_t)(uintptr_t)((char *)buf + total);
		c.len = (uint32_t)chunk;
		rc = h->ops->ioctl(h, log ? QHV_IOC_LOG_READ : QHV_IOC_CONSOLE_READ, &c);
		if (rc < 0) {
			if (total)
				break;	/* report what we have */
			if (log)
				return qhv_set_error(h, rc, "log read: %s", qhv_strerror(rc));
			return dom_fail(h, what, domid, rc);
		}
		if (c.done > chunk) {
			return qhv_set_error(h, -EIO, "%s: backend returned %" PRIu32 " bytes for %zu",
					     what, c.done, chunk);
		}
		lost_sum += c.lost;
		cur = c.cursor;
		total += c.done;
		if (c.done < chunk)
			break;	/* caught up */
	}
	*cursor = cur;
	if (lost)
		*lost = lost_sum;
	return (ssize_t)total;
}

ssize_t qhv_console_read(struct qhv_handle *h, uint32_t domid,
			 uint64_t *cursor, void *buf, size_t len,
			 uint64_t *lost)
{
	return ring_read(h, 0, domid, cursor, buf, len, lost);
}

ssize_t qhv_log_read(struct qhv_handle *h, uint64_t *cursor, void *buf,
		     size_t len, uint64_t *lost)
{
	return ring_read(h, 1, 0, cursor, buf, len, lost);
}

ssize_t qhv_console_write(struct qhv_handle *h, uint32_t domid,
			  const void *buf, size_t len)
{
	struct qhv_domctl_console c;
	int rc;

	if (!h)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!buf)
		return qhv_set_error(h, -EINVAL, "console write %" PRIu32 ": no buffer", domid);
	if (len > QHV_CONSOLE_IO_MAX)
		len = QHV_CONSOLE_IO_MAX;
	memset(&c, 0, sizeof(c));
	hdr_init(&c.hdr, domid);
	c.buf = (uint64_t)(uintptr_t)buf;
	c.len = (uint32_t)len;
	rc = h->ops->ioctl(h, QHV_IOC_CONSOLE_WRITE, &c);
	if (rc < 0)
		return dom_fail(h, "console write", domid, rc);
	/* The hv returns the count; @done carries it too. */
	if (rc == 0)
		rc = (int)c.done;
	if ((size_t)rc > len)
		return qhv_set_error(h, -EIO, "console write %" PRIu32 ": backend took %d bytes of %zu",
				     domid, rc, len);
	return rc;
}

int qhv_pool_info(struct qhv_handle *h, struct qhv_pool_info *out)
{
	struct qhv_pool_info p;
	int rc;

	if (!h)
		return -EINVAL;
	if (!out)
		return qhv_set_error(h, -EINVAL, "pool info: no output buffer");
	memset(&p, 0, sizeof(p));
	hdr_init(&p.hdr, 0);
	rc = h->ops->ioctl(h, QHV_IOC_POOLINFO, &p);
	if (rc < 0)
		return qhv_set_error(h, rc, "pool info: %s", qhv_strerror(rc));
	*out = p;
	return 0;
}

int qhv_event_fd(struct qhv_handle *h)
{
	int rc;

	if (!h)
		return -EINVAL;
	rc = h->ops->event_fd(h);
	if (rc < 0)
		return qhv_set_error(h, rc, "event fd: %s", qhv_strerror(rc));
	return rc;
}

int qhv_event_read(struct qhv_handle *h, struct qhv_event_record *ev)
{
	int rc;

	if (!h)
		return -EINVAL;
	if (!ev)
		return qhv_set_error(h, -EINVAL, "event read: no record buffer");
	rc = h->ops->event_read(h, ev);
	if (rc < 0)
		return qhv_set_error(h, rc, "event read: %s", qhv_strerror(rc));
	return rc;
}
