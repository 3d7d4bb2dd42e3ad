/*
 * Protocol v1 building blocks: header CRC, the TLV writer at and past
 * GD_MAX_PAYLOAD and its buffer, the TLV reader on truncated input,
 * typed getters with wrong widths, strings at their cap, status names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"
#include "vectors.h"


/* ---- header and CRC ---- */

static void test_crc_and_header(void **state)
{
	struct gd_hdr h;
	uint8_t b[GD_HDR_LEN];

	(void)state;
	assert_int_equal(gd_crc16((const uint8_t *)"123456789", 9), 0x29b1);
	assert_int_equal(gd_crc16(NULL, 0), 0xffff);
	for (size_t i = 0; i < GD_NVECTORS; i++) {
		const struct gd_vector *v = &gd_vectors[i];
		int want = strcmp(v->name, "bad_crc") == 0 ? -1 : 0;

		assert_int_equal(gd_hdr_unpack(v->bytes, &h), want);
		/* Every header byte is covered: one flipped bit fails. */
		for (size_t bit = 0; want == 0 && bit < 8 * 14; bit++) {
			memcpy(b, v->bytes, sizeof b);
			b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_int_equal(gd_hdr_unpack(b, &h), -1);
		}
	}
	memcpy(b, vec_ping_req, sizeof b);
	b[0] = 'g';
	assert_int_equal(gd_hdr_unpack(b, &h), -1);
	memcpy(b, vec_ping_req, sizeof b);
	b[1] = 'd';
	assert_int_equal(gd_hdr_unpack(b, &h), -1);
}

/* ---- TLV writer ---- */

static uint8_t big[GD_MAX_FRAME + 64];
static uint8_t filler[GD_MAX_PAYLOAD + 0x10000];

static void test_writer_payload_limit(void **state)
{
	struct gd_buf b;
	struct gd_frame_writer w;
	struct gd_hdr h = { .version = 1, .op = GD_OP_PING };
	size_t before;

	(void)state;
	gd_buf_init(&b, big, sizeof big);
	assert_int_equal(gd_frame_begin(&w, &b, &h), 0);
	before = b.len;
	assert_int_equal(gd_tlv_bytes(&w, 1000, filler,
				      GD_MAX_PAYLOAD - GD_TLV_HDR_LEN + 1), -1);
	assert_int_equal(b.len, before);
	assert_int_equal(gd_tlv_bytes(&w, 1000, filler, 0x10000), -1);
	assert_int_equal(b.len, before);
	assert_int_equal(gd_tlv_bytes(&w, 1000, filler,
				      GD_MAX_PAYLOAD - GD_TLV_HDR_LEN), 0);
	assert_int_equal(gd_tlv_bytes(&w, 1001, filler, 0), -1);
	assert_int_equal(gd_tlv_u8(&w, 1001, 1), -1);
	gd_frame_end(&w);
	assert_int_equal(b.len, GD_HDR_LEN + GD_MAX_PAYLOAD);
	assert_int_equal(gd_get_u16(big + 12), GD_MAX_PAYLOAD);
}

static void test_writer_payload_limit_two_tlvs(void **state)
{
	struct gd_buf b;
	struct gd_frame_writer w;
	struct gd_hdr h = { .version = 1, .op = GD_OP_PING };
	size_t half = GD_MAX_PAYLOAD / 2 - GD_TLV_HDR_LEN;

	(void)state;
	gd_buf_init(&b, big, sizeof big);
	assert_int_equal(gd_frame_begin(&w, &b, &h), 0);
	assert_int_equal(gd_tlv_bytes(&w, 1, filler, half), 0);
	assert_int_equal(gd_tlv_bytes(&w, 2, filler, half + 1), -1);
	assert_int_equal(gd_tlv_bytes(&w, 2, filler, half), 0);
	assert_int_equal(gd_tlv_str(&w, 3, ""), -1);
	gd_frame_end(&w);
	assert_int_equal(gd_tlv_check(big + GD_HDR_LEN, GD_MAX_PAYLOAD), 0);
}

static void test_writer_buffer_room(void **state)
{
	uint8_t out[GD_HDR_LEN + GD_TLV_HDR_LEN + 2];
	struct gd_buf b;
	struct gd_frame_writer w;
	struct gd_hdr h = { .version = 1, .op = GD_OP_HELLO, .id = 1 };

	(void)state;
	gd_buf_init(&b, out, GD_HDR_LEN - 1);
	assert_int_equal(gd_frame_begin(&w, &b, &h), -1);
	assert_int_equal(b.len, 0);
	gd_buf_init(&b, out, sizeof out);
	assert_int_equal(gd_frame_begin(&w, &b, &h), 0);
	assert_int_equal(gd_tlv_u32(&w, GD_T_CAPS, 1), -1);
	assert_int_equal(gd_tlv_u16(&w, GD_T_PROTO_VERSION, 1), 0);
	assert_int_equal(gd_tlv_u8(&w, GD_T_WORKLOAD_STATE, 1), -1);
	gd_frame_end(&w);
	assert_memory_equal(out, vec_hello_req, sizeof vec_hello_req);
}

static void test_writer_abort(void **state)
{
	uint8_t out[128];
	struct gd_buf b;
	struct gd_frame_writer w;
	struct gd_hdr h = { .version = 1, .op = GD_OP_PING, .id = 2 };

	(void)state;
	gd_buf_init(&b, out, sizeof out);
	assert_int_equal(gd_frame_begin(&w, &b, &h), 0);
	gd_frame_end(&w);
	assert_int_equal(gd_frame_begin(&w, &b, &h), 0);
	assert_int_equal(gd_tlv_str(&w, GD_T_MESSAGE, "dropped"), 0);
	gd_frame_abort(&w);
	assert_int_equal(b.len, sizeof vec_ping_req);
	assert_memory_equal(out, vec_ping_req, sizeof vec_ping_req);
}

static void test_writer_widths(void **state)
{
	static const uint8_t want[] = {
		1, 0, 1, 0, 0xab,
		2, 0, 2, 0, 0x34, 0x12,
		3, 0, 4, 0, 0x78, 0x56, 0x34, 0x12,
		4, 0, 8, 0, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01,
		5, 0, 0, 0,
		0xff, 0xff, 2, 0, 'h', 'i',
	};
	uint8_t out[128];
	struct gd_buf b;
	struct gd_frame_writer w;
	struct gd_hdr h = { .version = 1 };

	(void)state;
	gd_buf_init(&b, out, sizeof out);
	gd_frame_begin(&w, &b, &h);
	assert_int_equal(gd_tlv_u8(&w, 1, 0xab), 0);
	assert_int_equal(gd_tlv_u16(&w, 2, 0x1234), 0);
	assert_int_equal(gd_tlv_u32(&w, 3, 0x12345678u), 0);
	assert_int_equal(gd_tlv_u64(&w, 4, 0x0123456789abcdefull), 0);
	assert_int_equal(gd_tlv_str(&w, 5, ""), 0);
	assert_int_equal(gd_tlv_bytes(&w, 0xffff, "hi", 2), 0);
	gd_frame_end(&w);
	assert_int_equal(b.len, GD_HDR_LEN + sizeof want);
	assert_memory_equal(out + GD_HDR_LEN, want, sizeof want);
}

/* ---- TLV reader ---- */

static void test_reader_truncated(void **state)
{
	static const uint8_t p[] = { 7, 0, 5, 0, 'a', 'b', 'c', 'd', 'e',
				     9, 0, 3, 0, 'x', 'y' };
	struct gd_tlv_view tv;
	size_t off = 0;

	(void)state;
	assert_int_equal(gd_tlv_check(p, 0), 0);
	assert_int_equal(gd_tlv_next(p, 0, &off, &tv), 0);
	for (size_t n = 1; n < 9; n++) {
		off = 0;
		assert_int_equal(gd_tlv_next(p, n, &off, &tv), -1);
		assert_int_equal(gd_tlv_check(p, n), -1);
	}
	assert_int_equal(gd_tlv_check(p, 9), 0);
	off = 0;
	assert_int_equal(gd_tlv_next(p, sizeof p, &off, &tv), 1);
	assert_int_equal(tv.type, 7);
	assert_int_equal(tv.len, 5);
	assert_ptr_equal(tv.val, p + 4);
	assert_int_equal(off, 9);
	assert_int_equal(gd_tlv_next(p, sizeof p, &off, &tv), -1);
	assert_int_equal(gd_tlv_check(p, sizeof p), -1);
	assert_int_equal(gd_tlv_find(p, sizeof p, 7, &tv), 0);
	assert_int_equal(gd_tlv_find(p, sizeof p, 9, &tv), -1);
}

static void test_reader_find(void **state)
{
	static const uint8_t p[] = { 0xff, 0xff, 1, 0, 'u',
				     2, 0, 2, 0, 1, 0,
				     2, 0, 2, 0, 9, 0,
				     3, 0, 0, 0 };
	struct gd_tlv_view tv;
	uint16_t v;

	(void)state;
	assert_int_equal(gd_tlv_find(p, sizeof p, 2, &tv), 0);
	assert_int_equal(gd_tlv_get_u16(&tv, &v), 0);
	assert_int_equal(v, 1); /* the first of duplicates */
	assert_int_equal(gd_tlv_find(p, sizeof p, 3, &tv), 0);
	assert_int_equal(tv.len, 0);
	assert_int_equal(gd_tlv_find(p, sizeof p, 4, &tv), -1);
}

static void test_reader_widths(void **state)
{
	static const uint8_t val[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };

	(void)state;
	for (uint16_t len = 0; len <= 9; len++) {
		struct gd_tlv_view tv = { .type = 1, .len = len, .val = val };
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		uint64_t u64;

		assert_int_equal(gd_tlv_get_u8(&tv, &u8), len == 1 ? 0 : -1);
		assert_int_equal(gd_tlv_get_u16(&tv, &u16), len == 2 ? 0 : -1);
		assert_int_equal(gd_tlv_get_u32(&tv, &u32), len == 4 ? 0 : -1);
		assert_int_equal(gd_tlv_get_u64(&tv, &u64), len == 8 ? 0 : -1);
		if (len == 8) {
			assert_int_equal(u8, 1);
			assert_int_equal(u16, 0x0201);
			assert_int_equal(u32, 0x04030201u);
			assert_int_equal(u64, 0x0807060504030201ull);
		}
	}
}

static void test_reader_str_cap(void **state)
{
	static const uint8_t val[GD_MAX_STR + 1];
	char dst[GD_MAX_STR + 1];
	struct gd_tlv_view tv = { .type = 1, .val = (const uint8_t *)"abc\0d" };

	(void)state;
	tv.len = 3;
	memset(dst, 'x', sizeof dst);
	assert_int_equal(gd_tlv_get_str(&tv, dst, 4), 0);
	assert_string_equal(dst, "abc");
	assert_int_equal(gd_tlv_get_str(&tv, dst, 3), -1);
	tv.len = 5;
	assert_int_equal(gd_tlv_get_str(&tv, dst, sizeof dst), -1); /* NUL */
	tv.len = 0;
	assert_int_equal(gd_tlv_get_str(&tv, dst, 1), 0);
	assert_string_equal(dst, "");
	assert_int_equal(gd_tlv_get_str(&tv, dst, 0), -1);
	tv.val = val;
	tv.len = GD_MAX_STR; /* zero bytes: NUL inside, refused at any size */
	assert_int_equal(gd_tlv_get_str(&tv, dst, sizeof dst), -1);
}

static void test_reader_str_at_cap(void **state)
{
	static uint8_t val[GD_MAX_STR + 1];
	char dst[GD_MAX_STR + 1];
	struct gd_tlv_view tv = { .type = 1, .val = val };

	(void)state;
	memset(val, 's', sizeof val);
	tv.len = GD_MAX_STR; /* cap - 1: fits with its NUL */
	assert_int_equal(gd_tlv_get_str(&tv, dst, sizeof dst), 0);
	assert_int_equal(strlen(dst), GD_MAX_STR);
	tv.len = GD_MAX_STR + 1; /* cap: no room for the NUL */
	assert_int_equal(gd_tlv_get_str(&tv, dst, sizeof dst), -1);
}

static void test_names(void **state)
{
	(void)state;
	for (uint16_t s = 0; s < GD_S_COUNT; s++)
		assert_string_not_equal(gd_status_name(s), "unknown");
	assert_string_equal(gd_status_name(GD_S_TOO_BIG), "too-big");
	assert_string_equal(gd_status_name(GD_S_COUNT), "unknown");
	assert_string_equal(gd_status_name(0xffff), "unknown");
	assert_string_equal(gd_op_name(GD_OP_HELLO), "hello");
	assert_string_equal(gd_op_name(GD_EV_READY), "ready");
	assert_string_equal(gd_op_name(999), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_and_header),
		cmocka_unit_test(test_writer_payload_limit),
		cmocka_unit_test(test_writer_payload_limit_two_tlvs),
		cmocka_unit_test(test_writer_buffer_room),
		cmocka_unit_test(test_writer_abort),
		cmocka_unit_test(test_writer_widths),
		cmocka_unit_test(test_reader_truncated),
		cmocka_unit_test(test_reader_find),
		cmocka_unit_test(test_reader_widths),
		cmocka_unit_test(test_reader_str_cap),
		cmocka_unit_test(test_reader_str_at_cap),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
