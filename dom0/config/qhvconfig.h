/* SPDX-License-Identifier: MIT */
/**
 * DOC: qhvconfig, qhv's domain configuration (libvirt domain XML)
 *
 * A domain is described by a libvirt-style domain XML document,
 * ``<domain type='qhv'>`` (the format: docs/man/qhv-domain.5.md).  This
 * library turns such a document into a struct qhv_domain_config and back:
 *
 *   qhv_config_load_file() / qhv_config_load_buffer()   XML -> struct
 *   qhv_config_to_xml()                                  struct -> XML
 *
 * Loading is strict.  The document is parsed by libxml2 (no network, no
 * DTDs), its structure is checked against the project's RelaxNG schema
 * (dom0/config/qhv-domain.rng, compiled into the library and installed
 * as share/qhv/qhv-domain.rng), and every value is checked.  The first
 * problem ends the load with one message naming the file, the line and
 * the element, e.g.
 *
 *   web.xml:7: <memory>: unknown unit 'XB'
 *
 * The message always starts with the file name given by the caller, so a
 * program prints it after its own prefix: "qhv: create " + message.
 *
 * Multiboot modules, which libvirt has no element for, are
 * ``<qhv:module path='FILE'>CMDLINE</qhv:module>`` children of ``<os>``
 * in the namespace QHV_CONFIG_NS.
 *
 * Threads: the schema is loaded once, on first use, without locking;
 * call qhv_config_init() first if several threads load configurations.
 */
#ifndef QHV_CONFIG_H
#define QHV_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qhv/domctl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The XML namespace of qhv's own elements (multiboot modules). */
#define QHV_CONFIG_NS "https://qhv.dev/xmlns/domain/1"
/* The namespace prefix qhv_config_to_xml() uses for it. */
#define QHV_CONFIG_NS_PREFIX "qhv"
/* Largest configuration file accepted. */
#define QHV_CONFIG_MAX_SIZE (1024u * 1024)
/* Smallest domain memory accepted (the granule is 4 KiB). */
#define QHV_CONFIG_MIN_MEMORY (1024u * 1024)
#define QHV_CONFIG_MEMORY_ALIGN 4096u

/**
 * enum qhv_config_action - what happens when a domain ends
 * (<on_poweroff>, <on_reboot>, <on_crash>).
 * @QHV_ACTION_DESTROY: tear the domain down ("destroy", the default).
 * @QHV_ACTION_PRESERVE: keep it, ended, for inspection until it is
 *   destroyed by hand ("preserve").
 * @QHV_ACTION_RESTART: destroy it and build it again from the same
 *   configuration, with the same name and uuid ("restart"); carried out
 *   by the domain's monitor (`qhv create`, docs/man/qhv.1.md).
 *
 * libvirt's "rename-restart", "coredump-destroy" and "coredump-restart"
 * are refused: nothing in qhv renames domains or writes core dumps.
 */
enum qhv_config_action {
	QHV_ACTION_DESTROY = 0,
	QHV_ACTION_PRESERVE = 1,
	QHV_ACTION_RESTART = 2,
};

/**
 * struct qhv_config_module - one multiboot module (<qhv:module>).
 * @path: the file, as written (see qhv_config_resolve()).
 * @cmdline: its command line ("" when the element is empty).
 */
struct qhv_config_module {
	char *path;
	char *cmdline;
};

/**
 * struct qhv_domain_config - a parsed domain configuration.
 * @name: 1..QHV_NAME_MAX-1 bytes of [A-Za-z0-9_.-], not all digits and
 *   not starting with '-' (so it never reads as an id or an option).
 * @uuid: the domain's uuid.
 * @uuid_generated: true when the document had no <uuid> and @uuid is a
 *   fresh random (version 4) one.
 * @memory: guest RAM in bytes (<memory>): what the domain is created
 *   with.  A multiple of QHV_CONFIG_MEMORY_ALIGN, at least
 *   QHV_CONFIG_MIN_MEMORY.
 * @current_memory: <currentMemory> in bytes (equal to @memory when the
 *   element is absent); <= @memory, same granularity.  Kept for libvirt
 *   compatibility: without a balloon driver it has no effect.
 * @vcpus: 1..QHV_MAX_VCPUS.
 * @cpu_mask: bit i set: physical CPU i may run the vCPUs (<vcpu
 *   cpuset=...>); 0 means any CPU.
 * @kernel: the multiboot kernel (<os><kernel>), as written.
 * @initrd: <os><initrd>, or NULL.  Passed as the first module.
 * @cmdline: <os><cmdline>, or NULL.
 * @modules: @nr_modules multiboot modules, in document order (after the
 *   initrd, if any).
 * @nr_modules: entries in @modules.
 * @on_poweroff: when the guest powers off or exits.
 * @on_reboot: when the guest asks for a reset.
 * @on_crash: when the hv crashes the domain.
 * @console: a <console type='pty'> (or <serial type='pty'>) is
 *   configured: the domain's UART is meant to be attached to.
 * @base_dir: directory relative paths are resolved against (the
 *   configuration file's directory), or NULL for the current directory.
 */
struct qhv_domain_config {
	char name[QHV_NAME_MAX];
	uint8_t uuid[16];
	bool uuid_generated;
	uint64_t memory;
	uint64_t current_memory;
	unsigned int vcpus;
	uint64_t cpu_mask;
	char *kernel;
	char *initrd;
	char *cmdline;
	struct qhv_config_module *modules;
	size_t nr_modules;
	enum qhv_config_action on_poweroff;
	enum qhv_config_action on_reboot;
	enum qhv_config_action on_crash;
	bool console;
	char *base_dir;
};

/**
 * struct qhv_config_error - why a load (or a generation) failed.
 * @line: the line of the offending element, 0 when there is none.
 * @msg: one line, no newline: "FILE:LINE: <ELEMENT>: TEXT" (or
 *   "FILE: TEXT" when no line applies).
 */
struct qhv_config_error {
	int line;
	char msg[512];
};

/**
 * qhv_config_init() - load the schema now.
 *
 * Optional: loads happen lazily otherwise.
 *
 * Return: 0, or -1 if the built-in schema cannot be loaded (a build
 * problem; also reported by every load).
 */
int qhv_config_init(void);

/**
 * qhv_config_new() - an empty configuration with the defaults.
 *
 * One vCPU, any CPU, every action QHV_ACTION_DESTROY, no console, a
 * fresh uuid; @name, @memory and @kernel unset (qhv_config_to_xml()
 * refuses it until they are set).
 *
 * Return: the configuration (free with qhv_config_free()), or NULL when
 * out of memory.
 */
struct qhv_domain_config *qhv_config_new(void);

/**
 * qhv_config_load_file() - read and check a domain XML file.
 * @path: the file; its name also starts every error message.
 * @out: receives the configuration (NULL on failure).
 * @err: receives the message on failure (may be NULL).
 *
 * Relative paths inside are resolved against @path's directory (see
 * qhv_config_resolve()).
 *
 * Return: 0, or -1 with @err filled.
 */
int qhv_config_load_file(const char *path, struct qhv_domain_config **out,
			 struct qhv_config_error *err);

/**
 * qhv_config_load_buffer() - check a domain XML document in memory.
 * @buf: the document (need not be NUL-terminated).
 * @len: its length, at most QHV_CONFIG_MAX_SIZE.
 * @source: the name used in error messages (e.g. the file name).
 * @base_dir: directory for relative paths, or NULL.
 * @out: receives the configuration (NULL on failure).
 * @err: receives the message on failure (may be NULL).
 *
 * Return: 0, or -1 with @err filled.
 */
int qhv_config_load_buffer(const char *buf, size_t len, const char *source,
			   const char *base_dir,
			   struct qhv_domain_config **out,
			   struct qhv_config_error *err);

/**
 * qhv_config_free() - free a configuration.
 * @cfg: the configuration, or NULL.
 */
void qhv_config_free(struct qhv_domain_config *cfg);

/**
 * qhv_config_check() - check a configuration built in memory.
 * @cfg: the configuration.
 * @err: receives the message on failure (may be NULL); it starts with
 *   "<ELEMENT>: " naming the field's element.
 *
 * The same value rules as loading: name, uuid (not all zeros), memory,
 * vCPUs, CPU mask, a kernel, and strings that XML can carry (UTF-8, no
 * control characters other than tab and newline).
 *
 * Return: 0, or -1.
 */
int qhv_config_check(const struct qhv_domain_config *cfg,
		     struct qhv_config_error *err);

/**
 * qhv_config_to_xml() - write a configuration as domain XML.
 * @cfg: the configuration (checked with qhv_config_check() first).
 * @err: receives the message on failure (may be NULL).
 *
 * The document loads back to an equal configuration (with
 * @uuid_generated false): memory in KiB, the cpuset in ranges, every
 * action and the uuid written out.
 *
 * Return: a NUL-terminated malloc'ed string (free() it), or NULL.
 */
char *qhv_config_to_xml(const struct qhv_domain_config *cfg,
			struct qhv_config_error *err);

/**
 * qhv_config_resolve() - the path to open for a file the config names.
 * @cfg: the configuration (its @base_dir).
 * @path: @kernel, @initrd or a module's path.
 *
 * Return: a malloc'ed path: @path itself when absolute or when there is
 * no base directory, else base_dir/path; NULL when out of memory.
 */
char *qhv_config_resolve(const struct qhv_domain_config *cfg,
			 const char *path);

/**
 * qhv_config_parse_size() - a libvirt memory size in bytes.
 * @value: decimal digits (surrounding white space allowed).
 * @unit: b, bytes, KB, k, KiB, MB, M, MiB, GB, G, GiB, TB, T, TiB
 *   (KB, MB, ... are powers of 1000, the others of 1024); NULL means KiB.
 * @bytes: receives the size.
 * @why: receives a static reason on failure (may be NULL):
 *   "unknown unit", "not a whole number", "too large".
 *
 * Return: 0, or -1.
 */
int qhv_config_parse_size(const char *value, const char *unit,
			  uint64_t *bytes, const char **why);

/**
 * qhv_config_parse_cpuset() - a libvirt cpuset as a CPU mask.
 * @s: comma-separated items "N", "N-M", "^N" or "^N-M", CPUs 0..63;
 *   "^" items are taken out of the others, and a list of only "^" items
 *   is taken out of all 64 CPUs.
 * @mask: receives the mask (never 0 on success).
 * @why: receives the reason on failure (may be NULL).
 * @whylen: size of @why.
 *
 * Return: 0, or -1.
 */
int qhv_config_parse_cpuset(const char *s, uint64_t *mask, char *why,
			    size_t whylen);

/**
 * qhv_config_format_cpuset() - a CPU mask in cpuset syntax ("0-1,3").
 * @mask: a non-zero mask.
 * @out: receives the text.
 * @outlen: its size; 192 bytes always suffice.
 */
void qhv_config_format_cpuset(uint64_t mask, char *out, size_t outlen);

/**
 * qhv_config_parse_uuid() - parse "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
 * @s: 36 characters, hex digits in either case.
 * @uuid: receives the 16 bytes.
 *
 * Return: 0, or -1 (bad format).
 */
int qhv_config_parse_uuid(const char *s, uint8_t uuid[16]);

/**
 * qhv_config_format_uuid() - the canonical lower-case text of a uuid.
 * @uuid: 16 bytes.
 * @out: receives 36 characters and a NUL.
 */
void qhv_config_format_uuid(const uint8_t uuid[16], char out[37]);

/**
 * qhv_config_generate_uuid() - a random (version 4) uuid.
 * @uuid: receives it.
 *
 * Return: 0, or -1 when the kernel's random source fails.
 */
int qhv_config_generate_uuid(uint8_t uuid[16]);

/**
 * qhv_config_action_name() - "destroy" or "preserve".
 * @action: enum qhv_config_action.
 *
 * Return: a static string ("unknown" for other values).
 */
const char *qhv_config_action_name(enum qhv_config_action action);

/**
 * qhv_config_schema() - the built-in RelaxNG schema text.
 *
 * Return: the NUL-terminated text of qhv-domain.rng.
 */
const char *qhv_config_schema(void);

#ifdef __cplusplus
}
#endif

#endif /* QHV_CONFIG_H */
