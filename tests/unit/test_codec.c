/*
 * Protocol v1 codec: the test vectors of docs/protocol.md decoded field by
 * field and re-encoded byte-exact, every split of the input, resync after
 * garbage, every limit of the decoder at and one past.
 *
 * `test_codec --dump-vectors` prints "NAME HEX" per vector instead of
 * testing; tests/integration/test_protocol_doc.sh compares that with the doc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decoder.h"
#include "proto.h"
#include "vectors.h"

#define MAX_EVENTS 8
#define EV_PAYLOAD_MAX 256

/* ---- what each vector means ---- */

enum kind { K_STR, K_U8, K_U16, K_U32, K_U64 };

struct want_tlv {
	uint16_t type;
	enum kind kind;
	uint64_t num;
	const char *str;
};

struct want {
	const char *name;
	struct gd_hdr hdr;
	int result;       /* decoder event for the vector */
	uint16_t status;  /* GD_DEC_ERROR: status to answer with */
	size_t skipped;   /* GD_DEC_GARBAGE: bytes skipped */
	struct want_tlv tlv[12];
};

#define CAPS_V1 (GD_CAP_PING | GD_CAP_INFO)
#define BOOT "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0"
#define UPTIMES { GD_T_AGENT_UPTIME, K_U64, 1500000000u, NULL }, \
		{ GD_T_SYS_UPTIME, K_U64, 3250000000u, NULL }, \
		{ GD_T_BOOT_ID, K_STR, 0, BOOT }
#define RESP GD_F_RESPONSE

static const struct want wants[] = {
	{ "hello_req", { 1, 0, GD_OP_HELLO, 0, 1, 6 }, GD_DEC_FRAME, 0, 0,
	  { { GD_T_PROTO_VERSION, K_U16, 1, NULL } } },
	{ "hello_resp", { 1, RESP, GD_OP_HELLO, 0, 1, 31 }, GD_DEC_FRAME, 0, 0,
	  { { GD_T_PROTO_VERSION, K_U16, 1, NULL },
	    { GD_T_CAPS, K_U32, CAPS_V1, NULL },
	    { GD_T_AGENT_VERSION, K_STR, 0, "0.1.0" },
	    { GD_T_MAX_PAYLOAD, K_U32, GD_MAX_PAYLOAD, NULL } } },
	{ "ping_req", { 1, 0, GD_OP_PING, 0, 2, 0 }, GD_DEC_FRAME, 0, 0, { { 0 } } },
	{ "ping_resp", { 1, RESP, GD_OP_PING, 0, 2, 64 }, GD_DEC_FRAME, 0, 0,
	  { UPTIMES } },
	{ "info_req", { 1, 0, GD_OP_INFO, 0, 3, 0 }, GD_DEC_FRAME, 0, 0, { { 0 } } },
	{ "info_resp", { 1, RESP, GD_OP_INFO, 0, 3, 170 }, GD_DEC_FRAME, 0, 0,
	  { { GD_T_AGENT_VERSION, K_STR, 0, "0.1.0" },
	    { GD_T_PROTO_VERSION, K_U16, 1, NULL },
	    { GD_T_CAPS, K_U32, CAPS_V1, NULL },
	    { GD_T_KERNEL, K_STR, 0, "6.1.0-28-cloud-amd64" },
	    { GD_T_ARCH, K_STR, 0, "x86_64" },
	    { GD_T_HOSTNAME, K_STR, 0, "vm1" },
	    { GD_T_PID, K_U32, 1, NULL },
	    { GD_T_OS_NAME, K_STR, 0, "Debian GNU/Linux 12 (bookworm)" },
	    UPTIMES } },
	{ "unknown_op_req", { 1, 0, 999, 0, 4, 0 }, GD_DEC_FRAME, 0, 0, { { 0 } } },
	{ "unknown_op_resp", { 1, RESP, 999, GD_S_UNKNOWN_OP, 4, 14 },
	  GD_DEC_FRAME, 0, 0, { { GD_T_MESSAGE, K_STR, 0, "unknown op" } } },
	{ "bad_crc", { 1, 0, GD_OP_PING, 0, 5, 0 }, GD_DEC_GARBAGE, 0, 16,
	  { { 0 } } },
	{ "bad_frame_resp", { 1, RESP, 0, GD_S_BAD_FRAME, 0, 38 }, GD_DEC_FRAME,
	  0, 0,
	  { { GD_T_MESSAGE, K_STR, 0, "skipped bytes that are not a frame" } } },
	{ "too_big_req", { 1, 0, GD_OP_PING, 0, 6, GD_MAX_PAYLOAD + 1 },
	  GD_DEC_ERROR, GD_S_TOO_BIG, 0, { { 0 } } },
	{ "too_big_resp", { 1, RESP, GD_OP_PING, GD_S_TOO_BIG, 6, 43 },
	  GD_DEC_FRAME, 0, 0,
	  { { GD_T_MESSAGE, K_STR, 0,
	      "payload length over the 8192-byte limit" } } },
};

#define NWANTS (sizeof wants / sizeof wants[0])

/* ---- decoder event recording ---- */

struct ev {
	int result;
	struct gd_hdr hdr;
	uint16_t status;
	size_t skipped;
	int has_mac;
	uint8_t payload[EV_PAYLOAD_MAX];
};

struct evlog {
	struct ev ev[MAX_EVENTS];
	size_t n;
};

static struct gd_decoder dec;
/* Room for the longest refused frame (length 0xffff, MAC) and more. */
static uint8_t stream[GD_HDR_LEN + 0xffff + GD_MAC_LEN + 2 * GD_MAX_FRAME];

/* Take every event the decoder has ready. */
static void drain(struct gd_decoder *d, struct evlog *log)
{
	struct gd_frame f;
	int r;

	while ((r = gd_dec_next(d, &f)) != GD_DEC_NEED) {
		struct ev *e;

		assert_true(log->n < MAX_EVENTS);
		e = &log->ev[log->n++];
		memset(e, 0, sizeof *e);
		e->result = r;
		if (r == GD_DEC_GARBAGE) {
			e->skipped = f.skipped;
			continue;
		}
		e->hdr = f.hdr;
		e->status = f.status;
		if (r == GD_DEC_FRAME) {
			assert_ptr_equal(f.payload, f.raw + GD_HDR_LEN);
			e->has_mac = f.mac != NULL;
			if (f.hdr.length <= EV_PAYLOAD_MAX)
				memcpy(e->payload, f.payload, f.hdr.length);
		}
	}
}

/* Feed all n bytes, draining whenever the decoder is full or done. */
static void feed(struct gd_decoder *d, const uint8_t *p, size_t n,
		 struct evlog *log)
{
	while (n) {
		size_t took = gd_dec_feed(d, p, n);

		p += took;
		n -= took;
		drain(d, log);
	}
}

static void assert_same_events(const struct evlog *a, const struct evlog *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct ev *x = &a->ev[i], *y = &b->ev[i];

		assert_int_equal(x->result, y->result);
		if (x->result == GD_DEC_GARBAGE) {
			/*
			 * One report per run whatever the split, but a run cut
			 * by a read is reported with the bytes seen so far.
			 */
			assert_true(x->skipped > 0 && y->skipped > 0);
			continue;
		}
		assert_int_equal(x->hdr.version, y->hdr.version);
		assert_int_equal(x->hdr.flags, y->hdr.flags);
		assert_int_equal(x->hdr.op, y->hdr.op);
		assert_int_equal(x->hdr.status, y->hdr.status);
		assert_int_equal(x->hdr.id, y->hdr.id);
		assert_int_equal(x->hdr.length, y->hdr.length);
		assert_int_equal(x->status, y->status);
		assert_int_equal(x->skipped, y->skipped);
		assert_int_equal(x->has_mac, y->has_mac);
		assert_memory_equal(x->payload, y->payload, sizeof x->payload);
	}
}

static const struct gd_vector *vector(const char *name)
{
	for (size_t i = 0; i < GD_NVECTORS; i++)
		if (strcmp(gd_vectors[i].name, name) == 0)
			return &gd_vectors[i];
	fail_msg("no vector %s", name);
	return NULL;
}

/*
 * The vector followed by what a refused header still owes (its payload)
 * and a PING request, so every vector's effect on the rest of the stream
 * is tested too.
 */
static size_t vector_stream(const struct gd_vector *v, const struct want *w)
{
	size_t n = v->len;

	memcpy(stream, v->bytes, v->len);
	if (w->result == GD_DEC_ERROR) {
		memset(stream + n, 'p', w->hdr.length);
		n += w->hdr.length;
	}
	memcpy(stream + n, vec_ping_req, sizeof vec_ping_req);
	return n + sizeof vec_ping_req;
}

static void check_tlvs(const struct want *w, const uint8_t *payload)
{
	size_t off = 0, i = 0;
	struct gd_tlv_view tv;
	int r;

	while ((r = gd_tlv_next(payload, w->hdr.length, &off, &tv)) == 1) {
		const struct want_tlv *t = &w->tlv[i++];
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		uint64_t u64;
		char s[GD_MAX_STR + 1];

		assert_int_equal(tv.type, t->type);
		switch (t->kind) {
		case K_STR:
			assert_int_equal(gd_tlv_get_str(&tv, s, sizeof s), 0);
			assert_string_equal(s, t->str);
			break;
		case K_U8:
			assert_int_equal(gd_tlv_get_u8(&tv, &u8), 0);
			assert_int_equal(u8, t->num);
			break;
		case K_U16:
			assert_int_equal(gd_tlv_get_u16(&tv, &u16), 0);
			assert_int_equal(u16, t->num);
			break;
		case K_U32:
			assert_int_equal(gd_tlv_get_u32(&tv, &u32), 0);
			assert_int_equal(u32, t->num);
			break;
		case K_U64:
			assert_int_equal(gd_tlv_get_u64(&tv, &u64), 0);
			assert_int_equal(u64, t->num);
			break;
		}
	}
	assert_int_equal(r, 0);
	assert_int_equal(w->tlv[i].type, 0); /* no expected TLV missing */
}

static void check_ping_sentinel(const struct ev *e)
{
	assert_int_equal(e->result, GD_DEC_FRAME);
	assert_int_equal(e->hdr.op, GD_OP_PING);
	assert_int_equal(e->hdr.id, 2);
	assert_int_equal(e->hdr.length, 0);
}

/* ---- vectors ---- */

static void test_vectors_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < NWANTS; i++) {
		const struct want *w = &wants[i];
		size_t n = vector_stream(vector(w->name), w);
		struct evlog log = { .n = 0 };
		const struct ev *e = &log.ev[0];

		gd_dec_init(&dec);
		feed(&dec, stream, n, &log);
		assert_int_equal(log.n, 2);
		assert_int_equal(e->result, w->result);
		check_ping_sentinel(&log.ev[1]);
		if (w->result == GD_DEC_GARBAGE) {
			assert_int_equal(e->skipped, w->skipped);
			continue;
		}
		assert_int_equal(e->hdr.version, w->hdr.version);
		assert_int_equal(e->hdr.flags, w->hdr.flags);
		assert_int_equal(e->hdr.op, w->hdr.op);
		assert_int_equal(e->hdr.status, w->hdr.status);
		assert_int_equal(e->hdr.id, w->hdr.id);
		assert_int_equal(e->hdr.length, w->hdr.length);
		assert_int_equal(e->status, w->status);
		assert_false(e->has_mac);
		if (w->result == GD_DEC_FRAME)
			check_tlvs(w, e->payload);
		assert_false(gd_dec_partial(&dec));
	}
}

static int put_tlv(struct gd_frame_writer *fw, const struct want_tlv *t)
{
	switch (t->kind) {
	case K_STR: return gd_tlv_str(fw, t->type, t->str);
	case K_U8: return gd_tlv_u8(fw, t->type, (uint8_t)t->num);
	case K_U16: return gd_tlv_u16(fw, t->type, (uint16_t)t->num);
	case K_U32: return gd_tlv_u32(fw, t->type, (uint32_t)t->num);
	default: return gd_tlv_u64(fw, t->type, t->num);
	}
}

static void test_vectors_encode(void **state)
{
	(void)state;
	for (size_t i = 0; i < NWANTS; i++) {
		const struct want *w = &wants[i];
		const struct gd_vector *v = vector(w->name);
		uint8_t out[512];
		struct gd_buf b;
		struct gd_frame_writer fw;

		gd_buf_init(&b, out, sizeof out);
		if (w->result != GD_DEC_FRAME) {
			/* Header-only vectors: a refused length, a broken CRC. */
			gd_hdr_pack(&w->hdr, out);
			assert_int_equal(v->len, GD_HDR_LEN);
			assert_memory_equal(out, v->bytes, 14);
			if (w->result == GD_DEC_ERROR)
				assert_memory_equal(out, v->bytes, GD_HDR_LEN);
			else
				assert_int_equal(gd_get_u16(v->bytes + 14),
						 gd_get_u16(out + 14) ^ 0x0101);
			continue;
		}
		assert_int_equal(gd_frame_begin(&fw, &b, &w->hdr), 0);
		for (const struct want_tlv *t = w->tlv; t->type; t++)
			assert_int_equal(put_tlv(&fw, t), 0);
		assert_int_equal(gd_frame_end(&fw), 0);
		assert_int_equal(b.len, v->len);
		assert_memory_equal(out, v->bytes, v->len);
	}
}

static void events_whole(size_t n, struct evlog *log)
{
	log->n = 0;
	gd_dec_init(&dec);
	feed(&dec, stream, n, log);
}

static void test_vectors_every_split(void **state)
{
	(void)state;
	for (size_t i = 0; i < NWANTS; i++) {
		const struct want *w = &wants[i];
		size_t n = vector_stream(vector(w->name), w);
		struct evlog whole, split;

		events_whole(n, &whole);
		for (size_t k = 0; k <= n; k++) {
			split.n = 0;
			gd_dec_init(&dec);
			feed(&dec, stream, k, &split);
			feed(&dec, stream + k, n - k, &split);
			assert_same_events(&whole, &split);
		}
	}
}

static void test_vectors_byte_by_byte(void **state)
{
	(void)state;
	for (size_t i = 0; i < NWANTS; i++) {
		const struct want *w = &wants[i];
		size_t n = vector_stream(vector(w->name), w);
		struct evlog whole, bytes = { .n = 0 };

		events_whole(n, &whole);
		gd_dec_init(&dec);
		for (size_t k = 0; k < n; k++)
			feed(&dec, stream + k, 1, &bytes);
		assert_same_events(&whole, &bytes);
	}
}

static void test_pipelined_vectors(void **state)
{
	static const char *const reqs[] = { "hello_req", "ping_req", "info_req",
					    "unknown_op_req" };
	struct evlog log = { .n = 0 };
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		const struct gd_vector *v = vector(reqs[i]);

		memcpy(stream + n, v->bytes, v->len);
		n += v->len;
	}
	gd_dec_init(&dec);
	feed(&dec, stream, n, &log);
	assert_int_equal(log.n, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(log.ev[i].result, GD_DEC_FRAME);
		assert_int_equal(log.ev[i].hdr.id, i + 1);
	}
}

/* ---- resync ---- */

/* Garbage, then hello_req: one GARBAGE event with the count, then the frame. */
static void check_resync(const uint8_t *garbage, size_t glen)
{
	struct evlog whole = { .n = 0 }, part;
	size_t n = glen + sizeof vec_hello_req;

	memcpy(stream, garbage, glen);
	memcpy(stream + glen, vec_hello_req, sizeof vec_hello_req);
	gd_dec_init(&dec);
	feed(&dec, stream, n, &whole);
	assert_int_equal(whole.n, 2);
	assert_int_equal(whole.ev[0].result, GD_DEC_GARBAGE);
	/* A run longer than the buffer is reported when the buffer drains. */
	if (glen + GD_HDR_LEN <= sizeof dec.buf)
		assert_int_equal(whole.ev[0].skipped, glen);
	else
		assert_true(whole.ev[0].skipped >= sizeof dec.buf - GD_HDR_LEN);
	assert_int_equal(whole.ev[1].result, GD_DEC_FRAME);
	assert_int_equal(whole.ev[1].hdr.op, GD_OP_HELLO);
	assert_int_equal(whole.ev[1].hdr.id, 1);
	for (size_t k = 0; k <= n; k++) {
		part.n = 0;
		gd_dec_init(&dec);
		feed(&dec, stream, k, &part);
		feed(&dec, stream + k, n - k, &part);
		assert_same_events(&whole, &part);
	}
	part.n = 0;
	gd_dec_init(&dec);
	for (size_t k = 0; k < n; k++)
		feed(&dec, stream + k, 1, &part);
	assert_same_events(&whole, &part);
}

static void test_resync_plain_garbage(void **state)
{
	static const uint8_t g[] = "\x00\x01garbage\xff\xfe";

	(void)state;
	check_resync(g, sizeof g - 1);
	check_resync((const uint8_t *)"x", 1);
}

static void test_resync_garbage_with_magic(void **state)
{
	uint8_t g[64];
	size_t n = 0;

	(void)state;
	memcpy(g + n, "GD", 2);         /* magic, then a short run */
	n += 2;
	memcpy(g + n, "\x01zzG", 4);    /* a lone first magic byte */
	n += 4;
	memcpy(g + n, vec_ping_req, 16); /* a header whose CRC fails */
	g[n + 8] ^= 0x40;
	n += 16;
	memcpy(g + n, "GDGD", 4);       /* magic right before the frame */
	n += 4;
	check_resync(g, n);
}

static void test_resync_bad_crc_vector(void **state)
{
	(void)state;
	check_resync(vec_bad_crc, sizeof vec_bad_crc);
}

static void test_resync_frame_inside_bad_header(void **state)
{
	uint8_t g[8] = { 'G', 'D', 1, 0, 'G', 'x', 'G', 'D' };

	/* A frame starting inside the 16 bytes of a header that failed. */
	(void)state;
	check_resync(g, sizeof g);
}

static void test_resync_garbage_larger_than_buffer(void **state)
{
	static uint8_t g[GD_MAX_FRAME * 2 + 7];

	(void)state;
	memset(g, 0xaa, sizeof g);
	check_resync(g, sizeof g);
}

static void test_garbage_reported_once_per_run(void **state)
{
	struct evlog log = { .n = 0 };

	(void)state;
	gd_dec_init(&dec);
	/*
	 * A run reaching the end of the input is reported at once (a peer
	 * sending only garbage hears why), and only once however it is split.
	 */
	for (int i = 0; i < 40; i++)
		feed(&dec, (const uint8_t *)"?", 1, &log);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.ev[0].skipped, 1);
	assert_false(gd_dec_partial(&dec));
	feed(&dec, vec_ping_req, sizeof vec_ping_req, &log);
	feed(&dec, (const uint8_t *)"!!!", 3, &log);
	feed(&dec, vec_info_req, sizeof vec_info_req, &log);
	assert_int_equal(log.n, 4);
	assert_int_equal(log.ev[0].result, GD_DEC_GARBAGE);
	check_ping_sentinel(&log.ev[1]);
	assert_int_equal(log.ev[2].result, GD_DEC_GARBAGE);
	assert_int_equal(log.ev[2].skipped, 3);
	assert_int_equal(log.ev[3].hdr.op, GD_OP_INFO);
}

/* ---- limits and refused headers ---- */

/* A request with a payload of exactly len bytes (one TLV, or raw filler). */
static size_t request_of(uint8_t *out, uint16_t len, uint8_t flags,
			 uint8_t version, uint32_t id)
{
	struct gd_hdr h = { .version = version, .flags = flags,
			    .op = GD_OP_PING, .id = id, .length = len };
	size_t n = GD_HDR_LEN + len + ((flags & GD_F_MAC) ? GD_MAC_LEN : 0);

	gd_hdr_pack(&h, out);
	memset(out + GD_HDR_LEN, 'v', n - GD_HDR_LEN);
	return n;
}

static void test_payload_at_limit(void **state)
{
	struct evlog log = { .n = 0 };
	size_t n = request_of(stream, GD_MAX_PAYLOAD, 0, 1, 7);

	(void)state;
	gd_dec_init(&dec);
	feed(&dec, stream, n, &log);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.ev[0].result, GD_DEC_FRAME);
	assert_int_equal(log.ev[0].hdr.length, GD_MAX_PAYLOAD);
	assert_false(log.ev[0].has_mac);
}

static void test_payload_at_limit_with_mac(void **state)
{
	struct gd_frame f;
	size_t n = request_of(stream, GD_MAX_PAYLOAD, GD_F_MAC, 1, 7);

	(void)state;
	assert_int_equal(n, GD_MAX_FRAME);
	gd_dec_init(&dec);
	assert_int_equal(gd_dec_feed(&dec, stream, n), n);
	assert_int_equal(gd_dec_next(&dec, &f), GD_DEC_FRAME);
	assert_ptr_equal(f.mac, f.payload + GD_MAX_PAYLOAD);
	assert_ptr_equal(f.raw, f.payload - GD_HDR_LEN);
}

/* A refused header: one ERROR, its payload skipped, the next frame fine. */
static void check_refused(uint16_t len, uint8_t flags, uint8_t version,
			  uint16_t status)
{
	struct evlog whole = { .n = 0 }, part;
	size_t n = request_of(stream, len, flags, version, 9);

	memcpy(stream + n, vec_ping_req, sizeof vec_ping_req);
	n += sizeof vec_ping_req;
	gd_dec_init(&dec);
	feed(&dec, stream, n, &whole);
	assert_int_equal(whole.n, 2);
	assert_int_equal(whole.ev[0].result, GD_DEC_ERROR);
	assert_int_equal(whole.ev[0].status, status);
	assert_int_equal(whole.ev[0].hdr.id, 9);
	assert_int_equal(whole.ev[0].hdr.length, len);
	check_ping_sentinel(&whole.ev[1]);
	/* A few splits, including inside the skipped payload. */
	for (size_t k = 1; k < n; k += n / 7 + 1) {
		part.n = 0;
		gd_dec_init(&dec);
		feed(&dec, stream, k, &part);
		assert_true(gd_dec_partial(&dec) || k >= n - 16);
		feed(&dec, stream + k, n - k, &part);
		assert_same_events(&whole, &part);
	}
}

static void test_payload_over_limit(void **state)
{
	(void)state;
	check_refused(GD_MAX_PAYLOAD + 1, 0, 1, GD_S_TOO_BIG);
	check_refused(GD_MAX_PAYLOAD + 1, GD_F_MAC, 1, GD_S_TOO_BIG);
	check_refused(0xffff, 0, 1, GD_S_TOO_BIG);
}

static void test_bad_version_and_flags(void **state)
{
	(void)state;
	check_refused(3, 0, 2, GD_S_BAD_VERSION);
	check_refused(0, 0, 0, GD_S_BAD_VERSION);
	check_refused(5, 0x08, 1, GD_S_BAD_FLAGS);
	check_refused(5, 0x80 | GD_F_MAC, 1, GD_S_BAD_FLAGS);
}

static void test_known_flags_pass_the_decoder(void **state)
{
	struct evlog log = { .n = 0 };
	size_t n = request_of(stream, 2, GD_F_KNOWN, 1, 3);

	(void)state;
	gd_dec_init(&dec);
	feed(&dec, stream, n, &log);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.ev[0].result, GD_DEC_FRAME);
	assert_int_equal(log.ev[0].hdr.flags, GD_F_KNOWN);
	assert_true(log.ev[0].has_mac);
}

static void test_feed_stops_when_full(void **state)
{
	struct gd_frame f;
	size_t n = request_of(stream, GD_MAX_PAYLOAD, GD_F_MAC, 1, 1);

	(void)state;
	memcpy(stream + n, vec_ping_req, sizeof vec_ping_req);
	gd_dec_init(&dec);
	assert_int_equal(gd_dec_feed(&dec, stream, n + 16), GD_MAX_FRAME);
	assert_int_equal(gd_dec_feed(&dec, stream, 1), 0);
	assert_int_equal(gd_dec_next(&dec, &f), GD_DEC_FRAME);
	assert_int_equal(gd_dec_feed(&dec, stream + n, 16), 16);
	assert_int_equal(gd_dec_next(&dec, &f), GD_DEC_FRAME);
	assert_int_equal(f.hdr.op, GD_OP_PING);
	assert_int_equal(gd_dec_next(&dec, &f), GD_DEC_NEED);
}

static void test_space_commit(void **state)
{
	struct gd_frame f;
	size_t room;
	uint8_t *dst;

	(void)state;
	gd_dec_init(&dec);
	dst = gd_dec_space(&dec, &room);
	assert_int_equal(room, GD_MAX_FRAME);
	memcpy(dst, vec_hello_req, 10);
	gd_dec_commit(&dec, 10);
	assert_int_equal(gd_dec_next(&dec, &f), GD_DEC_NEED);
	assert_true(gd_dec_partial(&dec));
	dst = gd_dec_space(&dec, &room);
	assert_int_equal(room, GD_MAX_FRAME - 10);
	memcpy(dst, vec_hello_req + 10, sizeof vec_hello_req - 10);
	gd_dec_commit(&dec, sizeof vec_hello_req - 10);
	assert_int_equal(gd_dec_next(&dec, &f), GD_DEC_FRAME);
	assert_false(gd_dec_partial(&dec));
	dst = gd_dec_space(&dec, &room); /* the frame handed out is dropped */
	assert_int_equal(room, GD_MAX_FRAME);
}

static void dump_vectors(void)
{
	for (size_t i = 0; i < GD_NVECTORS; i++) {
		printf("%s ", gd_vectors[i].name);
		for (size_t k = 0; k < gd_vectors[i].len; k++)
			printf("%02x", gd_vectors[i].bytes[k]);
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_decode),
		cmocka_unit_test(test_vectors_encode),
		cmocka_unit_test(test_vectors_every_split),
		cmocka_unit_test(test_vectors_byte_by_byte),
		cmocka_unit_test(test_pipelined_vectors),
		cmocka_unit_test(test_resync_plain_garbage),
		cmocka_unit_test(test_resync_garbage_with_magic),
		cmocka_unit_test(test_resync_bad_crc_vector),
		cmocka_unit_test(test_resync_frame_inside_bad_header),
		cmocka_unit_test(test_resync_garbage_larger_than_buffer),
		cmocka_unit_test(test_garbage_reported_once_per_run),
		cmocka_unit_test(test_payload_at_limit),
		cmocka_unit_test(test_payload_at_limit_with_mac),
		cmocka_unit_test(test_payload_over_limit),
		cmocka_unit_test(test_bad_version_and_flags),
		cmocka_unit_test(test_known_flags_pass_the_decoder),
		cmocka_unit_test(test_feed_stops_when_full),
		cmocka_unit_test(test_space_commit),
	};

	if (argc == 2 && strcmp(argv[1], "--dump-vectors") == 0) {
		dump_vectors();
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
