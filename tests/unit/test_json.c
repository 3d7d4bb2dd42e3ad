/*
 * libmini/json_out: escaping, commas, nesting up to GD_JSON_MAX_DEPTH and
 * one past, and sticky overflow at the exact capacity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "json_out.h"

#define OUT_CAP 512

static uint8_t mem[OUT_CAP + 1];
static struct gd_buf buf;
static struct gd_json js;

static struct gd_json *start(size_t cap)
{
	memset(mem, 0xee, sizeof mem);
	gd_buf_init(&buf, mem, cap);
	gd_json_init(&js, &buf);
	return &js;
}

static void assert_json(const char *want)
{
	assert_true(gd_json_ok(&js));
	assert_int_equal(buf.len, strlen(want));
	assert_memory_equal(buf.data, want, buf.len);
}

/* One string value, escaped. */
static void assert_escaped(const char *s, size_t n, const char *want)
{
	start(OUT_CAP);
	gd_json_strn(&js, s, n);
	assert_json(want);
}

static void test_escaping(void **state)
{
	(void)state;
	assert_escaped("plain", 5, "\"plain\"");
	assert_escaped("", 0, "\"\"");
	assert_escaped("a\"b", 3, "\"a\\\"b\"");
	assert_escaped("a\\b", 3, "\"a\\\\b\"");
	assert_escaped("\\\"", 2, "\"\\\\\\\"\"");
	assert_escaped("l1\nl2\tx\r", 8, "\"l1\\nl2\\tx\\r\"");
	assert_escaped("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
	assert_escaped("a\0b", 3, "\"a\\u0000b\"");
	assert_escaped("\x08\x0c", 2, "\"\\u0008\\u000c\"");
	assert_escaped(" ~/", 3, "\" ~/\"");
	/* UTF-8 passes through unchanged. */
	assert_escaped("\xc3\xa9t\xc3\xa9", 5, "\"\xc3\xa9t\xc3\xa9\"");
}

static void test_keys_escaped(void **state)
{
	(void)state;
	start(OUT_CAP);
	gd_json_obj_begin(&js);
	gd_json_key(&js, "we\"ird\\key\n");
	gd_json_null(&js);
	gd_json_obj_end(&js);
	assert_json("{\"we\\\"ird\\\\key\\n\":null}");
}

static void test_values_and_commas(void **state)
{
	(void)state;
	start(OUT_CAP);
	gd_json_obj_begin(&js);
	gd_json_key(&js, "s");
	gd_json_str(&js, "x");
	gd_json_key(&js, "u");
	gd_json_u64(&js, UINT64_MAX);
	gd_json_key(&js, "i");
	gd_json_i64(&js, INT64_MIN);
	gd_json_key(&js, "z");
	gd_json_i64(&js, 0);
	gd_json_key(&js, "t");
	gd_json_bool(&js, 7);
	gd_json_key(&js, "f");
	gd_json_bool(&js, 0);
	gd_json_key(&js, "n");
	gd_json_null(&js);
	gd_json_key(&js, "r");
	gd_json_raw(&js, "[1,2]");
	gd_json_obj_end(&js);
	assert_json("{\"s\":\"x\",\"u\":18446744073709551615,"
		    "\"i\":-9223372036854775808,\"z\":0,\"t\":true,"
		    "\"f\":false,\"n\":null,\"r\":[1,2]}");
}

static void test_nesting(void **state)
{
	(void)state;
	start(OUT_CAP);
	gd_json_obj_begin(&js);
	gd_json_key(&js, "a");
	gd_json_arr_begin(&js);
	gd_json_u64(&js, 1);
	gd_json_arr_begin(&js);
	gd_json_arr_end(&js);
	gd_json_obj_begin(&js);
	gd_json_key(&js, "b");
	gd_json_str(&js, "c");
	gd_json_key(&js, "d");
	gd_json_obj_begin(&js);
	gd_json_obj_end(&js);
	gd_json_obj_end(&js);
	gd_json_arr_begin(&js);
	gd_json_u64(&js, 2);
	gd_json_u64(&js, 3);
	gd_json_arr_end(&js);
	gd_json_arr_end(&js);
	gd_json_key(&js, "e");
	gd_json_bool(&js, 1);
	gd_json_obj_end(&js);
	assert_json("{\"a\":[1,[],{\"b\":\"c\",\"d\":{}},[2,3]],\"e\":true}");
}

static void test_top_level_values(void **state)
{
	(void)state;
	start(OUT_CAP);
	gd_json_obj_begin(&js);
	gd_json_obj_end(&js);
	gd_json_u64(&js, 5);
	assert_json("{},5");
}

static void test_depth_limit(void **state)
{
	char want[2 * GD_JSON_MAX_DEPTH + 1];

	(void)state;
	start(OUT_CAP); /* GD_JSON_MAX_DEPTH nested arrays: fine */
	for (int i = 0; i < GD_JSON_MAX_DEPTH; i++)
		gd_json_arr_begin(&js);
	for (int i = 0; i < GD_JSON_MAX_DEPTH; i++)
		gd_json_arr_end(&js);
	memset(want, '[', GD_JSON_MAX_DEPTH);
	memset(want + GD_JSON_MAX_DEPTH, ']', GD_JSON_MAX_DEPTH);
	want[2 * GD_JSON_MAX_DEPTH] = '\0';
	assert_json(want);
	start(OUT_CAP); /* one more level: refused */
	for (int i = 0; i <= GD_JSON_MAX_DEPTH; i++)
		gd_json_arr_begin(&js);
	assert_false(gd_json_ok(&js));
}

/* The same document into every capacity: ok from its exact size up. */
static void build_doc(struct gd_json *j)
{
	gd_json_obj_begin(j);
	gd_json_key(j, "k");
	gd_json_str(j, "v\"");
	gd_json_key(j, "n");
	gd_json_u64(j, 12345);
	gd_json_obj_end(j);
}

static void test_overflow_at_exact_capacity(void **state)
{
	static const char want[] = "{\"k\":\"v\\\"\",\"n\":12345}";
	size_t exact = sizeof want - 1;

	(void)state;
	build_doc(start(exact));
	assert_json(want);
	assert_int_equal(mem[exact], 0xee);
	for (size_t cap = 0; cap < exact; cap++) {
		build_doc(start(cap));
		assert_false(gd_json_ok(&js));
		assert_true(buf.len <= cap);
		assert_int_equal(mem[cap], 0xee);
	}
}

static void test_overflow_is_sticky(void **state)
{
	size_t len;

	(void)state;
	start(8);
	gd_json_arr_begin(&js);
	gd_json_str(&js, "too long for it"); /* fails */
	assert_false(gd_json_ok(&js));
	len = buf.len;
	gd_json_u64(&js, 1); /* would fit, but the output is already broken */
	gd_json_arr_end(&js);
	assert_int_equal(buf.len, len);
	assert_false(gd_json_ok(&js));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_keys_escaped),
		cmocka_unit_test(test_values_and_commas),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_top_level_values),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_overflow_at_exact_capacity),
		cmocka_unit_test(test_overflow_is_sticky),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
