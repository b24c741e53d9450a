/* SPDX-License-Identifier: MIT */
/*
 * qhv.h - internals shared by the qhv CLI's subcommands.
 *
 * Conventions: a subcommand returns its exit status.  Every failure
 * prints exactly one line on stderr, "qhv: WHAT: WHY", and returns
 * EXIT_OP (1) for a failed operation or EXIT_USAGE (2) for a bad
 * command line.
 */
#ifndef QHV_CLI_H
#define QHV_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libqhv.h>

#define EXIT_OP 1
#define EXIT_USAGE 2
/* parse_args() result: --help was printed, exit 0. */
#define ARGS_HELP (-1)

/**
 * struct cli_opt - a flag a subcommand accepts (all qhv options are
 * flags).
 * @name: "--paused".
 * @flag: set to true when given.
 */
struct cli_opt {
	const char *name;
	bool *flag;
};

/**
 * parse_args() - split a subcommand's arguments into flags and operands.
 * @cmd: the subcommand (for messages and --help).
 * @argc: argument count, argv[0] being the subcommand.
 * @argv: the arguments.
 * @opts: accepted flags, ended by a {NULL} entry (--help is implicit).
 * @pos: receives up to @npos operands.
 * @npos: how many operands the subcommand takes (exactly).
 *
 * Flags may come anywhere; "--" ends them.
 *
 * Return: 0, ARGS_HELP (help printed on stdout), or EXIT_USAGE (one
 * line printed on stderr).
 */
int parse_args(const char *cmd, int argc, char **argv,
	       const struct cli_opt *opts, char **pos, int npos);

/* Print "qhv: MESSAGE" on stderr; return EXIT_OP. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * lib_detail() - libqhv's message for the last failure on @h without
 * its leading "OP DOMAIN: " (the caller names both itself).
 */
const char *lib_detail(struct qhv_handle *h, const char *op);

/*
 * open_handle() - open the management device ($QHV_DEVICE or /dev/qhv).
 * On failure prints "qhv: WHAT: why" and returns NULL.
 */
struct qhv_handle *open_handle(const char *what);

/*
 * lookup() - resolve DOM (name or id) to an id; on failure prints
 * "qhv: OP DOM: why" and returns -1.
 */
int lookup(struct qhv_handle *h, const char *op, const char *dom,
	   uint32_t *domid);

/* Subcommands: argv[0] is the subcommand's name. */
int cmd_create(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_console(int argc, char **argv);
int cmd_dmesg(int argc, char **argv);
int cmd_pool(int argc, char **argv);

/* What to do when the attached domain ends (create --console). */
struct console_end_policy {
	bool destroy_on_shutdown;
	bool destroy_on_reboot;
	bool destroy_on_crash;
};

/*
 * console_attach() - the interactive console of @domid, until the
 * domain ends (then 0), Ctrl-] (0), or an error (EXIT_OP, reported as
 * "qhv: console DOM: ...").  @policy may be NULL (never destroy).
 */
int console_attach(struct qhv_handle *h, uint32_t domid, const char *dom,
		   const struct console_end_policy *policy);

struct qhv_domain_config;

/*
 * create_domain() - build and start a domain from @cfg (create.c); on
 * failure nothing is left and @err says why.  Returns 0 or a negative
 * errno.
 */
int create_domain(struct qhv_handle *h, const char *file,
		  const struct qhv_domain_config *cfg, bool paused,
		  uint32_t *out_id, char *err, size_t errlen);

/*
 * monitor_spawn() - fork the process that watches domain @id (created
 * from @file, @cfg) and carries out its on_* actions (monitor.c).
 * Returns 0 once the child runs, or a negative errno with @err set.
 */
int monitor_spawn(const char *file, const struct qhv_domain_config *cfg,
		  uint32_t id, char *err, size_t errlen);

/* A domain state for people: "running", "shutdown (exit 3)", ... */
void state_text(const struct qhv_domain_info *info, char *buf, size_t len);

#endif /* QHV_CLI_H */
