/*
 * Unit tests for the native front end (agent/native/serve.c, dispatch.c)
 * with the auth gate (agent/gate/auth_gate.c) and the output queue
 * (agent/conn/conn_out.c): request frames built with libmini's encoder
 * go through a connection slot's decoder and gd_conn_process, or
 * straight into gd_dispatch, and the answers are decoded from the slot's
 * output queue. PING echoes its id; an unknown op, bad flags, a frame
 * over the limit and garbage get their named status and the connection
 * keeps serving; a key configured means AUTH_REQUIRED until HELLO has
 * authenticated; pipelined requests are answered in order, also across
 * a full output queue; a KV op refuses a payload that is not TLVs.
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

static struct th_answer ans[TH_MAX_ANSWERS];
static struct th_req req;


static void send_bare(struct gd_conn *c, uint16_t op, uint32_t id,
		      uint8_t flags)
{
	uint8_t b[GD_HDR_LEN];

	th_feed(c, b, th_bare(b, op, id, flags));
}

static void assert_answer(const struct th_answer *a, uint16_t op, uint32_t id,
			  uint16_t status)
{
	assert_int_equal(a->hdr.version, GD_PROTO_VERSION);
	assert_int_equal(a->hdr.flags & ~GD_F_MAC, GD_F_RESPONSE);
	assert_int_equal(a->hdr.op, op);
	assert_int_equal(a->hdr.id, id);
	assert_int_equal(a->hdr.status, status);
}

/* A PING on c is answered OK with its id (the connection still serves). */
static void assert_serves(struct gd_conn *c, uint32_t id)
{
	send_bare(c, GD_OP_PING, id, 0);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_PING, id, GD_S_OK);
	assert_false(c->sess.closing);
}

static void test_ping_echoes_id(void **state)
{
	static const uint32_t ids[] = { 0, 1, 0x12345678u, 0xffffffffu };
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	struct gd_tlv_view tv;

	(void)state;
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		send_bare(c, GD_OP_PING, ids[i], 0);
		th_one(c, &ans[0]);
		assert_answer(&ans[0], GD_OP_PING, ids[i], GD_S_OK);
		assert_false(ans[0].has_mac);
		assert_int_equal(th_tlv(&ans[0], GD_T_AGENT_UPTIME, &tv), 0);
		assert_int_equal(tv.len, 8);
		assert_int_equal(th_tlv(&ans[0], GD_T_SYS_UPTIME, &tv), 0);
	}
	assert_int_equal(th_net.stats.frames, 4);
	assert_int_equal(th_net.stats.errors, 0);
	assert_int_equal(c->sess.partial_since, 0);
}

static void test_unknown_op(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);

	(void)state;
	send_bare(c, 0x4242, 7, 0);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], 0x4242, 7, GD_S_UNKNOWN_OP);
	assert_string_equal(th_message(&ans[0]), "unknown op");
	assert_int_equal(th_net.stats.errors, 1);
	/* an event's op is no request either */
	send_bare(c, GD_EV_READY, 8, 0);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_EV_READY, 8, GD_S_UNKNOWN_OP);
	assert_serves(c, 9);
	assert_int_equal(th_net.stats.errors, 2);
}

static void test_bad_flags(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);

	(void)state;
	/* a flag no version defines: refused by the decoder, stream kept */
	send_bare(c, GD_OP_PING, 21, 0x80);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_PING, 21, GD_S_BAD_FLAGS);
	assert_string_equal(th_message(&ans[0]), "unknown header flags");
	assert_serves(c, 22);
	/* known flags a request may not carry */
	send_bare(c, GD_OP_PING, 23, GD_F_RESPONSE);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_PING, 23, GD_S_BAD_FLAGS);
	assert_string_equal(th_message(&ans[0]), "the agent takes requests only");
	send_bare(c, GD_OP_INFO, 24, GD_F_EVENT);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_INFO, 24, GD_S_BAD_FLAGS);
	assert_serves(c, 25);
}

/* A MAC without a session cannot be checked: the stream is given up. */
static void test_mac_without_session_closes(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	uint8_t b[GD_HDR_LEN + GD_MAC_LEN] = { 0 };

	(void)state;
	th_bare(b, GD_OP_PING, 31, GD_F_MAC);
	th_feed(c, b, sizeof b);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_PING, 31, GD_S_AUTH_FAILED);
	assert_true(c->sess.closing);
	send_bare(c, GD_OP_PING, 32, 0);
	assert_int_equal(th_drain(c, ans, TH_MAX_ANSWERS), 0);
}

/*
 * A header whose length is one past GD_MAX_PAYLOAD: TOO_BIG, and its
 * payload is skipped whole (a PING hidden in it is not answered), so the
 * frame after it is served. A payload of exactly the limit is served.
 */
static void test_too_big(void **state)
{
	static uint8_t big[GD_HDR_LEN + GD_MAX_PAYLOAD + 1];
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	struct gd_hdr h = { .version = GD_PROTO_VERSION, .op = GD_OP_PING,
			    .id = 41, .length = GD_MAX_PAYLOAD + 1 };
	static uint8_t fill[GD_MAX_PAYLOAD - GD_TLV_HDR_LEN];

	(void)state;
	memset(big, 0, sizeof big);
	gd_hdr_pack(&h, big);
	th_bare(big + GD_HDR_LEN, GD_OP_PING, 42, 0); /* inside the payload */
	th_feed(c, big, sizeof big);
	send_bare(c, GD_OP_PING, 43, 0);
	assert_int_equal(th_drain(c, ans, TH_MAX_ANSWERS), 2);
	assert_answer(&ans[0], GD_OP_PING, 41, GD_S_TOO_BIG);
	assert_string_equal(th_message(&ans[0]),
			    "payload length over the 8192-byte limit");
	assert_answer(&ans[1], GD_OP_PING, 43, GD_S_OK);
	assert_false(c->sess.closing);

	/* at the limit: one TLV filling GD_MAX_PAYLOAD exactly */
	th_req_begin(&req, GD_OP_PING, 44, 0);
	assert_int_equal(gd_tlv_bytes(&req.w, 0x7fff, fill, sizeof fill), 0);
	assert_int_equal(th_req_end(&req), GD_HDR_LEN + GD_MAX_PAYLOAD);
	th_send(c, &req);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_PING, 44, GD_S_OK);

	/* within the limit but not TLVs */
	th_req_begin(&req, GD_OP_PING, 45, 0);
	assert_int_equal(gd_buf_put(&req.b, "\x01\x00\x09\x00", 4), 0);
	th_req_end(&req);
	th_send(c, &req);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_PING, 45, GD_S_BAD_TLV);
	assert_serves(c, 46);
}

/* Bytes that are no frame: one BAD_FRAME, counted, then the next frame. */
static void test_garbage_resync(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	uint8_t b[5 + GD_HDR_LEN];

	(void)state;
	memcpy(b, "xGxyz", 5);
	th_bare(b + 5, GD_OP_PING, 51, 0);
	th_feed(c, b, sizeof b);
	assert_int_equal(th_drain(c, ans, TH_MAX_ANSWERS), 2);
	assert_answer(&ans[0], 0, 0, GD_S_BAD_FRAME);
	assert_answer(&ans[1], GD_OP_PING, 51, GD_S_OK);
	assert_int_equal(th_net.stats.garbage_bytes, 5);
}

/* gd_dispatch itself, with decoder results the stream rarely produces. */
static void test_dispatch_direct(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	struct gd_frame f = { .hdr = { .version = 9, .op = GD_OP_INFO, .id = 61 },
			      .status = GD_S_BAD_VERSION };

	(void)state;
	gd_dispatch(&th_agent, c, GD_DEC_NEED, &f);
	assert_int_equal(gd_out_len(c), 0);
	gd_dispatch(&th_agent, c, GD_DEC_ERROR, &f);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_INFO, 61, GD_S_BAD_VERSION);
	assert_string_equal(th_message(&ans[0]),
			    "protocol version not supported (1 is)");
	f = (struct gd_frame){ .skipped = 1000 };
	gd_dispatch(&th_agent, c, GD_DEC_GARBAGE, &f);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], 0, 0, GD_S_BAD_FRAME);
	assert_int_equal(th_net.stats.garbage_bytes, 1000);
	assert_int_equal(th_net.stats.errors, 2);
}

/* Several requests in one read: one answer each, in their order. */
static void test_pipelined_in_order(void **state)
{
	static const struct { uint16_t op; uint8_t flags; uint16_t status; } seq[] = {
		{ GD_OP_PING, 0, GD_S_OK },
		{ 0x4242, 0, GD_S_UNKNOWN_OP },
		{ GD_OP_HELLO, 0, GD_S_OK },
		{ GD_OP_PING, 0x80, GD_S_BAD_FLAGS },
		{ GD_OP_KV_GET, 0, GD_S_MISSING_FIELD },
		{ GD_OP_PING, 0, GD_S_OK },
	};
	enum { N = sizeof seq / sizeof seq[0] };
	uint8_t b[N * GD_HDR_LEN];

	(void)state;
	for (int pass = 0; pass < 2; pass++) {
		struct gd_conn *c = th_attach(pass, GD_PROTO_NATIVE);

		for (size_t i = 0; i < N; i++)
			th_bare(b + i * GD_HDR_LEN, seq[i].op, (uint32_t)(100 + i),
				seq[i].flags);
		if (pass == 0) {
			th_feed(c, b, sizeof b); /* all at once */
		} else {
			for (size_t i = 0; i < sizeof b; i++)
				th_feed(c, b + i, 1); /* a byte at a time */
		}
		assert_int_equal(th_drain(c, ans, TH_MAX_ANSWERS), N);
		for (size_t i = 0; i < N; i++)
			assert_answer(&ans[i], seq[i].op, (uint32_t)(100 + i),
				      seq[i].status);
		assert_int_equal(c->sess.partial_since, 0);
	}
}

/*
 * Every KV op refuses a payload that is not whole TLVs with BAD_TLV, as
 * the dispatcher does for other ops, whatever valid fields come before
 * the bad bytes (the KV handlers check the payload in their own walk),
 * and changes nothing: no key stored or deleted, no watch started.
 */
static void test_kv_bad_tlvs(void **state)
{
	static const uint16_t ops[] = { GD_OP_KV_GET, GD_OP_KV_SET,
					GD_OP_KV_DEL, GD_OP_KV_LIST,
					GD_OP_KV_WATCH };
	static const struct { const char *b; size_t n; } tails[] = {
		{ "\x01", 1 },                   /* part of a TLV header */
		{ "\x3d\x00", 2 },
		{ "\x3d\x00\x01", 3 },
		{ "\x3d\x00\x05\x00" "abcd", 8 }, /* a value past the end */
		{ "\x3d\x00\xff\xff", 4 },
	};
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	struct gd_kv_table *host = &th_kv.pools[GD_KV_POOL_HOST];
	struct gd_kv_entry e;
	const char *why = NULL;
	uint32_t id = 200;

	(void)state;
	assert_int_equal(gd_kv_apply_set(&th_agent, NULL, GD_KV_POOL_HOST,
					 "old", 3, "v", 1, &why), GD_S_OK);
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
			for (int fields = 0; fields < 2; fields++) {
				th_req_begin(&req, ops[i], ++id, 0);
				if (fields) {
					gd_tlv_u8(&req.w, GD_T_KV_POOL,
						  GD_KV_POOL_HOST);
					gd_tlv_str(&req.w, GD_T_KV_KEY,
						   ops[i] == GD_OP_KV_DEL ?
						   "old" : "new");
					gd_tlv_str(&req.w, GD_T_KV_VALUE, "w");
				}
				assert_int_equal(gd_buf_put(&req.b, tails[t].b,
							    tails[t].n), 0);
				th_req_end(&req);
				th_send(c, &req);
				th_one(c, &ans[0]);
				assert_answer(&ans[0], ops[i], id,
					      GD_S_BAD_TLV);
				assert_string_equal(th_message(&ans[0]),
					GD_MSG_BAD_TLV);
			}
		}
	}
	assert_int_equal(gd_kv_count(host), 1);
	assert_int_equal(gd_kv_get(host, "old", 3, &e), GD_S_OK);
	assert_int_equal(e.vlen, 1);
	assert_int_equal(c->sess.kv_watch, 0);

	/* the same fields without the bad bytes: stored */
	th_req_begin(&req, GD_OP_KV_SET, ++id, 0);
	gd_tlv_u8(&req.w, GD_T_KV_POOL, GD_KV_POOL_HOST);
	gd_tlv_str(&req.w, GD_T_KV_KEY, "new");
	gd_tlv_str(&req.w, GD_T_KV_VALUE, "w");
	th_req_end(&req);
	th_send(c, &req);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_KV_SET, id, GD_S_OK);
	assert_int_equal(gd_kv_count(host), 2);
	assert_serves(c, ++id);
}

/* A partial frame starts the deadline clock; its completion stops it. */
static void test_partial_frame(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	uint8_t b[GD_HDR_LEN];

	(void)state;
	th_bare(b, GD_OP_PING, 71, 0);
	th_feed(c, b, 7);
	assert_int_equal(gd_out_len(c), 0);
	assert_true(c->sess.partial_since > 0);
	th_feed(c, b + 7, sizeof b - 7);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_PING, 71, GD_S_OK);
	assert_int_equal(c->sess.partial_since, 0);
}

/*
 * The deadline and its reason: a partial frame alone is the peer's delay;
 * once answers wait for a peer that does not read, guestd reads nothing
 * more, and only the stall counts, even with a frame cut by its last read
 * (before, such a connection was closed as "frame not completed").
 */
static void test_deadline_reason(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	uint64_t limit = gd_frame_deadline_ns(&th_agent);
	uint8_t b[GD_HDR_LEN];

	(void)state;
	assert_int_equal(gd_conns_due(&th_agent), GD_DUE_NEVER);
	th_bare(b, GD_OP_PING, 72, 0);
	th_feed(c, b, 7);
	assert_int_equal(gd_conns_due(&th_agent), c->sess.partial_since + limit);
	c->sess.stalled_since = c->sess.partial_since + 1000;
	assert_int_equal(gd_conns_due(&th_agent), c->sess.stalled_since + limit);
	gd_conns_expire(&th_agent, c->sess.partial_since + limit);
	assert_true(c->fd >= 0); /* the partial frame's deadline is suspended */
	gd_conns_expire(&th_agent, c->sess.stalled_since + limit);
	assert_int_equal(c->fd, -1);
	assert_non_null(strstr(th_last_log(), "answers not read"));
}

/*
 * Answers that would not leave room for one more stop the processing
 * (gd_conn_process says so); the rest wait in the input, in order, until
 * the peer has read.
 */
static void test_pipelined_across_full_queue(void **state)
{
	static uint8_t value[GD_KV_VALUE_MAX];
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	const char *why = NULL;
	size_t n;

	(void)state;
	memset(value, 'v', sizeof value);
	assert_int_equal(gd_kv_apply_set(&th_agent, NULL, GD_KV_POOL_HOST, "big", 3,
					 value, sizeof value, &why), GD_S_OK);
	req.len = 0; /* six frames, back to back */
	for (uint32_t id = 1; id <= 6; id++) {
		struct th_req one;

		th_req_begin(&one, GD_OP_KV_GET, id, 0);
		gd_tlv_u8(&one.w, GD_T_KV_POOL, GD_KV_POOL_HOST);
		gd_tlv_str(&one.w, GD_T_KV_KEY, "big");
		th_req_end(&one);
		memcpy(req.buf + req.len, one.buf, one.len);
		req.len += one.len;
	}
	th_send(c, &req);
	/* 4 answers of 2068 bytes leave less than GD_MAX_FRAME free */
	assert_true(gd_out_room(c) < GD_MAX_FRAME);
	assert_int_equal(gd_conn_process(&th_agent, c), 1);
	n = th_drain(c, ans, TH_MAX_ANSWERS);
	assert_int_equal(n, 4);
	assert_int_equal(gd_conn_process(&th_agent, c), 0);
	assert_int_equal(th_drain(c, ans + n, TH_MAX_ANSWERS - n), 2);
	for (uint32_t i = 0; i < 6; i++) {
		struct gd_tlv_view tv;

		assert_answer(&ans[i], GD_OP_KV_GET, i + 1, GD_S_OK);
		assert_int_equal(th_tlv(&ans[i], GD_T_KV_VALUE, &tv), 0);
		assert_int_equal(tv.len, GD_KV_VALUE_MAX);
		assert_memory_equal(tv.val, value, sizeof value);
	}
}

/* Without a key nothing asks for one. */
static void test_no_key_no_auth(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	struct gd_tlv_view tv;
	uint32_t caps;

	(void)state;
	assert_serves(c, 80);
	send_bare(c, GD_OP_HELLO, 81, 0);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_HELLO, 81, GD_S_OK);
	assert_int_equal(th_tlv(&ans[0], GD_T_CAPS, &tv), 0);
	assert_int_equal(gd_tlv_get_u32(&tv, &caps), 0);
	assert_int_equal(caps & GD_CAP_AUTH, 0);
}

/* Send frame r sealed by the host's session. */
static void send_sealed(struct gd_conn *c, struct gd_auth_session *host,
			struct th_req *r)
{
	uint8_t mac[GD_MAC_LEN];

	assert_int_equal(gd_auth_seal(host, r->buf, r->len, mac), 0);
	memcpy(r->buf + r->len, mac, sizeof mac);
	r->len += sizeof mac;
	th_send(c, r);
}

/* The host checks an answer's MAC at its next sequence number. */
static void assert_sealed(struct gd_auth_session *host, const struct th_answer *a)
{
	static uint8_t raw[GD_HDR_LEN + GD_MAX_PAYLOAD];

	assert_true(a->has_mac);
	gd_hdr_pack(&a->hdr, raw);
	memcpy(raw + GD_HDR_LEN, a->payload, a->hdr.length);
	assert_int_equal(gd_auth_open(host, raw, GD_HDR_LEN + a->hdr.length,
				      a->mac), 0);
}

/*
 * A key configured: every request but HELLO gets AUTH_REQUIRED (the
 * connection keeps serving HELLO) until the handshake; then sealed
 * requests are served with sealed answers, and an unsealed one ends it.
 */
static void test_auth_required_before_hello(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	struct gd_auth_session host;
	uint8_t proof[GD_AUTH_PROOF_LEN];
	struct gd_tlv_view tv;
	uint32_t caps;

	(void)state;
	memset(&host, 0, sizeof host);
	send_bare(c, GD_OP_PING, 1, 0);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_PING, 1, GD_S_AUTH_REQUIRED);
	assert_string_equal(th_message(&ans[0]),
			    "authentication required (guestctl --key-file)");
	assert_false(c->sess.closing);
	send_bare(c, GD_OP_KV_LIST, 2, 0);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_KV_LIST, 2, GD_S_AUTH_REQUIRED);
	send_bare(c, 0x4242, 3, 0); /* the gate comes before the op table */
	th_one(c, &ans[0]);
	assert_answer(&ans[0], 0x4242, 3, GD_S_AUTH_REQUIRED);

	/* HELLO is served, and says a key is wanted */
	send_bare(c, GD_OP_HELLO, 4, 0);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_HELLO, 4, GD_S_OK);
	assert_int_equal(th_tlv(&ans[0], GD_T_CAPS, &tv), 0);
	assert_int_equal(gd_tlv_get_u32(&tv, &caps), 0);
	assert_true(caps & GD_CAP_AUTH);

	/* the handshake: nonces, then the proof (its answer is sealed) */
	for (size_t i = 0; i < GD_AUTH_NONCE_LEN; i++)
		host.client_nonce[i] = (uint8_t)(0x20 + i);
	th_req_begin(&req, GD_OP_HELLO, 5, 0);
	gd_tlv_bytes(&req.w, GD_T_AUTH_NONCE, host.client_nonce, GD_AUTH_NONCE_LEN);
	th_req_end(&req);
	th_send(c, &req);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_HELLO, 5, GD_S_OK);
	assert_int_equal(th_tlv(&ans[0], GD_T_AUTH_NONCE, &tv), 0);
	assert_int_equal(tv.len, GD_AUTH_NONCE_LEN);
	memcpy(host.server_nonce, tv.val, GD_AUTH_NONCE_LEN);
	assert_int_equal(host.server_nonce[0], 0x40); /* th_setup's nonces */
	gd_auth_client_proof(th_agent.key, host.client_nonce, host.server_nonce,
			     proof);
	th_req_begin(&req, GD_OP_HELLO, 6, 0);
	gd_tlv_bytes(&req.w, GD_T_AUTH_PROOF, proof, sizeof proof);
	th_req_end(&req);
	th_send(c, &req);
	assert_int_equal(c->sess.auth.state, GD_AUTH_ON);
	gd_auth_session_start(&host, th_agent.key, 0);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_HELLO, 6, GD_S_OK);
	assert_sealed(&host, &ans[0]);

	/* sealed requests are served, pipelined, with sealed answers */
	th_req_begin(&req, GD_OP_PING, 7, GD_F_MAC);
	th_req_end(&req);
	send_sealed(c, &host, &req);
	th_req_begin(&req, GD_OP_KV_LIST, 8, GD_F_MAC);
	gd_tlv_u8(&req.w, GD_T_KV_POOL, GD_KV_POOL_HOST);
	th_req_end(&req);
	send_sealed(c, &host, &req);
	assert_int_equal(th_drain(c, ans, TH_MAX_ANSWERS), 2);
	assert_answer(&ans[0], GD_OP_PING, 7, GD_S_OK);
	assert_sealed(&host, &ans[0]);
	assert_answer(&ans[1], GD_OP_KV_LIST, 8, GD_S_OK);
	assert_sealed(&host, &ans[1]);

	/* an unsealed frame on the session: refused, and nothing more */
	send_bare(c, GD_OP_PING, 9, 0);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_PING, 9, GD_S_AUTH_FAILED);
	assert_sealed(&host, &ans[0]);
	assert_true(c->sess.closing);
	th_req_begin(&req, GD_OP_PING, 10, GD_F_MAC);
	th_req_end(&req);
	send_sealed(c, &host, &req);
	assert_int_equal(th_drain(c, ans, TH_MAX_ANSWERS), 0);
}

/* A wrong proof fails the handshake and ends the connection. */
static void test_auth_wrong_key(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	uint8_t nonce[GD_AUTH_NONCE_LEN] = { 1 }, proof[GD_AUTH_PROOF_LEN] = { 0 };

	(void)state;
	th_req_begin(&req, GD_OP_HELLO, 1, 0);
	gd_tlv_bytes(&req.w, GD_T_AUTH_NONCE, nonce, sizeof nonce);
	th_req_end(&req);
	th_send(c, &req);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_HELLO, 1, GD_S_OK);
	th_req_begin(&req, GD_OP_HELLO, 2, 0);
	gd_tlv_bytes(&req.w, GD_T_AUTH_PROOF, proof, sizeof proof);
	th_req_end(&req);
	th_send(c, &req);
	th_one(c, &ans[0]);
	assert_answer(&ans[0], GD_OP_HELLO, 2, GD_S_AUTH_FAILED);
	assert_string_equal(th_message(&ans[0]), "wrong key (proof does not verify)");
	assert_true(c->sess.closing);
	assert_int_not_equal(c->sess.auth.state, GD_AUTH_ON);
	send_bare(c, GD_OP_PING, 3, 0);
	assert_int_equal(th_drain(c, ans, TH_MAX_ANSWERS), 0);
}

/* Guest processes (guest-local socket) are no hosts: no key asked. */
static void test_auth_guest_role(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);

	(void)state;
	c->sess.kv_role = GD_KV_ROLE_GUEST;
	assert_serves(c, 90);
}

/* A test on a fresh agent (th_setup), or on one with a key (th_setup_key). */
#define PLAIN(fn) cmocka_unit_test_setup_teardown(fn, th_fixture_setup, \
						  th_fixture_teardown)
#define KEYED(fn) cmocka_unit_test_setup_teardown(fn, th_fixture_setup_key, \
						  th_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PLAIN(test_ping_echoes_id),
		PLAIN(test_unknown_op),
		PLAIN(test_bad_flags),
		PLAIN(test_mac_without_session_closes),
		PLAIN(test_too_big),
		PLAIN(test_garbage_resync),
		PLAIN(test_dispatch_direct),
		PLAIN(test_pipelined_in_order),
		PLAIN(test_kv_bad_tlvs),
		PLAIN(test_partial_frame),
		PLAIN(test_deadline_reason),
		PLAIN(test_pipelined_across_full_queue),
		PLAIN(test_no_key_no_auth),
		KEYED(test_auth_required_before_hello),
		KEYED(test_auth_wrong_key),
		KEYED(test_auth_guest_role),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
