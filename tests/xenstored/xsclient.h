/* SPDX-License-Identifier: MIT */
/*
 * xsclient.h - tiny xenstore wire client and daemon launcher for the
 * qhv-xenstored protocol tests and benchmark.  Deliberately independent
 * of the daemon's own code so the tests check the wire, not the source.
 */
#ifndef QHV_XSCLIENT_H
#define QHV_XSCLIENT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <xen/io/xs_wire.h>

struct xsc_event {
	char *path;
	char *token;
};

struct xsc {
	int fd;
	uint32_t next_req;
	struct xsc_event ev[4096];
	unsigned ev_head, ev_tail;
};

struct xsc_reply {
	struct xsd_sockmsg hdr;
	char *data;		/* hdr.len bytes + NUL; free() it */
};

/* Daemon under test, on a private socket in a temporary directory. */
struct xsd_proc {
	pid_t pid;
	char dir[64];
	char sock[128];
};

/**
 * xsd_start() - run $QHV_XENSTORED --foreground on a temporary socket
 * with the extra arguments @args (NULL terminated, may be NULL).
 * Returns 0 once the socket accepts connections.
 */
int xsd_start(struct xsd_proc *p, const char *const *args);
/** xsd_stop() - SIGTERM and reap; returns the exit status (0 = clean). */
int xsd_stop(struct xsd_proc *p);

int xsc_connect(struct xsc *c, const char *path);
void xsc_close(struct xsc *c);
/** xsc_send_raw() - write bytes as they are. */
int xsc_send_raw(struct xsc *c, const void *buf, size_t len);
/** xsc_send() - send a request without waiting; returns its req_id. */
uint32_t xsc_send(struct xsc *c, uint32_t type, uint32_t tx, const void *p,
		  uint32_t len);
/** xsc_recv() - next non-event message (events are queued). 0 or -errno. */
int xsc_recv(struct xsc *c, struct xsc_reply *r);
/**
 * xsc_call() - send a request and wait for its reply.
 * Returns 0 on success (reply in @r if not NULL), the negative errno
 * named by an ERROR reply, or -EPIPE/-ETIMEDOUT on transport failure.
 */
int xsc_call(struct xsc *c, uint32_t type, uint32_t tx, const void *p,
	     uint32_t len, struct xsc_reply *r);

/* Helpers taking NUL-terminated strings; return 0 or negative errno. */
int xsc_read(struct xsc *c, uint32_t tx, const char *path, char **val);
int xsc_write(struct xsc *c, uint32_t tx, const char *path, const char *val);
int xsc_mkdir(struct xsc *c, uint32_t tx, const char *path);
int xsc_rm(struct xsc *c, uint32_t tx, const char *path);
/** xsc_dir() - children joined with ' ' into *@out (free it). */
int xsc_dir(struct xsc *c, uint32_t tx, const char *path, char **out);
/** xsc_get_perms() - perms joined with ',' into *@out (free it). */
int xsc_get_perms(struct xsc *c, uint32_t tx, const char *path, char **out);
/** xsc_set_perms() - @perms comma separated, e.g. "n0,r5". */
int xsc_set_perms(struct xsc *c, uint32_t tx, const char *path,
		  const char *perms);
int xsc_tx_start(struct xsc *c, uint32_t *tx);
int xsc_tx_end(struct xsc *c, uint32_t tx, bool commit);
int xsc_watch(struct xsc *c, const char *path, const char *token);
int xsc_unwatch(struct xsc *c, const char *path, const char *token);
/** xsc_ctl() - CONTROL with up to 2 arguments; reply text into *@out. */
int xsc_ctl(struct xsc *c, const char *cmd, const char *a1, const char *a2,
	    char **out);
/** xsc_act_as() - CONTROL set-domid: this connection becomes @domid. */
int xsc_act_as(struct xsc *c, unsigned domid);
/** xsc_simple() - request whose payload is the given strings (NULL end). */
int xsc_simple(struct xsc *c, uint32_t type, char **out, ...);
/**
 * xsc_event() - next watch event within @timeout_ms; path/token into
 * a static buffer "path token" in *@out.  0, or -ETIMEDOUT.
 */
int xsc_event(struct xsc *c, int timeout_ms, char *out, size_t cap);
/** xsc_errno() - errno for an error string such as "EACCES". */
int xsc_errno(const char *s);

#endif /* QHV_XSCLIENT_H */
