/*
 * libmini/config with the real key table: precedence flags > cmdline >
 * file > defaults applied in every order, bool forms, --no-KEY, --KEY=V
 * and --KEY V, uint bounds and hex, strings at their field size and one
 * past, error reports with line numbers, cmdline quoting, comments, CRLF.
 * List keys are tested in test_config_list.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

#define MAX_REPORTS 16

struct report {
	char where[16];
	int line;
	char msg[160];
};

static struct report reports[MAX_REPORTS];
static int nreports;
static struct gd_config cfg;

static void collect(void *ctx, const char *where, int line, const char *msg)
{
	(void)ctx;
	assert_true(nreports < MAX_REPORTS);
	snprintf(reports[nreports].where, sizeof reports[0].where, "%s", where);
	reports[nreports].line = line;
	snprintf(reports[nreports].msg, sizeof reports[0].msg, "%s", msg);
	nreports++;
}

static int setup(void **state)
{
	(void)state;
	gd_config_defaults(&cfg);
	nreports = 0;
	return 0;
}

static int parse_file(const char *text)
{
	return gd_config_parse_file(&cfg, text, strlen(text), collect, NULL);
}

static int parse_cmdline(const char *text)
{
	return gd_config_parse_cmdline(&cfg, text, strlen(text), collect, NULL);
}

/* Parse flags from a NULL-terminated list; returns errors, *next the stop. */
static int parse_flags(const char *const *args, int *next)
{
	char *argv[16];
	int argc = 0, argi = 1, errors;

	argv[argc++] = "guestd";
	while (*args)
		argv[argc++] = (char *)*args++;
	errors = gd_config_parse_args(&cfg, argc, argv, &argi, collect, NULL);
	if (next)
		*next = argi;
	return errors;
}

static int set(const char *key, const char *val, int src)
{
	char err[160];

	return gd_config_set(&cfg, key, strlen(key), val, src, err, sizeof err);
}

static size_t key_index(const char *name)
{
	size_t count;
	const struct gd_cfg_key *keys = gd_cfg_keys(&count);
	const struct gd_cfg_key *k = gd_cfg_find(name, strlen(name));

	assert_non_null(k);
	return (size_t)(k - keys);
}

static void assert_report(int i, const char *where, int line, const char *msg)
{
	assert_true(i < nreports);
	assert_string_equal(reports[i].where, where);
	assert_int_equal(reports[i].line, line);
	assert_string_equal(reports[i].msg, msg);
}

static void test_defaults(void **state)
{
	size_t count;

	(void)state;
	assert_int_equal(cfg.vsock, 1);
	assert_int_equal(cfg.vsock_port, 2761);
	assert_string_equal(cfg.unix_path, "");
	assert_string_equal(cfg.log_level, "info");
	assert_string_equal(cfg.conf_path, "/etc/guestd.conf");
	assert_string_equal(cfg.cmdline_path, "/proc/cmdline");
	gd_cfg_keys(&count);
	assert_true(count <= GD_CFG_MAX_KEYS);
	for (size_t i = 0; i < count; i++)
		assert_int_equal(cfg.src[i], GD_SRC_DEFAULT);
}

static void test_key_table(void **state)
{
	size_t count;
	const struct gd_cfg_key *k = gd_cfg_keys(&count);

	(void)state;
	for (size_t i = 0; i < count; i++) {
		assert_ptr_equal(gd_cfg_find(k[i].name, strlen(k[i].name)), &k[i]);
		assert_true(k[i].offset + k[i].size <=
			    offsetof(struct gd_config, src));
		if (k[i].type == GD_CT_LIST)
			assert_true(k[i].size <= GD_CFG_LIST_MAX);
	}
	assert_null(gd_cfg_find("vsock-p", 7));
	assert_null(gd_cfg_find("vsock-portx", 11));
	assert_ptr_equal(gd_cfg_find("vsock-port=5", 10), gd_cfg_find("vsock-port", 10));
}

/* ---- precedence ---- */

static const char prec_file[] =
	"vsock-port=10\nlog-level=warn\nunix=/file.sock\n";
static const char prec_cmdline[] =
	"quiet guestd.vsock-port=20 guestd.log-level=debug\n";
static const char *const prec_flags[] = { "--vsock-port", "30", NULL };

static void apply_source(int which)
{
	switch (which) {
	case GD_SRC_FILE:
		assert_int_equal(parse_file(prec_file), 0);
		break;
	case GD_SRC_CMDLINE:
		assert_int_equal(parse_cmdline(prec_cmdline), 0);
		break;
	default:
		assert_int_equal(parse_flags(prec_flags, NULL), 0);
		break;
	}
}

static void test_precedence_every_order(void **state)
{
	static const int orders[6][3] = {
		{ 1, 2, 3 }, { 1, 3, 2 }, { 2, 1, 3 },
		{ 2, 3, 1 }, { 3, 1, 2 }, { 3, 2, 1 },
	};

	(void)state;
	for (int o = 0; o < 6; o++) {
		gd_config_defaults(&cfg);
		for (int s = 0; s < 3; s++)
			apply_source(orders[o][s]);
		assert_int_equal(nreports, 0);
		assert_int_equal(cfg.vsock_port, 30);
		assert_string_equal(cfg.log_level, "debug");
		assert_string_equal(cfg.unix_path, "/file.sock");
		assert_int_equal(cfg.vsock, 1);
		assert_string_equal(cfg.conf_path, "/etc/guestd.conf");
		assert_int_equal(cfg.src[key_index("vsock-port")], GD_SRC_FLAG);
		assert_int_equal(cfg.src[key_index("log-level")], GD_SRC_CMDLINE);
		assert_int_equal(cfg.src[key_index("unix")], GD_SRC_FILE);
		assert_int_equal(cfg.src[key_index("vsock")], GD_SRC_DEFAULT);
	}
}

static void test_set_results(void **state)
{
	char err[160];

	(void)state;
	assert_int_equal(set("vsock-port", "5", GD_SRC_CMDLINE), 0);
	assert_int_equal(set("vsock-port", "6", GD_SRC_FILE), 1);  /* lower */
	assert_int_equal(set("vsock-port", "7", GD_SRC_CMDLINE), 0); /* same */
	assert_int_equal(cfg.vsock_port, 7);
	assert_int_equal(set("vsock-port", "8", GD_SRC_FLAG), 0);
	assert_int_equal(set("vsock-port", "x", GD_SRC_FILE), 1); /* not parsed */
	assert_int_equal(cfg.vsock_port, 8);
	assert_int_equal(gd_config_set(&cfg, "nope", 4, "1", GD_SRC_FLAG, err,
				       sizeof err), -1);
	assert_string_equal(err, "unknown key 'nope'");
}

static void test_same_source_last_wins(void **state)
{
	static const char *const flags[] = { "--vsock-port", "1",
					     "--vsock-port=2", NULL };

	(void)state;
	assert_int_equal(parse_file("vsock-port=5\nvsock-port=6\n"), 0);
	assert_int_equal(cfg.vsock_port, 6);
	assert_int_equal(parse_cmdline("guestd.unix=/a guestd.unix=/b"), 0);
	assert_string_equal(cfg.unix_path, "/b");
	assert_int_equal(parse_flags(flags, NULL), 0);
	assert_int_equal(cfg.vsock_port, 2);
}

/* ---- value syntax ---- */

static void test_bool_forms(void **state)
{
	static const char *const on[] = { "1", "yes", "true", "on" };
	static const char *const off[] = { "0", "no", "false", "off" };
	static const char *const bad[] = { "", "2", "Yes", "TRUE", "tru",
					   "on ", "yess", "-1" };
	char err[160];

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(set("vsock", off[i], GD_SRC_FILE), 0);
		assert_int_equal(cfg.vsock, 0);
		assert_int_equal(set("vsock", on[i], GD_SRC_FILE), 0);
		assert_int_equal(cfg.vsock, 1);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(gd_config_set(&cfg, "vsock", 5, bad[i],
					       GD_SRC_FILE, err, sizeof err), -1);
		assert_non_null(strstr(err, "is not a boolean"));
		assert_int_equal(cfg.vsock, 1);
	}
}

static void test_flag_forms(void **state)
{
	static const char *const a[] = { "--no-vsock", "--unix=/eq", NULL };
	static const char *const b[] = { "--vsock", "--unix", "/space",
					 "--log-level", "--odd", NULL };
	static const char *const c[] = { "--vsock=off", NULL };
	int next;

	(void)state;
	assert_int_equal(parse_flags(a, &next), 0);
	assert_int_equal(next, 3);
	assert_int_equal(cfg.vsock, 0);
	assert_string_equal(cfg.unix_path, "/eq");
	/* A value is taken even when it looks like a flag. */
	assert_int_equal(parse_flags(b, &next), 0);
	assert_int_equal(cfg.vsock, 1);
	assert_string_equal(cfg.unix_path, "/space");
	assert_string_equal(cfg.log_level, "--odd");
	assert_int_equal(parse_flags(c, &next), 0);
	assert_int_equal(cfg.vsock, 0);
}

static void test_flag_errors(void **state)
{
	static const char *const a[] = { "--no-unix", "--no-vsock=1",
					 "--no-vsock-port", "--bogus",
					 "--vsock-port=0", "--vsock=maybe",
					 "--unix", NULL };
	int next;

	(void)state;
	assert_int_equal(parse_flags(a, &next), 7);
	assert_int_equal(next, 8);
	assert_report(0, "flags", 0, "unknown flag: --no-unix");
	assert_report(1, "flags", 0, "unknown flag: --no-vsock=1");
	assert_report(2, "flags", 0, "unknown flag: --no-vsock-port");
	assert_report(3, "flags", 0, "unknown flag: --bogus");
	assert_report(4, "flags", 0,
		      "vsock-port: '0' is not a number in 1..4294967294");
	assert_report(5, "flags", 0, "vsock: 'maybe' is not a boolean");
	assert_report(6, "flags", 0, "missing value: --unix");
	/* Nothing stored was lost. */
	assert_int_equal(cfg.vsock_port, 2761);
	assert_int_equal(cfg.vsock, 1);
}

static void test_flags_stop(void **state)
{
	static const char *const a[] = { "--no-vsock", "ping", "--unix=/x", NULL };
	static const char *const b[] = { "--", "--unix=/x", NULL };
	static const char *const c[] = { "-x", NULL };
	static const char *const d[] = { "--", NULL };
	static const char *const e[] = { "-", "--unix=/x", NULL };
	int next;

	(void)state;
	assert_int_equal(parse_flags(a, &next), 0);
	assert_int_equal(next, 2);
	assert_int_equal(parse_flags(b, &next), 0);
	assert_int_equal(next, 2);
	assert_int_equal(parse_flags(c, &next), 0);
	assert_int_equal(next, 1);
	assert_int_equal(parse_flags(d, &next), 0);
	assert_int_equal(next, 2);
	assert_int_equal(parse_flags(e, &next), 0);
	assert_int_equal(next, 1);
	assert_string_equal(cfg.unix_path, "");
}

static void test_uint_bounds(void **state)
{
	static const struct {
		const char *text;
		int ok;
		uint32_t value;
	} v[] = {
		{ "0", 0, 0 },                /* min - 1 */
		{ "1", 1, 1 },                /* min */
		{ "4294967294", 1, 0xfffffffeu }, /* max */
		{ "0xfffffffe", 1, 0xfffffffeu },
		{ "4294967295", 0, 0 },       /* max + 1 */
		{ "0xffffffff", 0, 0 },
		{ "4294967296", 0, 0 },       /* past 32 bits */
		{ "0x100000000", 0, 0 },
		{ "99999999999999999999999", 0, 0 },
		{ "0x0AC9", 1, 2761 },
		{ "0XaC9", 1, 2761 },
		{ "0x00000000000000000010", 1, 16 },
		{ "000002761", 1, 2761 },
		{ "0x", 0, 0 },
		{ "0x1g", 0, 0 },
		{ "x10", 0, 0 },
		{ "", 0, 0 },
		{ "-1", 0, 0 },
		{ "+1", 0, 0 },
		{ " 1", 0, 0 },
		{ "1 ", 0, 0 },
		{ "12a", 0, 0 },
		{ "1e3", 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		cfg.vsock_port = 77;
		assert_int_equal(set("vsock-port", v[i].text, GD_SRC_FLAG),
				 v[i].ok ? 0 : -1);
		assert_int_equal(cfg.vsock_port, v[i].ok ? v[i].value : 77);
	}
}

/* Set a string key to n copies of 'a'. */
static int set_len(const char *key, size_t n)
{
	char v[GD_CFG_PATH_MAX + 2];

	assert_true(n < sizeof v);
	memset(v, 'a', n);
	v[n] = '\0';
	return set(key, v, GD_SRC_FILE);
}

static void test_string_field_size(void **state)
{
	char err[160];

	(void)state;
	assert_int_equal(set_len("unix", GD_CFG_PATH_MAX - 1), 0);
	assert_int_equal(strlen(cfg.unix_path), GD_CFG_PATH_MAX - 1);
	assert_int_equal(set("unix", "/kept", GD_SRC_FILE), 0);
	assert_int_equal(set_len("unix", GD_CFG_PATH_MAX), -1);
	assert_string_equal(cfg.unix_path, "/kept");
	assert_int_equal(set_len("log-level", sizeof cfg.log_level - 1), 0);
	assert_int_equal(set_len("log-level", sizeof cfg.log_level), -1);
	assert_int_equal(gd_config_set(&cfg, "log-level", 9,
				       "0123456789abcdef", GD_SRC_FLAG, err,
				       sizeof err), -1);
	assert_string_equal(err, "log-level: value longer than 15 bytes");
	assert_int_equal(cfg.src[key_index("log-level")], GD_SRC_FILE);
	assert_int_equal(set("unix", "", GD_SRC_FLAG), 0);
	assert_string_equal(cfg.unix_path, "");
}

/* ---- config file ---- */

static void test_file_errors_continue(void **state)
{
	(void)state;
	assert_int_equal(parse_file("a=1\n"
				    "\n"
				    "vsock-port=7\n"
				    "bogus = 1\n"
				    "not a pair\n"
				    "vsock-port=0\n"
				    "unix=/x\n"
				    "=5"), 5);
	assert_int_equal(nreports, 5);
	assert_report(0, "config", 1, "unknown key 'a'");
	assert_report(1, "config", 4, "unknown key 'bogus'");
	assert_report(2, "config", 5, "expected KEY=VALUE");
	assert_report(3, "config", 6,
		      "vsock-port: '0' is not a number in 1..4294967294");
	assert_report(4, "config", 8, "unknown key ''");
	assert_int_equal(cfg.vsock_port, 7);
	assert_string_equal(cfg.unix_path, "/x");
}

static void test_file_unknown_key_last_line(void **state)
{
	(void)state;
	assert_int_equal(parse_file("vsock-port=9\n\n\n\nwhat=ever"), 1);
	assert_report(0, "config", 5, "unknown key 'what'");
	assert_int_equal(cfg.vsock_port, 9);
}

static void test_file_comments_blank_crlf(void **state)
{
	(void)state;
	assert_int_equal(parse_file("# guestd.conf\r\n"
				    "\r\n"
				    "   \t\r\n"
				    "  # indented comment=1\r\n"
				    "vsock-port = 9 \r\n"
				    "\tunix=/a=b c\r\n"
				    "bad\r\n"
				    "log-level=debug"), 1);
	assert_report(0, "config", 7, "expected KEY=VALUE");
	assert_int_equal(cfg.vsock_port, 9);
	assert_string_equal(cfg.unix_path, "/a=b c");
	assert_string_equal(cfg.log_level, "debug");
}

static void test_file_value_limit(void **state)
{
	static char text[GD_CFG_LINE_MAX + 64];
	size_t pre = strlen("log-level=");

	(void)state;
	/* GD_CFG_LINE_MAX - 1 bytes reach the key (which refuses them)... */
	memcpy(text, "log-level=", pre);
	memset(text + pre, 'x', GD_CFG_LINE_MAX - 1);
	assert_int_equal(gd_config_parse_file(&cfg, text,
					      pre + GD_CFG_LINE_MAX - 1,
					      collect, NULL), 1);
	assert_report(0, "config", 1, "log-level: value longer than 15 bytes");
	/* ...one more is refused before. */
	memset(text + pre, 'x', GD_CFG_LINE_MAX);
	assert_int_equal(gd_config_parse_file(&cfg, text, pre + GD_CFG_LINE_MAX,
					      collect, NULL), 1);
	assert_report(1, "config", 1, "log-level: value too long");
	assert_string_equal(cfg.log_level, "info");
}

/* ---- kernel command line ---- */

static void test_cmdline_quoting(void **state)
{
	(void)state;
	assert_int_equal(parse_cmdline("console=ttyS0 guestd.unix=\"/tmp/a b\" "
				       "\"guestd.log-level=debug\"\tquiet "
				       "guestd.vsock-port=0x10\n"), 0);
	assert_string_equal(cfg.unix_path, "/tmp/a b");
	assert_string_equal(cfg.log_level, "debug");
	assert_int_equal(cfg.vsock_port, 16);
	assert_int_equal(cfg.src[key_index("unix")], GD_SRC_CMDLINE);
	assert_int_equal(parse_cmdline("guestd.unix=\"\""), 0);
	assert_string_equal(cfg.unix_path, "");
}

static void test_cmdline_other_tokens_ignored(void **state)
{
	(void)state;
	assert_int_equal(parse_cmdline("root=/dev/vda ro guestdx.unix=/no "
				       "guestd=1 foo.guestd.unix=/no "
				       "GUESTD.unix=/no guestd unix=/no "
				       "init=/guestd"), 0);
	assert_int_equal(nreports, 0);
	assert_string_equal(cfg.unix_path, "");
}

static void test_cmdline_bare_key_and_errors(void **state)
{
	(void)state;
	assert_int_equal(parse_file("vsock=0\n"), 0);
	assert_int_equal(parse_cmdline("guestd.vsock guestd.nope=1 "
				       "guestd.no-vsock guestd.vsock-port=x "
				       "guestd.log-level=warn"), 3);
	assert_int_equal(cfg.vsock, 1);
	assert_report(0, "cmdline", 0, "unknown key 'nope'");
	assert_report(1, "cmdline", 0, "unknown key 'no-vsock'");
	assert_report(2, "cmdline", 0,
		      "vsock-port: 'x' is not a number in 1..4294967294");
	assert_string_equal(cfg.log_level, "warn");
}

static void test_cmdline_empty_token_goes_on(void **state)
{
	(void)state;
	/* An empty quoted token must not end the parse. */
	assert_int_equal(parse_cmdline("\"\" guestd.vsock-port=5"), 0);
	assert_int_equal(cfg.vsock_port, 5);
	assert_int_equal(parse_cmdline("a \"\"  \"\" guestd.unix=/z "), 0);
	assert_string_equal(cfg.unix_path, "/z");
}

static void test_cmdline_token_limit(void **state)
{
	static char text[GD_CFG_LINE_MAX + 64];
	size_t pre = strlen("guestd.log-level=");

	(void)state;
	/* A token of GD_CFG_LINE_MAX - 1 bytes reaches the key... */
	memcpy(text, "guestd.log-level=", pre);
	memset(text + pre, 'x', GD_CFG_LINE_MAX - 1 - pre);
	assert_int_equal(gd_config_parse_cmdline(&cfg, text,
						 GD_CFG_LINE_MAX - 1, collect,
						 NULL), 1);
	assert_report(0, "cmdline", 0, "log-level: value longer than 15 bytes");
	/* ...one byte more is refused as a whole. */
	memset(text + pre, 'x', GD_CFG_LINE_MAX - pre);
	assert_int_equal(gd_config_parse_cmdline(&cfg, text, GD_CFG_LINE_MAX,
						 collect, NULL), 1);
	assert_report(1, "cmdline", 0, "parameter too long");
	assert_string_equal(cfg.log_level, "info");
}

static void test_list_iterator(void **state)
{
	const char *e;
	size_t pos = 0;

	(void)state;
	assert_int_equal(gd_cfg_list_next("", &pos, &e), -1);
	assert_int_equal(gd_cfg_list_next("ab\nc\nlast", &pos, &e), 2);
	assert_memory_equal(e, "ab", 2);
	assert_int_equal(gd_cfg_list_next("ab\nc\nlast", &pos, &e), 1);
	assert_memory_equal(e, "c", 1);
	assert_int_equal(gd_cfg_list_next("ab\nc\nlast", &pos, &e), 4);
	assert_memory_equal(e, "last", 4);
	assert_int_equal(gd_cfg_list_next("ab\nc\nlast", &pos, &e), -1);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_key_table),
		T(test_precedence_every_order),
		T(test_set_results),
		T(test_same_source_last_wins),
		T(test_bool_forms),
		T(test_flag_forms),
		T(test_flag_errors),
		T(test_flags_stop),
		T(test_uint_bounds),
		T(test_string_field_size),
		T(test_file_errors_continue),
		T(test_file_unknown_key_last_line),
		T(test_file_comments_blank_crlf),
		T(test_file_value_limit),
		T(test_cmdline_quoting),
		T(test_cmdline_other_tokens_ignored),
		T(test_cmdline_bare_key_and_errors),
		T(test_cmdline_empty_token_goes_on),
		T(test_cmdline_token_limit),
		T(test_list_iterator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
