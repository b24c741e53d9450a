// SPDX-License-Identifier: MIT
/*
 * test_config.c - qhvconfig: domain XML loading, checking, generation.
 *
 * Data: every $QHV_TEST_DATA/good file must load; each bad one must fail
 * with exactly the message in the table below.  $QHV_TEST_SCHEMA is the
 * schema source, for checking that libxml2's own RelaxNG validator
 * agrees with the library about what is structurally wrong.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "qhvconfig.h"

static const char *data_dir(void)
{
	const char *d = getenv("QHV_TEST_DATA");

	ck_assert_msg(d != NULL, "QHV_TEST_DATA is not set");
	return d;
}

static char *data_path(const char *rel)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", data_dir(), rel), 0);
	return p;
}

static struct qhv_domain_config *load_ok(const char *rel)
{
	struct qhv_domain_config *cfg = NULL;
	struct qhv_config_error err;
	char *path = data_path(rel);
	int rc = qhv_config_load_file(path, &cfg, &err);

	ck_assert_msg(rc == 0, "%s: %s", rel, err.msg);
	ck_assert_ptr_nonnull(cfg);
	free(path);
	return cfg;
}

/* ------------------------------------------------------------------ */

START_TEST(good_minimal)
{
	struct qhv_domain_config *c = load_ok("good/minimal.xml");
	char uuid[37];

	ck_assert_str_eq(c->name, "mini");
	ck_assert(c->uuid_generated);
	qhv_config_format_uuid(c->uuid, uuid);
	ck_assert_int_eq(uuid[14], '4');	/* version 4 */
	ck_assert(strchr("89ab", uuid[19]) != NULL);	/* RFC 4122 variant */
	ck_assert_uint_eq(c->memory, 16384ull * 1024);
	ck_assert_uint_eq(c->current_memory, c->memory);
	ck_assert_uint_eq(c->vcpus, 1);
	ck_assert_uint_eq(c->cpu_mask, 0);
	ck_assert_str_eq(c->kernel, "/boot/hello.elf");
	ck_assert_ptr_null(c->initrd);
	ck_assert_ptr_null(c->cmdline);
	ck_assert_uint_eq(c->nr_modules, 0);
	ck_assert_int_eq(c->on_poweroff, QHV_ACTION_DESTROY);
	ck_assert_int_eq(c->on_reboot, QHV_ACTION_DESTROY);
	ck_assert_int_eq(c->on_crash, QHV_ACTION_DESTROY);
	ck_assert(!c->console);
	qhv_config_free(c);
}
END_TEST

START_TEST(good_full)
{
	struct qhv_domain_config *c = load_ok("good/full.xml");
	char uuid[37], *r;

	ck_assert_str_eq(c->name, "web-1.test_A");
	ck_assert(!c->uuid_generated);
	qhv_config_format_uuid(c->uuid, uuid);
	ck_assert_str_eq(uuid, "4dc8b1e4-7e0c-4f37-9a2b-0123456789ab");
	ck_assert_uint_eq(c->memory, 64ull << 20);
	ck_assert_uint_eq(c->current_memory, 32ull << 20);
	ck_assert_uint_eq(c->vcpus, 4);
	ck_assert_uint_eq(c->cpu_mask, 0x4b);	/* 0-3,^2,6 */
	ck_assert_str_eq(c->kernel, "guests/web.elf");
	ck_assert_str_eq(c->initrd, "/srv/qhv/web.initrd");
	ck_assert_str_eq(c->cmdline, "console=ttyS0 loglevel=3 & more");
	ck_assert_uint_eq(c->nr_modules, 2);
	ck_assert_str_eq(c->modules[0].path, "/srv/qhv/data.bin");
	ck_assert_str_eq(c->modules[0].cmdline, "data.bin size=4096");
	ck_assert_str_eq(c->modules[1].path, "rel/empty.mod");
	ck_assert_str_eq(c->modules[1].cmdline, "");
	ck_assert_int_eq(c->on_poweroff, QHV_ACTION_DESTROY);
	ck_assert_int_eq(c->on_reboot, QHV_ACTION_PRESERVE);
	ck_assert_int_eq(c->on_crash, QHV_ACTION_PRESERVE);
	ck_assert(c->console);

	/* Relative paths are taken from the file's directory. */
	r = qhv_config_resolve(c, c->kernel);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(strrchr(r, '/') - strlen("good/guests"),
			 "good/guests/web.elf");
	free(r);
	r = qhv_config_resolve(c, c->initrd);
	ck_assert_str_eq(r, "/srv/qhv/web.initrd");
	free(r);
	qhv_config_free(c);
}
END_TEST

START_TEST(good_any_order)
{
	struct qhv_domain_config *c = load_ok("good/any-order.xml");

	ck_assert_str_eq(c->name, "order");
	ck_assert_uint_eq(c->memory, 1ull << 30);
	ck_assert_uint_eq(c->current_memory, 1ull << 20);
	ck_assert_uint_eq(c->vcpus, 8);
	ck_assert_uint_eq(c->cpu_mask, ~1ull);	/* ^0 */
	ck_assert_str_eq(c->kernel, "/boot/k.elf");	/* trimmed */
	ck_assert_uint_eq(c->nr_modules, 2);
	/* Document order; command lines keep their white space. */
	ck_assert_str_eq(c->modules[0].path, "/a.mod");
	ck_assert_str_eq(c->modules[0].cmdline, "  keeps  its spaces ");
	ck_assert_str_eq(c->modules[1].cmdline, "second");
	ck_assert(c->console);
	qhv_config_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */

/* File under bad/ -> the message after "PATH:". */
static const struct {
	/* cppcheck-suppress unusedStructMember */
	const char *file;
	/* cppcheck-suppress unusedStructMember */
	const char *msg;
	/* cppcheck-suppress unusedStructMember */
	bool structural;	/* the RelaxNG schema itself rejects it */
} bad[] = {
	{ "malformed.xml", "5: malformed XML: Opening and ending tag "
	  "mismatch: memory line 3 and domain", true },
	{ "empty.xml", "1: malformed XML: Document is empty", true },
	{ "doctype.xml", "2: <!DOCTYPE>: document type declarations are "
	  "not allowed", false },
	{ "not-domain.xml", "1: <network>: not a domain description "
	  "(want <domain>)", true },
	{ "unknown-element.xml", "5: <features>: unknown element in <domain>",
	  true },
	{ "unknown-element-os.xml", "7: <bootloader>: unknown element in "
	  "<os>", true },
	{ "unknown-namespace.xml", "7: <qhv:module>: unknown element in <os>",
	  true },
	{ "unknown-attribute.xml", "3: <memory>: unknown attribute 'slot'",
	  true },
	{ "missing-kernel.xml", "4: <os>: missing <kernel>", true },
	{ "missing-name.xml", "1: <domain>: missing <name>", true },
	{ "missing-path.xml", "7: <qhv:module>: missing attribute 'path'",
	  true },
	{ "duplicate-memory.xml", "4: <memory>: appears more than once in "
	  "<domain>", true },
	{ "text-in-os.xml", "4: <os>: unexpected text 'hvm'", true },
	{ "unknown-unit.xml", "7: <memory>: unknown unit 'XB'", false },
	{ "memory-unaligned.xml", "3: <memory>: 16000 KB is not a multiple "
	  "of 4 KiB", false },
	{ "memory-small.xml", "3: <memory>: 512 KiB is less than 1 MiB",
	  false },
	{ "memory-huge.xml", "3: <memory>: '99999999' TiB: too large", false },
	{ "memory-negative.xml", "3: <memory>: '-16' MiB: not a whole number",
	  false },
	{ "current-over-memory.xml", "4: <currentMemory>: 32768 KiB is more "
	  "than <memory> (16384 KiB)", false },
	{ "vcpu-zero.xml", "4: <vcpu>: 0 vCPUs is out of range (1-8)", false },
	{ "vcpu-too-many.xml", "4: <vcpu>: 9 vCPUs is out of range (1-8)",
	  false },
	{ "vcpu-not-number.xml", "4: <vcpu>: 'two' is not a whole number",
	  false },
	{ "placement-auto.xml", "4: <vcpu>: placement 'auto' is not "
	  "supported (only 'static')", false },
	{ "cpuset-range.xml", "4: <vcpu>: bad cpuset '0,3-1': range 3-1 is "
	  "backwards", false },
	{ "cpuset-cpu.xml", "4: <vcpu>: bad cpuset '0-64': CPU 64 is out of "
	  "range (0-63)", false },
	{ "cpuset-syntax.xml", "4: <vcpu>: bad cpuset '0,,1': expected a CPU "
	  "number at ','", false },
	/* found by the fuzzer: a control character in the value stays on
	 * the message's one line */
	{ "cpuset-newline.xml", "4: <vcpu>: bad cpuset '0-\\x0a3': expected a "
	  "CPU number at '\\x0a'", false },
	{ "cpuset-empty.xml", "4: <vcpu>: bad cpuset '1-2,^1-2': leaves no "
	  "CPU", false },
	{ "uuid-bad.xml", "3: <uuid>: bad uuid "
	  "'4dc8b1e4-7e0c-4f37-9a2b-0123456789a' (want "
	  "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, hex digits)", false },
	{ "uuid-zero.xml", "3: <uuid>: bad uuid "
	  "'00000000-0000-0000-0000-000000000000': all zeros", false },
	{ "on-crash-coredump.xml", "6: <on_crash>: 'coredump-restart' is not "
	  "supported (qhv supports destroy, preserve and restart)", false },
	{ "on-reboot-unknown.xml", "5: <on_reboot>: unknown action 'explode' "
	  "(want destroy, preserve or restart)", false },
	{ "name-chars.xml", "2: <name>: bad name 'my web': only A-Z a-z 0-9 "
	  "_ . - are allowed", false },
	{ "name-digits.xml", "2: <name>: bad name '42': all digits (it would "
	  "read as a domain id)", false },
	{ "name-long.xml", "2: <name>: bad name "
	  "'abcdefghijklmnopqrstuvwxyz012345': longer than 31 bytes", false },
	{ "domain-type.xml", "1: <domain>: type 'kvm' is not supported (want "
	  "'qhv')", false },
	{ "os-type.xml", "5: <type>: os type 'linux' is not supported (only "
	  "'hvm')", false },
	{ "os-arch.xml", "5: <type>: arch 'i686' is not supported (only "
	  "'x86_64')", false },
	{ "kernel-empty.xml", "6: <kernel>: empty path", false },
	{ "console-type.xml", "6: <console>: type 'file' is not supported "
	  "(only 'pty')", false },
	{ "console-target.xml", "7: <target>: type 'virtio' is not supported "
	  "(only 'serial')", false },
};

#define NBAD (sizeof(bad) / sizeof(bad[0]))

START_TEST(bad_file)
{
	struct qhv_domain_config *cfg = (void *)1;
	struct qhv_config_error err;
	char *path = data_path("bad/"), *full, *want;

	ck_assert_int_ge(asprintf(&full, "%s%s", path, bad[_i].file), 0);
	ck_assert_int_ge(asprintf(&want, "%s:%s", full, bad[_i].msg), 0);
	ck_assert_int_eq(qhv_config_load_file(full, &cfg, &err), -1);
	ck_assert_ptr_null(cfg);
	ck_assert_str_eq(err.msg, want);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	ck_assert_int_eq(err.line, atoi(bad[_i].msg));
	free(want);
	free(full);
	free(path);
}
END_TEST

/* Every file in bad/ is in the table (a new one cannot go unchecked). */
START_TEST(bad_table_complete)
{
	char *cmd;
	FILE *p;
	char line[256];
	size_t n = 0, i;

	ck_assert_int_ge(asprintf(&cmd, "ls '%s/bad'", data_dir()), 0);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p)) {
		bool found = false;

		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < NBAD; i++)
			found |= !strcmp(line, bad[i].file);
		ck_assert_msg(found, "bad/%s has no expected message", line);
		n++;
	}
	pclose(p);
	free(cmd);
	ck_assert_uint_eq(n, NBAD);
}
END_TEST

START_TEST(file_errors)
{
	struct qhv_domain_config *cfg;
	struct qhv_config_error err;
	char dir[] = "/tmp/qhvcfg.XXXXXX", *big;
	FILE *f;
	int i;

	ck_assert_int_eq(qhv_config_load_file("/nonexistent/web.xml", &cfg,
					      &err), -1);
	ck_assert_str_eq(err.msg, "/nonexistent/web.xml: No such file or "
			 "directory");
	ck_assert_int_eq(err.line, 0);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(qhv_config_load_file(dir, &cfg, &err), -1);
	ck_assert_str_eq(strchr(err.msg, ':'), ": is a directory");

	ck_assert_int_ge(asprintf(&big, "%s/big.xml", dir), 0);
	f = fopen(big, "w");
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 1100; i++)
		fprintf(f, "%01024d", 0);
	fclose(f);
	ck_assert_int_eq(qhv_config_load_file(big, &cfg, &err), -1);
	ck_assert_str_eq(strchr(err.msg, ':'), ": larger than 1048576 bytes");
	unlink(big);
	free(big);
	rmdir(dir);
}
END_TEST

START_TEST(buffer_source_name)
{
	static const char doc[] = "<domain type='qhv'><name>x</name>"
				  "<memory unit='ZiB'>1</memory></domain>";
	struct qhv_domain_config *cfg;
	struct qhv_config_error err;

	ck_assert_int_eq(qhv_config_load_buffer(doc, strlen(doc), "web.xml",
						NULL, &cfg, &err), -1);
	/* Structure first: <os> is missing before the unit is looked at. */
	ck_assert_str_eq(err.msg, "web.xml:1: <domain>: missing <os>");
	ck_assert_int_eq(qhv_config_load_buffer(doc, 0, "web.xml", NULL,
						&cfg, &err), -1);
	ck_assert_str_eq(err.msg, "web.xml:1: malformed XML: Document is "
			 "empty");
	/* Control characters in a value cannot break the one-line rule. */
	{
		static const char nl[] = "<domain type='qhv'><name>a&#10;b"
					 "</name><memory>1024</memory><os>"
					 "<type>hvm</type><kernel>/k</kernel>"
					 "</os></domain>";

		ck_assert_int_eq(qhv_config_load_buffer(nl, strlen(nl), "n.xml",
							NULL, &cfg, &err), -1);
		ck_assert_str_eq(err.msg, "n.xml:1: <name>: bad name "
				 "'a\\x0ab': only A-Z a-z 0-9 _ . - are "
				 "allowed");
	}
}
END_TEST

/* ------------------------------------------------------------------ */

static void assert_same(const struct qhv_domain_config *a,
			const struct qhv_domain_config *b)
{
	size_t i;

	ck_assert_str_eq(a->name, b->name);
	ck_assert_mem_eq(a->uuid, b->uuid, 16);
	ck_assert_uint_eq(a->memory, b->memory);
	ck_assert_uint_eq(a->current_memory, b->current_memory);
	ck_assert_uint_eq(a->vcpus, b->vcpus);
	ck_assert_uint_eq(a->cpu_mask, b->cpu_mask);
	ck_assert_str_eq(a->kernel, b->kernel);
	ck_assert_pstr_eq(a->initrd, b->initrd);
	ck_assert_pstr_eq(a->cmdline, b->cmdline);
	ck_assert_uint_eq(a->nr_modules, b->nr_modules);
	for (i = 0; i < a->nr_modules; i++) {
		ck_assert_str_eq(a->modules[i].path, b->modules[i].path);
		ck_assert_str_eq(a->modules[i].cmdline, b->modules[i].cmdline);
	}
	ck_assert_int_eq(a->on_poweroff, b->on_poweroff);
	ck_assert_int_eq(a->on_reboot, b->on_reboot);
	ck_assert_int_eq(a->on_crash, b->on_crash);
	ck_assert_int_eq(a->console, b->console);
}

/* generate -> parse -> equal; generate again -> the same text. */
static void round_trip(const struct qhv_domain_config *c)
{
	struct qhv_domain_config *back;
	struct qhv_config_error err;
	char *x1, *x2;

	x1 = qhv_config_to_xml(c, &err);
	ck_assert_msg(x1 != NULL, "%s", err.msg);
	ck_assert_msg(qhv_config_load_buffer(x1, strlen(x1), "gen.xml", NULL,
					     &back, &err) == 0,
		      "%s\n%s", err.msg, x1);
	ck_assert(!back->uuid_generated);
	assert_same(c, back);
	x2 = qhv_config_to_xml(back, &err);
	ck_assert_ptr_nonnull(x2);
	ck_assert_str_eq(x1, x2);
	free(x1);
	free(x2);
	qhv_config_free(back);
}

START_TEST(round_trip_files)
{
	static const char *const files[] = {
		"good/minimal.xml", "good/full.xml", "good/any-order.xml",
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct qhv_domain_config *c = load_ok(files[i]);

		round_trip(c);
		qhv_config_free(c);
	}
}
END_TEST

START_TEST(round_trip_built)
{
	struct qhv_domain_config *c = qhv_config_new();
	struct qhv_config_error err;
	char *x;

	ck_assert_ptr_nonnull(c);
	/* Not complete yet: refused with the element named. */
	ck_assert_ptr_null(qhv_config_to_xml(c, &err));
	ck_assert_str_eq(err.msg, "<name>: bad name: empty");
	strcpy(c->name, "built");
	c->memory = 8ull << 20;
	c->current_memory = 4ull << 20;
	ck_assert_ptr_null(qhv_config_to_xml(c, &err));
	ck_assert_str_eq(err.msg, "<kernel>: missing");
	c->kernel = strdup("/k & <k>.elf");
	c->cmdline = strdup("a=\"1\" b='2' <x> & \t tab\nline é ünï");
	c->vcpus = 8;
	c->cpu_mask = 0x8000000000000001ull | 0xf0;
	c->modules = calloc(3, sizeof(*c->modules));
	c->nr_modules = 3;
	c->modules[0].path = strdup("/m0");
	c->modules[0].cmdline = strdup("");
	c->modules[1].path = strdup("m1");
	c->modules[1].cmdline = strdup("  spaced  ");
	c->modules[2].path = strdup("/m2");
	c->modules[2].cmdline = strdup("]]> --> <!-- x");
	c->on_crash = QHV_ACTION_PRESERVE;
	c->console = true;
	round_trip(c);

	x = qhv_config_to_xml(c, NULL);
	ck_assert_ptr_nonnull(strstr(x, "cpuset=\"0,4-7,63\""));
	ck_assert_ptr_nonnull(strstr(x, "<memory unit=\"KiB\">8192</memory>"));
	free(x);

	/* What XML cannot carry is refused, not mangled. */
	free(c->cmdline);
	c->cmdline = strdup("bell\a");
	ck_assert_ptr_null(qhv_config_to_xml(c, &err));
	ck_assert_str_eq(err.msg, "<cmdline>: has a control character");
	free(c->cmdline);
	c->cmdline = strdup("\xff\xfe");
	ck_assert_ptr_null(qhv_config_to_xml(c, &err));
	ck_assert_str_eq(err.msg, "<cmdline>: not valid UTF-8");
	free(c->cmdline);
	c->cmdline = NULL;
	c->memory = 8ull << 20 | 512;
	ck_assert_ptr_null(qhv_config_to_xml(c, &err));
	ck_assert_str_eq(err.msg, "<memory>: not a multiple of 4 KiB");
	c->memory = 2ull << 20;
	ck_assert_ptr_null(qhv_config_to_xml(c, &err));
	ck_assert_str_eq(err.msg, "<currentMemory>: more than <memory>");
	c->current_memory = c->memory;
	c->vcpus = 9;
	ck_assert_ptr_null(qhv_config_to_xml(c, &err));
	ck_assert_str_eq(err.msg, "<vcpu>: out of range (1-8)");
	c->vcpus = 1;
	strcpy(c->name, "a/b");
	ck_assert_ptr_null(qhv_config_to_xml(c, &err));
	ck_assert_str_eq(err.msg, "<name>: bad name: only A-Z a-z 0-9 _ . - "
			 "are allowed");
	qhv_config_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */

START_TEST(sizes)
{
	static const struct {
		const char *unit;
		uint64_t scale;
	} u[] = {
		{ "b", 1 }, { "bytes", 1 }, { "KB", 1000 }, { "k", 1024 },
		{ "KiB", 1024 }, { "MB", 1000000 }, { "M", 1 << 20 },
		{ "MiB", 1 << 20 }, { "GB", 1000000000 }, { "G", 1 << 30 },
		{ "GiB", 1 << 30 }, { "TB", 1000000000000ull },
		{ "T", 1ull << 40 }, { "TiB", 1ull << 40 },
	};
	const char *why;
	uint64_t b;
	size_t i;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		ck_assert_int_eq(qhv_config_parse_size("3", u[i].unit, &b,
						       &why), 0);
		ck_assert_uint_eq(b, 3 * u[i].scale);
	}
	ck_assert_int_eq(qhv_config_parse_size(" 7 ", NULL, &b, &why), 0);
	ck_assert_uint_eq(b, 7 * 1024);	/* default KiB */
	ck_assert_int_eq(qhv_config_parse_size("1", "kib", &b, &why), -1);
	ck_assert_str_eq(why, "unknown unit");	/* case matters */
	ck_assert_int_eq(qhv_config_parse_size("1", "", &b, &why), -1);
	ck_assert_int_eq(qhv_config_parse_size("", "b", &b, &why), -1);
	ck_assert_str_eq(why, "not a whole number");
	ck_assert_int_eq(qhv_config_parse_size("1.5", "G", &b, &why), -1);
	ck_assert_int_eq(qhv_config_parse_size("0x10", "G", &b, &why), -1);
	ck_assert_int_eq(qhv_config_parse_size("1 6", "G", &b, &why), -1);
	ck_assert_int_eq(qhv_config_parse_size("18446744073709551615", "b",
					       &b, &why), 0);
	ck_assert_uint_eq(b, UINT64_MAX);
	ck_assert_int_eq(qhv_config_parse_size("18446744073709551616", "b",
					       &b, &why), -1);
	ck_assert_str_eq(why, "too large");
	ck_assert_int_eq(qhv_config_parse_size("16777216", "TiB", &b, &why),
			 -1);
	ck_assert_str_eq(why, "too large");
}
END_TEST

START_TEST(cpusets)
{
	static const struct {
		const char *s;
		uint64_t mask;
		const char *why;
	} t[] = {
		{ "0", 1, NULL },
		{ "0-1,3", 0xb, NULL },
		{ " 1 , 2 ", 0x6, NULL },
		{ "^2", ~4ull, NULL },
		{ "0-7,^2-3,^5", 0xd3, NULL },
		{ "63", 1ull << 63, NULL },
		{ "0-63", ~0ull, NULL },
		{ "", 0, "empty" },
		{ "x", 0, "expected a CPU number at 'x'" },
		{ "1-", 0, "expected a CPU number at the end" },
		{ "1,", 0, "expected a CPU number at the end" },
		{ "1;2", 0, "expected ',' at ';'" },
		{ "64", 0, "CPU 64 is out of range (0-63)" },
		{ "99999999999999999999", 0, "CPU >999 is out of range (0-63)" },
		{ "5-2", 0, "range 5-2 is backwards" },
		{ "^0-63", 0, "leaves no CPU" },
		{ "^-1", 0, "expected a CPU number at '-'" },
	};
	char why[96], out[200];
	uint64_t m;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = qhv_config_parse_cpuset(t[i].s, &m, why, sizeof(why));

		if (t[i].why) {
			ck_assert_msg(rc == -1, "'%s' accepted", t[i].s);
			ck_assert_str_eq(why, t[i].why);
		} else {
			ck_assert_msg(rc == 0, "'%s': %s", t[i].s, why);
			ck_assert_uint_eq(m, t[i].mask);
		}
	}
	qhv_config_format_cpuset(0xb, out, sizeof(out));
	ck_assert_str_eq(out, "0-1,3");
	qhv_config_format_cpuset(~0ull, out, sizeof(out));
	ck_assert_str_eq(out, "0-63");
	qhv_config_format_cpuset(0x5555555555555555ull, out, sizeof(out));
	ck_assert_uint_eq(strlen(out), 5 + 27 * 2 + 31);	/* 32 CPUs */
	ck_assert_int_eq(qhv_config_parse_cpuset(out, &m, why, sizeof(why)), 0);
	ck_assert_uint_eq(m, 0x5555555555555555ull);
}
END_TEST

START_TEST(uuids)
{
	uint8_t u[16], v[16];
	char s[37];

	ck_assert_int_eq(qhv_config_parse_uuid(
		"00112233-4455-6677-8899-AABBCCDDEEFF", u), 0);
	qhv_config_format_uuid(u, s);
	ck_assert_str_eq(s, "00112233-4455-6677-8899-aabbccddeeff");
	ck_assert_int_eq(qhv_config_parse_uuid(
		"00112233-4455-6677-8899-aabbccddeef", u), -1);
	ck_assert_int_eq(qhv_config_parse_uuid(
		"00112233-4455-6677-8899-aabbccddeeff0", u), -1);
	ck_assert_int_eq(qhv_config_parse_uuid(
		"0011223344556677-8899-aabbccddeeff", u), -1);
	ck_assert_int_eq(qhv_config_parse_uuid(
		"00112233-4455-6677-8899_aabbccddeeff", u), -1);
	ck_assert_int_eq(qhv_config_parse_uuid(
		"0011223g-4455-6677-8899-aabbccddeeff", u), -1);
	ck_assert_int_eq(qhv_config_parse_uuid("", u), -1);
	ck_assert_int_eq(qhv_config_generate_uuid(u), 0);
	ck_assert_int_eq(qhv_config_generate_uuid(v), 0);
	ck_assert_mem_ne(u, v, 16);
	ck_assert_uint_eq(u[6] >> 4, 4);
	ck_assert_uint_eq(u[8] >> 6, 2);
}
END_TEST

/* ------------------------------------------------------------------ */

static void quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

static int rng_validate(const char *path)
{
	const char *schema = getenv("QHV_TEST_SCHEMA");
	xmlRelaxNGParserCtxtPtr pc;
	xmlRelaxNGValidCtxtPtr vc;
	xmlRelaxNGPtr rng;
	xmlDocPtr doc;
	int rc;

	ck_assert_ptr_nonnull(schema);
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
			  XML_PARSE_NOWARNING);
	if (!doc)
		return -1;	/* not even well-formed */
	pc = xmlRelaxNGNewParserCtxt(schema);
	xmlRelaxNGSetParserStructuredErrors(pc, quiet, NULL);
	rng = xmlRelaxNGParse(pc);
	ck_assert_ptr_nonnull(rng);
	vc = xmlRelaxNGNewValidCtxt(rng);
	xmlRelaxNGSetValidStructuredErrors(vc, quiet, NULL);
	rc = xmlRelaxNGValidateDoc(vc, doc);
	xmlRelaxNGFreeValidCtxt(vc);
	xmlRelaxNGFree(rng);
	xmlRelaxNGFreeParserCtxt(pc);
	xmlFreeDoc(doc);
	return rc;
}

/*
 * libxml2's validator, run on the schema file as shipped, agrees: good
 * files are valid, structurally bad ones are not, and value-only errors
 * are the library's business (valid for the schema).
 */
START_TEST(schema_agrees)
{
	static const char *const good[] = {
		"good/minimal.xml", "good/full.xml", "good/any-order.xml",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *p = data_path(good[i]);

		ck_assert_msg(rng_validate(p) == 0, "%s invalid", good[i]);
		free(p);
	}
	for (i = 0; i < NBAD; i++) {
		char *rel, *p;

		if (!strcmp(bad[i].file, "doctype.xml"))
			continue;	/* refused before the schema looks */
		ck_assert_int_ge(asprintf(&rel, "bad/%s", bad[i].file), 0);
		p = data_path(rel);
		ck_assert_msg((rng_validate(p) != 0) == bad[i].structural,
			      "%s: schema says %s", bad[i].file,
			      bad[i].structural ? "valid" : "invalid");
		free(p);
		free(rel);
	}
}
END_TEST

START_TEST(schema_built_in)
{
	const char *schema = getenv("QHV_TEST_SCHEMA");
	char *text;
	FILE *f;
	long n;

	ck_assert_int_eq(qhv_config_init(), 0);
	f = fopen(schema, "r");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 2);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	/* embed-schema.py keeps the text byte for byte (plus a newline). */
	ck_assert_int_eq(strncmp(qhv_config_schema(), text, (size_t)n), 0);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *t = tcase_create("config");
	SRunner *r;
	int failed;

	tcase_add_test(t, good_minimal);
	tcase_add_test(t, good_full);
	tcase_add_test(t, good_any_order);
	tcase_add_loop_test(t, bad_file, 0, (int)NBAD);
	tcase_add_test(t, bad_table_complete);
	tcase_add_test(t, file_errors);
	tcase_add_test(t, buffer_source_name);
	tcase_add_test(t, round_trip_files);
	tcase_add_test(t, round_trip_built);
	tcase_add_test(t, sizes);
	tcase_add_test(t, cpusets);
	tcase_add_test(t, uuids);
	tcase_add_test(t, schema_agrees);
	tcase_add_test(t, schema_built_in);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
