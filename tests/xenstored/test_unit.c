// SPDX-License-Identifier: MIT
/*
 * test_unit.c - Check unit tests for the qhv-xenstored store, protocol
 * helpers and watch index, driven through their C APIs.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "store.h"
#include "watch.h"

static const struct xs_ctx dom0 = { 0, XS_NO_TARGET, true };
static const struct xs_ctx dom5 = { 5, XS_NO_TARGET, false };
static const struct xs_ctx dom6 = { 6, XS_NO_TARGET, false };

static struct xs_quota quota = { 100, 64, 10, 4, 100, 8 };

/* Events recorded by the fire callback: "path" or "path*" (subtree). */
static char events[64][128];
static int nevents;

static void rec_fire(void *arg, const char *path, const struct xs_perm *p,
		     uint32_t n, bool subtree)
{
	(void)arg;
	(void)p;
	(void)n;
	if (nevents < 64)
		snprintf(events[nevents++], 128, "%s%s", path,
			 subtree ? "*" : "");
}

static struct xs_store *s;

static void setup(void)
{
	nevents = 0;
	s = store_new(&quota, rec_fire, NULL);
	ck_assert_ptr_nonnull(s);
}

static void teardown(void)
{
	store_free(s);
}

static const char *rd(struct xs_tx *tx, const struct xs_ctx *c,
		      const char *path)
{
	static char buf[256];
	const char *v;
	uint32_t len;
	int rc = store_read(s, tx, c, path, &v, &len);

	if (rc)
		snprintf(buf, sizeof(buf), "%s", proto_errstr(-rc));
	else
		snprintf(buf, sizeof(buf), "=%.*s", (int)len, v);
	return buf;
}

static int add_name(void *arg, const char *name, size_t len)
{
	char *b = arg;

	strncat(b, name, len);
	strcat(b, " ");
	return 0;
}

static const char *ls(struct xs_tx *tx, const char *path)
{
	static char buf[1024];
	uint64_t gen;
	int rc;

	buf[0] = '\0';
	rc = store_directory(s, tx, &dom0, path, 0, add_name, buf, &gen);
	if (rc)
		snprintf(buf, sizeof(buf), "%s", proto_errstr(-rc));
	return buf;
}

/* @perms comma separated, e.g. "n0,r5" */
static void chmod_(const char *path, const char *perms)
{
	struct xs_perm p[8];
	char buf[64];
	uint32_t n;
	size_t i, len = strlen(perms) + 1;

	memcpy(buf, perms, len);
	for (i = 0; i < len; i++)
		if (buf[i] == ',')
			buf[i] = '\0';
	ck_assert_int_eq(proto_parse_perms(buf, len, p, 8, &n), 0);
	ck_assert_int_eq(store_set_perms(s, NULL, &dom0, path, p, n), 0);
}

/* ---------- store basics ---------- */

START_TEST(write_read_mkdir)
{
	ck_assert_int_eq(store_write(s, NULL, &dom0, "/a/b/c", "v", 1), 0);
	ck_assert_str_eq(rd(NULL, &dom0, "/a/b/c"), "=v");
	ck_assert_str_eq(rd(NULL, &dom0, "/a/b"), "=");
	ck_assert_str_eq(rd(NULL, &dom0, "/a/x"), "ENOENT");
	ck_assert_int_eq(store_mkdir(s, NULL, &dom0, "/a/b/c"), 0);
	ck_assert_str_eq(rd(NULL, &dom0, "/a/b/c"), "=v");
	ck_assert_int_eq(store_mkdir(s, NULL, &dom0, "/m/n"), 0);
	ck_assert_str_eq(ls(NULL, "/"), "a m ");
	ck_assert_uint_eq(store_nodes(s), 6);
	/* binary values with NULs survive */
	ck_assert_int_eq(store_write(s, NULL, &dom0, "/bin", "x\0y", 3), 0);
	{
		const char *v;
		uint32_t len;

		ck_assert_int_eq(store_read(s, NULL, &dom0, "/bin", &v, &len), 0);
		ck_assert_uint_eq(len, 3);
		ck_assert_int_eq(memcmp(v, "x\0y", 3), 0);
	}
}
END_TEST

START_TEST(rm_semantics)
{
	store_write(s, NULL, &dom0, "/a/b/c", "v", 1);
	store_write(s, NULL, &dom0, "/a/d", "v", 1);
	nevents = 0;
	ck_assert_int_eq(store_rm(s, NULL, &dom0, "/a/b"), 0);
	ck_assert_int_eq(nevents, 1);
	ck_assert_str_eq(events[0], "/a/b*");
	ck_assert_str_eq(rd(NULL, &dom0, "/a/b/c"), "ENOENT");
	ck_assert_str_eq(ls(NULL, "/a"), "d ");
	/* absent node with existing parent: fine; missing parent: ENOENT */
	ck_assert_int_eq(store_rm(s, NULL, &dom0, "/a/zz"), 0);
	ck_assert_int_eq(store_rm(s, NULL, &dom0, "/q/zz"), -ENOENT);
	ck_assert_int_eq(store_rm(s, NULL, &dom0, "/"), -EINVAL);
	ck_assert_uint_eq(store_nodes(s), 3);
}
END_TEST

START_TEST(directory_offsets)
{
	char buf[256] = "";
	uint64_t g1, g2;

	store_write(s, NULL, &dom0, "/d/aa", "", 0);
	store_write(s, NULL, &dom0, "/d/b", "", 0);
	store_write(s, NULL, &dom0, "/d/ccc", "", 0);
	/* "aa\0" is 3 bytes: offset 3 starts at "b" */
	ck_assert_int_eq(store_directory(s, NULL, &dom0, "/d", 3, add_name,
					 buf, &g1), 0);
	ck_assert_str_eq(buf, "b ccc ");
	store_write(s, NULL, &dom0, "/d/b", "changed", 7);
	store_directory(s, NULL, &dom0, "/d", 0, add_name, buf, &g2);
	ck_assert_uint_eq(g1, g2);	/* child value change: same list */
	store_write(s, NULL, &dom0, "/d/e", "", 0);
	store_directory(s, NULL, &dom0, "/d", 0, add_name, buf, &g2);
	ck_assert_uint_ne(g1, g2);
}
END_TEST

/* ---------- permissions ---------- */

START_TEST(perms_default_and_acl)
{
	store_write(s, NULL, &dom0, "/p", "v", 1);
	/* root is "n0": others have no access */
	ck_assert_str_eq(rd(NULL, &dom5, "/p"), "EACCES");
	ck_assert_int_eq(store_write(s, NULL, &dom5, "/p", "x", 1), -EACCES);
	chmod_("/p", "n0,r5");
	ck_assert_str_eq(rd(NULL, &dom5, "/p"), "=v");
	ck_assert_str_eq(rd(NULL, &dom6, "/p"), "EACCES");
	ck_assert_int_eq(store_write(s, NULL, &dom5, "/p", "x", 1), -EACCES);
	chmod_("/p", "r0,w5");
	ck_assert_str_eq(rd(NULL, &dom6, "/p"), "=v");	/* default r */
	ck_assert_str_eq(rd(NULL, &dom5, "/p"), "EACCES");	/* ACL w */
	ck_assert_int_eq(store_write(s, NULL, &dom5, "/p", "x", 1), 0);
	chmod_("/p", "n0,b5");
	ck_assert_str_eq(rd(NULL, &dom5, "/p"), "=x");
	/* delete needs write on the node */
	ck_assert_int_eq(store_rm(s, NULL, &dom6, "/p"), -EACCES);
	ck_assert_int_eq(store_rm(s, NULL, &dom5, "/p"), 0);
}
END_TEST

START_TEST(perms_owner_and_create)
{
	const struct xs_perm *p;
	struct xs_perm np[2] = { { 5, XS_PERM_NONE }, { 6, XS_PERM_READ } };
	uint32_t n;

	store_mkdir(s, NULL, &dom0, "/local/domain/5");
	chmod_("/local/domain/5", "n5");	/* dom5 owns its home */
	ck_assert_int_eq(store_write(s, NULL, &dom5, "/local/domain/5/x/y",
				     "1", 1), 0);
	ck_assert_int_eq(store_get_perms(s, NULL, &dom5,
					 "/local/domain/5/x/y", &p, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(p[0].domid, 5);
	ck_assert_uint_eq(store_domain_nodes(s, 5), 3);
	/* owner may set perms but not give the node away */
	ck_assert_int_eq(store_set_perms(s, NULL, &dom5, "/local/domain/5/x",
					 np, 2), 0);
	ck_assert_str_eq(rd(NULL, &dom6, "/local/domain/5/x"), "=");
	np[0].domid = 6;
	ck_assert_int_eq(store_set_perms(s, NULL, &dom5, "/local/domain/5/x",
					 np, 2), -EPERM);
	ck_assert_int_eq(store_set_perms(s, NULL, &dom6, "/local/domain/5/x",
					 np, 2), -EACCES);
	/* dom0 may, and the node count follows the owner */
	ck_assert_int_eq(store_set_perms(s, NULL, &dom0, "/local/domain/5/x",
					 np, 2), 0);
	ck_assert_uint_eq(store_domain_nodes(s, 5), 2);
	ck_assert_uint_eq(store_domain_nodes(s, 6), 1);
	ck_assert_int_eq(store_set_perms(s, NULL, &dom0, "/nope", np, 1),
			 -ENOENT);
}
END_TEST

START_TEST(perms_target)
{
	struct xs_ctx stub = { 9, 5, false };	/* device model of dom5 */

	store_mkdir(s, NULL, &dom0, "/h");
	chmod_("/h", "n5,r7");
	ck_assert_str_eq(rd(NULL, &stub, "/h"), "=");
	ck_assert_int_eq(store_write(s, NULL, &stub, "/h", "z", 1), 0);
}
END_TEST

/* ---------- quotas ---------- */

START_TEST(quota_nodes_and_size)
{
	struct xs_quota q = quota;
	char path[64];
	char big[100];
	int i;

	q.nodes = 5;
	store_set_quota(s, &q);
	store_mkdir(s, NULL, &dom0, "/local/domain/5");
	chmod_("/local/domain/5", "n5");	/* counts as 1 node of dom5 */
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/n%d", i);
		ck_assert_int_eq(store_write(s, NULL, &dom5, path, "", 0), 0);
	}
	ck_assert_int_eq(store_write(s, NULL, &dom5, "/local/domain/5/n9", "",
				     0), -ENOSPC);
	/* an existing node can still be rewritten */
	ck_assert_int_eq(store_write(s, NULL, &dom5, "/local/domain/5/n0",
				     "x", 1), 0);
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(store_write(s, NULL, &dom5, "/local/domain/5/n0",
				     big, 65), -ENOSPC);
	/* dom0 is exempt */
	ck_assert_int_eq(store_write(s, NULL, &dom0, "/local/domain/5/n0",
				     big, 100), 0);
	/* removing frees quota */
	ck_assert_int_eq(store_rm(s, NULL, &dom5, "/local/domain/5/n1"), 0);
	ck_assert_int_eq(store_write(s, NULL, &dom5, "/local/domain/5/n9", "",
				     0), 0);
}
END_TEST

START_TEST(quota_transactions)
{
	struct xs_tx *tx[5];
	int i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(store_tx_start(s, s, &dom5, &tx[i]), 0);
	ck_assert_int_eq(store_tx_start(s, s, &dom5, &tx[4]), -ENOSPC);
	ck_assert_int_eq(store_tx_start(s, s, &dom6, &tx[4]), 0);
	ck_assert_uint_eq(store_tx_count(s, 5), 4);
	store_tx_end(s, tx[0], false);
	ck_assert_int_eq(store_tx_start(s, s, &dom5, &tx[0]), 0);
	store_tx_drop_owner(s, s);
	ck_assert_uint_eq(store_tx_count(s, 5), 0);
	ck_assert_uint_eq(store_tx_count(s, 6), 0);
}
END_TEST

/* ---------- transactions ---------- */

START_TEST(tx_isolation_commit)
{
	struct xs_tx *tx;

	store_write(s, NULL, &dom0, "/t/a", "old", 3);
	ck_assert_int_eq(store_tx_start(s, s, &dom0, &tx), 0);
	ck_assert_uint_ne(store_tx_id(tx), 0);
	ck_assert_ptr_eq(store_tx_find(s, s, store_tx_id(tx)), tx);
	ck_assert_ptr_null(store_tx_find(s, &tx, store_tx_id(tx)));
	store_write(s, tx, &dom0, "/t/a", "new", 3);
	store_write(s, tx, &dom0, "/t/b/c", "x", 1);
	ck_assert_str_eq(rd(tx, &dom0, "/t/a"), "=new");
	ck_assert_str_eq(rd(NULL, &dom0, "/t/a"), "=old");
	ck_assert_str_eq(rd(NULL, &dom0, "/t/b/c"), "ENOENT");
	ck_assert_str_eq(ls(tx, "/t"), "a b ");
	ck_assert_str_eq(ls(NULL, "/t"), "a ");
	nevents = 0;
	ck_assert_int_eq(store_tx_end(s, tx, true), 0);
	/* /t/a and /t/b/c; the missing parent /t/b is covered by its child */
	ck_assert_int_eq(nevents, 2);
	ck_assert_str_eq(rd(NULL, &dom0, "/t/a"), "=new");
	ck_assert_str_eq(rd(NULL, &dom0, "/t/b/c"), "=x");
}
END_TEST

START_TEST(tx_abort)
{
	struct xs_tx *tx;

	store_tx_start(s, s, &dom0, &tx);
	store_write(s, tx, &dom0, "/gone", "x", 1);
	nevents = 0;
	ck_assert_int_eq(store_tx_end(s, tx, false), 0);
	ck_assert_int_eq(nevents, 0);
	ck_assert_str_eq(rd(NULL, &dom0, "/gone"), "ENOENT");
}
END_TEST

START_TEST(tx_conflict_and_retry)
{
	struct xs_tx *tx;
	int tries;

	store_write(s, NULL, &dom0, "/c/n", "1", 1);
	for (tries = 0; tries < 3; tries++) {
		store_tx_start(s, s, &dom0, &tx);
		ck_assert_str_eq(rd(tx, &dom0, "/c/n"),
				 tries ? "=other" : "=1");
		store_write(s, tx, &dom0, "/c/m", "x", 1);
		if (!tries)	/* somebody else changes what we read */
			store_write(s, NULL, &dom0, "/c/n", "other", 5);
		if (!store_tx_end(s, tx, true))
			break;
	}
	ck_assert_int_eq(tries, 1);
	ck_assert_str_eq(rd(NULL, &dom0, "/c/m"), "=x");
}
END_TEST

START_TEST(tx_blind_writes_do_not_conflict)
{
	struct xs_tx *t1, *t2;

	store_mkdir(s, NULL, &dom0, "/local/domain");
	store_tx_start(s, s, &dom0, &t1);
	store_tx_start(s, s, &dom0, &t2);
	store_write(s, t1, &dom0, "/local/domain/1/name", "a", 1);
	store_write(s, t2, &dom0, "/local/domain/2/name", "b", 1);
	ck_assert_int_eq(store_tx_end(s, t1, true), 0);
	ck_assert_int_eq(store_tx_end(s, t2, true), 0);
	ck_assert_str_eq(ls(NULL, "/local/domain"), "1 2 ");
}
END_TEST

START_TEST(tx_conflicts_on_creation_race)
{
	struct xs_tx *t1, *t2;

	store_tx_start(s, s, &dom0, &t1);
	store_tx_start(s, s, &dom0, &t2);
	store_write(s, t1, &dom0, "/same", "a", 1);
	store_write(s, t2, &dom0, "/same", "b", 1);
	ck_assert_int_eq(store_tx_end(s, t1, true), 0);
	ck_assert_int_eq(store_tx_end(s, t2, true), -EAGAIN);
	ck_assert_str_eq(rd(NULL, &dom0, "/same"), "=a");
}
END_TEST

START_TEST(tx_implicit_parents_do_not_conflict)
{
	struct xs_tx *t1, *t2, *t3;

	store_tx_start(s, s, &dom0, &t1);
	store_tx_start(s, s, &dom0, &t2);
	store_tx_start(s, s, &dom0, &t3);
	store_write(s, t1, &dom0, "/fresh/a", "1", 1);
	store_write(s, t2, &dom0, "/fresh/b", "2", 1);
	store_mkdir(s, t3, &dom0, "/fresh");
	ck_assert_int_eq(store_tx_end(s, t1, true), 0);
	ck_assert_int_eq(store_tx_end(s, t2, true), 0);
	ck_assert_int_eq(store_tx_end(s, t3, true), 0);
	ck_assert_str_eq(ls(NULL, "/fresh"), "a b ");
	ck_assert_str_eq(rd(NULL, &dom0, "/fresh/a"), "=1");
}
END_TEST

START_TEST(tx_implicit_parent_needs_write_access)
{
	struct xs_tx *tx;

	store_mkdir(s, NULL, &dom0, "/h5");
	chmod_("/h5", "n5");
	store_tx_start(s, s, &dom5, &tx);
	ck_assert_int_eq(store_write(s, tx, &dom5, "/h5/sub/x", "1", 1), 0);
	/* meanwhile dom0 creates the parent and keeps it to itself */
	store_mkdir(s, NULL, &dom0, "/h5/sub");
	chmod_("/h5/sub", "n0");
	ck_assert_int_eq(store_tx_end(s, tx, true), -EAGAIN);
	ck_assert_str_eq(rd(NULL, &dom0, "/h5/sub/x"), "ENOENT");
}
END_TEST

START_TEST(tx_touch_limit)
{
	struct xs_quota q = quota;
	struct xs_tx *tx;
	char path[32];
	int i, rc = 0;

	q.nodes = 10;
	store_set_quota(s, &q);
	store_tx_start(s, s, &dom5, &tx);
	for (i = 0; i < 5000 && rc != -ENOSPC; i++) {
		snprintf(path, sizeof(path), "/r%d", i);
		rc = store_read(s, tx, &dom5, path, NULL, NULL);
	}
	ck_assert_int_eq(rc, -ENOSPC);
	ck_assert_int_eq(i, 2 * 10 + 1024 + 1);
	store_tx_end(s, tx, false);
}
END_TEST

START_TEST(tx_rm_and_recreate)
{
	struct xs_tx *tx;

	store_write(s, NULL, &dom0, "/r/a/x", "1", 1);
	store_write(s, NULL, &dom0, "/r/a/y", "2", 1);
	store_tx_start(s, s, &dom0, &tx);
	ck_assert_int_eq(store_rm(s, tx, &dom0, "/r/a"), 0);
	ck_assert_str_eq(rd(tx, &dom0, "/r/a/x"), "ENOENT");
	ck_assert_str_eq(ls(tx, "/r"), "");
	ck_assert_int_eq(store_rm(s, tx, &dom0, "/r/a/x"), -ENOENT);
	store_write(s, tx, &dom0, "/r/a/z", "3", 1);
	ck_assert_str_eq(ls(tx, "/r/a"), "z ");
	ck_assert_str_eq(ls(NULL, "/r/a"), "x y ");
	ck_assert_int_eq(store_tx_end(s, tx, true), 0);
	ck_assert_str_eq(ls(NULL, "/r/a"), "z ");
	ck_assert_str_eq(rd(NULL, &dom0, "/r/a/x"), "ENOENT");
	ck_assert_uint_eq(store_nodes(s), 4);
}
END_TEST

START_TEST(tx_rm_then_write_same_child)
{
	struct xs_tx *tx;

	store_write(s, NULL, &dom0, "/k/a", "1", 1);
	store_write(s, NULL, &dom0, "/k/b", "1", 1);
	store_tx_start(s, s, &dom0, &tx);
	store_rm(s, tx, &dom0, "/k/a");
	ck_assert_str_eq(ls(tx, "/k"), "b ");
	store_write(s, tx, &dom0, "/k/a", "2", 1);
	ck_assert_str_eq(ls(tx, "/k"), "a b ");
	ck_assert_int_eq(store_tx_end(s, tx, true), 0);
	ck_assert_str_eq(rd(NULL, &dom0, "/k/a"), "=2");
}
END_TEST

START_TEST(tx_perms_and_quota_inside)
{
	struct xs_quota q = quota;
	struct xs_perm p[2] = { { 0, XS_PERM_NONE }, { 5, XS_PERM_READ } };
	struct xs_tx *tx;

	q.nodes = 2;
	store_set_quota(s, &q);
	store_mkdir(s, NULL, &dom0, "/h5");
	chmod_("/h5", "n5");
	store_tx_start(s, s, &dom5, &tx);
	ck_assert_int_eq(store_write(s, tx, &dom5, "/h5/a", "", 0), 0);
	ck_assert_int_eq(store_write(s, tx, &dom5, "/h5/b", "", 0), -ENOSPC);
	ck_assert_int_eq(store_write(s, tx, &dom5, "/other", "", 0), -EACCES);
	ck_assert_int_eq(store_tx_end(s, tx, true), 0);
	store_tx_start(s, s, &dom0, &tx);
	ck_assert_int_eq(store_set_perms(s, tx, &dom0, "/h5/a", p, 2), 0);
	ck_assert_int_eq(store_tx_end(s, tx, true), 0);
	ck_assert_str_eq(rd(NULL, &dom5, "/h5/a"), "=");
	ck_assert_int_eq(store_write(s, NULL, &dom5, "/h5/a", "", 0), -EACCES);
}
END_TEST

/* ---------- protocol helpers ---------- */

START_TEST(proto_canon_paths)
{
	char out[PROTO_PATH_BUF], big[XENSTORE_ABS_PATH_MAX + 2];
	size_t strip;

	ck_assert_int_eq(proto_canon("/a/b-c_d@e", 0, false, out, &strip), 0);
	ck_assert_str_eq(out, "/a/b-c_d@e");
	ck_assert_uint_eq(strip, 0);
	ck_assert_int_eq(proto_canon("x/y", 7, false, out, &strip), 0);
	ck_assert_str_eq(out, "/local/domain/7/x/y");
	ck_assert_uint_eq(strip, strlen("/local/domain/7/"));
	ck_assert_int_eq(proto_canon("/", 0, false, out, NULL), 0);
	ck_assert_int_eq(proto_canon("", 0, false, out, NULL), -EINVAL);
	ck_assert_int_eq(proto_canon("/a//b", 0, false, out, NULL), -EINVAL);
	ck_assert_int_eq(proto_canon("/a/", 0, false, out, NULL), -EINVAL);
	ck_assert_int_eq(proto_canon("/a b", 0, false, out, NULL), -EINVAL);
	ck_assert_int_eq(proto_canon("/a.b", 0, false, out, NULL), -EINVAL);
	ck_assert_int_eq(proto_canon("@releaseDomain", 0, false, out, NULL),
			 -EINVAL);
	ck_assert_int_eq(proto_canon("@releaseDomain", 0, true, out, NULL), 0);
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	big[XENSTORE_ABS_PATH_MAX] = '\0';
	ck_assert_int_eq(proto_canon(big, 0, false, out, NULL), 0);
	big[XENSTORE_ABS_PATH_MAX] = 'a';
	big[XENSTORE_ABS_PATH_MAX + 1] = '\0';
	ck_assert_int_eq(proto_canon(big, 0, false, out, NULL), -EINVAL);
	big[XENSTORE_REL_PATH_MAX + 1] = '\0';
	ck_assert_int_eq(proto_canon(big + 1, 0, false, out, NULL), 0);
	big[XENSTORE_REL_PATH_MAX + 1] = 'a';
	big[XENSTORE_REL_PATH_MAX + 2] = '\0';
	ck_assert_int_eq(proto_canon(big + 1, 0, false, out, NULL), -EINVAL);
}
END_TEST

static int parse(uint32_t type, const char *p, uint32_t len, struct xs_req *r)
{
	struct xsd_sockmsg h = { type, 1, 0, len };
	static char buf[64];	/* @r points into it after we return */

	memcpy(buf, p, len);
	buf[len] = '\0';
	return proto_parse(&h, buf, r);
}

START_TEST(proto_parse_shapes)
{
	struct xs_req r;
	struct xsd_sockmsg h = { XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };

	ck_assert_int_eq(proto_check_header(&h), -E2BIG);
	h.len = XENSTORE_PAYLOAD_MAX;
	ck_assert_int_eq(proto_check_header(&h), 0);
	ck_assert_int_eq(parse(XS_READ, "/a", 3, &r), 0);
	ck_assert_str_eq(r.arg[0], "/a");
	ck_assert_int_eq(parse(XS_READ, "/a", 2, &r), -EINVAL);
	ck_assert_int_eq(parse(XS_READ, "/a\0/b", 6, &r), -EINVAL);
	ck_assert_int_eq(parse(XS_READ, "", 0, &r), -EINVAL);
	ck_assert_int_eq(parse(XS_WRITE, "/a\0v\0w", 6, &r), 0);
	ck_assert_uint_eq(r.rlen, 3);
	ck_assert_int_eq(parse(XS_WRITE, "/a", 2, &r), -EINVAL);
	ck_assert_int_eq(parse(XS_WATCH, "/a\0tok", 7, &r), 0);
	ck_assert_str_eq(r.arg[1], "tok");
	ck_assert_int_eq(parse(XS_WATCH, "/a", 3, &r), -EINVAL);
	ck_assert_int_eq(parse(XS_TRANSACTION_START, "", 0, &r), 0);
	ck_assert_int_eq(parse(XS_TRANSACTION_START, "", 1, &r), 0);
	ck_assert_int_eq(parse(XS_DIRECTORY_PART, "/a\0" "0", 5, &r), 0);
	ck_assert_int_eq(parse(XS_DIRECTORY_PART, "/a", 3, &r), -EINVAL);
	ck_assert_int_eq(parse(XS_WATCH_EVENT, "", 0, &r), -ENOSYS);
	ck_assert_int_eq(parse(XS_ERROR, "", 0, &r), -ENOSYS);
	ck_assert_int_eq(parse(20, "", 0, &r), -ENOSYS);
	ck_assert_int_eq(parse(XS_TYPE_COUNT, "", 0, &r), -ENOSYS);
	ck_assert_int_eq(parse(XS_INVALID, "", 0, &r), -ENOSYS);
}
END_TEST

START_TEST(proto_numbers_perms_errors)
{
	struct xs_perm p[2];
	uint32_t v, n;
	char buf[16];

	ck_assert_int_eq(proto_parse_uint("4294967295", &v), 0);
	ck_assert_uint_eq(v, 4294967295u);
	ck_assert_int_eq(proto_parse_uint("4294967296", &v), -EINVAL);
	ck_assert_int_eq(proto_parse_uint("1x", &v), -EINVAL);
	ck_assert_int_eq(proto_parse_uint("", &v), -EINVAL);
	ck_assert_int_eq(proto_parse_domid("65535", &v), 0);
	ck_assert_int_eq(proto_parse_domid("65536", &v), -EINVAL);
	ck_assert_int_eq(proto_parse_perms("b0\0r12", 7, p, 2, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(p[1].domid, 12);
	ck_assert_uint_eq(p[1].perm, XS_PERM_READ);
	ck_assert_int_eq(proto_parse_perms("x0", 3, p, 2, &n), -EINVAL);
	ck_assert_int_eq(proto_parse_perms("r", 2, p, 2, &n), -EINVAL);
	ck_assert_int_eq(proto_parse_perms("r1", 2, p, 2, &n), -EINVAL);
	ck_assert_int_eq(proto_parse_perms("", 0, p, 2, &n), -EINVAL);
	ck_assert_int_eq(proto_parse_perms("r1\0r2\0r3", 9, p, 2, &n),
			 -ENOSPC);
	p[1].domid = 12;
	p[1].perm = XS_PERM_READ;
	ck_assert_uint_eq(proto_format_perm(&p[1], buf, sizeof(buf)), 4);
	ck_assert_str_eq(buf, "r12");
	ck_assert_str_eq(proto_errstr(EACCES), "EACCES");
	ck_assert_str_eq(proto_errstr(EAGAIN), "EAGAIN");
	ck_assert_str_eq(proto_errstr(E2BIG), "E2BIG");
	ck_assert_str_eq(proto_errstr(12345), "EIO");
	ck_assert_str_eq(proto_type_name(XS_DIRECTORY_PART), "DIRECTORY_PART");
}
END_TEST

/* ---------- watch index ---------- */

static char fired[64][160];
static int nfired;

static void rec_watch(void *arg, struct xs_watch *w, const char *epath)
{
	(void)arg;
	if (nfired < 64)
		snprintf(fired[nfired++], 160, "%s:%s", w->token,
			 epath + w->strip);
}

static bool has(const char *s)
{
	int i;

	for (i = 0; i < nfired; i++)
		if (!strcmp(fired[i], s))
			return true;
	return false;
}

START_TEST(watch_matching)
{
	struct watch_index wi;
	struct xs_watch *w[6];
	int owner;

	ck_assert_int_eq(watch_index_init(&wi), 0);
	ck_assert_int_eq(watch_add(&wi, &owner, "/a", "A", 0, &w[0]), 0);
	ck_assert_int_eq(watch_add(&wi, &owner, "/a/b/c", "C", 0, &w[1]), 0);
	ck_assert_int_eq(watch_add(&wi, &owner, "/ab", "AB", 0, &w[2]), 0);
	ck_assert_int_eq(watch_add(&wi, &owner, "/", "ROOT", 0, &w[3]), 0);
	ck_assert_int_eq(watch_add(&wi, &owner, "@releaseDomain", "R", 0,
				   &w[4]), 0);
	ck_assert_int_eq(watch_add(&wi, &owner, "/local/domain/3/x", "REL",
				   strlen("/local/domain/3/"), &w[5]), 0);
	ck_assert_int_eq(watch_add(&wi, &owner, "/a", "A", 0, &w[0]), -EEXIST);
	ck_assert_ptr_eq(watch_find(&wi, &owner, "/a/b/c", "C"), w[1]);
	ck_assert_ptr_null(watch_find(&wi, &owner, "/a/b/c", "X"));

	nfired = 0;
	watch_match(&wi, "/a/b", false, rec_watch, NULL);
	ck_assert_int_eq(nfired, 2);
	ck_assert(has("A:/a/b") && has("ROOT:/a/b"));

	nfired = 0;
	watch_match(&wi, "/a/b", true, rec_watch, NULL);	/* rm /a/b */
	ck_assert_int_eq(nfired, 3);
	ck_assert(has("C:/a/b/c"));

	nfired = 0;
	watch_match(&wi, "/abc", false, rec_watch, NULL);
	ck_assert_int_eq(nfired, 1);	/* only ROOT: "/a" is not a prefix */

	nfired = 0;
	watch_match(&wi, "@releaseDomain", false, rec_watch, NULL);
	ck_assert_int_eq(nfired, 1);
	ck_assert(has("R:@releaseDomain"));

	nfired = 0;
	watch_match(&wi, "/local/domain/3/x/y", false, rec_watch, NULL);
	ck_assert(has("REL:x/y"));

	nfired = 0;
	watch_match(&wi, "/local", true, rec_watch, NULL);
	ck_assert(has("REL:x"));

	watch_del(&wi, w[1]);
	nfired = 0;
	watch_match(&wi, "/a/b/c", false, rec_watch, NULL);
	ck_assert_int_eq(nfired, 2);
	watch_del(&wi, w[0]);
	watch_del(&wi, w[2]);
	watch_del(&wi, w[3]);
	watch_del(&wi, w[4]);
	watch_del(&wi, w[5]);
	ck_assert_uint_eq(wi.count, 0);
	ck_assert_uint_eq(wi.t.count, 0);	/* index nodes freed too */
	watch_index_destroy(&wi);
}
END_TEST

static Suite *suite(void)
{
	Suite *su = suite_create("xenstored-unit");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, write_read_mkdir);
	tcase_add_test(tc, rm_semantics);
	tcase_add_test(tc, directory_offsets);
	tcase_add_test(tc, perms_default_and_acl);
	tcase_add_test(tc, perms_owner_and_create);
	tcase_add_test(tc, perms_target);
	tcase_add_test(tc, quota_nodes_and_size);
	tcase_add_test(tc, quota_transactions);
	tcase_add_test(tc, tx_isolation_commit);
	tcase_add_test(tc, tx_abort);
	tcase_add_test(tc, tx_conflict_and_retry);
	tcase_add_test(tc, tx_blind_writes_do_not_conflict);
	tcase_add_test(tc, tx_conflicts_on_creation_race);
	tcase_add_test(tc, tx_implicit_parents_do_not_conflict);
	tcase_add_test(tc, tx_implicit_parent_needs_write_access);
	tcase_add_test(tc, tx_touch_limit);
	tcase_add_test(tc, tx_rm_and_recreate);
	tcase_add_test(tc, tx_rm_then_write_same_child);
	tcase_add_test(tc, tx_perms_and_quota_inside);
	suite_add_tcase(su, tc);

	tc = tcase_create("proto");
	tcase_add_test(tc, proto_canon_paths);
	tcase_add_test(tc, proto_parse_shapes);
	tcase_add_test(tc, proto_numbers_perms_errors);
	suite_add_tcase(su, tc);

	tc = tcase_create("watch");
	tcase_add_test(tc, watch_matching);
	suite_add_tcase(su, tc);
	return su;
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
