/*
 * Bounded buffers and little-endian helpers: appends at capacity and one
 * past (nothing written on failure), consume, gd_strlcpy at its cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"

#define CAP 8

static void test_put_at_capacity(void **state)
{
	uint8_t mem[CAP + 1];
	struct gd_buf b;

	(void)state;
	memset(mem, 0xee, sizeof mem);
	gd_buf_init(&b, mem, CAP);
	assert_int_equal(gd_buf_room(&b), CAP);
	assert_int_equal(gd_buf_put(&b, "abc", 3), 0);
	assert_int_equal(gd_buf_put(&b, "defgh", 5), 0); /* exactly full */
	assert_int_equal(b.len, CAP);
	assert_int_equal(gd_buf_room(&b), 0);
	assert_int_equal(gd_buf_put(&b, "x", 1), -1);
	assert_int_equal(gd_buf_put(&b, "", 0), 0);
	assert_int_equal(b.len, CAP);
	assert_memory_equal(mem, "abcdefgh", CAP);
	assert_int_equal(mem[CAP], 0xee);
}

static void test_put_one_past_writes_nothing(void **state)
{
	uint8_t mem[CAP];
	struct gd_buf b;

	(void)state;
	gd_buf_init(&b, mem, CAP);
	assert_int_equal(gd_buf_put(&b, "abc", 3), 0);
	assert_int_equal(gd_buf_put(&b, "123456", 6), -1); /* one past */
	assert_int_equal(b.len, 3);
	assert_int_equal(gd_buf_put(&b, "12345", 5), 0);
	assert_memory_equal(mem, "abc12345", CAP);
	gd_buf_init(&b, mem, CAP);
	assert_int_equal(gd_buf_put(&b, "123456789", CAP + 1), -1);
	assert_int_equal(b.len, 0);
}

static void test_put_le(void **state)
{
	static const uint8_t want[] = { 0x01, 0x02, 0x01, 0x04, 0x03, 0x02, 0x01,
					0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02,
					0x01 };
	uint8_t mem[sizeof want];
	struct gd_buf b;

	(void)state;
	gd_buf_init(&b, mem, sizeof mem);
	assert_int_equal(gd_buf_put_u8(&b, 0x01), 0);
	assert_int_equal(gd_buf_put_u16(&b, 0x0102), 0);
	assert_int_equal(gd_buf_put_u32(&b, 0x01020304u), 0);
	assert_int_equal(gd_buf_room(&b), 8);
	assert_int_equal(gd_buf_put_u64(&b, 0x0102030405060708ull), 0);
	assert_memory_equal(mem, want, sizeof want);
	assert_int_equal(gd_buf_put_u8(&b, 0), -1);
	assert_int_equal(b.len, sizeof want);
}

static void test_put_le_one_past(void **state)
{
	uint8_t mem[16];
	struct gd_buf b;

	(void)state;
	gd_buf_init(&b, mem, 7);
	assert_int_equal(gd_buf_put_u64(&b, 1), -1);
	assert_int_equal(gd_buf_put_u32(&b, 1), 0);
	assert_int_equal(gd_buf_put_u32(&b, 1), -1);
	assert_int_equal(gd_buf_put_u16(&b, 1), 0);
	assert_int_equal(gd_buf_put_u16(&b, 1), -1);
	assert_int_equal(gd_buf_put_u8(&b, 1), 0);
	assert_int_equal(b.len, 7);
}

static void test_consume(void **state)
{
	uint8_t mem[CAP];
	struct gd_buf b;

	(void)state;
	gd_buf_init(&b, mem, CAP);
	gd_buf_put(&b, "abcdefgh", CAP);
	gd_buf_consume(&b, 0);
	assert_int_equal(b.len, CAP);
	gd_buf_consume(&b, 3);
	assert_int_equal(b.len, 5);
	assert_memory_equal(mem, "defgh", 5);
	assert_int_equal(gd_buf_room(&b), 3);
	gd_buf_consume(&b, 4);
	assert_int_equal(b.len, 1);
	assert_int_equal(mem[0], 'h');
	gd_buf_consume(&b, 1); /* all */
	assert_int_equal(b.len, 0);
	gd_buf_put(&b, "xy", 2);
	gd_buf_consume(&b, 99); /* more than held */
	assert_int_equal(b.len, 0);
	assert_int_equal(gd_buf_room(&b), CAP);
}

static void test_le_helpers(void **state)
{
	uint8_t p[8];

	(void)state;
	gd_set_u16(p, 0xbeef);
	assert_int_equal(p[0], 0xef);
	assert_int_equal(gd_get_u16(p), 0xbeef);
	gd_set_u32(p, 0xdeadbeefu);
	assert_int_equal(p[3], 0xde);
	assert_int_equal(gd_get_u32(p), 0xdeadbeefu);
	gd_set_u64(p, 0xfedcba9876543210ull);
	assert_int_equal(p[0], 0x10);
	assert_int_equal(p[7], 0xfe);
	assert_int_equal(gd_get_u64(p), 0xfedcba9876543210ull);
}

/*
 * gd_mem_eq against memcmp: every length to 70 (its 8- and 16-byte steps
 * and the overlapping last one), a difference anywhere.
 */
static void test_mem_eq(void **state)
{
	uint8_t a[72], b[72];

	(void)state;
	for (size_t i = 0; i < sizeof a; i++)
		a[i] = b[i] = (uint8_t)(i * 37 + 1);
	for (size_t n = 0; n <= 70; n++) {
		assert_int_equal(gd_mem_eq(a, b, n), 1);
		assert_int_equal(gd_mem_eq(a + 1, b + 1, n), 1); /* unaligned */
		for (size_t at = 0; at < n; at++) {
			b[at] ^= 0x80;
			assert_int_equal(gd_mem_eq(a, b, n), 0);
			assert_int_equal(gd_mem_eq(a, b, n), memcmp(a, b, n) == 0);
			b[at] ^= 0x80;
		}
	}
}

/*
 * gd_copy against memcpy: every length to 80 (below, at and past its
 * 8- and 16-byte steps) at every start offset to 15 on both sides, and
 * not a byte written before or after the copy.
 */
static void test_copy(void **state)
{
	uint8_t src[128], dst[128], want[128];

	(void)state;
	for (size_t i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)(i * 37 + 1);
	for (size_t n = 0; n <= 80; n++)
		for (size_t so = 0; so < 16; so++)
			for (size_t d = 0; d < 16; d++) {
				memset(dst, 0xee, sizeof dst);
				memset(want, 0xee, sizeof want);
				memcpy(want + d, src + so, n);
				gd_copy(dst + d, src + so, n);
				assert_memory_equal(dst, want, sizeof dst);
			}
}

static void test_strlcpy_cap(void **state)
{
	char dst[4];

	(void)state;
	assert_int_equal(gd_strlcpy(dst, "abc", sizeof dst), 3); /* cap - 1 */
	assert_string_equal(dst, "abc");
	assert_int_equal(gd_strlcpy(dst, "abcd", sizeof dst), 4); /* cap */
	assert_string_equal(dst, "abc");
	assert_int_equal(gd_strlcpy(dst, "", sizeof dst), 0);
	assert_string_equal(dst, "");
	dst[0] = 'z';
	assert_int_equal(gd_strlcpy(dst, "abc", 0), 3);
	assert_int_equal(dst[0], 'z');
	assert_int_equal(gd_strlcpy(dst, "abc", 1), 3);
	assert_string_equal(dst, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_at_capacity),
		cmocka_unit_test(test_put_one_past_writes_nothing),
		cmocka_unit_test(test_put_le),
		cmocka_unit_test(test_put_le_one_past),
		cmocka_unit_test(test_consume),
		cmocka_unit_test(test_le_helpers),
		cmocka_unit_test(test_strlcpy_cap),
		cmocka_unit_test(test_mem_eq),
		cmocka_unit_test(test_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
