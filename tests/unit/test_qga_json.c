/*
 * Unit tests for the QGA JSON path in libmini: the stream framer
 * (jsonframe.c), request checking with jsmn (qga_req.c), value getters,
 * argument rules and the QEMU-style writer (qga_value.c, json_out.c).
 * Expected desc texts are the ones qemu-ga 7.2 sent for the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "json_out.h"
#include "jsonframe.h"
#include "qga_req.h"

static struct gd_jf jf;

static void feed(struct gd_jf *f, const void *p, size_t n)
{
	size_t room;
	char *dst = gd_jf_space(f, &room);

	assert_true(n <= room);
	memcpy(dst, p, n);
	gd_jf_commit(f, n);
}

/* Next event; a text is copied into got (NUL-terminated). */
static int next(struct gd_jf *f, char *got, size_t cap)
{
	const char *t = NULL;
	size_t n = 0;
	int r = gd_jf_next(f, &t, &n);

	got[0] = '\0';
	if (r == GD_JF_TEXT) {
		assert_true(n < cap);
		memcpy(got, t, n);
		got[n] = '\0';
	}
	return r;
}

static void expect_text(struct gd_jf *f, const char *want)
{
	char got[GD_JF_TEXT_MAX + 1];

	assert_int_equal(next(f, got, sizeof got), GD_JF_TEXT);
	assert_string_equal(got, want);
}

static void expect_event(struct gd_jf *f, int want)
{
	char got[GD_JF_TEXT_MAX + 1];

	assert_int_equal(next(f, got, sizeof got), want);
}

static void test_frame_texts(void **state)
{
	static const char in[] = " {\"a\":\"}\\\"{\"}\n[1,[2]]\r\n\t\"s{\" 42 xyz{}";

	(void)state;
	gd_jf_init(&jf);
	feed(&jf, in, sizeof in - 1);
	expect_text(&jf, "{\"a\":\"}\\\"{\"}");
	expect_text(&jf, "[1,[2]]");
	expect_text(&jf, "\"s{\"");
	expect_text(&jf, "42");
	expect_text(&jf, "xyz");
	expect_text(&jf, "{}");
	expect_event(&jf, GD_JF_NEED);
	assert_false(gd_jf_partial(&jf));
}

static void test_frame_byte_by_byte(void **state)
{
	static const char in[] = "{\"execute\":\"guest-sync\",\"arguments\":"
				 "{\"id\":5}}\n{\"execute\":\"guest-ping\"}";
	int texts = 0;

	(void)state;
	gd_jf_init(&jf);
	for (size_t i = 0; i < sizeof in - 1; i++) {
		char got[256];
		int r;

		feed(&jf, &in[i], 1);
		while ((r = next(&jf, got, sizeof got)) == GD_JF_TEXT)
			texts++;
		assert_int_equal(r, GD_JF_NEED);
		if (i == 10)
			assert_true(gd_jf_partial(&jf));
	}
	assert_int_equal(texts, 2);
}

static void test_frame_resync(void **state)
{
	static const char in[] = "{\"execute\":\"gu\xff{\"x\":1}\xff\xff";
	static const char cut[] = "\"gu\xff""est-ping\"}\xff \"x\" 42\n7 ";

	(void)state;
	gd_jf_init(&jf);
	feed(&jf, in, sizeof in - 1);
	expect_event(&jf, GD_JF_RESYNC);
	expect_text(&jf, "{\"x\":1}");
	expect_event(&jf, GD_JF_RESYNC);
	expect_event(&jf, GD_JF_RESYNC);
	expect_event(&jf, GD_JF_NEED);
	feed(&jf, "12\xff", 3); /* a scalar cut short is dropped too */
	expect_event(&jf, GD_JF_RESYNC);
	expect_event(&jf, GD_JF_NEED);
	/* what follows a 0xFF is skipped up to a bracket or control byte */
	feed(&jf, cut, sizeof cut - 1);
	expect_event(&jf, GD_JF_RESYNC);
	expect_event(&jf, GD_JF_STRAY);
	expect_event(&jf, GD_JF_RESYNC);
	assert_false(gd_jf_partial(&jf));
	expect_text(&jf, "7");
	expect_event(&jf, GD_JF_NEED);
}

static void test_frame_stray(void **state)
{
	(void)state;
	gd_jf_init(&jf);
	feed(&jf, "{}}],:[]", 8);
	expect_text(&jf, "{}");
	for (int i = 0; i < 4; i++)
		expect_event(&jf, GD_JF_STRAY);
	expect_text(&jf, "[]");
}

static void nest(char *out, int depth)
{
	memset(out, '[', (size_t)depth);
	memset(out + depth, ']', (size_t)depth);
	out[2 * depth] = '\0';
}

static void test_frame_depth_limit(void **state)
{
	char ok[2 * GD_JF_MAX_DEPTH + 1], deep[2 * GD_JF_MAX_DEPTH + 3];

	(void)state;
	nest(ok, GD_JF_MAX_DEPTH);
	nest(deep, GD_JF_MAX_DEPTH + 1);
	gd_jf_init(&jf);
	feed(&jf, ok, strlen(ok));
	expect_text(&jf, ok);
	feed(&jf, deep, strlen(deep));
	feed(&jf, "{}", 2);
	expect_event(&jf, GD_JF_TOO_DEEP);
	expect_text(&jf, "{}"); /* the deep text was skipped to its end */
	expect_event(&jf, GD_JF_NEED);
}

/* {"a":"xxx..."} of exactly len bytes. */
static void padded(char *out, size_t len)
{
	memcpy(out, "{\"a\":\"", 6);
	memset(out + 6, 'x', len - 8);
	memcpy(out + len - 2, "\"}", 3);
}

static void test_frame_size_limit(void **state)
{
	static char at_max[GD_JF_TEXT_MAX + 1], over[GD_JF_TEXT_MAX + 2];

	(void)state;
	padded(at_max, GD_JF_TEXT_MAX);
	padded(over, GD_JF_TEXT_MAX + 1);
	gd_jf_init(&jf);
	feed(&jf, at_max, GD_JF_TEXT_MAX);
	expect_text(&jf, at_max);
	feed(&jf, over, GD_JF_TEXT_MAX);
	expect_event(&jf, GD_JF_TOO_BIG);
	assert_true(gd_jf_partial(&jf));
	feed(&jf, over + GD_JF_TEXT_MAX, 1);
	feed(&jf, "[7]", 3);
	expect_text(&jf, "[7]");
	/* a resync byte also ends the skipping */
	feed(&jf, over, GD_JF_TEXT_MAX);
	expect_event(&jf, GD_JF_TOO_BIG);
	feed(&jf, "\xff[8]", 4);
	expect_event(&jf, GD_JF_RESYNC);
	expect_text(&jf, "[8]");
}

static struct gd_qga_tok toks[GD_QGA_MAX_TOKENS];
static struct gd_qga_req req;

static int parse(const char *js, size_t len)
{
	return gd_qga_parse(&req, js, len, toks, GD_QGA_MAX_TOKENS);
}

static void expect_refused(const char *js, size_t len, const char *desc)
{
	if (parse(js, len) != -1)
		fail_msg("accepted: %.*s", (int)len, js);
	assert_string_equal(req.desc, desc);
}

#define REFUSED(lit, desc) expect_refused(lit, sizeof lit - 1, desc)

static void test_parse_ok(void **state)
{
	static const char a[] = "{\"arguments\":{\"id\":11},\"execute\":\"guest-sync\"}";
	static const char b[] = " { \"execute\" : \"gu\\u0065st-ping\" , \"id\" : [1, {}] } ";

	(void)state;
	assert_int_equal(parse(a, sizeof a - 1), 0);
	assert_true(gd_qga_str_eq(&req, req.execute, "guest-sync"));
	assert_int_equal(req.arguments, 2);
	assert_int_equal(req.id, -1);
	assert_int_equal(parse(b, sizeof b - 1), 0);
	assert_true(gd_qga_str_eq(&req, req.execute, "guest-ping"));
	assert_int_equal(req.arguments, -1);
	assert_int_equal(req.tok[req.id].type, GD_QGA_ARRAY);
}

static void test_parse_envelope(void **state)
{
	(void)state;
	REFUSED("[1,2]", "QMP input must be a JSON object");
	REFUSED("\"str\"", "QMP input must be a JSON object");
	REFUSED("42", "QMP input must be a JSON object");
	REFUSED("{}", "QMP input lacks member 'execute'");
	REFUSED("{\"foo\":1}", "QMP input member 'foo' is unexpected");
	REFUSED("{\"exec-oob\":\"guest-ping\"}",
		"QMP input member 'exec-oob' is unexpected");
	REFUSED("{\"execute\":1}", "QMP input member 'execute' must be a string");
	REFUSED("{\"execute\":\"guest-ping\",\"arguments\":[]}",
		"QMP input member 'arguments' must be an object");
	REFUSED("{\"execute\":\"guest-ping\",\"arguments\":null}",
		"QMP input member 'arguments' must be an object");
	REFUSED("{\"foo\":1,\"id\":3}", "QMP input member 'foo' is unexpected");
	assert_true(req.id > 0); /* echoed even when refused */
}

static void test_parse_syntax(void **state)
{
	(void)state;
	REFUSED("{\"execute\":\"guest-ping\",}", "JSON parse error, expecting value");
	REFUSED("{\"execute\":\"guest-ping\" \"x\":1}",
		"JSON parse error, expected separator in dict");
	REFUSED("{\"execute\" \"guest-ping\"}",
		"JSON parse error, missing : in object pair");
	REFUSED("{\"execute\":\"gu\x01""est\"}",
		"JSON parse error, stray '\"gu\x01'");
	REFUSED("{\"execute\":\"g\\qx\"}",
		"JSON parse error, invalid escape sequence in string");
	REFUSED("{\"a\":\"\\u12x4\"}",
		"JSON parse error, \\u12x4 is not a valid Unicode character");
	REFUSED("{\"a\":\"\\u00\"}",
		"JSON parse error, \\u00\" is not a valid Unicode character");
	REFUSED("{\"a\":\"\\ud800x\"}",
		"JSON parse error, \\ud800 is not a valid Unicode character");
	REFUSED("{\"a\":\"\\udc00\"}",
		"JSON parse error, \\udc00 is not a valid Unicode character");
	REFUSED("{\"execute\":\"guest-ping\",\"arguments\":{\"a\":tru}}",
		"JSON parse error, invalid keyword 'tru'");
	REFUSED("{\"execute\":\"guest-ping\",\"arguments\":{\"a\":01}}",
		"JSON parse error, stray '01'");
	REFUSED("{\"execute\":\"guest-ping\",\"execute\":\"nope\"}",
		"JSON parse error, duplicate key");
	REFUSED("xyz", "JSON parse error, invalid keyword 'xyz'");
	REFUSED("@", "JSON parse error, stray '@'");
	REFUSED("{\"execute\":\"guest-ping\"]",
		"JSON parse error, expected separator in dict");
	REFUSED("{\"execute\":\"guest-ping\0\"}",
		"JSON parse error, stray '\"guest-ping'");
	REFUSED("\0", "JSON parse error, stray ''");
	REFUSED("[1 2]", "JSON parse error, expected separator in list");
	REFUSED("[1,]", "JSON parse error, expecting value");
	REFUSED("[,1]", "JSON parse error, expecting value");
	REFUSED("{\"a\":}", "JSON parse error, expecting value");
	REFUSED("{1:2}", "JSON parse error, key is not a string in object");
	REFUSED("[\"a\":1]", "JSON parse error, expected separator in list");
	REFUSED("[-]", "JSON parse error, stray '-]'");
	REFUSED("[1.]", "JSON parse error, stray '1.]'");
	REFUSED("[1e]", "JSON parse error, stray '1e]'");
	REFUSED("[1.5e+]", "JSON parse error, stray '1.5e+]'");
	REFUSED("[+5]", "JSON parse error, stray '+'");
	REFUSED("[1,2,tru1]", "JSON parse error, invalid keyword 'tru'");
	REFUSED("[truex1]", "JSON parse error, invalid keyword 'truex'");
	REFUSED("[\"\xc0\"]", "JSON parse error, invalid UTF-8 sequence in string");
	REFUSED("[\"\xc3x\"]", "JSON parse error, invalid UTF-8 sequence in string");
	REFUSED("[\"\xe0\x80\x80\"]", "JSON parse error, invalid UTF-8 sequence in string");
	REFUSED("[\"\xed\xa0\x80\"]", "JSON parse error, invalid UTF-8 sequence in string");
	REFUSED("[\"\xf4\x90\x80\x80\"]",
		"JSON parse error, invalid UTF-8 sequence in string");
	REFUSED("[\"a\x7f\xc3\xa9\\ud83d\\ude00\\u0000\"]", "QMP input must be a JSON object");
}

/* {"execute":"x","id":[1,1,...]}: 5 tokens plus one per element. */
static size_t token_text(char *out, int elements)
{
	size_t n = (size_t)sprintf(out, "{\"execute\":\"x\",\"id\":[");

	for (int i = 0; i < elements; i++)
		n += (size_t)sprintf(out + n, i ? ",1" : "1");
	return n + (size_t)sprintf(out + n, "]}");
}

/* A request nested depth levels deep (the object is the first). */
static size_t deep_text(char *out, int depth)
{
	size_t n = (size_t)sprintf(out, "{\"execute\":\"x\",\"id\":");

	for (int i = 1; i < depth; i++)
		out[n++] = '[';
	for (int i = 1; i < depth; i++)
		out[n++] = ']';
	out[n++] = '}';
	return n;
}

static void test_parse_limits(void **state)
{
	static char text[4 * GD_QGA_MAX_TOKENS];
	size_t n;

	(void)state;
	n = token_text(text, GD_QGA_MAX_TOKENS - 5);
	assert_int_equal(parse(text, n), 0);
	assert_int_equal(req.ntok, GD_QGA_MAX_TOKENS);
	n = token_text(text, GD_QGA_MAX_TOKENS - 4);
	expect_refused(text, n, "JSON token count limit exceeded");
	n = deep_text(text, GD_JF_MAX_DEPTH);
	assert_int_equal(parse(text, n), 0);
	n = deep_text(text, GD_JF_MAX_DEPTH + 1);
	expect_refused(text, n, "JSON nesting depth limit exceeded");
}

static void test_get_int(void **state)
{
	static const struct {
		const char *text;
		int ok;
		int64_t v;
	} v[] = {
		{ "[-9223372036854775808]", 1, INT64_MIN },
		{ "[9223372036854775807]", 1, INT64_MAX },
		{ "[-0]", 1, 0 },
		{ "[1795331086713469000]", 1, 1795331086713469000LL },
		{ "[9223372036854775808]", 0, 0 },
		{ "[-9223372036854775809]", 0, 0 },
		{ "[18446744073709551615]", 0, 0 },
		{ "[99999999999999999999999]", 0, 0 },
		{ "[1.5]", 0, 0 },
		{ "[1e3]", 0, 0 },
		{ "[true]", 0, 0 },
		{ "[\"1\"]", 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		int64_t got = 12345;

		parse(v[i].text, strlen(v[i].text)); /* refused: not an object */
		assert_int_equal(gd_qga_get_int(&req, 1, &got) == 0, v[i].ok);
		if (v[i].ok)
			assert_true(got == v[i].v);
	}
}

static void test_get_str(void **state)
{
	static const char js[] = "[\"a\\u00e9\\ud83d\\ude00\\n\\/\\ud800x\\u0000y\"]";
	char out[64];
	long n;

	(void)state;
	parse(js, sizeof js - 1);
	n = gd_qga_get_str(&req, 1, out, sizeof out);
	assert_int_equal(n, 15);
	assert_memory_equal(out, "a\xc3\xa9\xf0\x9f\x98\x80\n/\xef\xbf\xbdx\0y", 15);
	assert_int_equal(gd_qga_get_str(&req, 1, out, 15), -1); /* no room for NUL */
	assert_int_equal(gd_qga_get_str(&req, 0, out, sizeof out), -1);
}

static void test_write_value(void **state)
{
	static const char js[] = "{\"execute\":\"x\",\"id\":{\"a\":[1,\"\\u00e9\\t\",true,"
				 "null,{},-0,1.50,18446744073709551615]}}";
	uint8_t mem[256];
	struct gd_buf b;
	struct gd_json j;

	(void)state;
	assert_int_equal(parse(js, sizeof js - 1), 0);
	gd_buf_init(&b, mem, sizeof mem);
	gd_json_init_qmp(&j, &b);
	gd_qga_write_value(&req, req.id, &j);
	assert_true(gd_json_ok(&j));
	assert_int_equal(b.len, strlen("{\"a\": [1, \"\\u00E9\\t\", true, null, {}, 0, "
				       "1.50, 18446744073709551615]}"));
	assert_memory_equal(mem, "{\"a\": [1, \"\\u00E9\\t\", true, null, {}, 0, "
				 "1.50, 18446744073709551615]}", b.len);
}

static void test_qmp_escapes(void **state)
{
	uint8_t mem[256];
	struct gd_buf b;
	struct gd_json j;
	static const char want[] = "{\"k\": \"\\\"\\\\/\\b\\f\\u0001\\u007F\\u00E9"
				   "\\uD83D\\uDE00\\uFFFD\\uFFFD\"}";

	(void)state;
	gd_buf_init(&b, mem, sizeof mem);
	gd_json_init_qmp(&j, &b);
	gd_json_obj_begin(&j);
	gd_json_key(&j, "k");
	gd_json_str(&j, "\"\\/\b\f\x01\x7f\xc3\xa9\xf0\x9f\x98\x80\xff\xc3");
	gd_json_obj_end(&j);
	assert_true(gd_json_ok(&j));
	assert_int_equal(b.len, sizeof want - 1);
	assert_memory_equal(mem, want, b.len);
}

static const struct gd_qga_param sync_params[] = {
	{ "id", GD_QGA_P_INT, 0 },
};
static const struct gd_qga_param mode_params[] = {
	{ "mode", GD_QGA_P_STR, 1 },
};

static void expect_args(const char *js, const struct gd_qga_param *p, size_t n,
			const char *desc)
{
	assert_int_equal(parse(js, strlen(js)), 0);
	if (!desc) {
		assert_int_equal(gd_qga_check_args(&req, p, n), 0);
		return;
	}
	assert_int_equal(gd_qga_check_args(&req, p, n), -1);
	assert_string_equal(req.desc, desc);
}

static void test_check_args(void **state)
{
	(void)state;
	expect_args("{\"execute\":\"s\",\"arguments\":{\"id\":1}}", sync_params, 1, NULL);
	expect_args("{\"execute\":\"s\"}", sync_params, 1, "Parameter 'id' is missing");
	expect_args("{\"execute\":\"s\",\"arguments\":{}}", sync_params, 1,
		    "Parameter 'id' is missing");
	expect_args("{\"execute\":\"s\",\"arguments\":{\"id\":\"a\"}}", sync_params, 1,
		    "Invalid parameter type for 'id', expected: integer");
	expect_args("{\"execute\":\"s\",\"arguments\":{\"id\":1.5}}", sync_params, 1,
		    "Invalid parameter type for 'id', expected: integer");
	expect_args("{\"execute\":\"s\",\"arguments\":{\"id\":1,\"x\":2}}", sync_params, 1,
		    "Parameter 'x' is unexpected");
	expect_args("{\"execute\":\"s\"}", mode_params, 1, NULL);
	expect_args("{\"execute\":\"s\",\"arguments\":{\"mode\":5}}", mode_params, 1,
		    "Invalid parameter type for 'mode', expected: string");
	expect_args("{\"execute\":\"s\",\"arguments\":{\"mode\":null}}", mode_params, 1,
		    "Invalid parameter type for 'mode', expected: string");
	expect_args("{\"execute\":\"s\",\"arguments\":{\"x\":1}}", NULL, 0,
		    "Parameter 'x' is unexpected");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_texts),
		cmocka_unit_test(test_frame_byte_by_byte),
		cmocka_unit_test(test_frame_resync),
		cmocka_unit_test(test_frame_stray),
		cmocka_unit_test(test_frame_depth_limit),
		cmocka_unit_test(test_frame_size_limit),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_envelope),
		cmocka_unit_test(test_parse_syntax),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_get_int),
		cmocka_unit_test(test_get_str),
		cmocka_unit_test(test_write_value),
		cmocka_unit_test(test_qmp_escapes),
		cmocka_unit_test(test_check_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
