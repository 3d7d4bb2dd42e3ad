/*
 * Unit tests for the streaming decoder (libmini/decoder.c) as the agent
 * drives it: frames in every split, long pipelined bursts, garbage and
 * refused frames between good ones, and a full buffer of garbage (each
 * garbage run reported once, however it was split).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decoder.h"

#define BURST 600 /* more frames than fit in the decoder at once */

static struct gd_decoder dec;
static uint8_t stream[BURST * (GD_HDR_LEN + 8) + 4096];

/* A request frame with id and a payload of plen bytes of one TLV. */
static size_t put_frame(uint8_t *out, uint32_t id, size_t plen, uint8_t version)
{
	struct gd_hdr h = { .version = version, .op = GD_OP_PING, .id = id,
			    .length = (uint16_t)plen };

	gd_hdr_pack(&h, out);
	memset(out + GD_HDR_LEN, 'p', plen);
	if (plen >= GD_TLV_HDR_LEN) {
		gd_set_u16(out + GD_HDR_LEN, 1000);
		gd_set_u16(out + GD_HDR_LEN + 2, (uint16_t)(plen - GD_TLV_HDR_LEN));
	}
	return GD_HDR_LEN + plen;
}

/*
 * Feed stream[0..len) in chunks of chunk bytes through gd_dec_space and
 * gd_dec_commit (as read_in does), collecting events: ids of frames in
 * ids[], and counts of errors and garbage bytes.
 */
struct seen {
	uint32_t ids[BURST + 8];
	size_t nids, errors, garbage_runs;
};

static void drain(struct seen *s)
{
	struct gd_frame f;
	int r;

	while ((r = gd_dec_next(&dec, &f)) != GD_DEC_NEED) {
		if (r == GD_DEC_FRAME) {
			assert_int_equal(f.payload, f.raw + GD_HDR_LEN);
			assert_true(s->nids < BURST + 8);
			s->ids[s->nids++] = f.hdr.id;
		} else if (r == GD_DEC_ERROR) {
			s->errors++;
		} else {
			assert_true(f.skipped > 0);
			s->garbage_runs++;
		}
	}
}

static void run(size_t len, size_t chunk, struct seen *s)
{
	size_t off = 0;

	memset(s, 0, sizeof *s);
	gd_dec_init(&dec);
	while (off < len) {
		size_t room, n;
		uint8_t *dst = gd_dec_space(&dec, &room);

		n = len - off < chunk ? len - off : chunk;
		if (n > room)
			n = room;
		memcpy(dst, stream + off, n);
		gd_dec_commit(&dec, n);
		off += n;
		drain(s);
	}
	drain(s);
}

static void test_burst_every_split(void **state)
{
	static const size_t chunks[] = { 1, 2, 7, 16, 17, 100, 4096, 8240,
					 100000 };
	size_t len = 0;
	struct seen s;

	(void)state;
	for (uint32_t i = 1; i <= BURST; i++)
		len += put_frame(stream + len, i, i % 3 ? 0 : 8, 1);
	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		run(len, chunks[c], &s);
		assert_int_equal(s.nids, BURST);
		for (uint32_t i = 0; i < BURST; i++)
			assert_int_equal(s.ids[i], i + 1);
		assert_int_equal(s.errors, 0);
		assert_int_equal(s.garbage_runs, 0);
		assert_false(gd_dec_partial(&dec));
	}
}

static void test_garbage_and_refused_between(void **state)
{
	size_t len = 0;
	struct seen s;

	(void)state;
	len += put_frame(stream + len, 1, 0, 1);
	memcpy(stream + len, "\x00junkG\xff", 7);
	len += 7;
	len += put_frame(stream + len, 2, 8, 1);
	len += put_frame(stream + len, 3, 40, 2); /* bad version: skipped */
	len += put_frame(stream + len, 4, 0, 1);
	for (size_t chunk = 1; chunk <= 64; chunk++) {
		run(len, chunk, &s);
		assert_int_equal(s.nids, 3);
		assert_int_equal(s.ids[0], 1);
		assert_int_equal(s.ids[1], 2);
		assert_int_equal(s.ids[2], 4);
		assert_int_equal(s.errors, 1);
		assert_int_equal(s.garbage_runs, 1); /* once per run */
	}
}

/* A buffer full of garbage is skipped and the next frame still decodes. */
static void test_full_buffer_of_garbage(void **state)
{
	size_t len = GD_MAX_FRAME + 100;
	struct seen s;

	(void)state;
	memset(stream, 'G', len);
	len += put_frame(stream + len, 9, 0, 1);
	run(len, 4096, &s);
	assert_int_equal(s.nids, 1);
	assert_int_equal(s.ids[0], 9);
	assert_int_equal(s.garbage_runs, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_every_split),
		cmocka_unit_test(test_garbage_and_refused_between),
		cmocka_unit_test(test_full_buffer_of_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
