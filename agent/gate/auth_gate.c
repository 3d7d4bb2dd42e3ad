/* The agent's side of authentication (docs/auth.md): HELLO and frame MACs. */
#include <errno.h>
#include <string.h>

#include "gate.h"
#include "native.h"
#include "keyfile.h"
#include "kv.h"

int gd_auth_setup(struct gd_agent *a)
{
	char err[GD_CFG_PATH_MAX + 96];

	a->auth_on = a->cfg.key_file[0] != '\0';
	a->key_ok = 0;
	if (!a->auth_on)
		return 0;
	if (gd_key_file_load(a->cfg.key_file, a->key, err, sizeof err)) {
		/* Fail closed: auth stays required and no proof verifies. */
		gd_logf(&a->log, GD_LOG_ERR, "%s; refusing every client", err);
		return -1;
	}
	a->key_ok = 1;
	gd_logf(&a->log, GD_LOG_INFO, "authentication required (key %s)",
		a->cfg.key_file);
	return 0;
}

uint32_t gd_auth_caps(const struct gd_agent *a)
{
	return a->auth_on ? GD_CAP_AUTH : 0;
}

static int fail(struct gd_agent *a, struct gd_conn *c, const char **msg,
		const char *why)
{
	gd_refusal_log(a, "%s: %s", c->peer, why);
	c->sess.closing = 1;
	*msg = why;
	return GD_S_AUTH_FAILED;
}

int gd_auth_gate(struct gd_agent *a, struct gd_conn *c,
		 const struct gd_frame *f, const char **msg)
{
	int on = c->sess.auth.state == GD_AUTH_ON;

	if (f->hdr.flags & GD_F_MAC) {
		if (!on)
			return fail(a, c, msg, "MAC on a connection without a session");
		if (gd_auth_open(&c->sess.auth, f->raw, GD_HDR_LEN + f->hdr.length,
				 f->mac))
			return fail(a, c, msg, "bad MAC: frame altered, replayed, "
				    "reordered or from another session");
		return GD_S_OK;
	}
	if (on)
		return fail(a, c, msg, "frame without MAC on an authenticated "
			    "connection");
	if (a->auth_on && f->hdr.op != GD_OP_HELLO &&
	    c->sess.kv_role != GD_KV_ROLE_GUEST) {
		*msg = "authentication required (guestctl --key-file)";
		gd_refusal_log(a, "%s: %s %s", c->peer, gd_op_name(f->hdr.op),
			       *msg);
		return GD_S_AUTH_REQUIRED;
	}
	return GD_S_OK;
}

int gd_auth_stream_damaged(struct gd_conn *c)
{
	if (c->sess.auth.state != GD_AUTH_ON)
		return 0;
	c->sess.closing = 1;
	return 1;
}

/* A fixed-size TLV: 1 found, 0 absent, -1 present with the wrong size. */
static int find_fixed(const struct gd_frame *f, uint16_t type, size_t len,
		      const uint8_t **val)
{
	struct gd_tlv_view tv;

	if (gd_tlv_find(f->payload, f->hdr.length, type, &tv))
		return 0;
	if (tv.len != len)
		return -1;
	*val = tv.val;
	return 1;
}

static int challenge(struct gd_req *r, const uint8_t *cn)
{
	struct gd_auth_session *s = &r->conn->sess.auth;
	int (*rnd)(void *, size_t) = r->agent->fill_random ? r->agent->fill_random
							    : gd_random;

	if (rnd(s->server_nonce, GD_AUTH_NONCE_LEN)) {
		r->errmsg = errno == EAGAIN ? "kernel random pool not ready; retry"
					    : "no random bytes for a nonce";
		return errno == EAGAIN ? GD_S_BUSY : GD_S_INTERNAL;
	}
	memcpy(s->client_nonce, cn, GD_AUTH_NONCE_LEN);
	s->state = GD_AUTH_NONCES;
	if (gd_tlv_bytes(r->w, GD_T_AUTH_NONCE, s->server_nonce,
			 GD_AUTH_NONCE_LEN))
		return GD_S_INTERNAL;
	return GD_S_OK;
}

static int check_proof(struct gd_req *r, const uint8_t *proof)
{
	struct gd_auth_session *s = &r->conn->sess.auth;
	struct gd_agent *a = r->agent;

	if (s->state != GD_AUTH_NONCES)
		return fail(a, r->conn, &r->errmsg,
			    "AUTH_PROOF before an AUTH_NONCE exchange");
	if (!a->key_ok)
		return fail(a, r->conn, &r->errmsg,
			    "the agent's key file is unusable (see its log)");
	if (!gd_auth_proof_ok(a->key, s->client_nonce, s->server_nonce, proof))
		return fail(a, r->conn, &r->errmsg,
			    "wrong key (proof does not verify)");
	gd_auth_session_start(s, a->key, 1);
	gd_logf(&a->log, GD_LOG_DEBUG, "%s: authenticated", r->conn->peer);
	return GD_S_OK;
}

int gd_auth_hello(struct gd_req *r)
{
	const uint8_t *nonce = NULL, *proof = NULL;
	int hn = find_fixed(r->frame, GD_T_AUTH_NONCE, GD_AUTH_NONCE_LEN, &nonce);
	int hp = find_fixed(r->frame, GD_T_AUTH_PROOF, GD_AUTH_PROOF_LEN, &proof);

	if (hn < 0 || hp < 0) {
		r->errmsg = "AUTH_NONCE and AUTH_PROOF are 32 bytes";
		return GD_S_BAD_TLV;
	}
	if (!hn && !hp)
		return GD_S_OK;
	if (!r->agent->auth_on) {
		if (hp) {
			r->errmsg = "no key is configured on this agent";
			return GD_S_BAD_VALUE;
		}
		return GD_S_OK; /* no AUTH_NONCE back: the client sees it */
	}
	if (hn && hp) {
		r->errmsg = "AUTH_NONCE and AUTH_PROOF go in separate HELLOs";
		return GD_S_BAD_VALUE;
	}
	if (r->conn->sess.auth.state == GD_AUTH_ON) {
		r->errmsg = "this connection is already authenticated";
		return GD_S_BAD_VALUE;
	}
	return hn ? challenge(r, nonce) : check_proof(r, proof);
}
