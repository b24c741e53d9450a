/* SPDX-License-Identifier: MIT */
/*
 * qhv-ioctl-probe [--uid N] [--drop-cap-sys-admin] CHECK...: exercise
 * /dev/qhv (docs/driver.md) from dom0 and print one line per CHECK:
 *
 *   CHECK: ok DETAILS
 *   CHECK: error ENAME (message)
 *
 * Checks (each opens /dev/qhv afresh):
 *   open         open(2) only
 *   poolinfo     QHV_IOC_POOLINFO
 *   list         QHV_IOC_LIST of up to 64 ids
 *   getinfo      QHV_IOC_GETINFO of dom0
 *   logread      QHV_IOC_LOG_READ of up to 256 bytes
 *   memwrite0    QHV_IOC_MEMWRITE of 600 KiB into dom0 (three pieces in
 *                the driver; the hv must refuse it)
 *   cleanup      QHV_IOC_CREATE a 4 MiB domain, close without starting
 *                it, then QHV_IOC_GETINFO it on a new open: it must be
 *                gone or dying (the driver destroys it at close)
 *   badversion   QHV_IOC_POOLINFO with a wrong hdr.interface_version
 *   bigconsole   QHV_IOC_LOG_READ of QHV_CONSOLE_IO_MAX + 1 bytes
 *   badioctl     an ioctl number the driver does not know
 *   events       read(2) of one event record with O_NONBLOCK
 *
 * --uid N drops to uid/gid N first; --drop-cap-sys-admin stays root but
 * without CAP_SYS_ADMIN (which open() requires).  Exit status 0 when every
 * check said ok, 1 otherwise, 2 for bad usage.  Static, like the other
 * helpers, so the initramfs needs no libc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <qhv/qhv_ioctl.h>

#define DEV "/dev/qhv"

static int report_errno(const char *check)
{
	int e = errno;

	printf("%s: error %s (%s)\n", check, strerrorname_np(e) ?: "?",
	       strerror(e));
	return 1;
}

static void hdr_init(struct qhv_mgmt_hdr *h)
{
	h->interface_version = QHV_DOMCTL_INTERFACE_VERSION;
	h->domid = 0;
}

static int getinfo(int fd, uint32_t domid, struct qhv_domain_info *info)
{
	memset(info, 0, sizeof(*info));
	hdr_init(&info->hdr);
	info->hdr.domid = domid;
	return ioctl(fd, QHV_IOC_GETINFO, info);
}

/* Create a domain through one open file, close it, look through another. */
static int check_cleanup(int fd)
{
	struct qhv_domctl_create c;
	struct qhv_domain_info info;
	uint32_t id;
	int fd2;

	memset(&c, 0, sizeof(c));
	hdr_init(&c.hdr);
	strcpy(c.name, "qhv-drvchk");
	c.mem_bytes = 4u << 20;
	c.nr_vcpus = 1;
	if (ioctl(fd, QHV_IOC_CREATE, &c) < 0)
		return report_errno("cleanup");
	id = c.hdr.domid;
	close(fd);
	fd2 = open(DEV, O_RDWR);
	if (fd2 < 0)
		return report_errno("cleanup");
	if (getinfo(fd2, id, &info) == 0) {
		close(fd2);
		if (info.state == QHV_STATE_DYING) {
			printf("cleanup: ok domain %" PRIu32 " dying after its "
			       "creator closed\n", id);
			return 0;
		}
		printf("cleanup: error domain %" PRIu32 " still there (state %"
		       PRIu32 ") after its creator closed\n", id, info.state);
		return 1;
	}
	if (errno != ESRCH && errno != ENOENT)
		return report_errno("cleanup");
	close(fd2);
	printf("cleanup: ok domain %" PRIu32 " gone after its creator closed\n",
	       id);
	return 0;
}

static int check(const char *name)
{
	int fd, ret = 0;

	fd = open(DEV, strcmp(name, "events") ? O_RDWR : O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return report_errno(name);

	if (!strcmp(name, "open")) {
		printf("open: ok\n");
	} else if (!strcmp(name, "poolinfo") || !strcmp(name, "badversion")) {
		struct qhv_pool_info p;

		memset(&p, 0, sizeof(p));
		hdr_init(&p.hdr);
		if (!strcmp(name, "badversion"))
			p.hdr.interface_version = 0xbad;
		if (ioctl(fd, QHV_IOC_POOLINFO, &p) < 0)
			ret = report_errno(name);
		else
			printf("%s: ok page_size=%" PRIu32 " free_frames=%" PRIu64
			       " total_frames=%" PRIu64 " nr_cpus=%" PRIu32
			       " nr_domains=%" PRIu32 "\n", name, p.page_size,
			       p.free_frames, p.total_frames, p.nr_cpus,
			       p.nr_domains);
	} else if (!strcmp(name, "list")) {
		uint32_t ids[64];
		struct qhv_sysctl_list l;

		memset(&l, 0, sizeof(l));
		hdr_init(&l.hdr);
		l.buf = (uintptr_t)ids;
		l.max = 64;
		if (ioctl(fd, QHV_IOC_LIST, &l) < 0) {
			ret = report_errno(name);
		} else {
			printf("list: ok count=%" PRIu32 " ids=", l.count);
			for (uint32_t i = 0; i < l.count && i < l.max; i++)
				printf("%s%" PRIu32, i ? "," : "", ids[i]);
			printf("\n");
		}
	} else if (!strcmp(name, "getinfo")) {
		struct qhv_domain_info info;

		if (getinfo(fd, QHV_DOMID_DOM0, &info) < 0)
			ret = report_errno(name);
		else
			printf("getinfo: ok name=%.*s state=%" PRIu32
			       " nr_vcpus=%" PRIu32 " mem_bytes=%" PRIu64 "\n",
			       QHV_NAME_MAX, info.name, info.state,
			       info.nr_vcpus, info.mem_bytes);
	} else if (!strcmp(name, "logread")) {
		char buf[256];
		struct qhv_domctl_console c;

		memset(&c, 0, sizeof(c));
		hdr_init(&c.hdr);
		c.buf = (uintptr_t)buf;
		c.len = sizeof(buf);
		if (ioctl(fd, QHV_IOC_LOG_READ, &c) < 0)
			ret = report_errno(name);
		else
			printf("logread: ok done=%" PRIu32 " produced=%" PRIu64
			       "\n", c.done, c.produced);
	} else if (!strcmp(name, "memwrite0")) {
		static char buf[600 * 1024];
		struct qhv_domctl_memwrite m;

		memset(&m, 0, sizeof(m));
		hdr_init(&m.hdr);
		m.gpa = 0x100000;
		m.buf = (uintptr_t)buf;
		m.len = sizeof(buf);
		if (ioctl(fd, QHV_IOC_MEMWRITE, &m) < 0)
			ret = report_errno(name);
		else
			printf("memwrite0: ok\n");
	} else if (!strcmp(name, "cleanup")) {
		return check_cleanup(fd);	/* closes fd */
	} else if (!strcmp(name, "bigconsole")) {
		static char buf[QHV_CONSOLE_IO_MAX + 1];
		struct qhv_domctl_console c;

		memset(&c, 0, sizeof(c));
		hdr_init(&c.hdr);
		c.buf = (uintptr_t)buf;
		c.len = sizeof(buf);
		if (ioctl(fd, QHV_IOC_LOG_READ, &c) < 0)
			ret = report_errno(name);
		else
			printf("bigconsole: ok done=%" PRIu32 "\n", c.done);
	} else if (!strcmp(name, "badioctl")) {
		if (ioctl(fd, _IO(QHV_IOC_MAGIC, 0x7f)) < 0)
			ret = report_errno(name);
		else
			printf("badioctl: ok\n");
	} else if (!strcmp(name, "events")) {
		struct qhv_event_record r;
		ssize_t n = read(fd, &r, sizeof(r));

		if (n < 0)
			ret = report_errno(name);
		else
			printf("events: ok %zd bytes events=0x%" PRIx32
			       " state_seq=%" PRIu64 "\n", n, r.events,
			       r.state_seq);
	} else {
		fprintf(stderr, "qhv-ioctl-probe: unknown check '%s'\n", name);
		ret = 2;
	}
	close(fd);
	return ret;
}

/* Stay root, but without CAP_SYS_ADMIN in any set. */
static int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	unsigned int i = CAP_TO_INDEX(CAP_SYS_ADMIN);

	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	d[i].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	d[i].permitted &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	d[i].inheritable &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	return (int)syscall(SYS_capset, &h, d);
}

int main(int argc, char **argv)
{
	int i = 1, worst = 0, r;

	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--uid") && i + 1 < argc) {
			uid_t uid = (uid_t)strtoul(argv[++i], NULL, 10);

			if (setgroups(0, NULL) != 0 || setgid(uid) != 0 ||
			    setuid(uid) != 0) {
				perror("qhv-ioctl-probe: setuid");
				return 2;
			}
		} else if (!strcmp(argv[i], "--drop-cap-sys-admin")) {
			if (drop_cap_sys_admin() != 0) {
				perror("qhv-ioctl-probe: capset");
				return 2;
			}
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: qhv-ioctl-probe [--uid N] "
			"[--drop-cap-sys-admin] CHECK...\n");
		return 2;
	}
	for (; i < argc; i++) {
		r = check(argv[i]);
		if (r > worst)
			worst = r;
	}
	fflush(stdout);
	return worst;
}
