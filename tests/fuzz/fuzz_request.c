/*
 * libFuzzer target: guestd's whole request path, bytes in to bytes out,
 * on two connections at once.
 *
 * Fake connections (no socket: their fd is /dev/null) are fed the input
 * through the decoder into gd_conn_process, the function guestd's poll
 * loop calls, so gd_dispatch, the auth gate, every service handler and
 * the output queue run as in guestd. Input byte 0 picks the mode:
 *   bit 0: a key is configured (key 00..1f, agent nonces 40..5f, so seeds
 *          can authenticate). Connection 1, the watcher, is then
 *          authenticated by this harness as a host would be, with its own
 *          host-side session, and watches every KV pool.
 *   bit 1: connection 0 is a guest process on the guest-local socket.
 *   bit 2: the rest is records [ctl u8][len u16 le][bytes]: ctl bit 0
 *          sends them to connection 1 instead of 0, ctl bit 1 seals them
 *          first with the watcher's session when they are one whole frame.
 *          Without it, all of the rest goes to connection 0 in pieces of
 *          byte 1's size (0: all at once).
 *   bit 3: a clock-jump event is broadcast after every piece.
 * After each piece every connection's output must be whole, well-formed
 * frames within the limits, and every frame that leaves for the
 * authenticated watcher must carry a MAC that its host-side session
 * verifies in sequence; the output is then discarded, as if read. The KV
 * pools (in memory) are set up once, as guestd does at start, and carry
 * over from one input to the next like a long-running agent's.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "conn.h"
#include "fsfreeze_svc.h"
#include "kv.h"
#include "proto_time.h"
#include "sandbox.h"
#include "native.h"
#include "pid1.h"
#include "time_svc.h"

#define MODE_KEY 1
#define MODE_GUEST 2
#define MODE_RECORDS 4
#define MODE_JUMPS 8

static struct gd_agent agent;
static struct gd_net net;
/* The services' state, as main.c's statics: time, PID 1 and KV carry
 * over from one input to the next; fsfreeze starts afresh each time. */
static struct gd_time_state time_state;
static struct gd_pid1 pid1_state;
static struct gd_kv kv_state;
static struct gd_fsf_state fsfreeze_state;
static struct gd_auth_session host_side; /* the watcher's host end */
static int devnull = -1;

static void discard(void *ctx, int level, const char *msg, size_t len)
{
	(void)ctx;
	(void)level;
	if (len && msg[len - 1] == '\0')
		abort();
}

static int fixed_nonce(void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = (uint8_t)(0x40 + i);
	return 0;
}

/* Length of the frame at p (header checked), or 0 if it is not one. */
static size_t frame_len(const uint8_t *p, size_t avail, struct gd_hdr *h)
{
	size_t total;

	if (avail < GD_HDR_LEN || gd_hdr_unpack(p, h))
		return 0;
	total = GD_HDR_LEN + h->length + ((h->flags & GD_F_MAC) ? GD_MAC_LEN : 0);
	if (h->version != GD_PROTO_VERSION || h->length > GD_MAX_PAYLOAD ||
	    !(h->flags & (GD_F_RESPONSE | GD_F_EVENT)) ||
	    (h->flags & ~GD_F_KNOWN) || total > avail ||
	    gd_tlv_check(p + GD_HDR_LEN, h->length))
		return 0;
	return total;
}

/*
 * Everything guestd wrote must be whole frames it may send; once one is
 * MAC'd all later ones are, each MAC right at its sequence number.
 */
static void check_output(struct gd_conn *c)
{
	const uint8_t *out = gd_out_data(c);
	size_t len = gd_out_len(c), off, n;
	uint8_t mac[GD_MAC_LEN];
	uint64_t macs = 0, seq;
	struct gd_hdr h;

	for (off = 0; off < len; off += n) {
		n = frame_len(out + off, len - off, &h);
		if (n == 0)
			abort();
		if (h.flags & GD_F_MAC)
			macs++;
		else if (macs)
			abort();
	}
	if (macs && c->sess.auth.state != GD_AUTH_ON)
		abort();
	seq = c->sess.auth.send_seq - macs;
	for (off = 0; off < len; off += n) {
		n = frame_len(out + off, len - off, &h);
		if (!(h.flags & GD_F_MAC))
			continue;
		gd_auth_frame_mac(c->sess.auth.key, GD_AUTH_TO_HOST, seq++,
				  out + off, n - GD_MAC_LEN, mac);
		if (memcmp(mac, out + off + n - GD_MAC_LEN, GD_MAC_LEN))
			abort();
	}
}

/*
 * The watcher's output, checked by its host end alone: every frame
 * MAC'd, each MAC verified at the next sequence number.
 */
static void check_watcher(struct gd_conn *c)
{
	const uint8_t *out = gd_out_data(c);
	size_t len = gd_out_len(c), off, n;
	struct gd_hdr h;

	for (off = 0; off < len; off += n) {
		n = frame_len(out + off, len - off, &h);
		if (n == 0 || !(h.flags & GD_F_MAC) ||
		    gd_auth_open(&host_side, out + off, n - GD_MAC_LEN,
				 out + off + n - GD_MAC_LEN))
			abort();
	}
}

/* Check and discard c's output, as if its peer read it. */
static void drain(struct gd_conn *c)
{
	check_output(c);
	if (c == &net.conns[1] && host_side.state == GD_AUTH_ON)
		check_watcher(c);
	gd_out_reset(c);
}

static void feed(struct gd_conn *c, const uint8_t *p, size_t n)
{
	while (n && !c->sess.closing) {
		size_t room, k;
		uint8_t *dst = gd_dec_space(&c->sess.in->dec, &room);

		if (room == 0)
			abort(); /* a full decoder after processing: stuck */
		k = n < room ? n : room;
		memcpy(dst, p, k);
		gd_dec_commit(&c->sess.in->dec, k);
		p += k;
		n -= k;
		gd_conn_process(&agent, c);
		if (n)
			drain(c);
	}
}

/* A request from the watcher's host end, sealed once it has a session. */
static void host_send(struct gd_conn *c, uint16_t op, uint16_t type,
		      const void *val, size_t vlen)
{
	uint8_t frame[GD_HDR_LEN + 64 + GD_MAC_LEN];
	struct gd_hdr h = { .version = GD_PROTO_VERSION, .op = op, .id = 1 };
	struct gd_frame_writer w;
	struct gd_buf b;

	gd_buf_init(&b, frame, sizeof frame);
	if (host_side.state == GD_AUTH_ON)
		h.flags = GD_F_MAC;
	gd_frame_begin(&w, &b, &h);
	if (vlen)
		gd_tlv_bytes(&w, type, val, vlen);
	gd_frame_end(&w);
	if (host_side.state == GD_AUTH_ON) {
		uint8_t mac[GD_MAC_LEN];

		if (gd_auth_seal(&host_side, b.data, b.len, mac))
			abort();
		gd_buf_put(&b, mac, sizeof mac);
	}
	feed(c, b.data, b.len);
}

/* HELLO with a nonce, HELLO with the proof, then KV_WATCH of every pool. */
static void authenticate_watcher(struct gd_conn *c)
{
	uint8_t proof[GD_AUTH_PROOF_LEN];

	for (size_t i = 0; i < GD_AUTH_NONCE_LEN; i++)
		host_side.client_nonce[i] = (uint8_t)(0x20 + i);
	host_send(c, GD_OP_HELLO, GD_T_AUTH_NONCE, host_side.client_nonce,
		  GD_AUTH_NONCE_LEN);
	fixed_nonce(host_side.server_nonce, GD_AUTH_NONCE_LEN);
	gd_out_reset(c);
	gd_auth_client_proof(agent.key, host_side.client_nonce,
			     host_side.server_nonce, proof);
	host_send(c, GD_OP_HELLO, GD_T_AUTH_PROOF, proof, sizeof proof);
	gd_auth_session_start(&host_side, agent.key, 0);
	if (c->sess.auth.state != GD_AUTH_ON)
		abort(); /* the harness's own handshake must work */
	drain(c);
	host_send(c, GD_OP_KV_WATCH, 0, NULL, 0);
	if (c->sess.kv_watch == 0)
		abort();
	drain(c);
}

static void setup_agent(uint8_t mode)
{
	struct gd_agent *a = &agent;

	gd_auth_session_clear(&host_side);
	/* All per-connection and auth state; not the idle slots' buffers
	 * nor the KV pools. */
	memset(a, 0, offsetof(struct gd_agent, time));
	a->net = &net;
	net.nlisteners = 0;
	memset(net.listeners, 0, sizeof net.listeners);
	memset(&net.stats, 0, sizeof net.stats);
	memset(&a->peers, 0, sizeof *a - offsetof(struct gd_agent, peers));
	memset(&fsfreeze_state, 0, sizeof fsfreeze_state);
	a->time = &time_state;
	a->init = &pid1_state;
	a->kv = &kv_state;
	a->fsfreeze = &fsfreeze_state;
	gd_config_defaults(&a->cfg);
	a->cfg.vsock = 0;
	a->cfg.local_sock[0] = '\0';
	a->cfg.state_dir[0] = '\0';
	a->log.sink = discard;
	a->log.level = GD_LOG_DEBUG;
	a->sigfd = -1;
	gd_conns_init(a);
	if (mode & MODE_KEY) {
		a->auth_on = 1;
		a->key_ok = 1;
		for (size_t i = 0; i < GD_AUTH_KEY_LEN; i++)
			a->key[i] = (uint8_t)i;
		a->fill_random = fixed_nonce;
	}
	gd_conn_attach(a, &a->net->conns[0], devnull, "fuzz", GD_PROTO_NATIVE);
	gd_conn_attach(a, &a->net->conns[1], devnull, "watcher", GD_PROTO_NATIVE);
	if (mode & MODE_GUEST)
		a->net->conns[0].sess.kv_role = GD_KV_ROLE_GUEST;
	if (mode & MODE_KEY)
		authenticate_watcher(&a->net->conns[1]);
}

static void broadcast_jump(void)
{
	uint8_t payload[GD_TLV_HDR_LEN + 4];

	gd_set_u16(payload, GD_T_TIME_JUMP_KIND);
	gd_set_u16(payload + 2, 4);
	gd_set_u32(payload + 4, GD_JUMP_STEP);
	gd_event_broadcast(&agent, GD_EV_CLOCK_JUMP, payload, sizeof payload,
			   NULL);
}

/* After a piece: events as the loop would add them, then the checks. */
static void after_piece(uint8_t mode)
{
	if (mode & MODE_JUMPS)
		broadcast_jump();
	for (int i = 0; i < 2; i++) {
		gd_kv_conn_io(&agent, &net.conns[i]);
		drain(&net.conns[i]);
	}
}

/* Seal a whole request frame for the watcher; 0 if it is not one. */
static size_t seal_piece(const uint8_t *p, size_t n, uint8_t *out, size_t cap)
{
	struct gd_hdr h;

	if (n < GD_HDR_LEN || n + GD_MAC_LEN > cap || gd_hdr_unpack(p, &h) ||
	    h.length != n - GD_HDR_LEN || host_side.state != GD_AUTH_ON)
		return 0;
	h.flags |= GD_F_MAC;
	memcpy(out, p, n);
	gd_hdr_pack(&h, out);
	if (gd_auth_seal(&host_side, out, n, out + n))
		return 0;
	return n + GD_MAC_LEN;
}

static void run_records(uint8_t mode, const uint8_t *p, size_t n)
{
	static uint8_t sealed[GD_MAX_FRAME + GD_MAC_LEN];

	while (n >= 3) {
		uint8_t ctl = p[0];
		size_t len = (size_t)p[1] | (size_t)p[2] << 8, s;
		struct gd_conn *c = &net.conns[ctl & 1];

		p += 3;
		n -= 3;
		if (len > n)
			len = n;
		s = (ctl & 2) && (ctl & 1)
			    ? seal_piece(p, len, sealed, sizeof sealed) : 0;
		if (s)
			feed(c, sealed, s);
		else
			feed(c, p, len);
		p += len;
		n -= len;
		after_piece(mode);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	gd_fuzz_sandbox(*argc, *argv);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		abort();
	setup_agent(0);
	gd_kv_start(&agent);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gd_conn *c0 = &net.conns[0];
	size_t step, off = 2;
	uint8_t mode;

	if (size < 2)
		return 0;
	mode = data[0];
	setup_agent(mode);
	if (mode & MODE_RECORDS) {
		run_records(mode, data + 2, size - 2);
	} else {
		step = data[1] ? data[1] : size;
		while (off < size && !c0->sess.closing) {
			size_t n = size - off < step ? size - off : step;

			feed(c0, data + off, n);
			off += n;
			after_piece(mode);
		}
	}
	gd_conn_process(&agent, c0);
	gd_conn_process(&agent, &net.conns[1]);
	after_piece(mode & ~MODE_JUMPS);
	for (int i = 0; i < 2; i++)
		if (net.conns[i].fd != devnull)
			abort(); /* nothing closes or replaces the fd */
	return 0;
}
