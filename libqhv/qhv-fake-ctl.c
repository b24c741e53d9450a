// SPDX-License-Identifier: MIT
/*
 * qhv-fake-ctl: play the guest's side of the fake hv from a shell, for
 * tests of programs that run as separate processes.  The device comes
 * from $QHV_DEVICE and must be "fake:state=PATH[,...]".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libqhv-fake.h"

static void usage(void)
{
	fputs("usage: QHV_DEVICE=fake:state=PATH qhv-fake-ctl COMMAND ...\n"
	      "  create NAME MIB [start]  a domain (started: vCPU 0 at 1 MiB)\n"
	      "  console DOM TEXT         the guest prints TEXT (\\n added)\n"
	      "  log TEXT                 the hv logs TEXT (\\n added)\n"
	      "  input DOM                print and drain the UART receive FIFO\n"
	      "  shutdown DOM exit CODE | poweroff | reboot\n"
	      "  crash DOM REASON\n"
	      "  blocked DOM 0|1\n"
	      "  mem DOM GPA LEN          guest memory to stdout (raw)\n"
	      "  vcpu DOM N               a vCPU's start state\n"
	      "DOM is a domain id or name.\n", stderr);
}

static int num(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct qhv_handle *h;
	char err[256] = "";
	uint32_t dom = 0;
	uint64_t a = 0, b = 0;
	const char *cmd;
	int rc;

	if (argc < 2) {
		usage();
		return 2;
	}
	cmd = argv[1];
	rc = qhv_open_dev(NULL, &h, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "qhv-fake-ctl: %s\n", err);
		return 1;
	}
	if (!qhv_is_fake(h)) {
		fprintf(stderr, "qhv-fake-ctl: $QHV_DEVICE is not a fake device\n");
		qhv_close(h);
		return 1;
	}
	if (strcmp(cmd, "log") && strcmp(cmd, "create") && argc >= 3 &&
	    qhv_domain_lookup(h, argv[2], &dom)) {
		fprintf(stderr, "qhv-fake-ctl: %s\n", qhv_last_error(h));
		qhv_close(h);
		return 1;
	}
	rc = -EINVAL;
	if (!strcmp(cmd, "create") && (argc == 4 || (argc == 5 && !strcmp(argv[4], "start"))) &&
	    !num(argv[3], &a) && a && a < (1u << 20)) {
		struct qhv_domctl_create c;
		struct qhv_vcpu_context v;

		memset(&c, 0, sizeof(c));
		snprintf(c.name, sizeof(c.name), "%s", argv[2]);
		c.mem_bytes = a << 20;
		c.nr_vcpus = 1;
		memset(&v, 0, sizeof(v));
		v.mode = QHV_VCPU_MODE_FLAT32;
		v.cs_sel = 0x08;
		v.ds_sel = 0x10;
		v.gdt_limit = 23;
		v.rip = 0x100000;
		rc = qhv_domain_create(h, &c, &dom);
		if (!rc && argc == 5) {
			rc = qhv_vcpu_set(h, dom, 0, &v);
			if (!rc)
				rc = qhv_domain_start(h, dom);
		}
		if (!rc)
			printf("%" PRIu32 "\n", dom);
	} else if (!strcmp(cmd, "console") && argc == 4) {
		size_t n = strlen(argv[3]);
		char *line = malloc(n + 2);

		if (line) {
			memcpy(line, argv[3], n);
			line[n] = '\n';
			rc = qhv_fake_console_output(h, dom, line, n + 1);
			free(line);
		} else {
			rc = -ENOMEM;
		}
	} else if (!strcmp(cmd, "log") && argc == 3) {
		size_t n = strlen(argv[2]);
		char *line = malloc(n + 2);

		if (line) {
			memcpy(line, argv[2], n);
			line[n] = '\n';
			rc = qhv_fake_log(h, line, n + 1);
			free(line);
		} else {
			rc = -ENOMEM;
		}
	} else if (!strcmp(cmd, "input") && argc == 3) {
		char buf[QHV_FAKE_RX_FIFO];
		ssize_t n = qhv_fake_console_input(h, dom, buf, sizeof(buf));

		rc = n < 0 ? (int)n : 0;
		if (n > 0)
			fwrite(buf, 1, (size_t)n, stdout);
	} else if (!strcmp(cmd, "shutdown") && argc >= 4) {
		if (!strcmp(argv[3], "exit") && argc == 5 && !num(argv[4], &a))
			rc = qhv_fake_shutdown(h, dom, QHV_SHUTDOWN_EXIT, (uint32_t)a);
		else if (!strcmp(argv[3], "poweroff") && argc == 4)
			rc = qhv_fake_shutdown(h, dom, QHV_SHUTDOWN_POWEROFF, 0);
		else if (!strcmp(argv[3], "reboot") && argc == 4)
			rc = qhv_fake_shutdown(h, dom, QHV_SHUTDOWN_REBOOT, 0);
		else
			goto bad;
	} else if (!strcmp(cmd, "crash") && argc == 4) {
		rc = qhv_fake_crash(h, dom, argv[3]);
	} else if (!strcmp(cmd, "blocked") && argc == 4 && !num(argv[3], &a)) {
		rc = qhv_fake_set_blocked(h, dom, a != 0);
	} else if (!strcmp(cmd, "mem") && argc == 5 && !num(argv[3], &a) &&
		   !num(argv[4], &b) && b <= (1u << 30)) {
		char *buf = malloc(b ? b : 1);

		rc = buf ? qhv_fake_mem_read(h, dom, a, buf, b) : -ENOMEM;
		if (!rc)
			fwrite(buf, 1, b, stdout);
		free(buf);
	} else if (!strcmp(cmd, "vcpu") && argc == 4 && !num(argv[3], &a) &&
		   a < QHV_MAX_VCPUS) {
		struct qhv_vcpu_context c;

		rc = qhv_fake_vcpu_get(h, dom, (uint32_t)a, &c);
		if (!rc)
			printf("mode=%" PRIu32 " cs=0x%x ds=0x%x gdt_base=0x%" PRIx64
			       " gdt_limit=0x%" PRIx32 " rip=0x%" PRIx64 " rsp=0x%" PRIx64
			       " rflags=0x%" PRIx64 " cr3=0x%" PRIx64 " rax=0x%" PRIx64
			       " rbx=0x%" PRIx64 "\n",
			       c.mode, c.cs_sel, c.ds_sel, c.gdt_base, c.gdt_limit,
			       c.rip, c.rsp, c.rflags, c.cr3, c.rax, c.rbx);
	} else {
		goto bad;
	}
	if (rc < 0)
		fprintf(stderr, "qhv-fake-ctl: %s\n", qhv_last_error(h));
	qhv_close(h);
	return rc < 0;
bad:
	usage();
	qhv_close(h);
	return 2;
}
