// SPDX-License-Identifier: MIT
/*
 * conn_socket.c - UNIX socket transport for qhv-xenstored.
 *
 * One epoll set, level-triggered.  A connection polls for input unless
 * flow control throttles it, and for output only while replies are
 * queued (most replies are written directly by the core).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn_socket.h"
#include "log.h"

struct sock_conn {
	struct xs_conn c;
	int fd;
	int epfd;
	uint32_t events;
};

/* epoll cookies that are not connections */
static char listen_tag, signal_tag;

static struct sock_conn *sc_of(struct xs_conn *c)
{
	return container_of(c, struct sock_conn, c);
}

static ssize_t sc_read(struct xs_conn *c, void *buf, size_t len)
{
	ssize_t n = recv(sc_of(c)->fd, buf, len, 0);

	if (n > 0)
		return n;
	if (n == 0)
		return -EPIPE;
	return errno == EAGAIN || errno == EINTR ? 0 : -errno;
}

static ssize_t sc_write(struct xs_conn *c, const void *buf, size_t len)
{
	ssize_t n = send(sc_of(c)->fd, buf, len, MSG_NOSIGNAL);

	if (n >= 0)
		return n;
	return errno == EAGAIN || errno == EINTR ? 0 : -errno;
}

static void sc_update(struct xs_conn *c)
{
	struct sock_conn *sc = sc_of(c);
	struct epoll_event ev = { 0 };

	if (xsd_conn_wants_input(c))
		ev.events |= EPOLLIN;
	if (xsd_conn_wants_output(c))
		ev.events |= EPOLLOUT;
	if (ev.events == sc->events)
		return;
	ev.data.ptr = sc;
	sc->events = ev.events;
	epoll_ctl(sc->epfd, EPOLL_CTL_MOD, sc->fd, &ev);
}

static void sc_destroy(struct xs_conn *c)
{
	struct sock_conn *sc = sc_of(c);

	close(sc->fd);	/* also removes it from the epoll set */
	free(sc);
}

static const struct xs_conn_ops sock_ops = {
	.name = "socket",
	.read = sc_read,
	.write = sc_write,
	.update = sc_update,
	.destroy = sc_destroy,
};

static int mkdir_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Is somebody accepting on @sa?  Then we must not steal the path. */
static bool socket_alive(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	alive = !connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	return alive;
}

int sock_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	rc = mkdir_parent(path);
	if (rc)
		return rc;
	if (socket_alive(&sa))
		return -EADDRINUSE;
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(path, 0600) || listen(fd, SOMAXCONN)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static int add_fd(int epfd, int fd, void *ptr, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* Accept everything pending; on fd exhaustion pause accepting. */
static void accept_all(struct xsd *d, int epfd, int lfd, bool *paused)
{
	struct sock_conn *sc;
	int fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				xlog(XLOG_WARN, "out of file descriptors, "
				     "pausing accept");
				epoll_ctl(epfd, EPOLL_CTL_DEL, lfd, NULL);
				*paused = true;
			}
			return;
		}
		sc = calloc(1, sizeof(*sc));
		if (!sc || add_fd(epfd, fd, sc, EPOLLIN)) {
			xlog(XLOG_ERROR, "cannot register connection");
			free(sc);
			close(fd);
			continue;
		}
		sc->fd = fd;
		sc->epfd = epfd;
		sc->events = EPOLLIN;
		xsd_conn_init(d, &sc->c, &sock_ops, 0, true);
	}
}

static void conn_event(struct sock_conn *sc, uint32_t events)
{
	struct xs_conn *c = &sc->c;

	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		xsd_conn_kill(c);
		return;
	}
	if (events & EPOLLOUT && xsd_conn_output(c) < 0)
		return;
	if (events & EPOLLIN && xsd_conn_input(c) < 0)
		xsd_conn_kill(c);
}

int sock_run(struct xsd *d, int lfd, int sigfd)
{
	struct epoll_event evs[64];
	bool paused = false;
	int epfd, n, i, rc = 0;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	if (add_fd(epfd, lfd, &listen_tag, EPOLLIN) ||
	    add_fd(epfd, sigfd, &signal_tag, EPOLLIN)) {
		close(epfd);
		return -errno;
	}
	for (;;) {
		n = epoll_wait(epfd, evs, 64, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == &signal_tag)
				goto out;
			if (evs[i].data.ptr == &listen_tag)
				accept_all(d, epfd, lfd, &paused);
			else
				conn_event(evs[i].data.ptr, evs[i].events);
		}
		/* Close dead connections only after the whole batch. */
		if (xsd_get_stats(d)->conns) {
			size_t before = xsd_get_stats(d)->conns;

			xsd_reap(d);
			if (paused && xsd_get_stats(d)->conns < before) {
				paused = add_fd(epfd, lfd, &listen_tag,
						EPOLLIN) != 0;
			}
		}
	}
out:
	close(epfd);
	return rc;
}
