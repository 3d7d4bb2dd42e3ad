/*
 * Unit tests for libmini/peer.c and the security config keys: who may
 * connect (CID 2 and root always; allow-* lists up to GD_PEER_LIST_MAX
 * entries) and the bounds of frame-deadline-ms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "peer.h"

static void test_defaults(void **state)
{
	struct gd_peer_policy p;
	char err[128];

	(void)state;
	assert_int_equal(gd_peer_policy_load(&p, "", "", "", err, sizeof err), 0);
	assert_true(gd_peer_cid_allowed(&p, 2));
	assert_false(gd_peer_cid_allowed(&p, 1));
	assert_false(gd_peer_cid_allowed(&p, 3));
	assert_false(gd_peer_cid_allowed(&p, 0xffffffffu));
	assert_true(gd_peer_cred_allowed(&p, 0, 0));
	assert_true(gd_peer_cred_allowed(&p, 0, 1000));
	assert_false(gd_peer_cred_allowed(&p, 1000, 1000));
	assert_false(gd_peer_cred_allowed(&p, 1000, 0)); /* gid 0 is not root */
}

static void test_lists(void **state)
{
	struct gd_peer_policy p;
	char err[128];

	(void)state;
	assert_int_equal(gd_peer_policy_load(&p, "1\n5", "1000", "50\n4294967295",
					     err, sizeof err), 0);
	assert_true(gd_peer_cid_allowed(&p, 1));
	assert_true(gd_peer_cid_allowed(&p, 5));
	assert_true(gd_peer_cid_allowed(&p, 2));
	assert_false(gd_peer_cid_allowed(&p, 3));
	assert_true(gd_peer_cred_allowed(&p, 1000, 1));
	assert_true(gd_peer_cred_allowed(&p, 7, 50));
	assert_true(gd_peer_cred_allowed(&p, 7, 4294967295u));
	assert_false(gd_peer_cred_allowed(&p, 7, 51));
}

/* "0\n1\n...\n(n-1)" */
static void numbers(char *out, size_t cap, int n)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%d",
					i ? "\n" : "", i + 10);
}

static void test_limits(void **state)
{
	struct gd_peer_policy p;
	char list[256], err[128];

	(void)state;
	numbers(list, sizeof list, GD_PEER_LIST_MAX);
	assert_int_equal(gd_peer_policy_load(&p, list, list, list, err,
					     sizeof err), 0);
	assert_true(gd_peer_cid_allowed(&p, 10 + GD_PEER_LIST_MAX - 1));
	numbers(list, sizeof list, GD_PEER_LIST_MAX + 1);
	assert_int_equal(gd_peer_policy_load(&p, "", list, "", err, sizeof err),
			 -1);
	assert_non_null(strstr(err, "allow-uid: more than 16 entries"));
	assert_int_equal(gd_peer_policy_load(&p, "", "", "4294967296", err,
					     sizeof err), -1);
	assert_non_null(strstr(err, "allow-gid: '4294967296' is not a number"));
	assert_int_equal(gd_peer_policy_load(&p, "3x", "", "", err, sizeof err),
			 -1);
	assert_int_equal(gd_peer_policy_load(&p, "-1", "", "", err, sizeof err),
			 -1);
	assert_int_equal(gd_peer_policy_load(&p, " 3", "", "", err, sizeof err),
			 -1);
}

static int set(struct gd_config *c, const char *k, const char *v)
{
	char err[160];

	return gd_config_set(c, k, strlen(k), v, GD_SRC_FILE, err, sizeof err);
}

static void test_config_keys(void **state)
{
	struct gd_config c;
	struct gd_peer_policy p;
	char err[128];

	(void)state;
	gd_config_defaults(&c);
	assert_int_equal(c.frame_deadline_ms, 0); /* built-in default */
	assert_int_equal(set(&c, "frame-deadline-ms", "100"), 0);
	assert_int_equal(c.frame_deadline_ms, GD_FRAME_DEADLINE_MIN_MS);
	assert_int_equal(set(&c, "frame-deadline-ms", "99"), -1);
	assert_int_equal(set(&c, "frame-deadline-ms", "0"), -1);
	assert_int_equal(set(&c, "frame-deadline-ms", "600000"), 0);
	assert_int_equal(c.frame_deadline_ms, GD_FRAME_DEADLINE_MAX_MS);
	assert_int_equal(set(&c, "frame-deadline-ms", "600001"), -1);
	assert_int_equal(c.frame_deadline_ms, GD_FRAME_DEADLINE_MAX_MS);
	/* Lists: commas and repeats add entries. */
	assert_int_equal(set(&c, "allow-cid", "1,3"), 0);
	assert_int_equal(set(&c, "allow-cid", "4"), 0);
	assert_string_equal(c.allow_cid, "1\n3\n4");
	assert_int_equal(set(&c, "allow-uid", "1000"), 0);
	assert_int_equal(set(&c, "allow-gid", "100,101"), 0);
	assert_int_equal(gd_peer_policy_load(&p, c.allow_cid, c.allow_uid,
					     c.allow_gid, err, sizeof err), 0);
	assert_true(gd_peer_cid_allowed(&p, 4));
	assert_true(gd_peer_cred_allowed(&p, 5, 101));
	assert_int_equal(set(&c, "key-file", "/etc/guestd.key"), 0);
	assert_string_equal(c.key_file, "/etc/guestd.key");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_config_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
