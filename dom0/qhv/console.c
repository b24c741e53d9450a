// SPDX-License-Identifier: MIT
/*
 * console.c - qhv console: a domain's serial console on the terminal.
 *
 * First the output still in the domain's console ring, then new output
 * as it arrives; stdin goes to the domain's UART receive side.  The loop
 * sleeps in poll(2) on stdin and libqhv's event descriptor (which says
 * "new console output" or "a domain changed state"), so an idle console
 * costs nothing.  Only without an event descriptor does it wake on a
 * timer (CONSOLE_TICK_MS).
 *
 * On a terminal, stdin is switched to raw mode (keys, Ctrl-C included,
 * go to the guest; output post-processing stays on so a guest's bare
 * "\n" still starts a new line) and restored on every way out: Ctrl-]
 * (0x1d), the domain's end, an error, SIGTERM, SIGHUP or SIGINT.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "qhv.h"

#define DETACH_CHAR 0x1d	/* Ctrl-] */
#define CONSOLE_TICK_MS 100	/* without usable events */
#define CONSOLE_RETRY_MS 20	/* the guest's receive FIFO is full */
#define IO_CHUNK QHV_CONSOLE_IO_MAX

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

struct console {
	struct qhv_handle *h;
	uint32_t domid;
	const char *dom;
	uint8_t uuid[16];
	uint64_t cursor;
	bool tty;
	bool raw;
	struct termios saved;
	bool stdin_open;
	char pending[IO_CHUNK];	/* typed, not yet taken by the guest */
	size_t npending;
	struct qhv_domain_info last;	/* the last state seen */
	bool gone;			/* destroyed (or its id reused) */
};

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void set_raw(struct console *c)
{
	struct termios t;

	if (!c->tty || tcgetattr(STDIN_FILENO, &c->saved))
		return;
	t = c->saved;
	cfmakeraw(&t);
	t.c_oflag |= OPOST;	/* keep "\n" -> "\r\n" for the guest's output */
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &t) == 0)
		c->raw = true;
}

static void restore(struct console *c)
{
	if (c->raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &c->saved);
	c->raw = false;
}

/* Copy all new output to stdout.  Return 0, or EXIT_OP (reported). */
static int drain_output(struct console *c, bool history)
{
	static char buf[IO_CHUNK];

	for (;;) {
		uint64_t lost = 0;
		ssize_t n = qhv_console_read(c->h, c->domid, &c->cursor, buf,
					     sizeof(buf), &lost);

		if (n == -ESRCH) {
			c->gone = true;
			return 0;
		}
		if (n < 0)
			return fail("console %s: %s", c->dom,
				    lib_detail(c->h, "console read"));
		if (lost && !history) {
			char note[96];
			/* OPOST stays on in raw mode: "\n" is enough. */
			int len = snprintf(note, sizeof(note),
					   "%sqhv: console %s: %llu bytes of "
					   "output lost\n", c->raw ? "\n" : "",
					   c->dom, (unsigned long long)lost);

			write_all(STDERR_FILENO, note, (size_t)len);
		}
		if (n == 0)
			return 0;
		if (write_all(STDOUT_FILENO, buf, (size_t)n))
			return fail("console %s: writing the output: %s",
				    c->dom, strerror(errno));
		history = false;
	}
}

static bool ended(const struct qhv_domain_info *d)
{
	return d->state == QHV_STATE_SHUTDOWN ||
	       d->state == QHV_STATE_CRASHED || d->state == QHV_STATE_DYING;
}

/* Refresh c->last; notice a domain that is gone.  0 or EXIT_OP. */
static int refresh(struct console *c)
{
	struct qhv_domain_info d;
	int rc = qhv_domain_getinfo(c->h, c->domid, &d);

	if (rc == -ESRCH || (rc == 0 && memcmp(d.uuid, c->uuid, 16))) {
		c->gone = true;
		return 0;
	}
	if (rc)
		return fail("console %s: %s", c->dom,
			    lib_detail(c->h, "getinfo"));
	c->last = d;
	return 0;
}

/* Offer pending input to the guest.  0 or EXIT_OP. */
static int send_pending(struct console *c)
{
	while (c->npending) {
		ssize_t n = qhv_console_write(c->h, c->domid, c->pending,
					      c->npending);

		if (n == -ESRCH) {
			c->gone = true;
			return 0;
		}
		if (n < 0)
			return fail("console %s: %s", c->dom,
				    lib_detail(c->h, "console write"));
		if (n == 0)
			return 0;	/* FIFO full: retry later */
		memmove(c->pending, c->pending + n, c->npending - (size_t)n);
		c->npending -= (size_t)n;
	}
	return 0;
}

/* Read what was typed.  Sets *detach on Ctrl-].  0 or EXIT_OP. */
static int read_input(struct console *c, bool *detach)
{
	char buf[IO_CHUNK];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf) - c->npending);
	char *esc;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0)
		return fail("console %s: reading stdin: %s", c->dom,
			    strerror(errno));
	if (n == 0) {
		c->stdin_open = false;	/* keep showing output */
		return 0;
	}
	esc = memchr(buf, DETACH_CHAR, (size_t)n);
	if (esc) {
		n = esc - buf;
		*detach = true;
	}
	memcpy(c->pending + c->npending, buf, (size_t)n);
	c->npending += (size_t)n;
	return send_pending(c);
}

static int drain_events(struct console *c)
{
	struct qhv_event_record ev;
	int rc;

	while ((rc = qhv_event_read(c->h, &ev)) == 1)
		;
	if (rc < 0)
		return fail("console %s: %s", c->dom,
			    lib_detail(c->h, "event read"));
	return 0;
}

static void apply_policy(struct console *c,
			 const struct console_end_policy *p)
{
	const struct qhv_domain_info *d = &c->last;
	bool destroy;

	if (!p || c->gone || !ended(d) || d->state == QHV_STATE_DYING)
		return;
	if (d->state == QHV_STATE_CRASHED)
		destroy = p->destroy_on_crash;
	else if (d->shutdown_reason == QHV_SHUTDOWN_REBOOT)
		destroy = p->destroy_on_reboot;
	else
		destroy = p->destroy_on_shutdown;
	if (destroy && qhv_domain_destroy(c->h, c->domid))
		fail("console %s: on end: %s", c->dom,
		     lib_detail(c->h, "destroy"));
}

static int loop(struct console *c, int evfd, int tick)
{
	for (;;) {
		struct pollfd fds[2];
		bool detach = false;
		nfds_t nfds = 0;
		int timeout = tick, ready, rc, ev = -1, in = -1;

		if (evfd >= 0) {
			fds[nfds] = (struct pollfd){ .fd = evfd,
						     .events = POLLIN };
			ev = (int)nfds++;
		}
		if (c->stdin_open && !c->npending) {
			fds[nfds] = (struct pollfd){ .fd = STDIN_FILENO,
						     .events = POLLIN };
			in = (int)nfds++;
		}
		if (c->npending)
			timeout = CONSOLE_RETRY_MS;
		ready = poll(fds, nfds, timeout);
		if (got_signal)
			return 128 + got_signal;
		if (ready < 0 && errno != EINTR)
			return fail("console %s: poll: %s", c->dom,
				    strerror(errno));
		if (ready < 0)
			continue;
		if (ev >= 0 && fds[ev].revents && (rc = drain_events(c)))
			return rc;
		if (c->npending && (rc = send_pending(c)))
			return rc;
		if (in >= 0 && fds[in].revents) {
			if (fds[in].revents & POLLIN) {
				rc = read_input(c, &detach);
				if (rc)
					return rc;
			} else {
				c->stdin_open = false;	/* POLLHUP, POLLERR */
			}
			if (detach)
				return 0;
		}
		if ((rc = drain_output(c, false)) || (rc = refresh(c)))
			return rc;
		if (c->gone || ended(&c->last))
			return drain_output(c, false);
	}
}

int console_attach(struct qhv_handle *h, uint32_t domid, const char *dom,
		   const struct console_end_policy *policy)
{
	struct sigaction sa, old[3];
	static const int sigs[3] = { SIGTERM, SIGHUP, SIGINT };
	struct console *c = calloc(1, sizeof(*c));
	int evfd, tick = -1, rc, i;

	if (!c)
		return fail("console %s: out of memory", dom);
	c->h = h;
	c->domid = domid;
	c->dom = dom;
	c->stdin_open = true;
	c->tty = isatty(STDIN_FILENO);
	if (qhv_domain_getinfo(h, domid, &c->last)) {
		rc = fail("console %s: %s", dom, lib_detail(h, "getinfo"));
		free(c);
		return rc;
	}
	memcpy(c->uuid, c->last.uuid, 16);

	evfd = qhv_event_fd(h);
	/*
	 * The fake backend's event pipe only hears what this process does;
	 * output another process gives it is seen at the next call.  With a
	 * real device every event comes through the descriptor.
	 */
	if (evfd < 0 || qhv_is_fake(h))
		tick = CONSOLE_TICK_MS;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);

	/* History first; an ended domain still shows it. */
	rc = drain_output(c, true);
	if (!rc && !c->gone && !ended(&c->last)) {
		set_raw(c);
		if (c->tty) {
			char note[96];
			int len = snprintf(note, sizeof(note),
					   "qhv: console %s: Ctrl-] detaches\n",
					   dom);

			write_all(STDERR_FILENO, note, (size_t)len);
		}
		rc = loop(c, evfd, tick);
		restore(c);
	}
	if (!rc)
		apply_policy(c, policy);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	free(c);
	return rc;
}

/* How long --no-follow waits for a full receive FIFO to take input. */
#define NO_FOLLOW_INPUT_MS 10000

/*
 * console --no-follow: what is in the ring now, then stdin (when not a
 * terminal) to the guest, then exit.  For scripts: no poll loop, no raw
 * mode, never waits for output.
 */
static int console_no_follow(struct qhv_handle *h, uint32_t domid,
			     const char *dom)
{
	struct console c = { .h = h, .domid = domid, .dom = dom };
	int rc = drain_output(&c, true), waited = 0;

	if (rc || c.gone || isatty(STDIN_FILENO))
		return rc;
	for (;;) {
		ssize_t n = read(STDIN_FILENO, c.pending, sizeof(c.pending));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("console %s: reading stdin: %s", dom,
				    strerror(errno));
		if (n == 0)
			return 0;
		c.npending = (size_t)n;
		while (c.npending) {
			size_t before = c.npending;

			if ((rc = send_pending(&c)))
				return rc;
			if (c.gone)
				return fail("console %s: the domain is gone",
					    dom);
			if (c.npending == before) {
				if (waited >= NO_FOLLOW_INPUT_MS)
					return fail("console %s: the domain "
						    "takes no input", dom);
				usleep(CONSOLE_RETRY_MS * 1000);
				waited += CONSOLE_RETRY_MS;
			}
		}
	}
}

int cmd_console(int argc, char **argv)
{
	struct qhv_handle *h;
	char *dom = NULL;
	bool no_follow = false;
	const struct cli_opt opts[] = { { "--no-follow", &no_follow },
					{ NULL, NULL } };
	uint32_t id;
	int rc;

	rc = parse_args("console", argc, argv, opts, &dom, 1);
	if (rc)
		return rc == ARGS_HELP ? 0 : rc;
	h = open_handle("console");
	if (!h)
		return EXIT_OP;
	if (lookup(h, "console", dom, &id))
		rc = EXIT_OP;
	else
		rc = no_follow ? console_no_follow(h, id, dom)
			       : console_attach(h, id, dom, NULL);
	qhv_close(h);
	return rc;
}
