/*
 * Unit tests for gd_crc16 (libmini/proto.c), the header check of every
 * frame: the CRC-16/CCITT-FALSE check value, and agreement with the
 * bit-by-bit definition on every 1- and 2-byte input and on long ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

/* The definition: poly 0x1021, init 0xffff, no reflection, no xor-out. */
static uint16_t crc16_bitwise(const uint8_t *p, size_t n)
{
	uint16_t crc = 0xffff;

	while (n--) {
		crc ^= (uint16_t)(*p++ << 8);
		for (int i = 0; i < 8; i++)
			crc = (uint16_t)((crc & 0x8000) ? (crc << 1) ^ 0x1021
						       : crc << 1);
	}
	return crc;
}

static void test_check_value(void **state)
{
	(void)state;
	assert_int_equal(gd_crc16((const uint8_t *)"123456789", 9), 0x29b1);
	assert_int_equal(gd_crc16(NULL, 0), 0xffff);
}

static void test_short_inputs(void **state)
{
	uint8_t b[2];

	(void)state;
	for (unsigned v = 0; v < 65536; v++) {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
		assert_int_equal(gd_crc16(b, 1), crc16_bitwise(b, 1));
		assert_int_equal(gd_crc16(b, 2), crc16_bitwise(b, 2));
	}
}

static void test_long_inputs(void **state)
{
	static uint8_t buf[GD_MAX_FRAME];
	uint32_t x = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t n = 0; n <= sizeof buf; n += 97)
		assert_int_equal(gd_crc16(buf, n), crc16_bitwise(buf, n));
	assert_int_equal(gd_crc16(buf, sizeof buf),
			 crc16_bitwise(buf, sizeof buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_value),
		cmocka_unit_test(test_short_inputs),
		cmocka_unit_test(test_long_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
