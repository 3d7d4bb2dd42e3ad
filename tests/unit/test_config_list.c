/*
 * List keys (GD_CT_LIST) of libmini/config.c. The shipped key table has no
 * list key yet, so this test compiles config.c a second time with its
 * public names renamed and its key table replaced by one with list keys
 * laid over struct gd_config's string fields. The parsing code under test
 * is the real one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define gd_config_set tl_config_set
#define gd_config_parse_file tl_config_parse_file
#define gd_config_parse_cmdline tl_config_parse_cmdline
#define gd_config_parse_args tl_config_parse_args
#define gd_cfg_list_next tl_cfg_list_next
#define gd_cfg_keys tl_cfg_keys
#define gd_cfg_find tl_cfg_find
#include "config.c"

#define FIELD(f) offsetof(struct gd_config, f), \
	sizeof(((struct gd_config *)0)->f)

/* "small" holds at most 15 bytes of entries and separators. */
static const struct gd_cfg_key list_keys[] = {
	{ "env", GD_CT_LIST, FIELD(unix_path), 0, 0, 0, "K=V", "no split" },
	{ "tags", GD_CT_LIST, FIELD(conf_path), 0, 0, 1, "A,B", "comma split" },
	{ "small", GD_CT_LIST, FIELD(log_level), 0, 0, 1, "A,B", "tiny" },
	{ "flag", GD_CT_BOOL, FIELD(vsock), 0, 1, 0, NULL, "a bool" },
	/* Never written: refused before its (impossible) size is used. */
	{ "huge", GD_CT_LIST, 0, GD_CFG_LIST_MAX + 1, 0, 0, 0, "A", "too big" },
};

const struct gd_cfg_key *gd_cfg_keys(size_t *count)
{
	*count = sizeof list_keys / sizeof list_keys[0];
	return list_keys;
}

const struct gd_cfg_key *gd_cfg_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof list_keys / sizeof list_keys[0]; i++)
		if (strlen(list_keys[i].name) == len &&
		    memcmp(list_keys[i].name, name, len) == 0)
			return &list_keys[i];
	return NULL;
}

static struct gd_config cfg;
static int nreports;

static void count_report(void *ctx, const char *where, int line,
			 const char *msg)
{
	(void)ctx;
	(void)where;
	(void)line;
	(void)msg;
	nreports++;
}

static int setup(void **state)
{
	(void)state;
	memset(&cfg, 0, sizeof cfg);
	nreports = 0;
	return 0;
}

static int set(const char *key, const char *val, int src)
{
	char err[160];

	return gd_config_set(&cfg, key, strlen(key), val, src, err, sizeof err);
}

static int file(const char *text)
{
	return gd_config_parse_file(&cfg, text, strlen(text), count_report, NULL);
}

static int cmdline(const char *text)
{
	return gd_config_parse_cmdline(&cfg, text, strlen(text), count_report,
				       NULL);
}

static int flags(const char *a, const char *b)
{
	char *argv[] = { "guestd", (char *)a, (char *)b, NULL };
	int argi = 1;

	return gd_config_parse_args(&cfg, b ? 3 : 2, argv, &argi, count_report,
				    NULL);
}

static void test_append_within_source(void **state)
{
	(void)state;
	assert_int_equal(file("env=A=1\nenv=B=2\n"), 0);
	assert_string_equal(cfg.unix_path, "A=1\nB=2");
	assert_int_equal(file("env=C\n"), 0);
	assert_string_equal(cfg.unix_path, "A=1\nB=2\nC");
}

static void test_replaced_by_higher_source(void **state)
{
	(void)state;
	assert_int_equal(file("env=A\nenv=B\n"), 0);
	assert_int_equal(cmdline("guestd.env=C"), 0);
	assert_string_equal(cfg.unix_path, "C");
	assert_int_equal(file("env=D\n"), 0); /* lower: ignored */
	assert_string_equal(cfg.unix_path, "C");
	assert_int_equal(cmdline("guestd.env=E"), 0);
	assert_string_equal(cfg.unix_path, "C\nE");
	assert_int_equal(flags("--env", "F"), 0);
	assert_string_equal(cfg.unix_path, "F");
	assert_int_equal(flags("--env=G", NULL), 0);
	assert_string_equal(cfg.unix_path, "F\nG");
}

static void test_order_does_not_matter(void **state)
{
	(void)state;
	assert_int_equal(flags("--tags", "x,y"), 0);
	assert_int_equal(cmdline("guestd.tags=c"), 0);
	assert_int_equal(file("tags=f\n"), 0);
	assert_string_equal(cfg.conf_path, "x\ny");
}

static void test_comma_split(void **state)
{
	(void)state;
	assert_int_equal(file("tags=a,b,,c,\ntags=d\nenv=a,b\n"), 0);
	assert_string_equal(cfg.conf_path, "a\nb\nc\nd");
	assert_string_equal(cfg.unix_path, "a,b");
}

static void test_bad_entries(void **state)
{
	(void)state;
	assert_int_equal(set("env", "ok", GD_SRC_FILE), 0);
	assert_int_equal(set("env", "", GD_SRC_FILE), -1);
	assert_int_equal(set("env", "two\nlines", GD_SRC_FILE), -1);
	assert_string_equal(cfg.unix_path, "ok");
}

static void test_capacity(void **state)
{
	(void)state;
	/* 15 bytes of entries and separators fit in 16; one more does not. */
	assert_int_equal(set("small", "abcdefg,1234567", GD_SRC_FILE), 0);
	assert_string_equal(cfg.log_level, "abcdefg\n1234567");
	assert_int_equal(set("small", "z", GD_SRC_FILE), -1);
	assert_string_equal(cfg.log_level, "abcdefg\n1234567");
	setup(NULL);
	assert_int_equal(set("small", "123456789012345", GD_SRC_FILE), 0);
	setup(NULL);
	assert_int_equal(set("small", "1234567890123456", GD_SRC_FILE), -1);
	assert_string_equal(cfg.log_level, "");
}

/* A refused value changes nothing: no partial append, no lost list. */
static void test_refused_value_keeps_list(void **state)
{
	(void)state;
	assert_int_equal(set("small", "a,b", GD_SRC_FILE), 0);
	assert_int_equal(set("small", "c,0123456789abcdef", GD_SRC_FILE), -1);
	assert_string_equal(cfg.log_level, "a\nb");
	assert_int_equal(set("small", "0123456789abcdef", GD_SRC_FLAG), -1);
	assert_string_equal(cfg.log_level, "a\nb");
	assert_int_equal(cfg.src[2], GD_SRC_FILE);
	assert_int_equal(set("small", "c", GD_SRC_FILE), 0);
	assert_string_equal(cfg.log_level, "a\nb\nc");
}

static void test_list_field_over_max(void **state)
{
	char err[160];

	(void)state;
	assert_int_equal(gd_config_set(&cfg, "huge", 4, "a", GD_SRC_FILE, err,
				       sizeof err), -1);
	assert_string_equal(err, "huge: list field over 2048 bytes");
}

static void test_iterate(void **state)
{
	const char *e;
	size_t pos = 0;
	int n;

	(void)state;
	assert_int_equal(file("tags=one,two\n"), 0);
	n = gd_cfg_list_next(cfg.conf_path, &pos, &e);
	assert_int_equal(n, 3);
	assert_memory_equal(e, "one", 3);
	n = gd_cfg_list_next(cfg.conf_path, &pos, &e);
	assert_int_equal(n, 3);
	assert_memory_equal(e, "two", 3);
	assert_int_equal(gd_cfg_list_next(cfg.conf_path, &pos, &e), -1);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_append_within_source),
		T(test_replaced_by_higher_source),
		T(test_order_does_not_matter),
		T(test_comma_split),
		T(test_bad_entries),
		T(test_capacity),
		T(test_refused_value_keeps_list),
		T(test_list_field_over_max),
		T(test_iterate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
