#include "auth.h"

#include <string.h>

#include "buf.h"
#include "hmac.h"

static const char label_client[] = "guestd v1 client";
static const char label_session[] = "guestd v1 session";

void gd_wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

int gd_ct_equal(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (uint8_t)(x[i] ^ y[i]);
	return diff == 0;
}

static int hex_digit(uint8_t ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int gd_auth_key_parse(const uint8_t *p, size_t n, uint8_t key[GD_AUTH_KEY_LEN])
{
	if (n == GD_AUTH_KEY_LEN) {
		memcpy(key, p, GD_AUTH_KEY_LEN);
		return 0;
	}
	if (n > GD_AUTH_KEY_HEX_LEN && p[n - 1] == '\n')
		n--;
	if (n > GD_AUTH_KEY_HEX_LEN && p[n - 1] == '\r')
		n--;
	if (n != GD_AUTH_KEY_HEX_LEN)
		return -1;
	for (size_t i = 0; i < GD_AUTH_KEY_LEN; i++) {
		int hi = hex_digit(p[2 * i]), lo = hex_digit(p[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			gd_wipe(key, GD_AUTH_KEY_LEN);
			return -1;
		}
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void gd_auth_key_hex(const uint8_t key[GD_AUTH_KEY_LEN],
		     char out[GD_AUTH_KEY_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < GD_AUTH_KEY_LEN; i++) {
		out[2 * i] = digits[key[i] >> 4];
		out[2 * i + 1] = digits[key[i] & 15];
	}
	out[GD_AUTH_KEY_HEX_LEN] = '\0';
}

static void hmac3(const uint8_t *key, const void *a, size_t an, const void *b,
		  size_t bn, const void *c, size_t cn, uint8_t out[32])
{
	gd_hmac_sha256_3(key, GD_AUTH_KEY_LEN, a, an, b, bn, c, cn, out);
}

static void labelled(const uint8_t *key, const char *label,
		     const uint8_t *cn, const uint8_t *sn, uint8_t out[32])
{
	hmac3(key, label, strlen(label), cn, GD_AUTH_NONCE_LEN, sn,
	      GD_AUTH_NONCE_LEN, out);
}

void gd_auth_client_proof(const uint8_t key[GD_AUTH_KEY_LEN],
			  const uint8_t cn[GD_AUTH_NONCE_LEN],
			  const uint8_t sn[GD_AUTH_NONCE_LEN],
			  uint8_t out[GD_AUTH_PROOF_LEN])
{
	labelled(key, label_client, cn, sn, out);
}

void gd_auth_session_key(const uint8_t key[GD_AUTH_KEY_LEN],
			 const uint8_t cn[GD_AUTH_NONCE_LEN],
			 const uint8_t sn[GD_AUTH_NONCE_LEN],
			 uint8_t out[GD_AUTH_KEY_LEN])
{
	labelled(key, label_session, cn, sn, out);
}

void gd_auth_frame_mac(const uint8_t skey[GD_AUTH_KEY_LEN], uint8_t dir,
		       uint64_t seq, const uint8_t *frame, size_t len,
		       uint8_t out[GD_MAC_LEN])
{
	uint8_t seqle[8];

	gd_set_u64(seqle, seq);
	hmac3(skey, &dir, 1, seqle, sizeof seqle, frame, len, out);
}

int gd_auth_proof_ok(const uint8_t key[GD_AUTH_KEY_LEN],
		     const uint8_t cn[GD_AUTH_NONCE_LEN],
		     const uint8_t sn[GD_AUTH_NONCE_LEN],
		     const uint8_t proof[GD_AUTH_PROOF_LEN])
{
	uint8_t want[GD_AUTH_PROOF_LEN];
	int ok;

	gd_auth_client_proof(key, cn, sn, want);
	ok = gd_ct_equal(want, proof, sizeof want);
	gd_wipe(want, sizeof want);
	return ok;
}

void gd_auth_session_start(struct gd_auth_session *s,
			   const uint8_t key[GD_AUTH_KEY_LEN], int is_agent)
{
	gd_auth_session_key(key, s->client_nonce, s->server_nonce, s->key);
	s->send_seq = 0;
	s->recv_seq = 0;
	s->send_dir = is_agent ? GD_AUTH_TO_HOST : GD_AUTH_TO_AGENT;
	s->recv_dir = is_agent ? GD_AUTH_TO_AGENT : GD_AUTH_TO_HOST;
	s->state = GD_AUTH_ON;
}

int gd_auth_seal(struct gd_auth_session *s, const uint8_t *frame, size_t len,
		 uint8_t mac[GD_MAC_LEN])
{
	if (s->state != GD_AUTH_ON || s->send_seq == UINT64_MAX)
		return -1;
	gd_auth_frame_mac(s->key, s->send_dir, s->send_seq, frame, len, mac);
	s->send_seq++;
	return 0;
}

int gd_auth_open(struct gd_auth_session *s, const uint8_t *frame, size_t len,
		 const uint8_t mac[GD_MAC_LEN])
{
	uint8_t want[GD_MAC_LEN];
	int ok;

	if (s->state != GD_AUTH_ON || s->recv_seq == UINT64_MAX)
		return -1;
	gd_auth_frame_mac(s->key, s->recv_dir, s->recv_seq, frame, len, want);
	ok = gd_ct_equal(want, mac, sizeof want);
	gd_wipe(want, sizeof want);
	if (!ok)
		return -1;
	s->recv_seq++;
	return 0;
}

void gd_auth_session_clear(struct gd_auth_session *s)
{
	gd_wipe(s, sizeof *s);
}
