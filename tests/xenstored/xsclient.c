// SPDX-License-Identifier: MIT
/*
 * xsclient.c - test client for qhv-xenstored (see xsclient.h).
 */
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xsclient.h"

#define IO_TIMEOUT_MS 10000

int xsd_start(struct xsd_proc *p, const char *const *args)
{
	const char *bin = getenv("QHV_XENSTORED");
	const char *argv[32];
	struct xsc c;
	int i, n = 0;

	if (!bin)
		return -ENOENT;
	snprintf(p->dir, sizeof(p->dir), "/tmp/qhv-xsd-test.XXXXXX");
	if (!mkdtemp(p->dir))
		return -errno;
	snprintf(p->sock, sizeof(p->sock), "%s/socket", p->dir);
	argv[n++] = bin;
	argv[n++] = "--foreground";
	argv[n++] = "--socket";
	argv[n++] = p->sock;
	argv[n++] = "--log-level";
	argv[n++] = getenv("QHV_XSD_LOGLEVEL") ? getenv("QHV_XSD_LOGLEVEL")
					       : "warn";
	for (i = 0; args && args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	p->pid = fork();
	if (p->pid < 0)
		return -errno;
	if (!p->pid) {
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 500; i++) {
		if (!xsc_connect(&c, p->sock)) {
			xsc_close(&c);
			return 0;
		}
		usleep(10000);
	}
	return -ETIMEDOUT;
}

int xsd_stop(struct xsd_proc *p)
{
	int status = -1, i;

	kill(p->pid, SIGTERM);
	for (i = 0; i < 1000; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid)
			break;
		usleep(10000);
	}
	if (i == 1000) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &status, 0);
		status = -1;
	}
	rmdir(p->dir);
	if (status == -1)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int xsc_connect(struct xsc *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(c->fd);
		c->fd = -1;
		return -e;
	}
	c->next_req = 1;
	return 0;
}

void xsc_close(struct xsc *c)
{
	while (c->ev_head != c->ev_tail) {
		free(c->ev[c->ev_head % 4096].path);
		c->ev_head++;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int xsc_send_raw(struct xsc *c, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

uint32_t xsc_send(struct xsc *c, uint32_t type, uint32_t tx, const void *p,
		  uint32_t len)
{
	struct xsd_sockmsg h = { type, c->next_req++, tx, len };

	if (xsc_send_raw(c, &h, sizeof(h)) || (len && xsc_send_raw(c, p, len)))
		return 0;
	return h.req_id;
}

static int read_full(int fd, void *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char *p = buf;
	ssize_t n;

	while (len) {
		if (poll(&pfd, 1, IO_TIMEOUT_MS) <= 0)
			return -ETIMEDOUT;
		n = recv(fd, p, len, 0);
		if (n == 0)
			return -EPIPE;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_msg(struct xsc *c, struct xsc_reply *r)
{
	int rc = read_full(c->fd, &r->hdr, sizeof(r->hdr));

	if (rc)
		return rc;
	if (r->hdr.len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	r->data = malloc(r->hdr.len + 1);
	if (!r->data)
		return -ENOMEM;
	rc = read_full(c->fd, r->data, r->hdr.len);
	r->data[r->hdr.len] = '\0';
	if (rc) {
		free(r->data);
		r->data = NULL;
	}
	return rc;
}

static void queue_event(struct xsc *c, struct xsc_reply *r)
{
	struct xsc_event *e = &c->ev[c->ev_tail % 4096];

	if (c->ev_tail - c->ev_head == 4096) {
		free(r->data);
		return;
	}
	e->path = r->data;
	e->token = r->data + strlen(r->data) + 1;
	c->ev_tail++;
}

int xsc_recv(struct xsc *c, struct xsc_reply *r)
{
	int rc;

	for (;;) {
		rc = read_msg(c, r);
		if (rc)
			return rc;
		if (r->hdr.type != XS_WATCH_EVENT)
			return 0;
		queue_event(c, r);
	}
}

int xsc_errno(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (!strcmp(s, xsd_errors[i].errstring))
			return xsd_errors[i].errnum;
	return EIO;
}

int xsc_call(struct xsc *c, uint32_t type, uint32_t tx, const void *p,
	     uint32_t len, struct xsc_reply *r)
{
	struct xsc_reply tmp;
	uint32_t id = xsc_send(c, type, tx, p, len);
	int rc;

	if (!id)
		return -EPIPE;
	if (!r)
		r = &tmp;
	rc = xsc_recv(c, r);
	if (rc)
		return rc;
	if (r->hdr.req_id != id)
		rc = -EPROTO;
	else if (r->hdr.type == XS_ERROR)
		rc = -xsc_errno(r->data);
	else if (r->hdr.type != type)
		rc = -EPROTO;
	if (r == &tmp || rc) {
		free(r->data);
		r->data = NULL;
	}
	return rc;
}

/* Join up to 4 strings, each with its NUL, into @buf. */
static uint32_t pack(char *buf, size_t cap, const char *const *s, int n)
{
	uint32_t len = 0;
	size_t l;
	int i;

	for (i = 0; i < n; i++) {
		l = strlen(s[i]) + 1;
		if (len + l > cap)
			break;
		memcpy(buf + len, s[i], l);
		len += (uint32_t)l;
	}
	return len;
}

static int call_strs(struct xsc *c, uint32_t type, uint32_t tx,
		     const char *const *s, int n, struct xsc_reply *r)
{
	char buf[XENSTORE_PAYLOAD_MAX + 64];

	return xsc_call(c, type, tx, buf, pack(buf, sizeof(buf), s, n), r);
}

int xsc_read(struct xsc *c, uint32_t tx, const char *path, char **val)
{
	struct xsc_reply r;
	int rc = call_strs(c, XS_READ, tx, &path, 1, &r);

	if (!rc && val)
		*val = r.data;
	else if (!rc)
		free(r.data);
	return rc;
}

int xsc_write(struct xsc *c, uint32_t tx, const char *path, const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX + 64];
	size_t pl = strlen(path) + 1, vl = strlen(val);

	if (pl + vl > sizeof(buf))
		return -E2BIG;
	memcpy(buf, path, pl);
	memcpy(buf + pl, val, vl);
	return xsc_call(c, XS_WRITE, tx, buf, (uint32_t)(pl + vl), NULL);
}

int xsc_mkdir(struct xsc *c, uint32_t tx, const char *path)
{
	return call_strs(c, XS_MKDIR, tx, &path, 1, NULL);
}

int xsc_rm(struct xsc *c, uint32_t tx, const char *path)
{
	return call_strs(c, XS_RM, tx, &path, 1, NULL);
}

/* Turn "a\0b\0" into "a<sep>b". */
static void join(struct xsc_reply *r, char sep)
{
	uint32_t i;

	for (i = 0; i + 1 < r->hdr.len; i++)
		if (!r->data[i])
			r->data[i] = sep;
	if (r->hdr.len)
		r->data[r->hdr.len - 1] = '\0';
}

int xsc_dir(struct xsc *c, uint32_t tx, const char *path, char **out)
{
	struct xsc_reply r;
	int rc = call_strs(c, XS_DIRECTORY, tx, &path, 1, &r);

	if (rc)
		return rc;
	join(&r, ' ');
	*out = r.data;
	return 0;
}

int xsc_get_perms(struct xsc *c, uint32_t tx, const char *path, char **out)
{
	struct xsc_reply r;
	int rc = call_strs(c, XS_GET_PERMS, tx, &path, 1, &r);

	if (rc)
		return rc;
	join(&r, ',');
	*out = r.data;
	return 0;
}

int xsc_set_perms(struct xsc *c, uint32_t tx, const char *path,
		  const char *perms)
{
	char buf[XENSTORE_PAYLOAD_MAX + 64];
	size_t pl = strlen(path) + 1, ql = strlen(perms) + 1, i;

	if (pl + ql > sizeof(buf))
		return -E2BIG;
	memcpy(buf, path, pl);
	memcpy(buf + pl, perms, ql);
	for (i = pl; i < pl + ql; i++)
		if (buf[i] == ',')
			buf[i] = '\0';
	return xsc_call(c, XS_SET_PERMS, tx, buf, (uint32_t)(pl + ql), NULL);
}

int xsc_tx_start(struct xsc *c, uint32_t *tx)
{
	struct xsc_reply r;
	int rc = xsc_call(c, XS_TRANSACTION_START, 0, "", 1, &r);

	if (rc)
		return rc;
	*tx = (uint32_t)strtoul(r.data, NULL, 10);
	free(r.data);
	return 0;
}

int xsc_tx_end(struct xsc *c, uint32_t tx, bool commit)
{
	return xsc_call(c, XS_TRANSACTION_END, tx, commit ? "T" : "F", 2,
			NULL);
}

int xsc_watch(struct xsc *c, const char *path, const char *token)
{
	const char *s[] = { path, token };

	return call_strs(c, XS_WATCH, 0, s, 2, NULL);
}

int xsc_unwatch(struct xsc *c, const char *path, const char *token)
{
	const char *s[] = { path, token };

	return call_strs(c, XS_UNWATCH, 0, s, 2, NULL);
}

int xsc_ctl(struct xsc *c, const char *cmd, const char *a1, const char *a2,
	    char **out)
{
	const char *s[] = { cmd, a1, a2 };
	struct xsc_reply r;
	int rc = call_strs(c, XS_CONTROL, 0, s, a2 ? 3 : a1 ? 2 : 1, &r);

	if (!rc && out)
		*out = r.data;
	else if (!rc)
		free(r.data);
	return rc;
}

int xsc_act_as(struct xsc *c, unsigned domid)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", domid);
	return xsc_ctl(c, "set-domid", buf, NULL, NULL);
}

int xsc_simple(struct xsc *c, uint32_t type, char **out, ...)
{
	const char *s[4];
	struct xsc_reply r;
	va_list ap;
	int n = 0, rc;

	va_start(ap, out);
	while (n < 4 && (s[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	rc = call_strs(c, type, 0, s, n, &r);
	if (!rc && out)
		*out = r.data;
	else if (!rc)
		free(r.data);
	return rc;
}

int xsc_event(struct xsc *c, int timeout_ms, char *out, size_t cap)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	struct xsc_reply r;
	struct xsc_event *e;

	while (c->ev_head == c->ev_tail) {
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -ETIMEDOUT;
		if (read_msg(c, &r))
			return -EPIPE;
		if (r.hdr.type != XS_WATCH_EVENT) {
			free(r.data);
			return -EPROTO;
		}
		queue_event(c, &r);
	}
	e = &c->ev[c->ev_head % 4096];
	snprintf(out, cap, "%s %s", e->path, e->token);
	free(e->path);
	c->ev_head++;
	return 0;
}
