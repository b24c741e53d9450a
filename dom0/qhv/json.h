/* SPDX-License-Identifier: MIT */
/*
 * json.h - a minimal JSON writer (RFC 8259) for `qhv list --json` and
 * `qhv info --json`: objects, arrays, strings, integers, booleans, null,
 * indented by two spaces.  Strings are escaped completely (quotes,
 * backslashes, every control character) and bytes that are not valid
 * UTF-8 become U+FFFD, so the output is always valid JSON.
 */
#ifndef QHV_CLI_JSON_H
#define QHV_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json *j, FILE *f);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
/* A member name inside an object; the next value is its value. */
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
/* At most @len bytes of @s (stops at a NUL). */
void json_string_n(struct json *j, const char *s, size_t len);
void json_uint(struct json *j, uint64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* After the top-level value: a final newline. */
void json_finish(struct json *j);

/* Write @len bytes of @s as a JSON string literal, quotes included. */
void json_write_string(FILE *f, const char *s, size_t len);

#endif /* QHV_CLI_JSON_H */
