// SPDX-License-Identifier: MIT
/*
 * main.c - qhv-xenstored: command line, daemonisation, pid file, signals.
 *
 * The tree lives in memory only: like xenstored, a restart starts from an
 * empty store (just "/").
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conn_socket.h"
#include "hash.h"
#include "log.h"
#include "xsd.h"

#define DEFAULT_SOCKET	"/var/run/xenstored/socket"
#define DEFAULT_PIDFILE	"/var/run/qhv-xenstored.pid"

struct options {
	const char *socket;
	const char *pidfile;
	const char *logfile;
	bool foreground;
	int level;
	struct xs_quota q;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: qhv-xenstored [OPTION]...\n"
"A xenstore-compatible configuration store daemon.\n\n"
"  -F, --foreground        stay in the foreground (default: daemonise)\n"
"  -s, --socket PATH       listen on PATH (default: $XENSTORED_PATH, else\n"
"                          " DEFAULT_SOCKET ")\n"
"  -p, --pid-file PATH     write the pid to PATH (default when daemonising:\n"
"                          " DEFAULT_PIDFILE ")\n"
"  -l, --log-level LEVEL   error, warn, info (default) or debug\n"
"  -L, --log-file PATH     log to PATH (default: stderr in the foreground,\n"
"                          syslog when daemonised)\n"
"  -q, --quota NAME=VALUE  set a per-domain quota (nodes, node-size, watches,\n"
"                          transactions, outstanding, perms; 0 = unlimited)\n"
"  -h, --help              show this help\n\n"
"The store is kept in memory: a restart loses the tree.\n");
}

static int parse_quota(struct xs_quota *q, const char *arg)
{
	char name[32];
	const char *eq = strchr(arg, '=');
	char *end;
	unsigned long v;

	if (!eq || (size_t)(eq - arg) >= sizeof(name))
		return -EINVAL;
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	errno = 0;
	v = strtoul(eq + 1, &end, 10);
	if (errno || *end || !eq[1] || v > UINT32_MAX)
		return -EINVAL;
	return xsd_quota_set(q, name, (uint32_t)v);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'F' },
		{ "socket", required_argument, NULL, 's' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "log-file", required_argument, NULL, 'L' },
		{ "quota", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "Fs:p:l:L:q:h", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'F': o->foreground = true; break;
		case 's': o->socket = optarg; break;
		case 'p': o->pidfile = optarg; break;
		case 'L': o->logfile = optarg; break;
		case 'l':
			o->level = xlog_parse_level(optarg);
			if (o->level < 0) {
				fprintf(stderr, "bad log level '%s'\n", optarg);
				return 2;
			}
			break;
		case 'q':
			if (parse_quota(&o->q, optarg)) {
				fprintf(stderr, "bad quota '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

static void seed_hash(void)
{
	uint64_t seed;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	ht_seed(seed);
}

/* Hundreds of clients at once need more than the default 1024 fds. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * Double fork.  The original process exits only when the daemon says it is
 * ready (pid file written, socket listening), through *ready_fd, so that a
 * caller that starts us and reads the pid file never races the daemon.
 */
static int daemonise(int *ready_fd)
{
	int pfd[2], fd;
	pid_t pid;
	char c;

	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(pfd[1]);
		_exit(read(pfd[0], &c, 1) == 1 ? 0 : 1);
	}
	close(pfd[0]);
	*ready_fd = pfd[1];
	setsid();
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (chdir("/"))
		return -errno;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

static int write_pidfile(const char *path)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (fd < 0)
		return -errno;
	if (write(fd, buf, (size_t)len) != len) {
		close(fd);
		return -EIO;
	}
	return close(fd) ? -errno : 0;
}

static int setup_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int setup_logging(const struct options *o)
{
	FILE *f;

	xlog_set_level(o->level);
	if (o->logfile) {
		f = fopen(o->logfile, "ae");
		if (!f) {
			fprintf(stderr, "cannot open log file %s: %s\n",
				o->logfile, strerror(errno));
			return -1;
		}
		xlog_to_file(f);
	} else if (!o->foreground) {
		xlog_to_syslog(true);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { .level = XLOG_INFO };
	struct xsd *d;
	int rc, lfd, sigfd, ready_fd = -1;

	xsd_default_quota(&o.q);
	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : 2;
	if (!o.socket)
		o.socket = getenv("XENSTORED_PATH");
	if (!o.socket)
		o.socket = DEFAULT_SOCKET;
	if (!o.pidfile && !o.foreground)
		o.pidfile = DEFAULT_PIDFILE;
	if (setup_logging(&o))
		return 1;
	seed_hash();
	raise_fd_limit();
	sigfd = setup_signals();
	lfd = sock_listen(o.socket);
	if (lfd < 0 || sigfd < 0) {
		xlog(XLOG_ERROR, "cannot listen on %s: %s", o.socket,
		     strerror(lfd < 0 ? -lfd : -sigfd));
		return 1;
	}
	if (!o.foreground && (rc = daemonise(&ready_fd))) {
		xlog(XLOG_ERROR, "cannot daemonise: %s", strerror(-rc));
		return 1;
	}
	if (o.pidfile && (rc = write_pidfile(o.pidfile)))
		xlog(XLOG_WARN, "cannot write pid file %s: %s", o.pidfile,
		     strerror(-rc));
	if (ready_fd >= 0) {
		/* Tell the waiting parent we are up; it then exits 0. */
		if (write(ready_fd, "1", 1) != 1)
			xlog(XLOG_WARN, "cannot notify the parent: %s",
			     strerror(errno));
		close(ready_fd);
	}
	d = xsd_new(&o.q);
	if (!d) {
		xlog(XLOG_ERROR, "out of memory");
		return 1;
	}
	xlog(XLOG_INFO, "listening on %s", o.socket);
	rc = sock_run(d, lfd, sigfd);
	xlog(rc ? XLOG_ERROR : XLOG_INFO, "shutting down%s%s",
	     rc ? ": " : "", rc ? strerror(-rc) : "");
	xsd_free(d);
	close(lfd);
	close(sigfd);
	unlink(o.socket);
	if (o.pidfile)
		unlink(o.pidfile);
	return rc ? 1 : 0;
}
