// SPDX-License-Identifier: MIT
/*
 * test_json.c - the CLI's JSON writer: escaping and layout.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static char *escaped(const char *s, size_t len)
{
	static char buf[1024];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	ck_assert_ptr_nonnull(f);
	json_write_string(f, s, len);
	fclose(f);
	return buf;
}

#define ESC(lit) escaped(lit, sizeof(lit) - 1)

START_TEST(strings)
{
	ck_assert_str_eq(ESC("plain"), "\"plain\"");
	ck_assert_str_eq(ESC("q\"b\\s/"), "\"q\\\"b\\\\s/\"");
	ck_assert_str_eq(ESC("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
	ck_assert_str_eq(ESC("\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
	/* Valid UTF-8 passes through; each bad byte becomes U+FFFD. */
	ck_assert_str_eq(ESC("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
			 "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	ck_assert_str_eq(ESC("a\xffz"), "\"a\\ufffdz\"");
	ck_assert_str_eq(ESC("\xc3"), "\"\\ufffd\"");	/* truncated */
	ck_assert_str_eq(ESC("\xc0\xaf"), "\"\\ufffd\\ufffd\"");	/* overlong */
	ck_assert_str_eq(ESC("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
	ck_assert_str_eq(ESC("\xf4\x90\x80\x80"),
			 "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");	/* > U+10FFFF */
	/* Stops at the length, or at a NUL. */
	ck_assert_str_eq(escaped("abcdef", 3), "\"abc\"");
	ck_assert_str_eq(escaped("ab\0cd", 5), "\"ab\"");
}
END_TEST

START_TEST(layout)
{
	static char buf[1024];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct json j;

	json_init(&j, f);
	json_array_begin(&j);
	json_object_begin(&j);
	json_key(&j, "id");
	json_uint(&j, 18446744073709551615ull);
	json_key(&j, "ok");
	json_bool(&j, true);
	json_key(&j, "none");
	json_null(&j);
	json_key(&j, "empty");
	json_array_begin(&j);
	json_array_end(&j);
	json_key(&j, "o");
	json_object_begin(&j);
	json_object_end(&j);
	json_object_end(&j);
	json_string(&j, "x");
	json_array_end(&j);
	json_finish(&j);
	fclose(f);
	ck_assert_str_eq(buf, "[\n  {\n    \"id\": 18446744073709551615,\n"
			 "    \"ok\": true,\n    \"none\": null,\n"
			 "    \"empty\": [],\n    \"o\": {}\n  },\n  \"x\"\n]\n");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json");
	TCase *t = tcase_create("json");
	SRunner *r;
	int failed;

	tcase_add_test(t, strings);
	tcase_add_test(t, layout);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
