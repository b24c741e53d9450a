// SPDX-License-Identifier: MIT
/*
 * test_protocol.c - wire-level tests of qhv-xenstored over its UNIX
 * socket: transactions, permissions per domain, watches, quotas, error
 * paths and hostile input.  Each test runs its own daemon (path in
 * $QHV_XENSTORED) and checks that it shuts down cleanly on SIGTERM.
 */
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xsclient.h"

static struct xsd_proc daemon_;
static struct xsc a, b;

static void start_with(const char *const *args)
{
	ck_assert_int_eq(xsd_start(&daemon_, args), 0);
	ck_assert_int_eq(xsc_connect(&a, daemon_.sock), 0);
	ck_assert_int_eq(xsc_connect(&b, daemon_.sock), 0);
}

static void setup(void)
{
	start_with(NULL);
}

static void teardown(void)
{
	xsc_close(&a);
	xsc_close(&b);
	/* Clean exit on SIGTERM (and, under ASan, no leaks). */
	ck_assert_int_eq(xsd_stop(&daemon_), 0);
}

/* The daemon still serves a fresh client correctly. */
static void assert_alive(void)
{
	struct xsc c;
	char *v;

	ck_assert_int_eq(xsc_connect(&c, daemon_.sock), 0);
	ck_assert_int_eq(xsc_write(&c, 0, "/alive", "yes"), 0);
	ck_assert_int_eq(xsc_read(&c, 0, "/alive", &v), 0);
	ck_assert_str_eq(v, "yes");
	free(v);
	xsc_close(&c);
}

static const char *val(struct xsc *c, uint32_t tx, const char *path)
{
	static char buf[256];
	char *v;
	int rc = xsc_read(c, tx, path, &v);

	if (rc) {
		snprintf(buf, sizeof(buf), "-%d", -rc);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", v);
	free(v);
	return buf;
}

static const char *event(struct xsc *c)
{
	static char buf[512];

	if (xsc_event(c, 2000, buf, sizeof(buf)))
		return "(none)";
	return buf;
}

static bool no_event(struct xsc *c)
{
	char buf[512];

	return xsc_event(c, 100, buf, sizeof(buf)) == -ETIMEDOUT;
}

/* ---------- basic operations and error strings ---------- */

START_TEST(basic_ops)
{
	char *s;

	ck_assert_int_eq(xsc_write(&a, 0, "/x/y", "1"), 0);
	ck_assert_str_eq(val(&b, 0, "/x/y"), "1");
	ck_assert_int_eq(xsc_mkdir(&a, 0, "/x/z"), 0);
	ck_assert_int_eq(xsc_dir(&a, 0, "/x", &s), 0);
	ck_assert_str_eq(s, "y z");
	free(s);
	ck_assert_int_eq(xsc_rm(&a, 0, "/x/y"), 0);
	ck_assert_int_eq(xsc_read(&a, 0, "/x/y", NULL), -ENOENT);
	ck_assert_int_eq(xsc_rm(&a, 0, "/x/y"), 0);
	ck_assert_int_eq(xsc_rm(&a, 0, "/nope/y"), -ENOENT);
	ck_assert_int_eq(xsc_rm(&a, 0, "/"), -EINVAL);
	ck_assert_int_eq(xsc_read(&a, 0, "/bad//path", NULL), -EINVAL);
	ck_assert_int_eq(xsc_read(&a, 0, "/bad/", NULL), -EINVAL);
	ck_assert_int_eq(xsc_write(&a, 0, "/sp ace", "v"), -EINVAL);
	ck_assert_int_eq(xsc_dir(&a, 0, "/nope", &s), -ENOENT);
	/* relative paths are under the caller's home, /local/domain/0 */
	ck_assert_int_eq(xsc_write(&a, 0, "rel/key", "r"), 0);
	ck_assert_str_eq(val(&a, 0, "/local/domain/0/rel/key"), "r");
	ck_assert_int_eq(xsc_get_perms(&a, 0, "/x", &s), 0);
	ck_assert_str_eq(s, "n0");
	free(s);
	ck_assert_int_eq(xsc_set_perms(&a, 0, "/x", "r0,b3"), 0);
	ck_assert_int_eq(xsc_get_perms(&a, 0, "/x", &s), 0);
	ck_assert_str_eq(s, "r0,b3");
	free(s);
	ck_assert_int_eq(xsc_set_perms(&a, 0, "/x", "q0"), -EINVAL);
	ck_assert_int_eq(xsc_set_perms(&a, 0, "/x", "r70000"), -EINVAL);
	ck_assert_int_eq(xsc_set_perms(&a, 0, "/nope", "r0"), -ENOENT);
}
END_TEST

START_TEST(error_reply_format)
{
	struct xsc_reply r;
	uint32_t id = xsc_send(&a, XS_READ, 0, "/missing", 9);

	ck_assert_int_eq(xsc_recv(&a, &r), 0);
	ck_assert_uint_eq(r.hdr.type, XS_ERROR);
	ck_assert_uint_eq(r.hdr.req_id, id);
	ck_assert_uint_eq(r.hdr.len, 7);	/* "ENOENT\0" */
	ck_assert_str_eq(r.data, "ENOENT");
	free(r.data);
}
END_TEST

START_TEST(domain_ops)
{
	char *s;

	ck_assert_int_eq(xsc_simple(&a, XS_GET_DOMAIN_PATH, &s, "7", NULL), 0);
	ck_assert_str_eq(s, "/local/domain/7");
	free(s);
	ck_assert_int_eq(xsc_simple(&a, XS_IS_DOMAIN_INTRODUCED, &s, "7",
				    NULL), 0);
	ck_assert_str_eq(s, "F");
	free(s);
	ck_assert_int_eq(xsc_watch(&b, "@introduceDomain", "intro"), 0);
	ck_assert_int_eq(xsc_watch(&b, "@releaseDomain", "rel"), 0);
	ck_assert_str_eq(event(&b), "@introduceDomain intro");
	ck_assert_str_eq(event(&b), "@releaseDomain rel");
	ck_assert_int_eq(xsc_simple(&a, XS_INTRODUCE, NULL, "7", "1234", "5",
				    NULL), 0);
	ck_assert_str_eq(event(&b), "@introduceDomain intro");
	ck_assert_int_eq(xsc_simple(&a, XS_IS_DOMAIN_INTRODUCED, &s, "7",
				    NULL), 0);
	ck_assert_str_eq(s, "T");
	free(s);
	/* same ring again is fine, a different one is not */
	ck_assert_int_eq(xsc_simple(&a, XS_INTRODUCE, NULL, "7", "1234", "5",
				    NULL), 0);
	ck_assert_int_eq(xsc_simple(&a, XS_INTRODUCE, NULL, "7", "99", "5",
				    NULL), -EEXIST);
	ck_assert_int_eq(xsc_simple(&a, XS_INTRODUCE, NULL, "0", "1", "1",
				    NULL), -EINVAL);
	ck_assert_int_eq(xsc_simple(&a, XS_INTRODUCE, NULL, "x", "1", "1",
				    NULL), -EINVAL);
	ck_assert_int_eq(xsc_simple(&a, XS_RESUME, NULL, "7", NULL), 0);
	ck_assert_int_eq(xsc_simple(&a, XS_RESUME, NULL, "8", NULL), -ENOENT);
	ck_assert_int_eq(xsc_simple(&a, XS_SET_TARGET, NULL, "7", "8", NULL),
			 -ENOENT);
	ck_assert_int_eq(xsc_simple(&a, XS_RELEASE, NULL, "7", NULL), 0);
	ck_assert_str_eq(event(&b), "@releaseDomain rel");
	ck_assert_int_eq(xsc_simple(&a, XS_RELEASE, NULL, "7", NULL), -ENOENT);
	ck_assert_int_eq(xsc_simple(&a, XS_IS_DOMAIN_INTRODUCED, &s, "0",
				    NULL), 0);
	ck_assert_str_eq(s, "T");
	free(s);
	ck_assert(no_event(&b));
}
END_TEST

START_TEST(set_target_grants_access)
{
	ck_assert_int_eq(xsc_simple(&a, XS_INTRODUCE, NULL, "3", "1", "1",
				    NULL), 0);
	ck_assert_int_eq(xsc_simple(&a, XS_INTRODUCE, NULL, "4", "2", "2",
				    NULL), 0);
	ck_assert_int_eq(xsc_write(&a, 0, "/local/domain/3/data", "d"), 0);
	ck_assert_int_eq(xsc_set_perms(&a, 0, "/local/domain/3/data", "n3"), 0);
	ck_assert_int_eq(xsc_act_as(&b, 4), 0);
	ck_assert_int_eq(xsc_read(&b, 0, "/local/domain/3/data", NULL), -EACCES);
	ck_assert_int_eq(xsc_simple(&a, XS_SET_TARGET, NULL, "4", "3", NULL), 0);
	ck_assert_str_eq(val(&b, 0, "/local/domain/3/data"), "d");
}
END_TEST

START_TEST(control_commands)
{
	char *s;

	ck_assert_int_eq(xsc_ctl(&a, "help", NULL, NULL, &s), 0);
	ck_assert_ptr_nonnull(strstr(s, "quota"));
	free(s);
	ck_assert_int_eq(xsc_ctl(&a, "quota", NULL, NULL, &s), 0);
	ck_assert_ptr_nonnull(strstr(s, "transactions 1024"));
	free(s);
	ck_assert_int_eq(xsc_ctl(&a, "quota", "nodes", "77", NULL), 0);
	ck_assert_int_eq(xsc_ctl(&a, "quota", NULL, NULL, &s), 0);
	ck_assert_ptr_nonnull(strstr(s, "nodes 77"));
	free(s);
	ck_assert_int_eq(xsc_ctl(&a, "quota", "bogus", "1", NULL), -EINVAL);
	ck_assert_int_eq(xsc_ctl(&a, "quota", "nodes", "x", NULL), -EINVAL);
	ck_assert_int_eq(xsc_ctl(&a, "log", "on", NULL, NULL), 0);
	ck_assert_int_eq(xsc_ctl(&a, "log", "off", NULL, NULL), 0);
	ck_assert_int_eq(xsc_ctl(&a, "log", "debug", NULL, NULL), 0);
	ck_assert_int_eq(xsc_ctl(&a, "log", "warn", NULL, NULL), 0);
	ck_assert_int_eq(xsc_ctl(&a, "log", "loud", NULL, NULL), -EINVAL);
	ck_assert_int_eq(xsc_ctl(&a, "print", "hello", NULL, NULL), 0);
	/* A round trip on b first: the daemon has surely accepted it. */
	ck_assert_int_eq(xsc_mkdir(&b, 0, "/ctl-sync"), 0);
	ck_assert_int_eq(xsc_ctl(&a, "stats", NULL, NULL, &s), 0);
	ck_assert_ptr_nonnull(strstr(s, "connections 2"));
	free(s);
	ck_assert_int_eq(xsc_ctl(&a, "frobnicate", NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(xsc_ctl(&a, "set-domid", "99999", NULL, NULL), -EINVAL);
	/* unprivileged callers get nothing */
	ck_assert_int_eq(xsc_act_as(&b, 5), 0);
	ck_assert_int_eq(xsc_ctl(&b, "help", NULL, NULL, NULL), -EACCES);
	ck_assert_int_eq(xsc_act_as(&b, 0), -EACCES);
}
END_TEST

/* ---------- transactions ---------- */

START_TEST(tx_isolation)
{
	uint32_t tx;
	char *s;

	ck_assert_int_eq(xsc_write(&a, 0, "/t/k", "old"), 0);
	ck_assert_int_eq(xsc_tx_start(&a, &tx), 0);
	ck_assert_uint_ne(tx, 0);
	ck_assert_int_eq(xsc_write(&a, tx, "/t/k", "new"), 0);
	ck_assert_int_eq(xsc_write(&a, tx, "/t/n", "1"), 0);
	ck_assert_str_eq(val(&a, tx, "/t/k"), "new");
	ck_assert_str_eq(val(&b, 0, "/t/k"), "old");
	ck_assert_str_eq(val(&a, 0, "/t/k"), "old");
	ck_assert_int_eq(xsc_dir(&a, tx, "/t", &s), 0);
	ck_assert_str_eq(s, "k n");
	free(s);
	ck_assert_int_eq(xsc_dir(&b, 0, "/t", &s), 0);
	ck_assert_str_eq(s, "k");
	free(s);
	ck_assert_int_eq(xsc_tx_end(&a, tx, true), 0);
	ck_assert_str_eq(val(&b, 0, "/t/k"), "new");
	ck_assert_str_eq(val(&b, 0, "/t/n"), "1");
	/* the id is gone */
	ck_assert_int_eq(xsc_read(&a, tx, "/t/k", NULL), -ENOENT);
	ck_assert_int_eq(xsc_tx_end(&a, tx, true), -ENOENT);
}
END_TEST

START_TEST(tx_conflict_retry)
{
	uint32_t tx;
	int tries;
	char v[16];

	ck_assert_int_eq(xsc_write(&a, 0, "/ctr", "0"), 0);
	for (tries = 0; tries < 5; tries++) {
		ck_assert_int_eq(xsc_tx_start(&a, &tx), 0);
		snprintf(v, sizeof(v), "%d", atoi(val(&a, tx, "/ctr")) + 1);
		if (tries == 0)	/* interleaved increment by another client */
			ck_assert_int_eq(xsc_write(&b, 0, "/ctr", "10"), 0);
		ck_assert_int_eq(xsc_write(&a, tx, "/ctr", v), 0);
		if (xsc_tx_end(&a, tx, true) == 0)
			break;
	}
	ck_assert_int_eq(tries, 1);	/* EAGAIN once, then success */
	ck_assert_str_eq(val(&b, 0, "/ctr"), "11");
}
END_TEST

START_TEST(tx_abort_and_errors)
{
	struct xsc_reply r;
	uint32_t tx, tx2;

	ck_assert_int_eq(xsc_tx_start(&a, &tx), 0);
	ck_assert_int_eq(xsc_write(&a, tx, "/ab", "x"), 0);
	ck_assert_int_eq(xsc_tx_end(&a, tx, false), 0);
	ck_assert_int_eq(xsc_read(&b, 0, "/ab", NULL), -ENOENT);
	/* bogus ids, another connection's id, bad END argument */
	ck_assert_int_eq(xsc_read(&a, 0xdeadbeef, "/", NULL), -ENOENT);
	ck_assert_int_eq(xsc_write(&a, 12345, "/q", "v"), -ENOENT);
	ck_assert_int_eq(xsc_tx_start(&a, &tx), 0);
	ck_assert_int_eq(xsc_read(&b, tx, "/", NULL), -ENOENT);
	ck_assert_int_eq(xsc_call(&a, XS_TRANSACTION_END, tx, "X", 2, NULL),
			 -EINVAL);
	ck_assert_int_eq(xsc_call(&a, XS_TRANSACTION_START, tx, "", 1, NULL),
			 -EBUSY);
	ck_assert_int_eq(xsc_tx_start(&a, &tx2), 0);
	ck_assert_uint_ne(tx, tx2);
	/* tx_id is echoed in replies */
	ck_assert_int_eq(xsc_call(&a, XS_READ, tx, "/", 2, &r), 0);
	ck_assert_uint_eq(r.hdr.tx_id, tx);
	free(r.data);
	/* watches ignore tx_id */
	ck_assert_int_eq(xsc_call(&a, XS_WATCH, 999, "/w\0t", 5, NULL), 0);
	/* RESET_WATCHES drops transactions too */
	ck_assert_int_eq(xsc_call(&a, XS_RESET_WATCHES, 0, "", 1, NULL), 0);
	ck_assert_int_eq(xsc_tx_end(&a, tx, true), -ENOENT);
	ck_assert_int_eq(xsc_tx_end(&a, tx2, true), -ENOENT);
}
END_TEST

START_TEST(tx_burst_many_open)
{
	/* The reference daemon fails this with its limit of 10. */
	uint32_t tx[200];
	char path[32];
	int i;

	for (i = 0; i < 200; i++)
		ck_assert_int_eq(xsc_tx_start(&a, &tx[i]), 0);
	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "/burst/%d", i);
		ck_assert_int_eq(xsc_write(&a, tx[i], path, "v"), 0);
	}
	for (i = 0; i < 200; i++)
		ck_assert_int_eq(xsc_tx_end(&a, tx[i], true), 0);
	ck_assert_str_eq(val(&b, 0, "/burst/199"), "v");
}
END_TEST

/* ---------- permissions per domain ---------- */

START_TEST(perms_per_domain)
{
	char *s;

	ck_assert_int_eq(xsc_write(&a, 0, "/secret", "s"), 0);
	ck_assert_int_eq(xsc_mkdir(&a, 0, "/local/domain/5"), 0);
	ck_assert_int_eq(xsc_set_perms(&a, 0, "/local/domain/5", "n5"), 0);
	ck_assert_int_eq(xsc_act_as(&b, 5), 0);
	ck_assert_int_eq(xsc_read(&b, 0, "/secret", NULL), -EACCES);
	ck_assert_int_eq(xsc_write(&b, 0, "/secret", "x"), -EACCES);
	ck_assert_int_eq(xsc_write(&b, 0, "/new", "x"), -EACCES);
	ck_assert_int_eq(xsc_rm(&b, 0, "/secret"), -EACCES);
	ck_assert_int_eq(xsc_dir(&b, 0, "/", &s), -EACCES);
	ck_assert_int_eq(xsc_get_perms(&b, 0, "/secret", &s), -EACCES);
	ck_assert_int_eq(xsc_set_perms(&b, 0, "/secret", "b5"), -EACCES);
	/* relative paths of dom5 land in its home, which it owns */
	ck_assert_int_eq(xsc_write(&b, 0, "device/vif", "1"), 0);
	ck_assert_str_eq(val(&a, 0, "/local/domain/5/device/vif"), "1");
	ck_assert_int_eq(xsc_get_perms(&a, 0, "/local/domain/5/device/vif", &s),
			 0);
	ck_assert_str_eq(s, "n5");
	free(s);
	ck_assert_int_eq(xsc_set_perms(&b, 0, "device", "n6"), -EPERM);
	ck_assert_int_eq(xsc_set_perms(&b, 0, "device", "n5,r6"), 0);
	/* ACL entries */
	ck_assert_int_eq(xsc_set_perms(&a, 0, "/secret", "n0,r5"), 0);
	ck_assert_str_eq(val(&b, 0, "/secret"), "s");
	ck_assert_int_eq(xsc_write(&b, 0, "/secret", "x"), -EACCES);
	ck_assert_int_eq(xsc_set_perms(&a, 0, "/secret", "n0,w5"), 0);
	ck_assert_int_eq(xsc_read(&b, 0, "/secret", NULL), -EACCES);
	ck_assert_int_eq(xsc_write(&b, 0, "/secret", "x"), 0);
	ck_assert_int_eq(xsc_set_perms(&a, 0, "/secret", "r0"), 0);
	ck_assert_str_eq(val(&b, 0, "/secret"), "x");
	/* privileged-only operations */
	ck_assert_int_eq(xsc_simple(&b, XS_INTRODUCE, NULL, "9", "1", "1",
				    NULL), -EACCES);
	ck_assert_int_eq(xsc_simple(&b, XS_RELEASE, NULL, "9", NULL), -EACCES);
	ck_assert_int_eq(xsc_simple(&b, XS_RESUME, NULL, "9", NULL), -EACCES);
	ck_assert_int_eq(xsc_simple(&b, XS_SET_TARGET, NULL, "9", "8", NULL),
			 -EACCES);
	/* transactions check permissions too */
	{
		uint32_t tx;

		ck_assert_int_eq(xsc_tx_start(&b, &tx), 0);
		ck_assert_int_eq(xsc_write(&b, tx, "/other", "x"), -EACCES);
		ck_assert_int_eq(xsc_write(&b, tx, "mine", "x"), 0);
		ck_assert_int_eq(xsc_tx_end(&b, tx, true), 0);
	}
}
END_TEST

/* ---------- watches ---------- */

START_TEST(watch_basic_and_ordering)
{
	char path[32], want[64];
	int i;

	ck_assert_int_eq(xsc_watch(&b, "/w", "tok"), 0);
	ck_assert_str_eq(event(&b), "/w tok");	/* initial event */
	ck_assert(no_event(&b));
	for (i = 0; i < 50; i++) {
		snprintf(path, sizeof(path), "/w/%d", i);
		ck_assert_int_eq(xsc_write(&a, 0, path, "v"), 0);
	}
	for (i = 0; i < 50; i++) {
		snprintf(want, sizeof(want), "/w/%d tok", i);
		ck_assert_str_eq(event(&b), want);
	}
	/* siblings sharing a prefix do not match */
	ck_assert_int_eq(xsc_write(&a, 0, "/wx", "v"), 0);
	ck_assert_int_eq(xsc_write(&a, 0, "/", ""), 0);
	ck_assert(no_event(&b));
	/* removal of a parent reports the watched path */
	ck_assert_int_eq(xsc_watch(&b, "/w/7/deep", "d"), 0);
	ck_assert_str_eq(event(&b), "/w/7/deep d");
	ck_assert_int_eq(xsc_rm(&a, 0, "/w"), 0);
	ck_assert_str_eq(event(&b), "/w/7/deep d");
	ck_assert_str_eq(event(&b), "/w tok");
	ck_assert(no_event(&b));
	/* permission changes fire too */
	ck_assert_int_eq(xsc_mkdir(&a, 0, "/w"), 0);
	ck_assert_str_eq(event(&b), "/w tok");
	ck_assert_int_eq(xsc_set_perms(&a, 0, "/w", "r0"), 0);
	ck_assert_str_eq(event(&b), "/w tok");
	/* unwatch */
	ck_assert_int_eq(xsc_unwatch(&b, "/w", "tok"), 0);
	ck_assert_int_eq(xsc_write(&a, 0, "/w/x", "v"), 0);
	ck_assert(no_event(&b));
	ck_assert_int_eq(xsc_unwatch(&b, "/w", "tok"), -ENOENT);
	ck_assert_int_eq(xsc_watch(&b, "/w", "t2"), 0);
	ck_assert_int_eq(xsc_watch(&b, "/w", "t2"), -EEXIST);
	ck_assert_int_eq(xsc_watch(&b, "/bad//w", "t2"), -EINVAL);
}
END_TEST

START_TEST(watch_multiple_and_tx)
{
	uint32_t tx;

	ck_assert_int_eq(xsc_watch(&b, "/m", "one"), 0);
	ck_assert_int_eq(xsc_watch(&b, "/m/a", "two"), 0);
	ck_assert_str_eq(event(&b), "/m one");
	ck_assert_str_eq(event(&b), "/m/a two");
	/* changes in a transaction fire only on commit */
	ck_assert_int_eq(xsc_tx_start(&a, &tx), 0);
	ck_assert_int_eq(xsc_write(&a, tx, "/m/a", "v"), 0);
	ck_assert(no_event(&b));
	ck_assert_int_eq(xsc_tx_end(&a, tx, true), 0);
	ck_assert_str_eq(event(&b), "/m/a two");
	ck_assert_str_eq(event(&b), "/m/a one");
	ck_assert(no_event(&b));
	ck_assert_int_eq(xsc_tx_start(&a, &tx), 0);
	ck_assert_int_eq(xsc_write(&a, tx, "/m/b", "v"), 0);
	ck_assert_int_eq(xsc_tx_end(&a, tx, false), 0);
	ck_assert(no_event(&b));
	/* RESET_WATCHES */
	ck_assert_int_eq(xsc_call(&b, XS_RESET_WATCHES, 0, "", 1, NULL), 0);
	ck_assert_int_eq(xsc_write(&a, 0, "/m/a", "w"), 0);
	ck_assert(no_event(&b));
}
END_TEST

START_TEST(watch_relative_and_perms)
{
	ck_assert_int_eq(xsc_mkdir(&a, 0, "/local/domain/5"), 0);
	ck_assert_int_eq(xsc_set_perms(&a, 0, "/local/domain/5", "n5"), 0);
	ck_assert_int_eq(xsc_act_as(&b, 5), 0);
	ck_assert_int_eq(xsc_watch(&b, "device", "rel"), 0);
	ck_assert_str_eq(event(&b), "device rel");
	ck_assert_int_eq(xsc_write(&a, 0, "/local/domain/5/device/vbd", "1"), 0);
	ck_assert_str_eq(event(&b), "device/vbd rel");
	/* a node dom5 cannot read does not produce an event for it */
	ck_assert_int_eq(xsc_watch(&b, "/", "root"), 0);
	ck_assert_str_eq(event(&b), "/ root");
	ck_assert_int_eq(xsc_write(&a, 0, "/hidden", "x"), 0);
	ck_assert(no_event(&b));
	ck_assert_int_eq(xsc_set_perms(&a, 0, "/hidden", "r0"), 0);
	ck_assert_str_eq(event(&b), "/hidden root");
}
END_TEST

/* ---------- quotas ---------- */

START_TEST(quota_enforcement)
{
	char path[32], big[200];
	uint32_t tx[3];
	int i;

	ck_assert_int_eq(xsc_ctl(&a, "quota", "nodes", "4", NULL), 0);
	ck_assert_int_eq(xsc_ctl(&a, "quota", "node-size", "100", NULL), 0);
	ck_assert_int_eq(xsc_ctl(&a, "quota", "watches", "2", NULL), 0);
	ck_assert_int_eq(xsc_ctl(&a, "quota", "transactions", "2", NULL), 0);
	ck_assert_int_eq(xsc_mkdir(&a, 0, "/local/domain/5"), 0);
	ck_assert_int_eq(xsc_set_perms(&a, 0, "/local/domain/5", "n5"), 0);
	ck_assert_int_eq(xsc_act_as(&b, 5), 0);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "n%d", i);
		ck_assert_int_eq(xsc_write(&b, 0, path, "v"), 0);
	}
	ck_assert_int_eq(xsc_write(&b, 0, "n3", "v"), -ENOSPC);
	memset(big, 'x', sizeof(big));
	big[150] = '\0';
	ck_assert_int_eq(xsc_write(&b, 0, "n0", big), -ENOSPC);
	big[100] = '\0';
	ck_assert_int_eq(xsc_write(&b, 0, "n0", big), 0);
	ck_assert_int_eq(xsc_watch(&b, "n0", "1"), 0);
	ck_assert_int_eq(xsc_watch(&b, "n1", "1"), 0);
	ck_assert_int_eq(xsc_watch(&b, "n2", "1"), -E2BIG);
	ck_assert_int_eq(xsc_tx_start(&b, &tx[0]), 0);
	ck_assert_int_eq(xsc_tx_start(&b, &tx[1]), 0);
	ck_assert_int_eq(xsc_tx_start(&b, &tx[2]), -ENOSPC);
	ck_assert_int_eq(xsc_tx_end(&b, tx[0], false), 0);
	ck_assert_int_eq(xsc_tx_start(&b, &tx[2]), 0);
	/* dom0 is exempt from node quotas */
	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "/d0/%d", i);
		ck_assert_int_eq(xsc_write(&a, 0, path, big), 0);
	}
}
END_TEST

START_TEST(outstanding_flow_control)
{
	/*
	 * 2000 pipelined READs of a 4000-byte value: ~8 MB of replies that
	 * the client does not read until everything is sent, so the daemon
	 * must throttle (stop reading) instead of queueing without bound.
	 */
	static char big[4001];
	struct xsc_reply r;
	uint32_t i, n = 2000;
	char *s;

	memset(big, 'q', 4000);
	ck_assert_int_eq(xsc_ctl(&a, "quota", "outstanding", "16", NULL), 0);
	ck_assert_int_eq(xsc_write(&a, 0, "/fc", big), 0);
	/* one send: many small sends would block in the kernel first */
	{
		static char reqs[2000 * 20];
		struct xsd_sockmsg h = { XS_READ, 0, 0, 4 };

		for (i = 0; i < n; i++) {
			h.req_id = i + 1;
			memcpy(reqs + i * 20, &h, sizeof(h));
			memcpy(reqs + i * 20 + 16, "/fc", 4);
		}
		ck_assert_int_eq(xsc_send_raw(&b, reqs, sizeof(reqs)), 0);
	}
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(xsc_recv(&b, &r), 0);
		ck_assert_uint_eq(r.hdr.type, XS_READ);
		ck_assert_uint_eq(r.hdr.req_id, i + 1);
		ck_assert_uint_eq(r.hdr.len, 4000);
		free(r.data);
	}
	ck_assert_int_eq(xsc_ctl(&a, "stats", NULL, NULL, &s), 0);
	ck_assert_ptr_nonnull(strstr(s, "dropped-events 0"));
	free(s);
}
END_TEST

/* ---------- large directories ---------- */

START_TEST(directory_part_large)
{
	char path[128], off[16], gen0[32] = "";
	struct xsc_reply r;
	uint32_t o = 0, total = 0;
	int i, parts = 0;
	char *s;

	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path),
			 "/big/child-with-a-fairly-long-name-%04d", i);
		ck_assert_int_eq(xsc_mkdir(&a, 0, path), 0);
	}
	ck_assert_int_eq(xsc_dir(&a, 0, "/big", &s), -E2BIG);
	for (;;) {
		char buf[256];
		uint32_t pl = (uint32_t)strlen("/big") + 1, len;

		snprintf(off, sizeof(off), "%u", o);
		memcpy(buf, "/big", pl);
		memcpy(buf + pl, off, strlen(off) + 1);
		len = pl + (uint32_t)strlen(off) + 1;
		ck_assert_int_eq(xsc_call(&a, XS_DIRECTORY_PART, 0, buf, len,
					  &r), 0);
		parts++;
		if (!gen0[0])
			snprintf(gen0, sizeof(gen0), "%s", r.data);
		ck_assert_str_eq(r.data, gen0);
		{
			uint32_t glen = (uint32_t)strlen(r.data) + 1;
			uint32_t body = r.hdr.len - glen;
			bool end = body >= 1 && r.data[r.hdr.len - 1] == '\0' &&
				   (body == 1 || r.data[r.hdr.len - 2] == '\0');
			char *p;

			for (p = r.data + glen; p < r.data + r.hdr.len &&
			     *p; p += strlen(p) + 1)
				total++;
			o += body - (end ? 1 : 0);
			free(r.data);
			if (end)
				break;
		}
		ck_assert_int_lt(parts, 50);
	}
	ck_assert_int_gt(parts, 1);
	ck_assert_uint_eq(total, 300);
}
END_TEST

/* ---------- hostile input ---------- */

START_TEST(bad_truncated_header)
{
	struct xsc c;

	ck_assert_int_eq(xsc_connect(&c, daemon_.sock), 0);
	ck_assert_int_eq(xsc_send_raw(&c, "\x02\0\0\0\x01", 5), 0);
	xsc_close(&c);
	assert_alive();
}
END_TEST

START_TEST(bad_oversized_payload)
{
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };
	struct xsc_reply r;
	char junk[64] = "";
	struct xsc c;
	int i;

	ck_assert_int_eq(xsc_connect(&c, daemon_.sock), 0);
	ck_assert_int_eq(xsc_send_raw(&c, &h, sizeof(h)), 0);
	xsc_send_raw(&c, junk, sizeof(junk));
	/* the connection is closed (reset if our junk was unread) */
	i = xsc_recv(&c, &r);
	ck_assert(i == -EPIPE || i == -ECONNRESET);
	xsc_close(&c);
	/* exactly the maximum is fine */
	{
		static char p[XENSTORE_PAYLOAD_MAX];

		memset(p, 'v', sizeof(p));
		memcpy(p, "/max", 5);
		ck_assert_int_eq(xsc_call(&a, XS_WRITE, 0, p, sizeof(p), NULL),
				 0);
	}
	assert_alive();
}
END_TEST

START_TEST(bad_missing_nul_and_shapes)
{
	ck_assert_int_eq(xsc_call(&a, XS_READ, 0, "/x", 2, NULL), -EINVAL);
	ck_assert_int_eq(xsc_call(&a, XS_WRITE, 0, "/x", 2, NULL), -EINVAL);
	ck_assert_int_eq(xsc_call(&a, XS_WATCH, 0, "/x\0tok", 6, NULL),
			 -EINVAL);
	ck_assert_int_eq(xsc_call(&a, XS_READ, 0, "", 0, NULL), -EINVAL);
	ck_assert_int_eq(xsc_call(&a, XS_READ, 0, "/a\0/b", 6, NULL), -EINVAL);
	ck_assert_int_eq(xsc_call(&a, XS_SET_PERMS, 0, "/", 2, NULL), -EINVAL);
	ck_assert_int_eq(xsc_call(&a, XS_DIRECTORY_PART, 0, "/\0x", 4, NULL),
			 -EINVAL);
	ck_assert_int_eq(xsc_call(&a, XS_GET_DOMAIN_PATH, 0, "abc", 4, NULL),
			 -EINVAL);
	assert_alive();
}
END_TEST

START_TEST(bad_unknown_types)
{
	static const uint32_t types[] = { XS_WATCH_EVENT, XS_ERROR, 20,
					  XS_TYPE_COUNT, 1000, XS_INVALID,
					  0xffffffffu };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		ck_assert_int_eq(xsc_call(&a, types[i], 0, "", 1, NULL),
				 -ENOSYS);
	assert_alive();
}
END_TEST

START_TEST(bad_disconnect_mid_message)
{
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, 100 };
	struct xsc c;
	int i;

	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(xsc_connect(&c, daemon_.sock), 0);
		xsc_send_raw(&c, &h, sizeof(h));
		xsc_send_raw(&c, "/half\0", 6);
		if (i % 2)	/* also with a transaction and a watch open */
			ck_assert_int_eq(xsc_watch(&b, "/half", "h"), i == 1 ?
					 0 : -EEXIST);
		xsc_close(&c);
	}
	/* a client that disappears with a queue of unread events */
	ck_assert_int_eq(xsc_connect(&c, daemon_.sock), 0);
	ck_assert_int_eq(xsc_watch(&c, "/flood", "f"), 0);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(xsc_write(&a, 0, "/flood/x", "v"), 0);
	xsc_close(&c);
	assert_alive();
}
END_TEST

START_TEST(bad_byte_at_a_time)
{
	const char msg[] = "\x02\0\0\0\x07\0\0\0\0\0\0\0\x02\0\0\0/\0";
	struct xsc_reply r;
	size_t i;

	for (i = 0; i < sizeof(msg) - 1; i++) {
		ck_assert_int_eq(xsc_send_raw(&a, msg + i, 1), 0);
		usleep(1000);
	}
	ck_assert_int_eq(xsc_recv(&a, &r), 0);
	ck_assert_uint_eq(r.hdr.type, XS_READ);
	ck_assert_uint_eq(r.hdr.req_id, 7);
	free(r.data);
}
END_TEST

START_TEST(many_concurrent_clients)
{
	enum { N = 300 };
	struct xsc *c = calloc(N, sizeof(*c));
	struct xsc_reply r;
	char path[32];
	int i;

	ck_assert_ptr_nonnull(c);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(xsc_connect(&c[i], daemon_.sock), 0);
	/* all send before any reads: the daemon multiplexes */
	for (i = 0; i < N; i++) {
		char buf[64];
		int l = snprintf(buf, sizeof(buf), "/many/%d", i) + 1;

		memcpy(buf + l, "v", 1);
		ck_assert_uint_ne(xsc_send(&c[i], XS_WRITE, 0, buf,
					   (uint32_t)l + 1), 0);
	}
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(xsc_recv(&c[i], &r), 0);
		ck_assert_uint_eq(r.hdr.type, XS_WRITE);
		free(r.data);
	}
	for (i = 0; i < N; i++) {
		uint32_t tx;

		snprintf(path, sizeof(path), "/many/%d", i);
		ck_assert_int_eq(xsc_tx_start(&c[i], &tx), 0);
		ck_assert_str_eq(val(&c[i], tx, path), "v");
	}
	for (i = 0; i < N; i++)
		xsc_close(&c[i]);
	free(c);
	assert_alive();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("xenstored-protocol");
	TCase *tc;

	tc = tcase_create("ops");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, basic_ops);
	tcase_add_test(tc, error_reply_format);
	tcase_add_test(tc, domain_ops);
	tcase_add_test(tc, set_target_grants_access);
	tcase_add_test(tc, control_commands);
	tcase_add_test(tc, tx_isolation);
	tcase_add_test(tc, tx_conflict_retry);
	tcase_add_test(tc, tx_abort_and_errors);
	tcase_add_test(tc, tx_burst_many_open);
	tcase_add_test(tc, perms_per_domain);
	tcase_add_test(tc, watch_basic_and_ordering);
	tcase_add_test(tc, watch_multiple_and_tx);
	tcase_add_test(tc, watch_relative_and_perms);
	tcase_add_test(tc, quota_enforcement);
	tcase_add_test(tc, outstanding_flow_control);
	tcase_add_test(tc, directory_part_large);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad-input");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, bad_truncated_header);
	tcase_add_test(tc, bad_oversized_payload);
	tcase_add_test(tc, bad_missing_nul_and_shapes);
	tcase_add_test(tc, bad_unknown_types);
	tcase_add_test(tc, bad_disconnect_mid_message);
	tcase_add_test(tc, bad_byte_at_a_time);
	tcase_add_test(tc, many_concurrent_clients);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
