// SPDX-License-Identifier: MIT
/*
 * monitor.c - the process `qhv create` leaves behind for each domain (as
 * xl does): it waits for the domain to end and carries out the
 * configuration's action for the way it ended.
 *
 *   shut down (poweroff, exit)  -> <on_poweroff>
 *   shut down (reboot)          -> <on_reboot>
 *   crashed                     -> <on_crash>
 *
 * destroy: the domain is destroyed.  preserve: it stays, ended, and the
 * monitor leaves.  restart: it is destroyed and built again from the same
 * file and configuration (same name and uuid, a new id), and watched on.
 * More than MONITOR_RESTART_MAX restarts within MONITOR_RESTART_WINDOW_S
 * seconds is a boot loop: the domain is then preserved.
 *
 * The monitor holds no hv state: it wakes on libqhv's event descriptor
 * (QHV_EVENT_DOMAIN_STATE), reads the domain's state from the hv and acts
 * on what it reads; it leaves as soon as the domain is gone or is
 * another domain (its uuid changed).  It runs in its own session with
 * stdin/stdout on /dev/null and its messages in
 * /run/qhv/monitor-NAME.log (or nowhere, if /run/qhv cannot be made).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "qhv.h"
#include "qhvconfig.h"

#define MONITOR_DIR "/run/qhv"
#define MONITOR_POLL_MS 2000	/* also re-read without an event */
#define MONITOR_RESTART_MAX 5
#define MONITOR_RESTART_WINDOW_S 60
#define MONITOR_GONE_WAIT_MS 10000

static void mlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void mlog(const char *fmt, ...)
{
	va_list ap;
	time_t t = time(NULL);
	char ts[32];

	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	fprintf(stderr, "%s qhv-monitor: ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* stdin/stdout to /dev/null, stderr to the log file (or /dev/null). */
static void detach_stdio(const char *name)
{
	char path[128];
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), log;

	if (mkdir(MONITOR_DIR, 0755) && errno != EEXIST)
		log = -1;
	else {
		snprintf(path, sizeof(path), MONITOR_DIR "/monitor-%s.log", name);
		log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	}
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(log >= 0 ? log : null, 2);
	}
	if (null > 2)
		close(null);
	if (log > 2)
		close(log);
}

/* Sleep until an event or the poll period; events are only a hint. */
static void wait_event(struct qhv_handle *h)
{
	struct qhv_event_record ev;
	struct pollfd p = { .fd = qhv_event_fd(h), .events = POLLIN };

	if (p.fd < 0) {
		usleep(MONITOR_POLL_MS * 1000);
		return;
	}
	if (poll(&p, 1, MONITOR_POLL_MS) > 0)
		while (qhv_event_read(h, &ev) > 0)
			;
}

/* Our domain's info: 1 if it is still ours, 0 if gone or replaced. */
static int our_domain(struct qhv_handle *h, uint32_t id, const uint8_t *uuid,
		      struct qhv_domain_info *info)
{
	if (qhv_domain_getinfo(h, id, info))
		return 0;
	return !memcmp(info->uuid, uuid, sizeof(info->uuid));
}

static enum qhv_config_action action_for(const struct qhv_domain_config *cfg,
					 const struct qhv_domain_info *info,
					 const char **why)
{
	if (info->state == QHV_STATE_CRASHED) {
		*why = "crashed";
		return cfg->on_crash;
	}
	if (info->shutdown_reason == QHV_SHUTDOWN_REBOOT) {
		*why = "rebooted";
		return cfg->on_reboot;
	}
	*why = info->shutdown_reason == QHV_SHUTDOWN_POWEROFF ? "powered off" :
								"exited";
	return cfg->on_poweroff;
}

/* Destroy and wait until the id names nothing (or something else). */
static int destroy_and_wait(struct qhv_handle *h, uint32_t id,
			    const uint8_t *uuid)
{
	struct qhv_domain_info info;
	int waited = 0;

	if (qhv_domain_destroy(h, id) && our_domain(h, id, uuid, &info)) {
		mlog("destroy %u: %s", id, qhv_last_error(h));
		return -1;
	}
	while (our_domain(h, id, uuid, &info) && waited < MONITOR_GONE_WAIT_MS) {
		usleep(50 * 1000);
		waited += 50;
	}
	return 0;
}

static int monitor_loop(const char *file, const struct qhv_domain_config *cfg,
			uint32_t id)
{
	struct qhv_handle *h = NULL;
	struct qhv_domain_info info;
	time_t restarts[MONITOR_RESTART_MAX] = { 0 };
	unsigned nrestart = 0;
	char err[512];
	int rc = qhv_open(&h);

	if (rc) {
		mlog("%s: cannot open the hv: %s", cfg->name, qhv_strerror(rc));
		return 1;
	}
	mlog("watching %s (id %u)", cfg->name, id);
	for (;;) {
		enum qhv_config_action act;
		const char *why;
		time_t now;

		if (!our_domain(h, id, cfg->uuid, &info)) {
			mlog("%s (id %u) is gone", cfg->name, id);
			break;
		}
		if (info.state != QHV_STATE_SHUTDOWN &&
		    info.state != QHV_STATE_CRASHED) {
			wait_event(h);
			continue;
		}
		act = action_for(cfg, &info, &why);
		mlog("%s (id %u) %s: %s", cfg->name, id, why,
		     qhv_config_action_name(act));
		if (act == QHV_ACTION_PRESERVE)
			break;
		if (destroy_and_wait(h, id, cfg->uuid))
			break;
		if (act == QHV_ACTION_DESTROY)
			break;
		/* restart, unless it is looping */
		now = time(NULL);
		if (nrestart == MONITOR_RESTART_MAX &&
		    now - restarts[0] < MONITOR_RESTART_WINDOW_S) {
			mlog("%s restarted %u times in %d s: not again",
			     cfg->name, MONITOR_RESTART_MAX, MONITOR_RESTART_WINDOW_S);
			break;
		}
		if (nrestart == MONITOR_RESTART_MAX) {
			memmove(restarts, restarts + 1, sizeof(restarts[0]) * (nrestart - 1));
			nrestart--;
		}
		restarts[nrestart++] = now;
		if (create_domain(h, file, cfg, false, &id, err, sizeof(err))) {
			mlog("restart %s: %s", cfg->name, err);
			break;
		}
		mlog("%s restarted as id %u", cfg->name, id);
	}
	qhv_close(h);
	return 0;
}

int monitor_spawn(const char *file, const struct qhv_domain_config *cfg,
		  uint32_t id, char *err, size_t errlen)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -errno;
	}
	if (pid > 0)
		return 0;
	/* The child: a session of its own, so the caller's terminal
	 * closing (SIGHUP) does not end it. */
	setsid();
	detach_stdio(cfg->name);
	_exit(monitor_loop(file, cfg, id));
}
