// SPDX-License-Identifier: MIT
/* Unit tests for hv/core/cmdline.c. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <qhv/hypercall.h>

#include "core/cmdline.h"
#include "harness.h"

static void setup(void)
{
	harness_reset();
}

START_TEST(get_basic)
{
	char buf[16];
	const char *cl = "loglvl=debug  console=com1\tnosmp x=1 x=2 key= long=0123456789abcdef";

	ck_assert(cmdline_get(cl, "loglvl", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "debug");
	ck_assert(cmdline_get(cl, "console", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "com1");
	ck_assert(cmdline_get(cl, "nosmp", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "");
	ck_assert(cmdline_get(cl, "key", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "");
	ck_assert(cmdline_get(cl, "x", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "2"); /* last one wins */
	/* Prefixes and suffixes of keys do not match. */
	strcpy(buf, "keep");
	ck_assert(!cmdline_get(cl, "log", buf, sizeof(buf)));
	ck_assert(!cmdline_get(cl, "loglvlx", buf, sizeof(buf)));
	ck_assert(!cmdline_get(cl, "smp", buf, sizeof(buf)));
	ck_assert(!cmdline_get(cl, "", buf, sizeof(buf)));
	ck_assert(!cmdline_get(NULL, "x", buf, sizeof(buf)));
	ck_assert(!cmdline_get("", "x", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "keep");
}
END_TEST

START_TEST(get_fit)
{
	char buf[6];

	strcpy(buf, "keep");
	ck_assert(cmdline_get("a=12345", "a", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "12345");
	strcpy(buf, "keep");
	ck_assert(!cmdline_get("a=123456", "a", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "keep");
	ck_assert(!cmdline_get("a", "a", buf, 0));
	ck_assert(cmdline_get("a", "a", buf, 1));
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(get_u64)
{
	uint64_t v = 99;

	ck_assert_int_eq(cmdline_get_u64("n=42", "n", &v), 0);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_eq(cmdline_get_u64("n=0x1fF", "n", &v), 0);
	ck_assert_uint_eq(v, 0x1ff);
	ck_assert_int_eq(cmdline_get_u64("n=0", "n", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(cmdline_get_u64("n=18446744073709551615", "n", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(cmdline_get_u64("n=0xffffffffffffffff", "n", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	v = 7;
	ck_assert_int_eq(cmdline_get_u64("m=1", "n", &v), -QHV_ENOENT);
	ck_assert_int_eq(cmdline_get_u64(NULL, "n", &v), -QHV_ENOENT);
	ck_assert_uint_eq(harness_count(LOG_ERR), 0);
	ck_assert_int_eq(cmdline_get_u64("n=18446744073709551616", "n", &v), -QHV_EINVAL);
	ck_assert_int_eq(cmdline_get_u64("n=0x10000000000000000", "n", &v), -QHV_EINVAL);
	ck_assert_int_eq(cmdline_get_u64("n=64M", "n", &v), -QHV_EINVAL);
	ck_assert_str_eq(harness_last(),
			 "qhv: cmdline: bad n= value '64M' (want a decimal or 0x hex integer)\n");
	ck_assert_int_eq(cmdline_get_u64("n=", "n", &v), -QHV_EINVAL);
	ck_assert_int_eq(cmdline_get_u64("n", "n", &v), -QHV_EINVAL);
	ck_assert_int_eq(cmdline_get_u64("n=0x", "n", &v), -QHV_EINVAL);
	ck_assert_int_eq(cmdline_get_u64("n=-1", "n", &v), -QHV_EINVAL);
	ck_assert_int_eq(cmdline_get_u64("n=+1", "n", &v), -QHV_EINVAL);
	ck_assert_int_eq(cmdline_get_u64("n=0xg", "n", &v), -QHV_EINVAL);
	ck_assert_int_eq(cmdline_get_u64("n=12a", "n", &v), -QHV_EINVAL);
	ck_assert_uint_eq(v, 7);
	/* A huge value is shown cut short, not overrunning anything. */
	{
		char cl[300] = "n=";

		memset(cl + 2, '9', 290);
		ck_assert_int_eq(cmdline_get_u64(cl, "n", &v), -QHV_EINVAL);
		ck_assert(harness_logged("'99999999999999999999999999999999999999999999...'"));
	}
}
END_TEST

static struct dom_spec ds;

START_TEST(dom_full)
{
	ck_assert_int_eq(dom_spec_parse("/boot/guest.elf dom=web mem=64 cpus=2 console=ttyS0  foo", &ds), 0);
	ck_assert(ds.is_domain);
	ck_assert(!ds.is_modfor);
	ck_assert_str_eq(ds.name, "web");
	ck_assert_uint_eq(ds.mem_mib, 64);
	ck_assert_uint_eq(ds.cpus, 2);
	ck_assert_str_eq(ds.modfor, "");
	ck_assert_str_eq(ds.guest_cmdline, "/boot/guest.elf console=ttyS0 foo");
	ck_assert(!ds.restart_on_reboot);
	ck_assert_int_eq(dom_spec_parse("/g dom=a on_reboot=restart x", &ds), 0);
	ck_assert(ds.restart_on_reboot);
	ck_assert_str_eq(ds.guest_cmdline, "/g x");
	ck_assert_int_eq(dom_spec_parse("/g dom=a on_reboot=destroy", &ds), 0);
	ck_assert(!ds.restart_on_reboot);
}
END_TEST

START_TEST(dom_defaults_no_path)
{
	ck_assert_int_eq(dom_spec_parse("dom=a.b_c-D9", &ds), 0);
	ck_assert(ds.is_domain);
	ck_assert_str_eq(ds.name, "a.b_c-D9");
	ck_assert_uint_eq(ds.mem_mib, 16);
	ck_assert_uint_eq(ds.cpus, 1);
	ck_assert_str_eq(ds.guest_cmdline, "");
	ck_assert_int_eq(dom_spec_parse("mem=0x40 dom=x cpus=64 mem", &ds), 0);
	ck_assert_uint_eq(ds.mem_mib, 64);
	ck_assert_uint_eq(ds.cpus, 64);
	ck_assert_str_eq(ds.guest_cmdline, "mem"); /* bare key is the guest's */
	ck_assert_int_eq(dom_spec_parse("dom=x mem=65536 cpus=1", &ds), 0);
	ck_assert_uint_eq(ds.mem_mib, 65536);
}
END_TEST

START_TEST(modfor_and_unmarked)
{
	ck_assert_int_eq(dom_spec_parse("/boot/initrd.img modfor=web", &ds), 0);
	ck_assert(!ds.is_domain);
	ck_assert(ds.is_modfor);
	ck_assert_str_eq(ds.modfor, "web");
	ck_assert_str_eq(ds.guest_cmdline, "/boot/initrd.img");
	ck_assert_int_eq(dom_spec_parse("/boot/blob dome=1 x", &ds), 0);
	ck_assert(!ds.is_domain);
	ck_assert(!ds.is_modfor);
	ck_assert_str_eq(ds.guest_cmdline, "/boot/blob dome=1 x");
	ck_assert_int_eq(dom_spec_parse(NULL, &ds), 0);
	ck_assert(!ds.is_domain && !ds.is_modfor);
	ck_assert_int_eq(dom_spec_parse("   ", &ds), 0);
	ck_assert_uint_eq(harness_count(LOG_ERR), 0);
}
END_TEST

struct bad_case {
	const char *modstr;
	int rc;
	const char *msg;
};

static const struct bad_case bad[] = {
	{ "/g dom=", -QHV_EINVAL, "qhv: module '/g': bad dom= name '' (want 1-31 of A-Z a-z 0-9 _ . -)\n" },
	{ "/g dom=a/b", -QHV_EINVAL, "qhv: module '/g': bad dom= name 'a/b'" },
	{ "/g dom=0123456789012345678901234567890123", -QHV_EINVAL, "bad dom= name '0123456789012345678901234567890123'" },
	{ "/g modfor=we$b", -QHV_EINVAL, "bad modfor= name 'we$b'" },
	{ "/g modfor=", -QHV_EINVAL, "bad modfor= name ''" },
	{ "x dom=a mem=abc", -QHV_EINVAL, "qhv: module 'x': bad mem= value 'abc' (want 1-65536 MiB)\n" },
	{ "x dom=a mem=0", -QHV_EINVAL, "bad mem= value '0'" },
	{ "x dom=a mem=65537", -QHV_EINVAL, "bad mem= value '65537'" },
	{ "x dom=a mem=64M", -QHV_EINVAL, "bad mem= value '64M'" },
	{ "x dom=a mem=", -QHV_EINVAL, "bad mem= value ''" },
	{ "x dom=a mem=99999999999999999999999", -QHV_EINVAL, "bad mem= value '99999999999999999999999'" },
	{ "x dom=a cpus=0", -QHV_EINVAL, "qhv: module 'x': bad cpus= value '0' (want 1-64)\n" },
	{ "x dom=a cpus=65", -QHV_EINVAL, "bad cpus= value '65'" },
	{ "x dom=a cpus=two", -QHV_EINVAL, "bad cpus= value 'two'" },
	{ "x dom=a modfor=b", -QHV_EINVAL, "qhv: module 'x': dom= and modfor= exclude each other\n" },
	{ "x dom=a dom=b", -QHV_EINVAL, "qhv: module 'x': dom= given twice\n" },
	{ "x dom=a mem=1 mem=2", -QHV_EINVAL, "mem= given twice" },
	{ "x modfor=a cpus=2", -QHV_EINVAL, "qhv: module 'x': cpus= is only valid with dom=\n" },
	{ "x mem=2", -QHV_EINVAL, "qhv: module 'x': mem= is only valid with dom=\n" },
	{ "x dom=a on_reboot=reboot", -QHV_EINVAL, "qhv: module 'x': bad on_reboot= value 'reboot' (want destroy or restart)\n" },
	{ "x dom=a on_reboot=", -QHV_EINVAL, "bad on_reboot= value ''" },
	{ "x dom=a on_reboot=restarts", -QHV_EINVAL, "bad on_reboot= value 'restarts'" },
	{ "x dom=a on_reboot=restart on_reboot=destroy", -QHV_EINVAL, "on_reboot= given twice" },
	{ "x modfor=a on_reboot=restart", -QHV_EINVAL, "qhv: module 'x': on_reboot= is only valid with dom=\n" },
};

START_TEST(dom_bad)
{
	const struct bad_case *c = &bad[_i];

	ck_assert_int_eq(dom_spec_parse(c->modstr, &ds), c->rc);
	ck_assert_uint_eq(harness_count(LOG_ERR), 1);
	ck_assert_msg(strstr(harness_last(), c->msg), "'%s': got '%s'", c->modstr, harness_last());
}
END_TEST

START_TEST(guest_cmdline_limit)
{
	char s[700];

	/* "dom=x " plus 511 characters of guest tokens: fits exactly. */
	strcpy(s, "dom=x ");
	memset(s + 6, 'a', 255);
	s[6 + 255] = ' ';
	memset(s + 6 + 256, 'b', 255);
	s[6 + 511] = '\0';
	ck_assert_int_eq(dom_spec_parse(s, &ds), 0);
	ck_assert_uint_eq(strlen(ds.guest_cmdline), 511);
	strcat(s, "c");
	ck_assert_int_eq(dom_spec_parse(s, &ds), -QHV_E2BIG);
	ck_assert_str_eq(harness_last(), "qhv: module 'dom=x': guest command line longer than 511 characters\n");
	/* A single huge token, and a huge module name in the message. */
	memset(s, 'p', 600);
	strcpy(s + 600, " dom=!");
	ck_assert_int_eq(dom_spec_parse(s, &ds), -QHV_E2BIG);
	{
		char want[128] = "qhv: module '";

		memset(want + 13, 'p', 44);
		strcpy(want + 57, "...': guest command line");
		ck_assert_msg(harness_logged(want), "got '%s'", harness_last());
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cmdline");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, get_basic);
	tcase_add_test(tc, get_fit);
	tcase_add_test(tc, get_u64);
	tcase_add_test(tc, dom_full);
	tcase_add_test(tc, dom_defaults_no_path);
	tcase_add_test(tc, modfor_and_unmarked);
	tcase_add_loop_test(tc, dom_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, guest_cmdline_limit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
