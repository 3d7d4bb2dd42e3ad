/*
 * Unit tests for libmini/crc32.c, kvfile.c and kvstore.c: check values,
 * round trips at the size limits, every kind of damage detected, the
 * previous generation kept and used, and a failed save changing nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"
#include "kvfile.h"
#include "kvstore.h"
#include "proto.h"

#define POOL 1

static struct gd_kv_meta meta[2][GD_KV_POOL_ENTRIES];
static struct gd_kv_slot slots[2][GD_KV_POOL_ENTRIES];
static uint8_t iobuf[65536];
static struct gd_kv_table tables[2];
static char dir[64];
static int dirfd_;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/kvstore-unit.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < 2; i++)
		gd_kv_init(&tables[i], meta[i], slots[i], GD_KV_POOL_ENTRIES);
	return dirfd_ < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	close(dirfd_);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void set_str(struct gd_kv_table *t, const char *k, const char *v)
{
	assert_int_equal(gd_kv_set(t, k, strlen(k), v, strlen(v), NULL), GD_S_OK);
}

static void assert_value(const struct gd_kv_table *t, const char *k,
			 const char *v)
{
	struct gd_kv_entry e;

	assert_int_equal(gd_kv_get(t, k, strlen(k), &e), GD_S_OK);
	assert_int_equal(e.vlen, strlen(v));
	assert_memory_equal(e.value, v, e.vlen);
}

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static long file_size(const char *name)
{
	char p[128];
	struct stat st;

	path_of(p, sizeof p, name);
	return stat(p, &st) ? -1 : (long)st.st_size;
}

static void patch(const char *name, long off, const void *bytes, size_t n)
{
	char p[128];
	int fd;

	path_of(p, sizeof p, name);
	fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, n, off), (ssize_t)n);
	close(fd);
}

static void truncate_file(const char *name, long len)
{
	char p[128];

	path_of(p, sizeof p, name);
	assert_int_equal(truncate(p, len), 0);
}

static void test_crc32(void **state)
{
	uint32_t c;

	(void)state;
	assert_int_equal(gd_crc32_update(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(gd_crc32_update(0, "", 0), 0);
	c = gd_crc32_update(0, "1234", 4);
	assert_int_equal(gd_crc32_update(c, "56789", 5), 0xcbf43926u);
	assert_int_equal(gd_crc32_update(0, "The quick brown fox jumps over "
					 "the lazy dog", 43), 0x414fa339u);
}

static void test_store_roundtrip(void **state)
{
	struct gd_kv_store s, s2;
	char msg[256];

	(void)state;
	assert_int_equal(gd_kvs_init(&s, dirfd_, "kv-a", POOL, iobuf,
				     sizeof iobuf), 0);
	assert_int_equal(gd_kvs_load(&s, &tables[0], msg, sizeof msg), 0);
	assert_int_equal(s.generation, 0);
	set_str(&tables[0], "x", "1");
	assert_int_equal(gd_kvs_save(&s, &tables[0], msg, sizeof msg), 0);
	set_str(&tables[0], "y", "2");
	assert_int_equal(gd_kvs_save(&s, &tables[0], msg, sizeof msg), 0);
	assert_int_equal(s.generation, 2);
	/* both generations exist; the header is 20 bytes, CRC 4 */
	assert_int_equal(file_size("kv-a.0"), 20 + 4 + 2 + 4);
	assert_int_equal(file_size("kv-a.1"), 20 + 2 * (4 + 2) + 4);
	assert_int_equal(file_size("kv-a.tmp"), -1);
	gd_kvs_init(&s2, dirfd_, "kv-a", POOL, iobuf, sizeof iobuf);
	assert_int_equal(gd_kvs_load(&s2, &tables[1], msg, sizeof msg), 0);
	assert_int_equal(s2.generation, 2);
	assert_int_equal(gd_kv_count(&tables[1]), 2);
	assert_value(&tables[1], "y", "2");
	/* the wrong pool number is refused */
	gd_kvs_init(&s2, dirfd_, "kv-a", POOL + 1, iobuf, sizeof iobuf);
	assert_int_equal(gd_kvs_load(&s2, &tables[1], msg, sizeof msg), 1);
	assert_non_null(strstr(msg, "another pool"));
	assert_int_equal(gd_kv_count(&tables[1]), 0);
}

/* A full pool of maximum-size entries survives a save and a load. */
static void test_store_full_max(void **state)
{
	static char key[GD_KV_KEY_MAX];
	static uint8_t val[GD_KV_VALUE_MAX];
	struct gd_kv_store s;
	struct gd_kv_entry e;
	char msg[256];

	(void)state;
	gd_kv_clear(&tables[0]);
	memset(key, 'k', sizeof key);
	for (unsigned i = 0; i < GD_KV_POOL_ENTRIES; i++) {
		snprintf(key, sizeof key, "%04u", i);
		key[4] = 'k';
		memset(val, (int)(i & 0xff), sizeof val);
		assert_int_equal(gd_kv_set(&tables[0], key, sizeof key, val,
					   sizeof val, NULL), GD_S_OK);
	}
	gd_kvs_init(&s, dirfd_, "kv-full", POOL, iobuf, GD_KVF_BUF_MIN);
	assert_int_equal(gd_kvs_save(&s, &tables[0], msg, sizeof msg), 0);
	assert_int_equal(file_size("kv-full.0"),
			 20 + GD_KV_POOL_ENTRIES * (4 + 512 + 2048) + 4);
	gd_kvs_init(&s, dirfd_, "kv-full", POOL, iobuf, GD_KVF_BUF_MIN);
	assert_int_equal(gd_kvs_load(&s, &tables[1], msg, sizeof msg), 0);
	assert_int_equal(gd_kv_count(&tables[1]), GD_KV_POOL_ENTRIES);
	snprintf(key, sizeof key, "%04u", 777u);
	key[4] = 'k';
	assert_int_equal(gd_kv_get(&tables[1], key, sizeof key, &e), GD_S_OK);
	memset(val, 777 & 0xff, sizeof val);
	assert_memory_equal(e.value, val, sizeof val);
	/* a buffer below the minimum is refused, not overrun */
	assert_int_equal(gd_kvs_init(&s, dirfd_, "kv-full", POOL, iobuf,
				     GD_KVF_BUF_MIN - 1), 0);
	assert_int_equal(gd_kvs_save(&s, &tables[0], msg, sizeof msg), -1);
}

/* Build generations 1 (x=old) in kv-d.0 and 2 (x=new) in kv-d.1. */
static void two_generations(void)
{
	struct gd_kv_store s;
	char msg[256];

	unlinkat(dirfd_, "kv-d.0", 0);
	unlinkat(dirfd_, "kv-d.1", 0);
	gd_kv_clear(&tables[0]);
	gd_kvs_init(&s, dirfd_, "kv-d", POOL, iobuf, sizeof iobuf);
	set_str(&tables[0], "x", "old");
	assert_int_equal(gd_kvs_save(&s, &tables[0], msg, sizeof msg), 0);
	set_str(&tables[0], "x", "new");
	set_str(&tables[0], "y", "yes");
	assert_int_equal(gd_kvs_save(&s, &tables[0], msg, sizeof msg), 0);
}

static int load_d(struct gd_kv_store *s, char *msg, size_t cap)
{
	gd_kvs_init(s, dirfd_, "kv-d", POOL, iobuf, sizeof iobuf);
	return gd_kvs_load(s, &tables[1], msg, cap);
}

static void expect_fallback(const char *what)
{
	struct gd_kv_store s;
	char msg[256];

	assert_int_equal(load_d(&s, msg, sizeof msg), 1);
	if (!strstr(msg, "kv-d.1") || !strstr(msg, what) ||
	    !strstr(msg, "using kv-d.0 (generation 1)"))
		fail_msg("message: %s (want %s)", msg, what);
	assert_int_equal(s.generation, 1);
	assert_value(&tables[1], "x", "old");
	assert_int_equal(gd_kv_count(&tables[1]), 1);
	assert_int_equal(s.next, 1); /* the damaged file is replaced next */
}

static void test_damage_detected(void **state)
{
	long size;
	uint8_t b;

	(void)state;
	/* every single flipped bit in the newer file is caught */
	two_generations();
	size = file_size("kv-d.1");
	for (long off = 0; off < size; off++) {
		struct gd_kv_store s;
		char msg[256];

		for (int bit = 0; bit < 8; bit += 3) {
			char p[128];
			int fd;

			path_of(p, sizeof p, "kv-d.1");
			fd = open(p, O_RDWR);
			assert_int_equal(pread(fd, &b, 1, off), 1);
			b ^= (uint8_t)(1u << bit);
			assert_int_equal(pwrite(fd, &b, 1, off), 1);
			/* a flipped generation byte may still look newest or
			 * oldest; either way no damaged data may load */
			if (load_d(&s, msg, sizeof msg) == 0)
				assert_true(off >= 8 && off < 16);
			else
				assert_value(&tables[1], "x", "old");
			b ^= (uint8_t)(1u << bit);
			assert_int_equal(pwrite(fd, &b, 1, off), 1);
			close(fd);
		}
	}
	patch("kv-d.1", size - 1, "\x00", 1);
	expect_fallback("bad checksum");
	two_generations();
	truncate_file("kv-d.1", size - 1);
	expect_fallback("truncated");
	two_generations();
	truncate_file("kv-d.1", 10);
	expect_fallback("truncated");
	two_generations();
	patch("kv-d.1", 0, "XDKV", 4);
	expect_fallback("not a GDKV file");
	two_generations();
	patch("kv-d.1", 4, "\x09\x00", 2);
	expect_fallback("unknown format version");
	two_generations();
	patch("kv-d.1", 20, "\xff\x0f", 2); /* klen 4095 */
	expect_fallback("over the size limits");
	two_generations();
	patch("kv-d.1", size, "junk", 4);
	expect_fallback("trailing bytes");
}

static void test_damage_both_and_recovery(void **state)
{
	struct gd_kv_store s;
	char msg[256];

	(void)state;
	two_generations();
	patch("kv-d.0", 0, "ZZZZ", 4);
	patch("kv-d.1", 0, "ZZZZ", 4);
	assert_int_equal(load_d(&s, msg, sizeof msg), 1);
	assert_non_null(strstr(msg, "kv-d.0"));
	assert_non_null(strstr(msg, "kv-d.1"));
	assert_int_equal(gd_kv_count(&tables[1]), 0);
	/* saving again makes a good file; the next load is clean */
	set_str(&tables[1], "z", "1");
	assert_int_equal(gd_kvs_save(&s, &tables[1], msg, sizeof msg), 0);
	assert_int_equal(load_d(&s, msg, sizeof msg), 1); /* kv-d.1 still bad */
	assert_value(&tables[1], "z", "1");
	assert_int_equal(gd_kvs_save(&s, &tables[1], msg, sizeof msg), 0);
	assert_int_equal(load_d(&s, msg, sizeof msg), 0);
	assert_string_equal(msg, "");
	assert_int_equal(s.generation, 2);
}

/* A duplicate key, or a record count the table cannot hold, is damage. */
static void test_bad_records(void **state)
{
	static struct gd_kv_meta m[4];
	static struct gd_kv_slot sl[4];
	struct gd_kv_table small;
	struct gd_kv_store s;
	char msg[256];
	int fd;
	struct gd_kvf_info info;
	const char *why = NULL;

	(void)state;
	two_generations(); /* kv-d.1: "x"=new, "y"=yes */
	patch("kv-d.1", 20 + 4 + 1 + 3 + 4, "x", 1); /* y -> x */
	assert_int_equal(load_d(&s, msg, sizeof msg), 1);
	assert_non_null(strstr(msg, "duplicate key"));
	two_generations();
	patch("kv-d.1", 20 + 4, "\n", 1);
	assert_int_equal(load_d(&s, msg, sizeof msg), 1);
	assert_non_null(strstr(msg, "bad key"));
	two_generations();
	gd_kv_init(&small, m, sl, 1);
	fd = openat(dirfd_, "kv-d.1", O_RDONLY);
	assert_int_equal(gd_kvf_read(fd, &small, POOL, &info, iobuf,
				     sizeof iobuf, &why), -1);
	assert_string_equal(why, "more records than the table holds");
	assert_int_equal(gd_kv_count(&small), 0);
	close(fd);
}

static void test_leftover_tmp_and_failed_save(void **state)
{
	struct gd_kv_store s;
	char msg[256], sub[128];
	int sfd;

	(void)state;
	two_generations();
	sfd = openat(dirfd_, "kv-d.tmp", O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(sfd, "half", 4), 4);
	close(sfd);
	assert_int_equal(load_d(&s, msg, sizeof msg), 0);
	assert_int_equal(file_size("kv-d.tmp"), -1);
	/* a save into a directory that is gone fails and changes nothing */
	path_of(sub, sizeof sub, "gone");
	assert_int_equal(mkdir(sub, 0700), 0);
	sfd = open(sub, O_RDONLY | O_DIRECTORY);
	assert_int_equal(rmdir(sub), 0);
	gd_kvs_init(&s, sfd, "kv-x", POOL, iobuf, sizeof iobuf);
	assert_int_equal(gd_kvs_save(&s, &tables[0], msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "create kv-x.tmp"));
	assert_int_equal(s.generation, 0);
	assert_int_equal(s.next, 0);
	close(sfd);
	/* a name that does not fit */
	assert_int_equal(gd_kvs_init(&s, dirfd_, "a-name-far-too-long-for-the-"
				     "store-field", POOL, iobuf, sizeof iobuf),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_store_roundtrip),
		cmocka_unit_test(test_store_full_max),
		cmocka_unit_test(test_damage_detected),
		cmocka_unit_test(test_damage_both_and_recovery),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_leftover_tmp_and_failed_save),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
