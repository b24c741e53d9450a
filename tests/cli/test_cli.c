// SPDX-License-Identifier: MIT
/*
 * test_cli.c - the real `qhv` program against libqhv's fake backend.
 *
 * Each test gets its own simulated hv in a state file
 * (QHV_DEVICE=fake:state=PATH), so one qhv invocation after another sees
 * the same domains; qhv-fake-ctl plays the guest's side (console output,
 * exits, crashes) and test-cli-helper adds CPU time.  Every check looks
 * at the exit status and the exact stderr line.
 *
 * Environment: QHV_CLI (the qhv binary), QHV_FAKE_CTL, QHV_CLI_HELPER,
 * QHV_CLI_SHIM (an LD_PRELOAD library that makes qhv_memwrite() fail),
 * QHV_TEST_KERNELS (tests/unit's tiny kernels) and QHV_TEST_GUESTS
 * (tests/guests, full builds), both optional.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/qhvcli.XXXXXX";
static char device[512];

struct result {
	int status;	/* exit status, or 128 + signal */
	char out[65536];
	char err[8192];
};

static const char *env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v && *v, "%s is not set", name);
	return v;
}

struct proc {
	pid_t pid;
	int in, out, err;
};

/* Start argv[0] with QHV_DEVICE set; extra "NAME=VALUE" in @envs. */
static void spawn(struct proc *p, char *const argv[], const char *const *envs)
{
	int pin[2], pout[2], perr[2];

	ck_assert_int_eq(pipe(pin), 0);
	ck_assert_int_eq(pipe(pout), 0);
	ck_assert_int_eq(pipe(perr), 0);
	p->pid = fork();
	ck_assert_int_ge(p->pid, 0);
	if (p->pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		close(pin[0]);
		close(pin[1]);
		close(pout[0]);
		close(pout[1]);
		close(perr[0]);
		close(perr[1]);
		setenv("QHV_DEVICE", device, 1);
		for (; envs && *envs; envs++)
			putenv((char *)*envs);
		alarm(20);	/* a hung program fails the test */
		execv(argv[0], argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	p->in = pin[1];
	p->out = pout[0];
	p->err = perr[0];
}

/* Feed @input, collect output, wait. */
static void finish(struct proc *p, const char *input, size_t inlen,
		   struct result *r, bool close_stdin)
{
	size_t no = 0, ne = 0;
	int st;

	signal(SIGPIPE, SIG_IGN);
	if (inlen)
		ck_assert_int_eq(write(p->in, input, inlen), (ssize_t)inlen);
	if (close_stdin)
		close(p->in);
	for (;;) {
		struct pollfd f[2] = { { p->out, POLLIN, 0 },
				       { p->err, POLLIN, 0 } };
		ssize_t n;

		if (p->out < 0 && p->err < 0)
			break;
		ck_assert_int_gt(poll(f, 2, 30000), 0);
		if (f[0].revents) {
			n = read(p->out, r->out + no, sizeof(r->out) - 1 - no);
			if (n <= 0) {
				close(p->out);
				p->out = -1;
			} else {
				no += (size_t)n;
			}
		}
		if (f[1].revents) {
			n = read(p->err, r->err + ne, sizeof(r->err) - 1 - ne);
			if (n <= 0) {
				close(p->err);
				p->err = -1;
			} else {
				ne += (size_t)n;
			}
		}
	}
	r->out[no] = '\0';
	r->err[ne] = '\0';
	if (!close_stdin)
		close(p->in);
	ck_assert_int_eq(waitpid(p->pid, &st, 0), p->pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static struct result *runv(const char *input, size_t inlen,
			   const char *const *envs, char *const argv[])
{
	static struct result r;
	struct proc p;

	memset(&r, 0, sizeof(r));
	spawn(&p, argv, envs);
	finish(&p, input, inlen, &r, true);
	return &r;
}

#define MAXARGS 16
/* Ends the argument lists of qhv(), ctl() and with_input(). */
#define END ((const char *)NULL)

/* qhv ARGS... (NULL-terminated) */
static struct result *qhv(const char *first, ...)
{
	struct result *r;
	char *argv[MAXARGS];
	const char *a;
	va_list ap;
	int n = 0;

	argv[n++] = (char *)env("QHV_CLI");
	va_start(ap, first);
	for (a = first; a && n < MAXARGS - 1; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	r = runv(NULL, 0, NULL, argv);
	return r;
}

/* qhv-fake-ctl ARGS...; must succeed. */
static struct result *ctl(const char *first, ...)
{
	struct result *r;
	va_list ap;

	va_start(ap, first);
	{
		char *argv[MAXARGS];
		const char *a;
		int n = 0;

		argv[n++] = (char *)env("QHV_FAKE_CTL");
		for (a = first; a && n < MAXARGS - 1;
		     a = va_arg(ap, const char *))
			argv[n++] = (char *)a;
		argv[n] = NULL;
		r = runv(NULL, 0, NULL, argv);
	}
	va_end(ap);
	ck_assert_msg(r->status == 0, "qhv-fake-ctl %s: %s", first, r->err);
	return r;
}

static struct result *with_input(const char *input, size_t len, ...)
{
	char *argv[MAXARGS];
	const char *a;
	va_list ap;
	int n = 0;

	argv[n++] = (char *)env("QHV_CLI");
	va_start(ap, len);
	while ((a = va_arg(ap, const char *)) && n < MAXARGS - 1)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	return runv(input, len, NULL, argv);
}

/* Exit status @status, nothing on stdout, exactly @line on stderr. */
static void assert_fails(const struct result *r, int status,
			 const char *line)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s\n", line);
	ck_assert_msg(r->status == status, "status %d, want %d; stderr: %s",
		      r->status, status, r->err);
	ck_assert_str_eq(r->err, want);
	ck_assert_str_eq(r->out, "");
}

static void assert_ok(const struct result *r)
{
	ck_assert_msg(r->status == 0, "status %d; stderr: %s", r->status,
		      r->err);
	ck_assert_str_eq(r->err, "");
}

static char *path(const char *name)
{
	static char buf[4][600];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
	return buf[k];
}

static void write_file(const char *name, const void *data, size_t len)
{
	FILE *f = fopen(path(name), "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void write_text(const char *name, const char *text)
{
	write_file(name, text, strlen(text));
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/*
 * A tiny Multiboot1 kernel: one ELF32 PT_LOAD segment at 1 MiB holding
 * the headers, a multiboot header (at 0x60) and "1: hlt; jmp 1b" (at
 * the entry, 0x80).
 */
static void make_kernel(const char *name)
{
	static const uint8_t ident[] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };
	static const uint8_t code[] = { 0xf4, 0xeb, 0xfd };
	uint8_t k[256];

	memset(k, 0, sizeof(k));
	memcpy(k, ident, sizeof(ident));
	put16(k + 16, 2);			/* ET_EXEC */
	put16(k + 18, 3);			/* EM_386 */
	put32(k + 20, 1);			/* EV_CURRENT */
	put32(k + 24, 0x100080);		/* entry */
	put32(k + 28, 52);			/* phoff */
	put16(k + 40, 52);			/* ehsize */
	put16(k + 42, 32);			/* phentsize */
	put16(k + 44, 1);			/* phnum */
	put32(k + 52, 1);			/* PT_LOAD */
	put32(k + 56, 0);			/* offset */
	put32(k + 60, 0x100000);		/* vaddr */
	put32(k + 64, 0x100000);		/* paddr */
	put32(k + 68, sizeof(k));		/* filesz */
	put32(k + 72, sizeof(k) + 4096);	/* memsz: some bss */
	put32(k + 76, 7);			/* RWX */
	put32(k + 80, 4096);			/* align */
	put32(k + 0x60, 0x1badb002u);		/* multiboot1 magic */
	put32(k + 0x64, 0);			/* flags */
	put32(k + 0x68, (uint32_t)-0x1badb002u);	/* checksum */
	memcpy(k + 0x80, code, sizeof(code));
	write_file(name, k, sizeof(k));
}

/* A domain XML file in the test directory. */
static const char *config(const char *name, const char *dom,
			  const char *kernel, const char *extra)
{
	char text[4096];
	int n;

	n = snprintf(text, sizeof(text),
		     "<domain type='qhv' "
		     "xmlns:qhv='https://qhv.dev/xmlns/domain/1'>\n"
		     "  <name>%s</name>\n"
		     "  <memory unit='MiB'>16</memory>\n"
		     "  <vcpu cpuset='0-1'>2</vcpu>\n"
		     "  <os>\n"
		     "    <type>hvm</type>\n"
		     "    <kernel>%s</kernel>\n"
		     "    <cmdline>test args</cmdline>\n"
		     "  </os>\n"
		     "%s"
		     "</domain>\n", dom, kernel, extra ? extra : "");
	write_file(name, text, (size_t)n);
	return path(name);
}

static const char *web_xml(void)
{
	make_kernel("k.elf");
	return config("web.xml", "web", "k.elf", NULL);
}

/* The names in `qhv list`, in order, space-separated. */
static const char *names(void)
{
	static char buf[512];
	struct result *r = qhv("list", END);
	char *line, *save = NULL;
	size_t o = 0;

	assert_ok(r);
	buf[0] = '\0';
	strtok_r(r->out, "\n", &save);	/* the header */
	while ((line = strtok_r(NULL, "\n", &save))) {
		char name[64];

		ck_assert_int_eq(sscanf(line, "%*u %63s", name), 1);
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
				      o ? " " : "", name);
	}
	return buf;
}

static void setup(void)
{
	strcpy(tmpdir, "/tmp/qhvcli.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(device, sizeof(device), "fake:state=%s/hv.state", tmpdir);
}

static void teardown(void)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

/* ------------------------------------------------------------------ */

START_TEST(help_and_version)
{
	static const char *const cmds[] = {
		"create", "list", "info", "pause", "unpause", "destroy",
		"console", "dmesg", "pool",
	};
	struct result *r = qhv("--help", END);
	char want[128];
	size_t i;

	assert_ok(r);
	ck_assert_ptr_nonnull(strstr(r->out, "usage: qhv [--help] [--version] "
				     "COMMAND [ARGS]\n"));
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(want, sizeof(want), "\n  %s ", cmds[i]);
		ck_assert_msg(strstr(r->out, want), "--help lacks %s", cmds[i]);

		r = qhv(cmds[i], "--help", END);
		assert_ok(r);
		snprintf(want, sizeof(want), "usage: qhv %s", cmds[i]);
		ck_assert_int_eq(strncmp(r->out, want, strlen(want)), 0);
		ck_assert_ptr_nonnull(strstr(r->out, "  --help "));
		r = qhv("--help", END);
	}
	r = qhv("create", "--help", END);
	ck_assert_ptr_nonnull(strstr(r->out, "usage: qhv create FILE.xml "
				     "[--paused] [--console] [--no-monitor]\n"));
	ck_assert_ptr_nonnull(strstr(r->out, "  --paused "));
	r = qhv("help", "console", END);
	assert_ok(r);
	ck_assert_ptr_nonnull(strstr(r->out, "Ctrl-] detaches"));
	/* --help wins over everything else on the line. */
	r = qhv("info", "--bogus", "--help", END);
	ck_assert_int_eq(r->status, 2);

	r = qhv("--version", END);
	assert_ok(r);
	ck_assert_int_eq(strncmp(r->out, "qhv 0.1.0 (libqhv ", 18), 0);
}
END_TEST

START_TEST(usage_errors)
{
	assert_fails(qhv(END), 2, "qhv: missing command (try 'qhv --help')");
	assert_fails(qhv("frobnicate", END), 2,
		     "qhv: unknown command 'frobnicate' (try 'qhv --help')");
	assert_fails(qhv("--frob", END), 2,
		     "qhv: unknown option '--frob' (try 'qhv --help')");
	assert_fails(qhv("help", "frob", END), 2,
		     "qhv: unknown command 'frob' (try 'qhv --help')");
	assert_fails(qhv("list", "--frob", END), 2,
		     "qhv: list: unknown option '--frob' (try 'qhv list "
		     "--help')");
	assert_fails(qhv("list", "web", END), 2,
		     "qhv: list: unexpected argument 'web' (try 'qhv list "
		     "--help')");
	assert_fails(qhv("info", END), 2,
		     "qhv: info: missing DOM (try 'qhv info --help')");
	assert_fails(qhv("create", END), 2,
		     "qhv: create: missing FILE.xml (try 'qhv create --help')");
	assert_fails(qhv("create", "a.xml", "b.xml", END), 2,
		     "qhv: create: unexpected argument 'b.xml' (try 'qhv "
		     "create --help')");
	assert_fails(qhv("pause", "--json", "web", END), 2,
		     "qhv: pause: unknown option '--json' (try 'qhv pause "
		     "--help')");
	assert_fails(qhv("dmesg", "x", END), 2,
		     "qhv: dmesg: unexpected argument 'x' (try 'qhv dmesg "
		     "--help')");
	/* "--" ends options: "-x" is then a domain name. */
	assert_fails(qhv("info", "--", "-x", END), 1,
		     "qhv: info -x: no domain named '-x'");
}
END_TEST

START_TEST(no_device)
{
	struct result *r;

	snprintf(device, sizeof(device), "%s/no-such-device", tmpdir);
	r = qhv("list", END);
	ck_assert_int_eq(r->status, 1);
	ck_assert_int_eq(strncmp(r->err, "qhv: list: ", 11), 0);
	ck_assert_ptr_nonnull(strstr(r->err, "No such file or directory"));
	ck_assert_ptr_eq(strchr(r->err, '\n'), r->err + strlen(r->err) - 1);
}
END_TEST

START_TEST(create_file_errors)
{
	char want[1024];

	snprintf(want, sizeof(want), "qhv: create %s: No such file or "
		 "directory", path("none.xml"));
	assert_fails(qhv("create", path("none.xml"), END), 1, want);

	snprintf(want, sizeof(want), "qhv: create %s:3: <memory>: unknown "
		 "unit 'XB'", path("bad.xml"));
	write_text("bad.xml", "<domain type='qhv'>\n  <name>web</name>\n"
		   "  <memory unit='XB'>16</memory>\n  <os><type>hvm</type>"
		   "<kernel>/k</kernel></os>\n</domain>\n");
	assert_fails(qhv("create", path("bad.xml"), END), 1, want);

	/* The kernel file is missing. */
	config("nok.xml", "web", "missing.elf", NULL);
	snprintf(want, sizeof(want), "qhv: create %s: %s/missing.elf: No such "
		 "file or directory", path("nok.xml"), tmpdir);
	assert_fails(qhv("create", path("nok.xml"), END), 1, want);
	ck_assert_str_eq(names(), "Domain-0");
}
END_TEST

START_TEST(create_not_a_kernel)
{
	struct result *r;
	char want[600];

	write_text("text.elf", "this is not a kernel\n");
	config("nk.xml", "web", "text.elf", NULL);
	r = qhv("create", path("nk.xml"), END);
	ck_assert_int_eq(r->status, 1);
	snprintf(want, sizeof(want), "qhv: create %s: ", path("nk.xml"));
	ck_assert_int_eq(strncmp(r->err, want, strlen(want)), 0);
	ck_assert_ptr_nonnull(strstr(r->err, "kernel"));
	ck_assert_ptr_eq(strchr(r->err, '\n'), r->err + strlen(r->err) - 1);
	ck_assert_str_eq(r->out, "");
	ck_assert_str_eq(names(), "Domain-0");
}
END_TEST

START_TEST(create_list_info_destroy)
{
	const char *xml = web_xml();
	struct result *r;
	char *line;

	r = qhv("create", xml, END);
	assert_ok(r);
	ck_assert_str_eq(r->out, "created domain web (id 1)\n");
	ck_assert_str_eq(names(), "Domain-0 web");

	r = qhv("list", END);
	ck_assert_int_eq(strncmp(r->out, "   ID  Name ", 12), 0);
	ck_assert_ptr_nonnull(strstr(r->out, "State"));
	ck_assert_ptr_nonnull(strstr(r->out, "Mem(MiB)  vCPUs    Time(s)\n"));
	line = strstr(r->out, "\n    1  web ");
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_nonnull(strstr(line, " running "));
	ck_assert_ptr_nonnull(strstr(line, "      16      2        0.0\n"));

	/* CPU time and info's detail. */
	{
		char *argv[] = { (char *)env("QHV_CLI_HELPER"), "cputime",
				 "web", "1", "2500000000", NULL };

		assert_ok(runv(NULL, 0, NULL, argv));
	}
	r = qhv("info", "web", END);
	assert_ok(r);
	ck_assert_ptr_nonnull(strstr(r->out, "id:           1\nname:         "
				     "web\nuuid:         "));
	ck_assert_ptr_nonnull(strstr(r->out, "state:        running\n"));
	ck_assert_ptr_nonnull(strstr(r->out, "memory:       16 MiB\n"));
	ck_assert_ptr_nonnull(strstr(r->out, "cpu affinity: 0-1\n"));
	ck_assert_ptr_nonnull(strstr(r->out, "vcpus:        2\n"));
	ck_assert_ptr_nonnull(strstr(r->out, "  vcpu 1:     pcpu 1, 2.500 s\n"));
	ck_assert_ptr_nonnull(strstr(r->out, "cpu time:     2.500 s\n"));
	r = qhv("info", "1", END);
	assert_ok(r);
	ck_assert_ptr_nonnull(strstr(r->out, "name:         web\n"));
	r = qhv("list", END);
	ck_assert_ptr_nonnull(strstr(r->out, "      16      2        2.5\n"));

	assert_ok(qhv("destroy", "web", END));
	ck_assert_str_eq(names(), "Domain-0");
	assert_fails(qhv("destroy", "web", END), 1,
		     "qhv: destroy web: no domain named 'web'");
	assert_fails(qhv("info", "1", END), 1,
		     "qhv: info 1: no domain with id 1");
}
END_TEST

/* Kernels built by the toolchain: the unit tests' and the test guests. */
static void create_from(const char *dir_env, const char *file,
			const char *dom)
{
	const char *dir = getenv(dir_env);
	char kernel[600], xml[64];
	struct result *r;

	if (!dir || !*dir)
		return;	/* not built in this configuration */
	snprintf(kernel, sizeof(kernel), "%s/%s", dir, file);
	ck_assert_msg(access(kernel, R_OK) == 0, "%s: %s", kernel,
		      strerror(errno));
	snprintf(xml, sizeof(xml), "%s.xml", dom);
	config(xml, dom, kernel, "  <on_crash>preserve</on_crash>\n");
	r = qhv("create", path(xml), END);
	assert_ok(r);
	r = qhv("info", dom, END);
	ck_assert_ptr_nonnull(strstr(r->out, "state:        running\n"));
}

START_TEST(create_real_kernel)
{
	create_from("QHV_TEST_KERNELS", "k32_mb1.elf", "k32");
	create_from("QHV_TEST_KERNELS", "k64_mb2.elf", "k64");
	create_from("QHV_TEST_GUESTS", "hello.elf", "hello");
}
END_TEST

START_TEST(duplicate_name)
{
	const char *xml = web_xml();
	char want[600];

	assert_ok(qhv("create", xml, END));
	snprintf(want, sizeof(want), "qhv: create %s: domain 'web': name "
		 "already in use", xml);
	assert_fails(qhv("create", xml, END), 1, want);
	ck_assert_str_eq(names(), "Domain-0 web");
}
END_TEST

START_TEST(unknown_domain)
{
	assert_fails(qhv("pause", "nosuch", END), 1,
		     "qhv: pause nosuch: no domain named 'nosuch'");
	assert_fails(qhv("info", "77", END), 1,
		     "qhv: info 77: no domain with id 77");
	assert_fails(qhv("console", "nosuch", END), 1,
		     "qhv: console nosuch: no domain named 'nosuch'");
	assert_fails(qhv("unpause", "nosuch", END), 1,
		     "qhv: unpause nosuch: no domain named 'nosuch'");
	assert_fails(qhv("destroy", "3", END), 1,
		     "qhv: destroy 3: no domain with id 3");
}
END_TEST

START_TEST(dom0_refuses)
{
	assert_fails(qhv("destroy", "0", END), 1,
		     "qhv: destroy 0: dom0 cannot be destroyed");
	assert_fails(qhv("destroy", "Domain-0", END), 1,
		     "qhv: destroy Domain-0: dom0 cannot be destroyed");
	assert_fails(qhv("pause", "0", END), 1,
		     "qhv: pause 0: dom0 cannot be paused");
	ck_assert_str_eq(names(), "Domain-0");
}
END_TEST

START_TEST(pause_unpause)
{
	const char *xml = web_xml();
	struct result *r;

	r = qhv("create", xml, "--paused", END);
	assert_ok(r);
	ck_assert_str_eq(r->out, "created domain web (id 1), paused\n");
	r = qhv("info", "web", END);
	ck_assert_ptr_nonnull(strstr(r->out, "state:        paused\n"));
	ck_assert_ptr_nonnull(strstr(r->out, "started:      yes\n"));
	assert_ok(qhv("pause", "web", END));
	r = qhv("list", END);
	ck_assert_ptr_nonnull(strstr(r->out, " paused (2 pauses) "));
	assert_ok(qhv("unpause", "web", END));
	assert_ok(qhv("unpause", "1", END));
	r = qhv("info", "web", END);
	ck_assert_ptr_nonnull(strstr(r->out, "state:        running\n"));
	assert_fails(qhv("unpause", "web", END), 1,
		     "qhv: unpause web: domain is not paused");
}
END_TEST

/* A failure after the domain exists leaves nothing behind. */
START_TEST(create_cleans_up)
{
	const char *xml = web_xml();
	const char *shim[] = { NULL, "QHV_SHIM_FAIL_MEMWRITE=1",
			       "ASAN_OPTIONS=verify_asan_link_order=0", NULL };
	char preload[600], want[700];
	char *argv[] = { (char *)env("QHV_CLI"), "create", (char *)xml, NULL };
	struct result *r;

	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s",
		 env("QHV_CLI_SHIM"));
	shim[0] = preload;
	r = runv(NULL, 0, shim, argv);
	snprintf(want, sizeof(want), "qhv: create %s: ", xml);
	ck_assert_int_eq(r->status, 1);
	ck_assert_int_eq(strncmp(r->err, want, strlen(want)), 0);
	ck_assert_ptr_nonnull(strstr(r->err, "memwrite"));
	ck_assert_ptr_eq(strchr(r->err, '\n'), r->err + strlen(r->err) - 1);
	ck_assert_str_eq(names(), "Domain-0");
	r = qhv("dmesg", END);
	ck_assert_ptr_nonnull(strstr(r->out, "dom web: destroyed"));

	/* Not enough memory in the pool: refused at create. */
	snprintf(device, sizeof(device), "fake:state=%s/small.state,pool=8M",
		 tmpdir);
	snprintf(want, sizeof(want), "qhv: create %s: domain 'web': not "
		 "enough free memory (16 MiB asked, 8 MiB free)", xml);
	assert_fails(qhv("create", xml, END), 1, want);
	ck_assert_str_eq(names(), "Domain-0");
}
END_TEST

START_TEST(ended_states)
{
	const char *xml = web_xml();
	struct result *r;

	assert_ok(qhv("create", xml, END));
	ctl("shutdown", "web", "exit", "3", END);
	r = qhv("info", "web", END);
	assert_ok(r);
	ck_assert_ptr_nonnull(strstr(r->out, "state:        shutdown (exit 3)\n"
				     "shutdown:     exit\nexit code:    3\n"));
	r = qhv("list", END);
	ck_assert_ptr_nonnull(strstr(r->out, " shutdown (exit 3) "));
	r = qhv("info", "web", "--json", END);
	ck_assert_ptr_nonnull(strstr(r->out, "\"shutdown_reason\": \"exit\","));
	ck_assert_ptr_nonnull(strstr(r->out, "\"exit_code\": 3,"));
	assert_fails(qhv("pause", "web", END), 1,
		     "qhv: pause web: domain cannot be paused in its state");
	assert_ok(qhv("destroy", "web", END));

	assert_ok(qhv("create", xml, END));
	ctl("crash", "web", "triple fault \"at\"\tRIP\x01 0x1000", END);
	r = qhv("info", "web", END);
	assert_ok(r);
	ck_assert_ptr_nonnull(strstr(r->out, "state:        crashed\n"
				     "crash reason: triple fault \"at\"\\x09RIP"
				     "\\x01 0x1000\n"));
	r = qhv("info", "web", "--json", END);
	ck_assert_ptr_nonnull(strstr(r->out, "\"crash_reason\": \"triple fault "
				     "\\\"at\\\"\\tRIP\\u0001 0x1000\""));
}
END_TEST

/* Output that python's json module accepts. */
static void assert_json(const char *text, const char *check)
{
	char prog[600];
	char *argv[] = { "/usr/bin/python3", "-c", prog, NULL };
	char *copy = strdup(text);	/* runv() reuses the result buffer */
	struct result *r;

	ck_assert_ptr_nonnull(copy);
	snprintf(prog, sizeof(prog),
		 "import json, sys\nd = json.load(sys.stdin)\nassert %s, d\n",
		 check);
	r = runv(copy, strlen(copy), NULL, argv);
	ck_assert_msg(r->status == 0, "%s\n%s", r->err, copy);
	free(copy);
}

START_TEST(json_output)
{
	const char *xml = web_xml();
	struct result *r;

	r = qhv("list", "--json", END);
	assert_ok(r);
	assert_json(r->out, "len(d) == 1 and d[0]['name'] == 'Domain-0' "
		    "and d[0]['id'] == 0");
	assert_ok(qhv("create", xml, END));
	config("db.xml", "db", "k.elf", NULL);
	assert_ok(qhv("create", path("db.xml"), "--paused", END));
	ctl("crash", "web", "bad \"byte\" \xff\xfe here\n", END);
	r = qhv("list", "--json", END);
	assert_ok(r);
	assert_json(r->out, "[x['name'] for x in d] == ['Domain-0', 'web', "
		    "'db'] and d[1]['state'] == 'crashed' and "
		    "d[1]['crash_reason'] == 'bad \"byte\" \\ufffd\\ufffd "
		    "here\\n' and d[2]['state'] == 'paused' and "
		    "d[2]['mem_bytes'] == 16 << 20 and d[2]['vcpus'] == 2");
	r = qhv("info", "db", "--json", END);
	assert_ok(r);
	assert_json(r->out, "d['name'] == 'db' and d['pause_count'] == 1 and "
		    "d['cpu_affinity'] == '0-1' and len(d['vcpu']) == 2 and "
		    "d['vcpu'][1]['pcpu'] == 1 and d['console']['lost'] == 0 "
		    "and d['privileged'] is False and d['started'] is True");
	r = qhv("info", "0", "--json", END);
	assert_json(r->out, "d['privileged'] is True and d['cpu_affinity'] "
		    "is None");
}
END_TEST

START_TEST(dmesg)
{
	struct result *r;

	ctl("log", "hello from the hv", END);
	r = qhv("dmesg", END);
	assert_ok(r);
	ck_assert_ptr_nonnull(strstr(r->out, "hello from the hv\n"));
}
END_TEST

START_TEST(console_history_input_detach)
{
	const char *xml = web_xml();
	struct result *r;

	assert_ok(qhv("create", xml, END));
	ctl("console", "web", "first line", END);
	ctl("console", "web", "second line", END);
	/* Typed bytes go to the guest; Ctrl-] ends; the rest is dropped. */
	r = with_input("ls -l\r\035not sent", 15, "console", "web", END);
	assert_ok(r);
	ck_assert_str_eq(r->out, "first line\nsecond line\n");
	r = ctl("input", "web", END);
	ck_assert_str_eq(r->out, "ls -l\r");
	/* Still running: detaching is not an end. */
	r = qhv("info", "web", END);
	ck_assert_ptr_nonnull(strstr(r->out, "state:        running\n"));

	/* An ended domain: its history, then the command ends by itself. */
	ctl("console", "web", "bye", END);
	ctl("shutdown", "web", "poweroff", END);
	r = qhv("console", "web", END);
	assert_ok(r);
	ck_assert_str_eq(r->out, "first line\nsecond line\nbye\n");
	/* Plain `qhv console` never destroys. */
	ck_assert_str_eq(names(), "Domain-0 web");
}
END_TEST

/* console --no-follow: history, stdin to the guest, exit at once. */
START_TEST(console_no_follow)
{
	const char *xml = web_xml();
	struct result *r;

	assert_ok(qhv("create", xml, END));
	ctl("console", "web", "first line", END);
	r = with_input("", 0, "console", "web", "--no-follow", END);
	assert_ok(r);
	ck_assert_str_eq(r->out, "first line\n");
	/* Input goes to the guest whole, Ctrl-] is no detach here. */
	r = with_input("x\035y", 3, "console", "--no-follow", "web", END);
	assert_ok(r);
	ck_assert_str_eq(r->out, "first line\n");
	r = ctl("input", "web", END);
	ck_assert_str_eq(r->out, "x\035y");
	ctl("console", "web", "got x", END);
	r = with_input("", 0, "console", "web", "--no-follow", END);
	ck_assert_str_eq(r->out, "first line\ngot x\n");
	ck_assert_str_eq(names(), "Domain-0 web");
	assert_fails(with_input("", 0, "console", "nosuch", "--no-follow",
				END), 1,
		     "qhv: console nosuch: no domain named 'nosuch'");
}
END_TEST

/* qhv pool: free frames go down with a domain and come back. */
START_TEST(pool_info)
{
	const char *xml = web_xml();
	struct result *r = qhv("pool", END);
	char *p;

	assert_ok(r);
	ck_assert_ptr_nonnull(strstr(r->out, "free_frames:  65536\n"));
	ck_assert_ptr_nonnull(strstr(r->out, "total_frames: 65536\n"));
	ck_assert_ptr_nonnull(strstr(r->out, "page_size:    4096\n"));
	ck_assert_ptr_nonnull(strstr(r->out, "domains:      1\n"));
	assert_ok(qhv("create", xml, END));
	r = qhv("pool", "--json", END);
	assert_ok(r);
	ck_assert_ptr_nonnull(strstr(r->out, "\"total_frames\": 65536"));
	ck_assert_ptr_nonnull(strstr(r->out, "\"nr_domains\": 2"));
	p = strstr(r->out, "\"free_frames\": ");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_lt(strtoull(p + 15, NULL, 10), 65536);
	assert_ok(qhv("destroy", "web", END));
	r = qhv("pool", END);
	ck_assert_ptr_nonnull(strstr(r->out, "free_frames:  65536\n"));
	assert_fails(qhv("pool", "extra", END), 2,
		     "qhv: pool: unexpected argument 'extra' (try 'qhv pool --help')");
}
END_TEST

static void wait_for(struct proc *p, const char *text, char *acc,
		     size_t acclen)
{
	size_t n = strlen(acc);
	time_t end = time(NULL) + 10;

	while (!strstr(acc, text)) {
		struct pollfd f = { p->out, POLLIN, 0 };
		ssize_t got;

		ck_assert_msg(time(NULL) < end, "no [%s] in [%s]", text, acc);
		if (poll(&f, 1, 500) <= 0)
			continue;
		got = read(p->out, acc + n, acclen - 1 - n);
		ck_assert_int_gt(got, 0);
		n += (size_t)got;
		acc[n] = '\0';
	}
}

/* Live output from another process, then the domain ends the console. */
START_TEST(console_live_until_end)
{
	const char *xml = web_xml();
	char *argv[] = { (char *)env("QHV_CLI"), "console", "web", NULL };
	static char seen[4096];
	static struct result r;
	struct proc p;

	assert_ok(qhv("create", xml, END));
	ctl("console", "web", "before", END);
	seen[0] = '\0';
	spawn(&p, argv, NULL);
	wait_for(&p, "before\n", seen, sizeof(seen));
	ctl("console", "web", "live one", END);
	wait_for(&p, "live one\n", seen, sizeof(seen));
	ck_assert_int_eq(write(p.in, "typed", 5), 5);
	ctl("console", "web", "live two", END);
	wait_for(&p, "live two\n", seen, sizeof(seen));
	ctl("crash", "web", "test crash", END);
	memset(&r, 0, sizeof(r));
	finish(&p, NULL, 0, &r, false);	/* stdin stays open */
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err, "");
	ck_assert_str_eq(seen, "before\nlive one\nlive two\n");
	ck_assert_str_eq(ctl("input", "web", END)->out, "typed");
	ck_assert_str_eq(names(), "Domain-0 web");
}
END_TEST

/* stdin at its end: the console keeps showing output until the end. */
START_TEST(console_stdin_eof)
{
	const char *xml = web_xml();
	char *argv[] = { (char *)env("QHV_CLI"), "console", "web", NULL };
	static char seen[4096];
	static struct result r;
	struct proc p;

	assert_ok(qhv("create", xml, END));
	seen[0] = '\0';
	spawn(&p, argv, NULL);
	close(p.in);
	p.in = open("/dev/null", O_WRONLY);
	ctl("console", "web", "after eof", END);
	wait_for(&p, "after eof\n", seen, sizeof(seen));
	ctl("shutdown", "web", "reboot", END);
	memset(&r, 0, sizeof(r));
	finish(&p, NULL, 0, &r, false);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err, "");
	ck_assert_str_eq(seen, "after eof\n");
}
END_TEST

/* On a terminal: raw mode while attached, restored after Ctrl-]. */
START_TEST(console_tty)
{
	const char *xml = web_xml();
	char seen[4096] = "";
	struct termios t;
	struct proc p;
	int master, slave, st;
	pid_t pid;

	assert_ok(qhv("create", xml, END));
	ctl("console", "web", "on the tty", END);
	ck_assert_int_eq(openpty(&master, &slave, NULL, NULL, NULL), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setsid();
		ioctl(slave, TIOCSCTTY, 0);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		close(master);
		close(slave);
		setenv("QHV_DEVICE", device, 1);
		alarm(20);
		execl(env("QHV_CLI"), "qhv", "console", "web", (char *)NULL);
		_exit(127);
	}
	p.out = master;
	wait_for(&p, "Ctrl-] detaches\r\n", seen, sizeof(seen));
	wait_for(&p, "on the tty\r\n", seen, sizeof(seen));	/* ONLCR kept */
	ck_assert_int_eq(tcgetattr(slave, &t), 0);
	ck_assert_uint_eq(t.c_lflag & (ICANON | ECHO | ISIG), 0);
	ck_assert_uint_ne(t.c_oflag & OPOST, 0);
	/* Ctrl-C is a key for the guest, not a signal. */
	ck_assert_int_eq(write(master, "x\003\035", 3), 3);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(tcgetattr(slave, &t), 0);
	ck_assert_uint_ne(t.c_lflag & ICANON, 0);
	ck_assert_uint_ne(t.c_lflag & ECHO, 0);
	ck_assert_str_eq(ctl("input", "web", END)->out, "x\003");
	close(master);
	close(slave);
}
END_TEST

/* create --console carries out on_poweroff / on_crash at the end. */
START_TEST(create_console_policy)
{
	char *argv[] = { (char *)env("QHV_CLI"), "create", NULL, "--console",
			 NULL };
	static char seen[4096];
	static struct result r;
	struct proc p;

	make_kernel("k.elf");
	argv[2] = (char *)config("d.xml", "gone", "k.elf",
				 "  <on_poweroff>destroy</on_poweroff>\n");
	seen[0] = '\0';
	spawn(&p, argv, NULL);
	wait_for(&p, "created domain gone (id 1)\n", seen, sizeof(seen));
	ctl("console", "gone", "up", END);
	wait_for(&p, "up\n", seen, sizeof(seen));
	ctl("shutdown", "gone", "exit", "0", END);
	memset(&r, 0, sizeof(r));
	finish(&p, NULL, 0, &r, false);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err, "");
	ck_assert_str_eq(names(), "Domain-0");	/* destroyed */

	argv[2] = (char *)config("p.xml", "kept", "k.elf",
				 "  <on_crash>preserve</on_crash>\n");
	seen[0] = '\0';
	spawn(&p, argv, NULL);
	wait_for(&p, "created domain kept (id 2)\n", seen, sizeof(seen));
	ctl("crash", "kept", "oops", END);
	memset(&r, 0, sizeof(r));
	finish(&p, NULL, 0, &r, false);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(names(), "Domain-0 kept");	/* preserved */
	ck_assert_ptr_nonnull(strstr(qhv("info", "kept", END)->out,
				     "crash reason: oops\n"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli");
	TCase *t = tcase_create("cli");
	SRunner *r;
	int failed;

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, help_and_version);
	tcase_add_test(t, usage_errors);
	tcase_add_test(t, no_device);
	tcase_add_test(t, create_file_errors);
	tcase_add_test(t, create_not_a_kernel);
	tcase_add_test(t, create_list_info_destroy);
	tcase_add_test(t, create_real_kernel);
	tcase_add_test(t, duplicate_name);
	tcase_add_test(t, unknown_domain);
	tcase_add_test(t, dom0_refuses);
	tcase_add_test(t, pause_unpause);
	tcase_add_test(t, create_cleans_up);
	tcase_add_test(t, ended_states);
	tcase_add_test(t, json_output);
	tcase_add_test(t, dmesg);
	tcase_add_test(t, console_history_input_detach);
	tcase_add_test(t, console_live_until_end);
	tcase_add_test(t, console_stdin_eof);
	tcase_add_test(t, console_tty);
	tcase_add_test(t, console_no_follow);
	tcase_add_test(t, pool_info);
	tcase_add_test(t, create_console_policy);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
