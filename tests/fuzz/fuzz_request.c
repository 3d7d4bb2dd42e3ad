/*
 * libFuzzer target: guestd's whole request path, bytes in to bytes out.
 *
 * A fake connection (no socket: its fd is /dev/null) is fed the input
 * through the decoder into gd_conn_process, the function guestd's poll
 * loop calls, so gd_dispatch, the auth gate and every service handler run
 * as in guestd. Input byte 0 picks the mode (bit 0: a key is configured,
 * key 00..1f, agent nonces 40..5f so seeds can authenticate; bit 1: the
 * connection is a guest process on the guest-local socket); byte 1 is
 * the size of the pieces the rest arrives in (0: all at once). After each
 * piece the output must be whole, well-formed response frames within the
 * limits; it is then discarded, as if the peer read it. The KV pools
 * (in memory) are set up once, as guestd does at start, and carry over
 * from one input to the next like a long-running agent's.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "kv.h"
#include "sandbox.h"
#include "serve.h"

static struct gd_agent agent;
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
	uint8_t mac[GD_MAC_LEN];
	uint64_t macs = 0, seq;
	struct gd_hdr h;
	size_t off, n;

	for (off = 0; off < c->out.len; off += n) {
		n = frame_len(c->out.data + off, c->out.len - off, &h);
		if (n == 0)
			abort();
		if (h.flags & GD_F_MAC)
			macs++;
		else if (macs)
			abort();
	}
	if (macs && c->auth.state != GD_AUTH_ON)
		abort();
	seq = c->auth.send_seq - macs;
	for (off = 0; off < c->out.len; off += n) {
		n = frame_len(c->out.data + off, c->out.len - off, &h);
		if (!(h.flags & GD_F_MAC))
			continue;
		gd_auth_frame_mac(c->auth.key, GD_AUTH_TO_HOST, seq++,
				  c->out.data + off, n - GD_MAC_LEN, mac);
		if (memcmp(mac, c->out.data + off + n - GD_MAC_LEN, GD_MAC_LEN))
			abort();
	}
	c->out.len = 0;
}

static struct gd_conn *setup(uint8_t mode)
{
	struct gd_agent *a = &agent;
	struct gd_conn *c = &a->conns[0];

	/* All per-connection and auth state; not the idle slots' buffers
	 * (0.8 MB, for speed) nor the KV pools. */
	memset(a, 0, offsetof(struct gd_agent, conns));
	memset(&a->stats, 0, sizeof a->stats);
	memset(&a->peers, 0, sizeof *a - offsetof(struct gd_agent, peers));
	memset(c, 0, offsetof(struct gd_conn, dec));
	memset(&c->out, 0, sizeof *c - offsetof(struct gd_conn, out));
	gd_config_defaults(&a->cfg);
	a->cfg.vsock = 0;
	a->cfg.local_sock[0] = '\0';
	a->cfg.state_dir[0] = '\0';
	a->log.sink = discard;
	a->log.level = GD_LOG_DEBUG;
	a->sigfd = -1;
	gd_conns_init(a);
	if (mode & 1) {
		a->auth_on = 1;
		a->key_ok = 1;
		for (size_t i = 0; i < GD_AUTH_KEY_LEN; i++)
			a->key[i] = (uint8_t)i;
		a->fill_random = fixed_nonce;
	}
	gd_conn_attach(a, c, devnull, "fuzz");
	if (mode & 2)
		c->kv_role = GD_KV_ROLE_GUEST;
	return c;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	gd_fuzz_sandbox(*argc, *argv);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		abort();
	setup(0);
	gd_kv_start(&agent);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gd_conn *c;
	size_t step, off = 2;

	if (size < 2)
		return 0;
	c = setup(data[0]);
	step = data[1] ? data[1] : size;
	while (off < size && !c->closing) {
		size_t room, n = size - off < step ? size - off : step;
		uint8_t *dst = gd_dec_space(&c->dec, &room);

		if (room == 0)
			abort(); /* a full decoder after processing: stuck */
		if (n > room)
			n = room;
		memcpy(dst, data + off, n);
		gd_dec_commit(&c->dec, n);
		off += n;
		gd_conn_process(&agent, c);
		check_output(c);
	}
	gd_conn_process(&agent, c);
	check_output(c);
	if (c->fd != devnull)
		abort(); /* nothing closes or replaces the connection's fd */
	return 0;
}
