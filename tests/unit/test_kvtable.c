/*
 * Unit tests for libmini/kvtable.c and utf8.c: key rules at and past
 * every limit, strict UTF-8, set/get/del/undo, a full table, paged
 * iteration with a stable cursor, and the hash chains against a model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kvtable.h"
#include "proto.h"
#include "utf8.h"

static struct gd_kv_meta meta[GD_KV_POOL_ENTRIES];
static struct gd_kv_slot slots[GD_KV_POOL_ENTRIES];

static struct gd_kv_table *fresh(void)
{
	static struct gd_kv_table t;

	gd_kv_init(&t, meta, slots, GD_KV_POOL_ENTRIES);
	return &t;
}

static int key_status(const char *s)
{
	return gd_kv_key_check(s, strlen(s));
}

static void test_limits(void **state)
{
	static char key[GD_KV_KEY_MAX + 2];
	static uint8_t val[GD_KV_VALUE_MAX + 1];
	struct gd_kv_table *t = fresh();
	struct gd_kv_entry e;

	(void)state;
	assert_int_equal(GD_KV_KEY_MAX, 512);
	assert_int_equal(GD_KV_VALUE_MAX, 2048);
	memset(key, 'k', sizeof key);
	memset(val, 'v', sizeof val);
	assert_int_equal(gd_kv_set(t, key, GD_KV_KEY_MAX, "x", 1, NULL), GD_S_OK);
	assert_int_equal(gd_kv_set(t, key, GD_KV_KEY_MAX + 1, "x", 1, NULL),
			 GD_S_TOO_BIG);
	assert_int_equal(gd_kv_set(t, "v", 1, val, GD_KV_VALUE_MAX, NULL), GD_S_OK);
	assert_int_equal(gd_kv_set(t, "w", 1, val, GD_KV_VALUE_MAX + 1, NULL),
			 GD_S_TOO_BIG);
	assert_int_equal(gd_kv_set(t, "e", 1, "", 0, NULL), GD_S_OK);
	assert_int_equal(gd_kv_count(t), 3);
	assert_int_equal(gd_kv_get(t, "v", 1, &e), GD_S_OK);
	assert_int_equal(e.vlen, GD_KV_VALUE_MAX);
	assert_memory_equal(e.value, val, GD_KV_VALUE_MAX);
	assert_int_equal(gd_kv_get(t, "w", 1, &e), GD_S_NOT_FOUND);
	assert_int_equal(gd_kv_get(t, key, GD_KV_KEY_MAX, &e), GD_S_OK);
	assert_int_equal(e.klen, GD_KV_KEY_MAX);
}

static void test_key_rules(void **state)
{
	static const char *const good[] = {
		"a", "host.name", "with space", "=;:/\\\"'`~!", "caf\xc3\xa9",
		"\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbd",
		"\xc2\xa0", /* U+00A0, first after C1 */
		"\xf4\x8f\xbf\xbf", /* U+10FFFF */
		"ascii caf\xc3\xa9 ascii", /* the ASCII fast path around UTF-8 */
	};
	static const char *const bad[] = {
		"a\nb", "tab\there", "cr\r", "\x01", "\x1f", "del\x7f",
		"\xc2\x80", "\xc2\x85", "\xc2\x9f", /* C1 controls */
		"\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", /* overlong */
		"\xed\xa0\x80", "\xed\xbf\xbf", /* surrogates */
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe", /* > U+10FFFF */
		"\x80", "\xbf", "ab\xc3", "\xe2\x82", "\xf0\x9f\x98", /* stray, cut */
		"\xe2\x28\xa1", "\xc3\x28",
		"ok\xc2\x85ok", "ok\x1fok", "ok\x7f", /* after ASCII */
	};

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(key_status(good[i]), GD_S_OK);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (key_status(bad[i]) != GD_S_BAD_KEY)
			fail_msg("key %zu accepted", i);
	}
	assert_int_equal(gd_kv_key_check("", 0), GD_S_BAD_KEY);
	assert_int_equal(gd_kv_key_check("a\0b", 3), GD_S_BAD_KEY);
	assert_int_equal(gd_kv_set(fresh(), "a\nb", 3, "x", 1, NULL),
			 GD_S_BAD_KEY);
}

static void test_utf8_decode(void **state)
{
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(gd_utf8_decode((const uint8_t *)"\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(gd_utf8_decode((const uint8_t *)"\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(gd_utf8_decode((const uint8_t *)"\xe2\x82\xac", 2, &cp), 0);
	assert_true(gd_utf8_valid((const uint8_t *)"", 0));
	assert_false(gd_utf8_valid((const uint8_t *)"ok\xed\xa0\x80", 5));
}

static void test_set_get_del_undo(void **state)
{
	struct gd_kv_table *t = fresh();
	struct gd_kv_entry e;
	struct gd_kv_undo u;

	(void)state;
	assert_int_equal(gd_kv_set(t, "a", 1, "1", 1, NULL), GD_S_OK);
	assert_int_equal(gd_kv_set(t, "b", 1, "2", 1, NULL), GD_S_OK);
	/* replace, then undo the replace */
	assert_int_equal(gd_kv_set(t, "a", 1, "one", 3, &u), GD_S_OK);
	assert_int_equal(gd_kv_count(t), 2);
	gd_kv_undo(t, &u);
	assert_int_equal(gd_kv_get(t, "a", 1, &e), GD_S_OK);
	assert_int_equal(e.vlen, 1);
	assert_memory_equal(e.value, "1", 1);
	/* insert, then undo the insert */
	assert_int_equal(gd_kv_set(t, "c", 1, "3", 1, &u), GD_S_OK);
	assert_int_equal(gd_kv_count(t), 3);
	gd_kv_undo(t, &u);
	assert_int_equal(gd_kv_count(t), 2);
	assert_int_equal(gd_kv_get(t, "c", 1, &e), GD_S_NOT_FOUND);
	/* delete, then undo the delete */
	assert_int_equal(gd_kv_del(t, "b", 1, &u), GD_S_OK);
	assert_int_equal(gd_kv_get(t, "b", 1, &e), GD_S_NOT_FOUND);
	assert_int_equal(gd_kv_del(t, "b", 1, NULL), GD_S_NOT_FOUND);
	gd_kv_undo(t, &u);
	assert_int_equal(gd_kv_get(t, "b", 1, &e), GD_S_OK);
	assert_memory_equal(e.value, "2", 1);
	assert_int_equal(gd_kv_count(t), 2);
	/* keys differ by length and content, not just hash */
	assert_int_equal(gd_kv_get(t, "ab", 2, &e), GD_S_NOT_FOUND);
	assert_int_equal(gd_kv_del(t, "", 0, NULL), GD_S_NOT_FOUND);
}

static void key_of(char *out, size_t cap, unsigned i)
{
	snprintf(out, cap, "key-%04u", i);
}

static void test_full_pool(void **state)
{
	struct gd_kv_table *t = fresh();
	struct gd_kv_entry e;
	char k[32];

	(void)state;
	for (unsigned i = 0; i < GD_KV_POOL_ENTRIES; i++) {
		key_of(k, sizeof k, i);
		assert_int_equal(gd_kv_set(t, k, strlen(k), k, strlen(k), NULL),
				 GD_S_OK);
	}
	assert_int_equal(gd_kv_count(t), GD_KV_POOL_ENTRIES);
	assert_int_equal(gd_kv_set(t, "one-more", 8, "x", 1, NULL),
			 GD_S_POOL_FULL);
	/* replacing an existing key still works when full */
	assert_int_equal(gd_kv_set(t, "key-0007", 8, "new", 3, NULL), GD_S_OK);
	for (unsigned i = 0; i < GD_KV_POOL_ENTRIES; i++) {
		key_of(k, sizeof k, i);
		assert_int_equal(gd_kv_get(t, k, strlen(k), &e), GD_S_OK);
		if (i != 7)
			assert_memory_equal(e.value, k, strlen(k));
	}
	/* a delete makes room for exactly one */
	assert_int_equal(gd_kv_del(t, "key-0500", 8, NULL), GD_S_OK);
	assert_int_equal(gd_kv_set(t, "one-more", 8, "x", 1, NULL), GD_S_OK);
	assert_int_equal(gd_kv_set(t, "two-more", 8, "x", 1, NULL),
			 GD_S_POOL_FULL);
}

/* Entries present for a whole listing come out exactly once, even while
 * others are deleted and added between pages. */
static void test_cursor(void **state)
{
	struct gd_kv_table *t = fresh();
	static uint8_t seen[GD_KV_POOL_ENTRIES];
	struct gd_kv_entry e;
	uint32_t cursor = 0, n = 0;
	char k[32];

	(void)state;
	for (unsigned i = 0; i < 300; i++) {
		key_of(k, sizeof k, i);
		gd_kv_set(t, k, strlen(k), "", 0, NULL);
	}
	memset(seen, 0, sizeof seen);
	while (gd_kv_next(t, &cursor, &e)) {
		unsigned i;

		assert_int_equal(sscanf(e.key, "key-%4u", &i), 1);
		if (i < 300) {
			assert_int_equal(seen[i], 0);
			seen[i] = 1;
		}
		n++;
		if (n == 100) { /* churn mid-listing */
			gd_kv_del(t, "key-0010", 8, NULL);
			gd_kv_set(t, "key-0900", 8, "", 0, NULL);
			seen[10] = 1;
		}
	}
	for (unsigned i = 0; i < 300; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(gd_kv_next(t, &cursor, &e), 0);
	cursor = 5000; /* a cursor past the end is simply the end */
	assert_int_equal(gd_kv_next(t, &cursor, &e), 0);
}

/* The eight-bytes-a-step ASCII check: a bad byte at every position of
 * every length up to three words, and the printable edges everywhere. */
static void test_key_words(void **state)
{
	static const uint8_t bad[] = { 0x00, 0x1f, 0x7f, 0x80, 0x9f, 0xc3, 0xff };
	char key[25];

	(void)state;
	for (size_t n = 1; n <= 24; n++) {
		memset(key, 'a', n);
		assert_int_equal(gd_kv_key_check(key, n), GD_S_OK);
		for (size_t at = 0; at < n; at++) {
			memset(key, at % 2 ? ' ' : '~', n); /* 0x20, 0x7e */
			assert_int_equal(gd_kv_key_check(key, n), GD_S_OK);
			for (size_t b = 0; b < sizeof bad; b++) {
				key[at] = (char)bad[b];
				if (gd_kv_key_check(key, n) != GD_S_BAD_KEY)
					fail_msg("byte %#x at %zu of %zu accepted",
						 bad[b], at, n);
			}
		}
	}
	/* UTF-8 across a word boundary, with ASCII words after it */
	assert_int_equal(key_status("1234567\xc3\xa9" "abcdefghijklmnop"), GD_S_OK);
	assert_int_equal(key_status("1234567\xc2\x85" "abcdefghijklmnop"),
			 GD_S_BAD_KEY);
}

/* Key number k of a model: "k" and a number, so that lengths vary. */
static size_t model_key(char *out, size_t cap, unsigned k)
{
	return (size_t)snprintf(out, cap, "k%u", k * 7919u);
}

struct model {
	int present[40];
	uint32_t value[40];
};

static void check_model(const struct gd_kv_table *t, const struct model *m,
			unsigned nkeys)
{
	struct gd_kv_entry e;
	uint32_t count = 0;
	char k[32];

	for (unsigned i = 0; i < nkeys; i++) {
		size_t n = model_key(k, sizeof k, i);
		int st = gd_kv_get(t, k, n, &e);

		if (!m->present[i]) {
			assert_int_equal(st, GD_S_NOT_FOUND);
			continue;
		}
		assert_int_equal(st, GD_S_OK);
		assert_int_equal(e.vlen, sizeof m->value[i]);
		assert_memory_equal(e.value, &m->value[i], sizeof m->value[i]);
		count++;
	}
	assert_int_equal(gd_kv_count(t), count);
}

/* One random set or del, undone one time in four (model unchanged then). */
static void model_step(struct gd_kv_table *t, struct model *m, uint32_t rnd,
		       unsigned nkeys, uint32_t cap)
{
	struct gd_kv_undo u;
	unsigned i = (rnd >> 8) % nkeys, used = 0;
	int undo = (rnd >> 4) % 4 == 0, st;
	char k[32];
	size_t n = model_key(k, sizeof k, i);

	for (unsigned j = 0; j < nkeys; j++)
		used += (unsigned)m->present[j];
	if (rnd % 3 == 0) {
		st = gd_kv_del(t, k, n, &u);
		assert_int_equal(st, m->present[i] ? GD_S_OK : GD_S_NOT_FOUND);
		if (st == GD_S_OK && !undo)
			m->present[i] = 0;
	} else {
		st = gd_kv_set(t, k, n, &rnd, sizeof rnd, &u);
		if (!m->present[i] && used == cap) {
			assert_int_equal(st, GD_S_POOL_FULL);
			return;
		}
		assert_int_equal(st, GD_S_OK);
		if (!undo) {
			m->present[i] = 1;
			m->value[i] = rnd;
		}
	}
	if (st == GD_S_OK && undo)
		gd_kv_undo(t, &u);
}

/* The hash chains against a plain model: tables of several sizes (so
 * buckets are shared), sets, deletes and undos in a fixed pseudo-random
 * order, every key looked up after every step. */
static void test_chains(void **state)
{
	static struct gd_kv_meta m[16];
	static struct gd_kv_slot sl[16];
	static const uint32_t caps[] = { 1, 3, 7, 16 };
	struct gd_kv_table t;
	struct model model;
	uint32_t rnd = 12345;

	(void)state;
	for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
		unsigned nkeys = caps[c] * 2 + 3;

		memset(&model, 0, sizeof model);
		gd_kv_init(&t, m, sl, caps[c]);
		for (int step = 0; step < 3000; step++) {
			rnd = rnd * 1103515245u + 12345u;
			model_step(&t, &model, rnd, nkeys, caps[c]);
			check_model(&t, &model, nkeys);
		}
		gd_kv_clear(&t);
		memset(&model, 0, sizeof model);
		check_model(&t, &model, nkeys);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_key_rules),
		cmocka_unit_test(test_key_words),
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_set_get_del_undo),
		cmocka_unit_test(test_full_pool),
		cmocka_unit_test(test_cursor),
		cmocka_unit_test(test_chains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
