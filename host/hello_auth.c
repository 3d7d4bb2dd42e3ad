/* guestctl's half of the HELLO handshake and the frame MACs. */
#include "hello_auth.h"

#include <stdio.h>
#include <string.h>

#include "keyfile.h"

int gc_auth_load_key(struct gc_ctx *ctx, const char *path)
{
	char err[256];

	if (gd_key_file_load(path, ctx->key, err, sizeof err)) {
		fprintf(stderr, "guestctl: %s\n", err);
		return -1;
	}
	ctx->have_key = 1;
	return 0;
}

int gc_auth_hello(struct gc_run *r, struct gd_frame_writer *w)
{
	struct gd_auth_session *s = &r->auth;

	gd_auth_session_clear(s);
	if (!r->ctx->have_key)
		return GC_AUTH_DONE;
	if (gd_random(s->client_nonce, GD_AUTH_NONCE_LEN)) {
		gc_done_fail(r, GC_EXIT_PROTOCOL, "no random bytes for a nonce");
		return GC_AUTH_FAILED;
	}
	gd_tlv_bytes(w, GD_T_AUTH_NONCE, s->client_nonce, GD_AUTH_NONCE_LEN);
	return GC_AUTH_DONE;
}

int gc_auth_on_hello(struct gc_run *r, const struct gd_frame *f)
{
	struct gd_auth_session *s = &r->auth;
	uint8_t proof[GD_AUTH_PROOF_LEN];
	struct gd_frame_writer *w;
	struct gd_tlv_view tv;

	if (!r->ctx->have_key || s->state == GD_AUTH_ON)
		return GC_AUTH_DONE;
	if (s->state != GD_AUTH_NONE) {
		gc_done_fail(r, GC_EXIT_PROTOCOL, "the agent accepted the key "
			     "proof without a MAC");
		return GC_AUTH_FAILED;
	}
	if (gd_tlv_find(f->payload, f->hdr.length, GD_T_AUTH_NONCE, &tv) ||
	    tv.len != GD_AUTH_NONCE_LEN) {
		gc_done_fail(r, GC_EXIT_PROTOCOL, "the agent does not "
			     "authenticate (no key-file there?); not going on "
			     "without it");
		return GC_AUTH_FAILED;
	}
	memcpy(s->server_nonce, tv.val, GD_AUTH_NONCE_LEN);
	gd_auth_client_proof(r->ctx->key, s->client_nonce, s->server_nonce,
			     proof);
	w = gc_req_begin(r, GD_OP_HELLO);
	gd_tlv_bytes(w, GD_T_AUTH_PROOF, proof, sizeof proof);
	gd_wipe(proof, sizeof proof);
	s->state = GD_AUTH_NONCES;
	return GC_AUTH_SENT;
}

void gc_auth_seal(struct gc_run *r)
{
	uint8_t mac[GD_MAC_LEN];
	size_t len = r->out.len - r->w.start;

	if (r->auth.state != GD_AUTH_ON || gd_buf_room(&r->out) < GD_MAC_LEN)
		return;
	r->w.hdr.flags |= GD_F_MAC;
	gd_frame_end(&r->w);
	if (gd_auth_seal(&r->auth, r->out.data + r->w.start, len, mac) == 0)
		gd_buf_put(&r->out, mac, sizeof mac);
}

static int refuse(struct gc_run *r, const char *why)
{
	gc_done_fail(r, GC_EXIT_PROTOCOL, "%s", why);
	return -1;
}

int gc_auth_check(struct gc_run *r, const struct gd_frame *f)
{
	struct gd_auth_session *s = &r->auth;
	int mac = (f->hdr.flags & GD_F_MAC) != 0;

	if (s->state == GD_AUTH_NONCES && !mac)
		return 0; /* a refused proof (wrong key) or a notice */
	if (s->state == GD_AUTH_NONCES)
		gd_auth_session_start(s, r->ctx->key, 0);
	if (s->state != GD_AUTH_ON)
		return mac ? refuse(r, "a MAC'd frame from the agent without "
				       "a session") : 0;
	if (!mac)
		return refuse(r, "a frame without MAC on an authenticated "
				 "connection");
	if (gd_auth_open(s, f->raw, GD_HDR_LEN + f->hdr.length, f->mac))
		return refuse(r, "bad MAC from the agent (wrong key, or the "
				 "frame was altered)");
	return 0;
}
