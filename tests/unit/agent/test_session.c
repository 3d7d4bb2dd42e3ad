/*
 * Unit tests for agent/conn/session.c (gd_session_reset), alone and as
 * the connection slots use it (gd_conn_close, gd_conn_attach): every
 * field before `in` is cleared, auth keys included; `in` is kept; the
 * front end is the one of the protocol asked for; its input buffer is
 * re-initialised, so nothing a previous peer sent can still be decoded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "kv.h"
#include "native.h"
#include "qga.h"

static union gd_conn_in in;
static struct gd_session s;
static struct th_answer ans[TH_MAX_ANSWERS];


/* A session in use: every field set, with a stale front end. */
static void dirty(const struct gd_proto_ops *ops)
{
	memset(&s, 0xa5, sizeof s);
	s.proto = GD_PROTO_QGA;
	s.closing = 1;
	s.auth.state = GD_AUTH_ON;
	memset(s.auth.key, 0x5a, sizeof s.auth.key);
	s.auth.send_seq = 17;
	s.partial_since = 123;
	s.stalled_since = 456;
	s.rx_real = 789;
	s.tx_stamp_pending = 1;
	s.kv_role = GD_KV_ROLE_GUEST;
	s.kv_watch = 7;
	s.kv_dropped = 3;
	s.served = 1;
	s.in = &in;
	s.ops = ops;
}

/* Everything before `in` is what a fresh session speaking proto has. */
static void assert_fresh(enum gd_proto proto)
{
	struct gd_session want;
	static const uint8_t zero[GD_AUTH_KEY_LEN];

	memset(&want, 0, sizeof want);
	want.proto = proto;
	want.kv_role = GD_KV_ROLE_HOST;
	assert_memory_equal(&s, &want, offsetof(struct gd_session, in));
	/* the same, field by field, for a failure that names it */
	assert_int_equal(s.proto, proto);
	assert_int_equal(s.closing, 0);
	assert_int_equal(s.auth.state, GD_AUTH_NONE);
	assert_memory_equal(s.auth.key, zero, sizeof zero);
	assert_int_equal(s.auth.send_seq, 0);
	assert_int_equal(s.partial_since, 0);
	assert_int_equal(s.stalled_since, 0);
	assert_int_equal(s.rx_real, 0);
	assert_int_equal(s.tx_stamp_pending, 0);
	assert_int_equal(s.kv_role, GD_KV_ROLE_HOST);
	assert_int_equal(s.kv_watch, 0);
	assert_int_equal(s.kv_dropped, 0);
	assert_int_equal(s.served, 0);
	assert_ptr_equal(s.in, &in);
}

static size_t ping(uint8_t *b, uint32_t id)
{
	struct gd_hdr h = { .version = GD_PROTO_VERSION, .op = GD_OP_PING,
			    .id = id };

	gd_hdr_pack(&h, b);
	return GD_HDR_LEN;
}

static void test_reset_native(void **state)
{
	uint8_t b[2 * GD_HDR_LEN];
	struct gd_frame f;
	size_t room;

	(void)state;
	dirty(&gd_qga_ops);
	/* a whole frame and half of the next, not yet decoded */
	gd_dec_init(&in.dec);
	ping(b, 1);
	ping(b + GD_HDR_LEN, 2);
	assert_int_equal(gd_dec_feed(&in.dec, b, GD_HDR_LEN + 9), GD_HDR_LEN + 9);
	gd_session_reset(&s, GD_PROTO_NATIVE);
	assert_fresh(GD_PROTO_NATIVE);
	assert_ptr_equal(s.ops, &gd_native_ops);
	assert_int_equal(gd_dec_next(&in.dec, &f), GD_DEC_NEED);
	assert_false(gd_dec_partial(&in.dec));
	assert_non_null(s.ops->in_space(s.in, &room));
	assert_int_equal(room, GD_MAX_FRAME);
	/* the rest of the old frame is now just bytes that are no frame */
	assert_int_equal(gd_dec_feed(&in.dec, b + GD_HDR_LEN + 9, GD_HDR_LEN - 9),
			 GD_HDR_LEN - 9);
	for (int r; (r = gd_dec_next(&in.dec, &f)) != GD_DEC_NEED;)
		assert_int_equal(r, GD_DEC_GARBAGE);
}

static void test_reset_qga(void **state)
{
	static const char text[] = "{\"execute\":\"guest-ping\"}{\"execute\":";
	const char *t;
	size_t room, len;
	char *dst;

	(void)state;
	dirty(&gd_native_ops);
	gd_jf_init(&in.qga);
	dst = gd_jf_space(&in.qga, &room);
	assert_true(room >= sizeof text);
	memcpy(dst, text, sizeof text - 1);
	gd_jf_commit(&in.qga, sizeof text - 1);
	gd_session_reset(&s, GD_PROTO_QGA);
	assert_fresh(GD_PROTO_QGA);
	assert_ptr_equal(s.ops, &gd_qga_ops);
	assert_int_equal(gd_jf_next(&in.qga, &t, &len), GD_JF_NEED);
	assert_false(gd_jf_partial(&in.qga));
	assert_non_null(s.ops->in_space(s.in, &room));
	assert_int_equal(room, GD_JF_TEXT_MAX);
}

/* From one protocol to the other: the new front end's buffer is set up. */
static void test_reset_switches_protocol(void **state)
{
	uint8_t b[GD_HDR_LEN];
	struct gd_frame f;
	const char *t;
	size_t len;

	(void)state;
	dirty(&gd_native_ops);
	s.proto = GD_PROTO_NATIVE;
	gd_dec_init(&in.dec);
	gd_dec_feed(&in.dec, b, ping(b, 3));
	gd_session_reset(&s, GD_PROTO_QGA);
	assert_fresh(GD_PROTO_QGA);
	assert_ptr_equal(s.ops, &gd_qga_ops);
	assert_int_equal(gd_jf_next(&in.qga, &t, &len), GD_JF_NEED);
	gd_session_reset(&s, GD_PROTO_NATIVE);
	assert_fresh(GD_PROTO_NATIVE);
	assert_ptr_equal(s.ops, &gd_native_ops);
	assert_int_equal(gd_dec_next(&in.dec, &f), GD_DEC_NEED);
}

/*
 * A slot handed from one peer to the next: the first authenticated,
 * watched the KV pools and left half a frame; the next one starts with
 * none of it (no session, no watch, no bytes of the first).
 */
static void test_slot_reused(void **state)
{
	/* slot 1 while slot 0 is free: not the lowest free slot once closed */
	struct gd_conn *c = th_attach(1, GD_PROTO_NATIVE);
	union gd_conn_in *kept = c->sess.in;
	uint8_t b[GD_HDR_LEN];
	const char *why = NULL;

	(void)state;
	c->sess.auth.state = GD_AUTH_ON;
	memset(c->sess.auth.key, 0x77, sizeof c->sess.auth.key);
	c->sess.kv_watch = 1u << GD_KV_POOL_HOST;
	c->sess.served = 1;
	ping(b, 1);
	th_feed(c, b, 9); /* half a frame, in the decoder */
	assert_true(c->sess.partial_since > 0);

	gd_conn_close(&th_agent, c, "test");
	assert_int_equal(c->fd, -1);
	assert_int_equal(c->sess.auth.state, GD_AUTH_NONE);
	assert_int_equal(c->sess.kv_watch, 0);
	assert_int_equal(c->sess.partial_since, 0);
	assert_int_equal(gd_out_len(c), 0);
	/* its buffers' pages went back to the kernel: the half frame reads 0 */
	assert_int_equal(c->sess.in->dec.buf[0], 0);

	c = th_attach(1, GD_PROTO_NATIVE);
	assert_ptr_equal(c->sess.in, kept);
	assert_int_equal(c->sess.served, 0);
	/* the newcomer's PING is a frame of its own, not the old one's tail */
	th_feed(c, b, ping(b, 2));
	th_one(c, &ans[0]);
	assert_int_equal(ans[0].hdr.id, 2);
	assert_int_equal(ans[0].hdr.status, GD_S_OK);
	assert_false(ans[0].has_mac); /* the old session is gone */
	/* and it was not left watching */
	assert_int_equal(gd_kv_apply_set(&th_agent, NULL, GD_KV_POOL_HOST, "k", 1,
					 "v", 1, &why), GD_S_OK);
	assert_int_equal(gd_out_len(c), 0);
}

/*
 * The lowest free slot, the next newcomer's, keeps the first page of its
 * input when it closes (no page faults for a host that reconnects); the
 * session is reset all the same.
 */
static void test_lowest_slot_keeps_first_page(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	uint8_t b[GD_HDR_LEN];

	(void)state;
	ping(b, 1);
	th_feed(c, b, 9);
	gd_conn_close(&th_agent, c, "test");
	assert_int_equal(c->sess.partial_since, 0);
	assert_int_equal(c->sess.in->dec.buf[0], GD_MAGIC0);
	c = th_attach(0, GD_PROTO_NATIVE);
	th_feed(c, b, ping(b, 2));
	th_one(c, &ans[0]);
	assert_int_equal(ans[0].hdr.id, 2);
	assert_int_equal(ans[0].hdr.status, GD_S_OK);
}

/* With a key: the next peer must authenticate again. */
static void test_slot_reused_needs_auth(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	uint8_t b[GD_HDR_LEN];

	(void)state;
	c->sess.auth.state = GD_AUTH_ON;
	c->sess.kv_role = GD_KV_ROLE_GUEST;
	gd_conn_close(&th_agent, c, "test");
	c = th_attach(0, GD_PROTO_NATIVE);
	assert_int_equal(c->sess.kv_role, GD_KV_ROLE_HOST);
	th_feed(c, b, ping(b, 5));
	th_one(c, &ans[0]);
	assert_int_equal(ans[0].hdr.status, GD_S_AUTH_REQUIRED);
	assert_false(c->sess.closing);
}

/* A slot changing protocol gets the other front end. */
static void test_slot_changes_protocol(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);

	(void)state;
	assert_ptr_equal(c->sess.ops, &gd_native_ops);
	gd_conn_close(&th_agent, c, "test");
	c = th_attach(0, GD_PROTO_QGA);
	assert_int_equal(c->sess.proto, GD_PROTO_QGA);
	assert_ptr_equal(c->sess.ops, &gd_qga_ops);
	assert_false(gd_jf_partial(&c->sess.in->qga));
}

/* A test on a fresh agent (th_setup), or on one with a key (th_setup_key). */
#define PLAIN(fn) cmocka_unit_test_setup_teardown(fn, th_fixture_setup, \
						  th_fixture_teardown)
#define KEYED(fn) cmocka_unit_test_setup_teardown(fn, th_fixture_setup_key, \
						  th_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_native),
		cmocka_unit_test(test_reset_qga),
		cmocka_unit_test(test_reset_switches_protocol),
		PLAIN(test_slot_reused),
		PLAIN(test_lowest_slot_keeps_first_page),
		KEYED(test_slot_reused_needs_auth),
		PLAIN(test_slot_changes_protocol),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
