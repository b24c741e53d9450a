// SPDX-License-Identifier: MIT
/*
 * main.c - qhv, the command-line toolstack for qhv domains (qhv(1)):
 * subcommand dispatch, argument parsing, help and error wording.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qhv.h"

#ifndef QHV_VERSION
#define QHV_VERSION "unknown"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;
	const char *summary;
	const char *help;
};

static const struct command commands[] = {
	{ "create", cmd_create, "FILE.xml [--paused] [--console] [--no-monitor]",
	  "create a domain from domain XML and start it",
	  "Create a domain from a domain XML file (qhv-domain(5)), load its\n"
	  "kernel (a multiboot kernel or a Linux bzImage), initrd and modules,\n"
	  "and start it.  If anything fails after the domain was created, it\n"
	  "is destroyed again.  A monitor process stays behind and carries out\n"
	  "the domain's on_poweroff, on_reboot and on_crash actions (destroy,\n"
	  "preserve, restart); it logs to /run/qhv/monitor-NAME.log.\n"
	  "\n"
	  "  --paused      start it paused: it runs nothing until 'qhv unpause'\n"
	  "  --console     then attach to its console, as 'qhv console' does\n"
	  "  --no-monitor  leave no monitor: the domain stays as it ends\n"
	  "                (with --console, destroy actions are still done)\n" },
	{ "list", cmd_list, "[--json]", "list domains",
	  "List every domain, dom0 included: id, name, state, memory, vCPUs\n"
	  "and CPU time.\n"
	  "\n"
	  "  --json     a JSON array of objects instead of the table\n" },
	{ "info", cmd_info, "DOM [--json]", "show one domain in detail",
	  "Show a domain's state (with the shutdown reason and exit code, or\n"
	  "the crash reason), memory, vCPUs with their CPU time and physical\n"
	  "CPU, and console counters.\n"
	  "\n"
	  "  --json     a JSON object instead of text\n" },
	{ "pause", cmd_pause, "DOM", "pause a domain",
	  "Pause a domain: its vCPUs stop running.  Pauses nest: each needs\n"
	  "its own unpause.\n" },
	{ "unpause", cmd_unpause, "DOM", "undo one pause",
	  "Undo one pause of a domain; the last one lets it run again (a\n"
	  "domain created with --paused starts now).\n" },
	{ "destroy", cmd_destroy, "DOM", "destroy a domain",
	  "Destroy a domain in any state: its vCPUs are stopped and its memory\n"
	  "is scrubbed and returned to the pool.  dom0 cannot be destroyed.\n" },
	{ "console", cmd_console, "DOM [--no-follow]",
	  "attach to a domain's console",
	  "Attach to a domain's serial console: first what is still in its\n"
	  "console ring, then new output as it comes; what you type goes to the\n"
	  "domain's UART.  On a terminal, keys are passed raw.  Ctrl-] detaches.\n"
	  "Ends by itself when the domain ends or is destroyed.\n"
	  "\n"
	  "  --no-follow  for scripts: print what is in the console ring, send\n"
	  "               standard input (unless a terminal) to the domain up\n"
	  "               to its end, and exit without waiting for output\n" },
	{ "dmesg", cmd_dmesg, "", "print the hypervisor's log",
	  "Print what is still in the hypervisor's log ring.\n" },
	{ "pool", cmd_pool, "[--json]", "show the hypervisor's memory pool",
	  "Show the memory pool domains are given frames from: free and total\n"
	  "frames, page size, physical CPUs and live domains.\n"
	  "\n"
	  "  --json     a JSON object instead of text\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: qhv [--help] [--version] COMMAND [ARGS]\n"
	      "\n"
	      "Manage qhv domains from dom0.\n"
	      "\n"
	      "Commands:\n", f);
	for (i = 0; i < NCOMMANDS; i++) {
		char left[64];

		snprintf(left, sizeof(left), "%s %s", commands[i].name,
			 commands[i].synopsis);
		fprintf(f, "  %-36s %s\n", left, commands[i].summary);
	}
	fputs("\n"
	      "DOM is a domain name or a numeric id.  'qhv COMMAND --help'\n"
	      "describes a command.  The management device is $QHV_DEVICE, or\n"
	      "/dev/qhv; see qhv(1).\n", f);
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void command_help(const struct command *c)
{
	if (!c)
		return;
	printf("usage: qhv %s%s%s\n\n%s\n  --help     show this help\n",
	       c->name, c->synopsis[0] ? " " : "", c->synopsis, c->help);
}

int fail(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One line, whatever a message carried in. */
	buf[strcspn(buf, "\n")] = '\0';
	fflush(stdout);
	fprintf(stderr, "qhv: %s\n", buf);
	return EXIT_OP;
}

static int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const char *cmd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "qhv: %s: %s (try 'qhv %s --help')\n", cmd,
			buf, cmd);
	else
		fprintf(stderr, "qhv: %s (try 'qhv --help')\n", buf);
	return EXIT_USAGE;
}

int parse_args(const char *cmd, int argc, char **argv,
	       const struct cli_opt *opts, char **pos, int npos)
{
	bool options = true;
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (options && !strcmp(a, "--")) {
			options = false;
			continue;
		}
		if (options && a[0] == '-' && a[1]) {
			if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
				command_help(find_command(cmd));
				return ARGS_HELP;
			}
			const struct cli_opt *o;

			for (o = opts; o && o->name; o++)
				if (!strcmp(a, o->name))
					break;
			if (!o || !o->name)
				return usage_error(cmd, "unknown option '%s'",
						   a);
			*o->flag = true;
			continue;
		}
		if (n >= npos)
			return usage_error(cmd, "unexpected argument '%s'", a);
		pos[n++] = argv[i];
	}
	if (n < npos) {
		const struct command *c = find_command(cmd);
		const char *syn = c ? c->synopsis : "ARGUMENT";
		size_t len = strcspn(syn, " ");

		return usage_error(cmd, "missing %.*s", (int)len, syn);
	}
	return 0;
}

const char *lib_detail(struct qhv_handle *h, const char *op)
{
	const char *msg = qhv_last_error(h);
	size_t n = strlen(op);

	if (!msg[0])
		return "unknown error";
	if (!strncmp(msg, op, n) && msg[n] == ' ') {
		const char *colon = strstr(msg, ": ");

		if (colon)
			return colon + 2;
	}
	return msg;
}

struct qhv_handle *open_handle(const char *what)
{
	struct qhv_handle *h = NULL;
	char err[256] = "";

	if (qhv_open_dev(NULL, &h, err, sizeof(err))) {
		fail("%s: %s", what, err[0] ? err : "cannot open the device");
		return NULL;
	}
	return h;
}

int lookup(struct qhv_handle *h, const char *op, const char *dom,
	   uint32_t *domid)
{
	if (qhv_domain_lookup(h, dom, domid)) {
		fail("%s %s: %s", op, dom, lib_detail(h, "lookup"));
		return -1;
	}
	return 0;
}

void state_text(const struct qhv_domain_info *info, char *buf, size_t len)
{
	const char *name = qhv_state_name(info->state);

	switch (info->state) {
	case QHV_STATE_SHUTDOWN:
		if (info->shutdown_reason == QHV_SHUTDOWN_EXIT)
			snprintf(buf, len, "shutdown (exit %u)",
				 info->exit_code);
		else
			snprintf(buf, len, "shutdown (%s)",
				 qhv_shutdown_reason_name(info->shutdown_reason));
		return;
	case QHV_STATE_PAUSED:
		if (info->pause_count > 1) {
			snprintf(buf, len, "paused (%u pauses)",
				 info->pause_count);
			return;
		}
		break;
	default:
		break;
	}
	snprintf(buf, len, "%s", name);
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2)
		return usage_error(NULL, "missing command");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		if (argc > 2 && (c = find_command(argv[2]))) {
			command_help(c);
			return 0;
		}
		if (argc > 2)
			return usage_error(NULL, "unknown command '%s'",
					   argv[2]);
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("qhv %s (libqhv %d.%d, domctl interface %u)\n",
		       QHV_VERSION, LIBQHV_VERSION_MAJOR, LIBQHV_VERSION_MINOR,
		       QHV_DOMCTL_INTERFACE_VERSION);
		return 0;
	}
	if (argv[1][0] == '-')
		return usage_error(NULL, "unknown option '%s'", argv[1]);
	c = find_command(argv[1]);
	if (!c)
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	return c->run(argc - 1, argv + 1);
}
