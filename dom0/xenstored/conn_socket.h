/* SPDX-License-Identifier: MIT */
/*
 * conn_socket.h - UNIX socket transport and the epoll event loop.
 */
#ifndef QHV_XSD_CONN_SOCKET_H
#define QHV_XSD_CONN_SOCKET_H

#include "xsd.h"

/**
 * sock_listen() - bind and listen on @path, creating its directory.
 * A stale socket file (nobody accepting) is replaced; a live one is
 * an error (-EADDRINUSE).  Returns the listening fd or a negative errno.
 */
int sock_listen(const char *path);

/**
 * sock_run() - serve @lfd until a signal in @sigfd (a signalfd for
 * SIGTERM/SIGINT) arrives.  Local socket peers are dom0, privileged.
 * Returns 0 on clean shutdown, negative errno on fatal error.
 */
int sock_run(struct xsd *d, int lfd, int sigfd);

#endif /* QHV_XSD_CONN_SOCKET_H */
