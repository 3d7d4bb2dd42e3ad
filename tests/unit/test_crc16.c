/*
 * Unit tests for gd_crc16 (libmini/proto.c), the header check of every
 * frame: the CRC-16/CCITT-FALSE check value, lengths around the four-byte
 * step, and agreement with the bit-by-bit definition on every 1- and
 * 2-byte input, on long ones, on random spans and on the headers that
 * gd_hdr_pack and gd_hdr_unpack check with their own shortcut.
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

/*
 * Lengths 0 to 9 around the four-byte step (0 to 3 bytes left over),
 * and one 14-byte header: values from Python's binascii.crc_hqx
 * (the same CRC), not from the code under test.
 */
static void test_slice_lengths(void **state)
{
	static const uint16_t want[10] = {
		0xffff, 0xc782, 0x3dba, 0x5bce, 0x5349,
		0x4560, 0x2ef4, 0x7718, 0xa12b, 0x29b1,
	};
	static const uint8_t hdr[14] = { 0x47, 0x44, 1, 0, 2, 0, 0, 0,
					 1, 0, 0, 0, 0, 0 };

	(void)state;
	for (size_t n = 0; n < 10; n++)
		assert_int_equal(gd_crc16((const uint8_t *)"123456789", n),
				 want[n]);
	assert_int_equal(gd_crc16(hdr, sizeof hdr), 0x35f1);
	/* Unaligned starts: the step reads bytes, never wider loads. */
	for (size_t off = 1; off < 4; off++) {
		uint8_t b[16];

		memcpy(b + off, hdr, 12);
		assert_int_equal(gd_crc16(b + off, 12), crc16_bitwise(hdr, 12));
	}
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

static uint32_t next_rand(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 16;
}

/* Random lengths at random offsets, against the definition. */
static void test_random_spans(void **state)
{
	static uint8_t buf[256];
	uint32_t x = 777;

	(void)state;
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)next_rand(&x);
	for (int i = 0; i < 20000; i++) {
		size_t off = next_rand(&x) % 64, n = next_rand(&x) % 160;

		assert_int_equal(gd_crc16(buf + off, n),
				 crc16_bitwise(buf + off, n));
	}
}

/*
 * gd_hdr_pack and gd_hdr_unpack take a shortcut for headers that start
 * with the magic and version 1: random headers, with that version and
 * others, must carry and accept the CRC of the definition, and refuse a
 * header with any one bit of bytes 0..15 flipped.
 */
static void test_header_crc(void **state)
{
	uint32_t x = 4242;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		struct gd_hdr h = {
			.version = (uint8_t)(i % 4 ? 1 : next_rand(&x)),
			.flags = (uint8_t)next_rand(&x),
			.op = (uint16_t)next_rand(&x),
			.status = (uint16_t)next_rand(&x),
			.id = next_rand(&x) << 16 | next_rand(&x),
			.length = (uint16_t)next_rand(&x),
		};
		struct gd_hdr back;
		uint8_t b[20];
		size_t off = (size_t)i % 4;
		unsigned bit = next_rand(&x) % 128;

		gd_hdr_pack(&h, b + off);
		assert_int_equal(gd_get_u16(b + off + 14),
				 crc16_bitwise(b + off, 14));
		assert_int_equal(gd_hdr_unpack(b + off, &back), 0);
		assert_true(back.version == h.version && back.flags == h.flags &&
			    back.op == h.op && back.status == h.status &&
			    back.id == h.id && back.length == h.length);
		b[off + bit / 8] ^= (uint8_t)(1u << bit % 8);
		assert_int_equal(gd_hdr_unpack(b + off, &back), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_value),
		cmocka_unit_test(test_slice_lengths),
		cmocka_unit_test(test_short_inputs),
		cmocka_unit_test(test_long_inputs),
		cmocka_unit_test(test_random_spans),
		cmocka_unit_test(test_header_crc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
