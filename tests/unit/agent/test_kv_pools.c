/*
 * Unit tests for the agent's KV pools (agent/kv/kv_pools.c, kv_persist.c,
 * with the KV ops of agent/native/svc_kv.c and the events of
 * kv_events.c): each pool's limits at and just past their named
 * constants (GD_KV_KEY_MAX, GD_KV_VALUE_MAX, GD_KV_POOL_ENTRIES,
 * GD_KV_AUTO_ENTRIES), who may write which pool (by gd_kv_pool_writable
 * and over the wire), deleting a key that is not there, and that a
 * refused write (over a limit, frozen filesystems, a save that fails)
 * loses nothing already stored, in memory or on disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "kv.h"
#include "native.h"

static struct th_answer ans[TH_MAX_ANSWERS];
static struct th_req req;
static char state_dir[64];

static int setup(void **state)
{
	(void)state;
	th_setup();
	return 0;
}

/* Remove what a test left in the state directory, then the directory. */
static void remove_state_dir(void)
{
	DIR *d;
	struct dirent *e;

	if (!state_dir[0])
		return;
	d = opendir(state_dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0))
			assert_int_equal(unlinkat(dirfd(d), e->d_name,
						  AT_REMOVEDIR), 0);
	}
	closedir(d);
	assert_int_equal(rmdir(state_dir), 0);
	state_dir[0] = '\0';
}

/* KV persistent in a fresh temporary directory, as state-dir= does. */
static void restart_persistent(void)
{
	if (th_agent.kv->dirfd >= 0)
		close(th_agent.kv->dirfd);
	th_agent.kv->dirfd = -1;
	th_agent.kv->store_error[0] = '\0'; /* a new guestd's */
	snprintf(th_agent.cfg.state_dir, sizeof th_agent.cfg.state_dir, "%s",
		 state_dir);
	gd_kv_start(&th_agent);
	assert_true(gd_kv_persistent(&th_agent));
	assert_string_equal(th_agent.kv->store_error, "");
}

static int setup_persistent(void **state)
{
	(void)state;
	th_setup();
	snprintf(state_dir, sizeof state_dir, "/tmp/gd-unit-kv-XXXXXX");
	assert_non_null(mkdtemp(state_dir));
	restart_persistent();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	th_teardown();
	remove_state_dir();
	return 0;
}

static int set(int pool, const char *key, size_t klen, const void *val,
	       size_t vlen, const char **why)
{
	*why = NULL;
	return gd_kv_apply_set(&th_agent, NULL, pool, key, klen, val, vlen, why);
}

static int set_str(int pool, const char *key, const char *val, const char **why)
{
	return set(pool, key, strlen(key), val, strlen(val), why);
}

static int del_str(int pool, const char *key, const char **why)
{
	*why = NULL;
	return gd_kv_apply_del(&th_agent, NULL, pool, key, strlen(key), why);
}

static struct gd_kv_table *pool(int p)
{
	return &th_agent.kv->pools[p];
}

/* key in pool p holds exactly val[vlen]. */
static void assert_holds(int p, const char *key, const void *val, size_t vlen)
{
	struct gd_kv_entry e;

	assert_int_equal(gd_kv_get(pool(p), key, strlen(key), &e), GD_S_OK);
	assert_int_equal(e.vlen, vlen);
	if (vlen)
		assert_memory_equal(e.value, val, vlen);
}

static void assert_absent(int p, const char *key)
{
	struct gd_kv_entry e;

	assert_int_equal(gd_kv_get(pool(p), key, strlen(key), &e), GD_S_NOT_FOUND);
}

static void test_roles(void **state)
{
	const char *why;

	(void)state;
	why = NULL;
	assert_true(gd_kv_pool_writable(GD_KV_ROLE_HOST, GD_KV_POOL_HOST, &why));
	assert_null(why);
	assert_true(gd_kv_pool_writable(GD_KV_ROLE_GUEST, GD_KV_POOL_GUEST, &why));
	assert_null(why);
	assert_false(gd_kv_pool_writable(GD_KV_ROLE_HOST, GD_KV_POOL_GUEST, &why));
	assert_string_equal(why, "the guest pool is read-only to the host");
	assert_false(gd_kv_pool_writable(GD_KV_ROLE_GUEST, GD_KV_POOL_HOST, &why));
	assert_string_equal(why, "the host pool is read-only to guest processes");
	for (int role = GD_KV_ROLE_HOST; role <= GD_KV_ROLE_GUEST; role++) {
		why = NULL;
		assert_false(gd_kv_pool_writable(role, GD_KV_POOL_AUTO, &why));
		assert_string_equal(why,
				    "the auto pool is filled by guestd and read-only");
	}
}

/* A KV_SET or KV_DEL on c; returns the answer's status. */
static uint16_t wire(struct gd_conn *c, uint16_t op, int p, const char *key,
		     const char *val)
{
	th_req_begin(&req, op, 1, 0);
	gd_tlv_u8(&req.w, GD_T_KV_POOL, (uint8_t)p);
	gd_tlv_str(&req.w, GD_T_KV_KEY, key);
	if (val)
		gd_tlv_str(&req.w, GD_T_KV_VALUE, val);
	th_req_end(&req);
	th_send(c, &req);
	th_one(c, &ans[0]);
	assert_int_equal(ans[0].hdr.op, op);
	return ans[0].hdr.status;
}

/* Guest processes write the guest pool only, hosts the host pool only. */
static void test_roles_over_the_wire(void **state)
{
	struct gd_conn *host = th_attach(0, GD_PROTO_NATIVE);
	struct gd_conn *guest = th_attach(1, GD_PROTO_NATIVE);

	(void)state;
	guest->sess.kv_role = GD_KV_ROLE_GUEST;
	assert_int_equal(wire(host, GD_OP_KV_SET, GD_KV_POOL_HOST, "h", "1"), GD_S_OK);
	assert_int_equal(wire(guest, GD_OP_KV_SET, GD_KV_POOL_GUEST, "g", "2"),
			 GD_S_OK);
	assert_holds(GD_KV_POOL_HOST, "h", "1", 1);
	assert_holds(GD_KV_POOL_GUEST, "g", "2", 1);

	assert_int_equal(wire(guest, GD_OP_KV_SET, GD_KV_POOL_HOST, "h", "x"),
			 GD_S_READ_ONLY);
	assert_string_equal(th_message(&ans[0]),
			    "the host pool is read-only to guest processes");
	assert_int_equal(wire(guest, GD_OP_KV_DEL, GD_KV_POOL_HOST, "h", NULL),
			 GD_S_READ_ONLY);
	assert_int_equal(wire(host, GD_OP_KV_SET, GD_KV_POOL_GUEST, "g", "x"),
			 GD_S_READ_ONLY);
	assert_string_equal(th_message(&ans[0]),
			    "the guest pool is read-only to the host");
	assert_int_equal(wire(host, GD_OP_KV_DEL, GD_KV_POOL_GUEST, "g", NULL),
			 GD_S_READ_ONLY);
	assert_int_equal(wire(host, GD_OP_KV_SET, GD_KV_POOL_AUTO, "hostname", "x"),
			 GD_S_READ_ONLY);
	assert_int_equal(wire(guest, GD_OP_KV_SET, GD_KV_POOL_AUTO, "a", "x"),
			 GD_S_READ_ONLY);
	/* nothing moved */
	assert_holds(GD_KV_POOL_HOST, "h", "1", 1);
	assert_holds(GD_KV_POOL_GUEST, "g", "2", 1);
	assert_absent(GD_KV_POOL_AUTO, "a");
	assert_int_equal(gd_kv_count(pool(GD_KV_POOL_HOST)), 1);
	assert_int_equal(gd_kv_count(pool(GD_KV_POOL_GUEST)), 1);
	/* everyone reads every pool */
	assert_int_equal(wire(guest, GD_OP_KV_GET, GD_KV_POOL_HOST, "h", NULL), GD_S_OK);
	assert_int_equal(wire(host, GD_OP_KV_GET, GD_KV_POOL_GUEST, "g", NULL), GD_S_OK);
	/* and the owners may delete */
	assert_int_equal(wire(guest, GD_OP_KV_DEL, GD_KV_POOL_GUEST, "g", NULL),
			 GD_S_OK);
	assert_absent(GD_KV_POOL_GUEST, "g");
}

static void test_key_limit(void **state)
{
	static char key[GD_KV_KEY_MAX + 2];
	const char *why;

	(void)state;
	memset(key, 'k', sizeof key);
	for (int p = GD_KV_POOL_HOST; p <= GD_KV_POOL_GUEST; p++) {
		assert_int_equal(set(p, key, GD_KV_KEY_MAX, "at", 2, &why), GD_S_OK);
		assert_int_equal(set(p, key, GD_KV_KEY_MAX + 1, "past", 4, &why),
				 GD_S_TOO_BIG);
		assert_string_equal(why, "key over 512 bytes");
		assert_int_equal(set(p, key, 0, "none", 4, &why), GD_S_BAD_KEY);
		assert_string_equal(why, "key must be 1..512 bytes of printable UTF-8");
		assert_int_equal(set_str(p, "new\nline", "x", &why), GD_S_BAD_KEY);
		assert_int_equal(gd_kv_count(pool(p)), 1);
		key[GD_KV_KEY_MAX] = '\0';
		assert_holds(p, key, "at", 2);
		key[GD_KV_KEY_MAX] = 'k';
	}
}

static void test_value_limit(void **state)
{
	static uint8_t val[GD_KV_VALUE_MAX + 1];
	const char *why;

	(void)state;
	memset(val, 0xee, sizeof val);
	for (int p = GD_KV_POOL_HOST; p <= GD_KV_POOL_GUEST; p++) {
		assert_int_equal(set(p, "k", 1, "", 0, &why), GD_S_OK);
		assert_holds(p, "k", "", 0);
		val[0] = 1;
		assert_int_equal(set(p, "k", 1, val, GD_KV_VALUE_MAX, &why), GD_S_OK);
		val[0] = 2;
		assert_int_equal(set(p, "k", 1, val, GD_KV_VALUE_MAX + 1, &why),
				 GD_S_TOO_BIG);
		assert_string_equal(why, "value over 2048 bytes");
		val[0] = 1;
		assert_holds(p, "k", val, GD_KV_VALUE_MAX);
		assert_int_equal(set(p, "other", 5, val, GD_KV_VALUE_MAX + 1, &why),
				 GD_S_TOO_BIG);
		assert_absent(p, "other");
		assert_int_equal(gd_kv_count(pool(p)), 1);
	}
}

/* Fill pool p to cap; the next new key is refused, the rest kept. */
static void fill_to_the_limit(int p, uint32_t cap)
{
	const char *why;
	char key[32], val[32];
	uint32_t have = gd_kv_count(pool(p));

	assert_int_equal(pool(p)->cap, cap);
	for (uint32_t i = have; i < cap; i++) {
		snprintf(key, sizeof key, "key-%u", i);
		snprintf(val, sizeof val, "value-%u", i);
		assert_int_equal(set_str(p, key, val, &why), GD_S_OK);
	}
	assert_int_equal(gd_kv_count(pool(p)), cap);
	assert_int_equal(set_str(p, "one-too-many", "x", &why), GD_S_POOL_FULL);
	if (cap == GD_KV_POOL_ENTRIES) /* the message names the host/guest size */
		assert_string_equal(why, "pool full (1024 entries): delete a key first");
	assert_absent(p, "one-too-many");
	assert_int_equal(gd_kv_count(pool(p)), cap);
	for (uint32_t i = have; i < cap; i++) {
		snprintf(key, sizeof key, "key-%u", i);
		snprintf(val, sizeof val, "value-%u", i);
		assert_holds(p, key, val, strlen(val));
	}
	/* a full pool still takes new values for its keys */
	snprintf(key, sizeof key, "key-%u", cap - 1);
	assert_int_equal(set_str(p, key, "replaced", &why), GD_S_OK);
	assert_holds(p, key, "replaced", 8);
	/* and a new key once one is gone */
	assert_int_equal(del_str(p, key, &why), GD_S_OK);
	assert_int_equal(set_str(p, "one-too-many", "x", &why), GD_S_OK);
	assert_int_equal(gd_kv_count(pool(p)), cap);
}

static void test_pool_limits(void **state)
{
	const char *why;

	(void)state;
	fill_to_the_limit(GD_KV_POOL_HOST, GD_KV_POOL_ENTRIES);
	/* pools are apart: a full host pool leaves the guest pool's room */
	assert_int_equal(gd_kv_count(pool(GD_KV_POOL_GUEST)), 0);
	assert_int_equal(set_str(GD_KV_POOL_GUEST, "g", "1", &why), GD_S_OK);
	fill_to_the_limit(GD_KV_POOL_GUEST, GD_KV_POOL_ENTRIES);
	/* the auto pool (guestd's own facts) has its own, smaller table */
	fill_to_the_limit(GD_KV_POOL_AUTO, GD_KV_AUTO_ENTRIES);
}

static void test_delete_missing(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(del_str(GD_KV_POOL_HOST, "nothing", &why), GD_S_NOT_FOUND);
	assert_string_equal(why, "no such key");
	assert_int_equal(set_str(GD_KV_POOL_HOST, "a", "1", &why), GD_S_OK);
	assert_int_equal(set_str(GD_KV_POOL_HOST, "b", "2", &why), GD_S_OK);
	assert_int_equal(del_str(GD_KV_POOL_HOST, "c", &why), GD_S_NOT_FOUND);
	/* a key of another pool is not this pool's */
	assert_int_equal(del_str(GD_KV_POOL_GUEST, "a", &why), GD_S_NOT_FOUND);
	assert_int_equal(gd_kv_count(pool(GD_KV_POOL_HOST)), 2);
	assert_int_equal(del_str(GD_KV_POOL_HOST, "a", &why), GD_S_OK);
	assert_absent(GD_KV_POOL_HOST, "a");
	assert_int_equal(del_str(GD_KV_POOL_HOST, "a", &why), GD_S_NOT_FOUND);
	assert_holds(GD_KV_POOL_HOST, "b", "2", 1);
	assert_int_equal(gd_kv_count(pool(GD_KV_POOL_HOST)), 1);
}

/*
 * A save that fails (the pool's temporary file cannot be created: a
 * directory is in its place) refuses the change and undoes it in
 * memory: a new value, a new key and a delete alike. Once saves work
 * again, what is on disk is what the table holds.
 */
static void test_failed_save_keeps_stored(void **state)
{
	const char *why;
	int dfd = th_agent.kv->dirfd;

	(void)state;
	assert_int_equal(set_str(GD_KV_POOL_HOST, "k", "v1", &why), GD_S_OK);
	assert_int_equal(set_str(GD_KV_POOL_HOST, "k2", "w", &why), GD_S_OK);
	assert_int_equal(mkdirat(dfd, "kv-host.tmp", 0700), 0);

	assert_int_equal(set_str(GD_KV_POOL_HOST, "k", "v2", &why), GD_S_INTERNAL);
	assert_non_null(strstr(why, "saving the host pool"));
	assert_holds(GD_KV_POOL_HOST, "k", "v1", 2);
	assert_int_equal(set_str(GD_KV_POOL_HOST, "new", "x", &why), GD_S_INTERNAL);
	assert_absent(GD_KV_POOL_HOST, "new");
	assert_int_equal(del_str(GD_KV_POOL_HOST, "k2", &why), GD_S_INTERNAL);
	assert_holds(GD_KV_POOL_HOST, "k2", "w", 1);
	assert_int_equal(gd_kv_count(pool(GD_KV_POOL_HOST)), 2);
	assert_non_null(strstr(th_agent.kv->store_error, "saving the host pool"));
	/* the value already stored needs no save: not refused */
	assert_int_equal(set_str(GD_KV_POOL_HOST, "k", "v1", &why), GD_S_OK);
	/* the guest pool saves to its own files */
	assert_int_equal(set_str(GD_KV_POOL_GUEST, "g", "1", &why), GD_S_OK);

	assert_int_equal(unlinkat(dfd, "kv-host.tmp", AT_REMOVEDIR), 0);
	assert_int_equal(set_str(GD_KV_POOL_HOST, "k", "v3", &why), GD_S_OK);
	/* what a restarted guestd loads */
	restart_persistent();
	assert_holds(GD_KV_POOL_HOST, "k", "v3", 2);
	assert_holds(GD_KV_POOL_HOST, "k2", "w", 1);
	assert_absent(GD_KV_POOL_HOST, "new");
	assert_holds(GD_KV_POOL_GUEST, "g", "1", 1);
	assert_int_equal(gd_kv_count(pool(GD_KV_POOL_HOST)), 2);
}

/* Frozen filesystems: persistent pools refuse changes (BUSY), keep all. */
static void test_frozen_refuses(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(set_str(GD_KV_POOL_HOST, "k", "v1", &why), GD_S_OK);
	th_agent.fsfreeze->quiet = 1;
	assert_int_equal(set_str(GD_KV_POOL_HOST, "k", "v2", &why), GD_S_BUSY);
	assert_non_null(strstr(why, "filesystems are frozen"));
	assert_int_equal(del_str(GD_KV_POOL_HOST, "k", &why), GD_S_BUSY);
	assert_int_equal(set_str(GD_KV_POOL_GUEST, "g", "1", &why), GD_S_BUSY);
	assert_holds(GD_KV_POOL_HOST, "k", "v1", 2);
	assert_absent(GD_KV_POOL_GUEST, "g");
	th_agent.fsfreeze->quiet = 0;
	assert_int_equal(set_str(GD_KV_POOL_HOST, "k", "v2", &why), GD_S_OK);
	restart_persistent();
	assert_holds(GD_KV_POOL_HOST, "k", "v2", 2);
}

/* Pools kept in memory have nothing to freeze. */
static void test_frozen_memory_only(void **state)
{
	const char *why;

	(void)state;
	assert_false(gd_kv_persistent(&th_agent));
	th_agent.fsfreeze->quiet = 1;
	assert_int_equal(set_str(GD_KV_POOL_HOST, "k", "v", &why), GD_S_OK);
	assert_int_equal(del_str(GD_KV_POOL_HOST, "k", &why), GD_S_OK);
	th_agent.fsfreeze->quiet = 0;
}

/*
 * Watchers hear of a change once it is applied, never from a refused
 * one, and the connection that made it is not told.
 */
static void test_changes_announced(void **state)
{
	static uint8_t big[GD_KV_VALUE_MAX + 1];
	struct gd_conn *watcher = th_attach(0, GD_PROTO_NATIVE);
	struct gd_conn *writer = th_attach(1, GD_PROTO_NATIVE);
	struct gd_conn *other = th_attach(2, GD_PROTO_NATIVE);
	struct gd_tlv_view tv;
	const char *why;
	uint8_t u8;

	(void)state;
	watcher->sess.kv_watch = 1u << GD_KV_POOL_HOST;
	writer->sess.kv_watch = 1u << GD_KV_POOL_HOST;
	other->sess.kv_watch = 1u << GD_KV_POOL_GUEST;
	assert_int_equal(gd_kv_apply_set(&th_agent, writer, GD_KV_POOL_HOST, "k", 1,
					 "v", 1, &why), GD_S_OK);
	assert_int_equal(gd_kv_apply_set(&th_agent, writer, GD_KV_POOL_HOST, "k", 1,
					 big, sizeof big, &why), GD_S_TOO_BIG);
	assert_int_equal(gd_kv_apply_del(&th_agent, writer, GD_KV_POOL_HOST, "x", 1,
					 &why), GD_S_NOT_FOUND);
	assert_int_equal(gd_kv_apply_del(&th_agent, writer, GD_KV_POOL_HOST, "k", 1,
					 &why), GD_S_OK);
	assert_int_equal(th_drain(watcher, ans, TH_MAX_ANSWERS), 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ans[i].hdr.flags, GD_F_EVENT);
		assert_int_equal(ans[i].hdr.op, GD_EV_KV_CHANGED);
		assert_int_equal(th_tlv(&ans[i], GD_T_KV_POOL, &tv), 0);
		assert_int_equal(gd_tlv_get_u8(&tv, &u8), 0);
		assert_int_equal(u8, GD_KV_POOL_HOST);
		assert_int_equal(th_tlv(&ans[i], GD_T_KV_KEY, &tv), 0);
		assert_int_equal(tv.len, 1);
		assert_int_equal(tv.val[0], 'k');
		assert_int_equal(th_tlv(&ans[i], GD_T_KV_CHANGE, &tv), 0);
		assert_int_equal(gd_tlv_get_u8(&tv, &u8), 0);
		assert_int_equal(u8, i == 0 ? GD_KV_CHANGE_SET : GD_KV_CHANGE_DEL);
	}
	assert_int_equal(gd_out_len(writer), 0);
	assert_int_equal(gd_out_len(other), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test_setup_teardown(test_roles_over_the_wire, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_key_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_save_keeps_stored,
						setup_persistent, teardown),
		cmocka_unit_test_setup_teardown(test_frozen_refuses,
						setup_persistent, teardown),
		cmocka_unit_test_setup_teardown(test_frozen_memory_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_changes_announced, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
