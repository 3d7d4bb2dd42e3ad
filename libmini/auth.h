/*
 * Authentication: HMAC-SHA256 (BearSSL) key proof and per-frame MACs.
 * docs/auth.md is the normative description, with test vectors.
 *
 *   HELLO  client -> agent   AUTH_NONCE cn            (32 random bytes)
 *   answer agent -> client   AUTH_NONCE sn            (32 random bytes)
 *   HELLO  client -> agent   AUTH_PROOF  HMAC(K, "guestd v1 client" || cn || sn)
 *   answer agent -> client   first frame with GD_F_MAC (agent seq 0)
 *
 * Both sides then hold Ks = HMAC(K, "guestd v1 session" || cn || sn) and
 * every frame carries GD_F_MAC and a trailer
 *   HMAC(Ks, dir || seq (u64 LE) || header || payload)
 * where dir is GD_AUTH_TO_AGENT or GD_AUTH_TO_HOST and seq counts the
 * MAC'd frames sent in that direction from 0.
 *
 * The caller owns every context; nothing here logs, allocates or keeps
 * global state.
 */
#ifndef GD_AUTH_H
#define GD_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define GD_AUTH_KEY_LEN 32
#define GD_AUTH_NONCE_LEN 32
#define GD_AUTH_PROOF_LEN 32
#define GD_AUTH_KEY_HEX_LEN (2 * GD_AUTH_KEY_LEN)
#define GD_AUTH_KEYFILE_MAX 128 /* a key file longer than this is refused */

/* TLV types (auth's range is 80-99). */
#define GD_T_AUTH_NONCE 80 /* 32 bytes: cn in HELLO, sn in its answer */
#define GD_T_AUTH_PROOF 81 /* 32 bytes: the client's key proof */

/* Direction bytes, the first byte a frame MAC covers. */
#define GD_AUTH_TO_AGENT 0x01
#define GD_AUTH_TO_HOST 0x02

enum gd_auth_state {
	GD_AUTH_NONE = 0,     /* no handshake yet */
	GD_AUTH_NONCES = 1,   /* nonces exchanged, proof not yet checked */
	GD_AUTH_ON = 2        /* session key set: every frame is MAC'd */
};

struct gd_auth_session {
	int state;
	uint8_t client_nonce[GD_AUTH_NONCE_LEN];
	uint8_t server_nonce[GD_AUTH_NONCE_LEN];
	uint8_t key[GD_AUTH_KEY_LEN]; /* session key Ks once GD_AUTH_ON */
	uint64_t send_seq, recv_seq;
	uint8_t send_dir, recv_dir;
};

/*
 * Key file contents: exactly 32 raw bytes, or 64 hex digits optionally
 * followed by "\n" or "\r\n". 0, or -1 for anything else.
 */
int gd_auth_key_parse(const uint8_t *p, size_t n, uint8_t key[GD_AUTH_KEY_LEN]);
/* The key as 64 lowercase hex digits and a NUL into out[65]. */
void gd_auth_key_hex(const uint8_t key[GD_AUTH_KEY_LEN],
		     char out[GD_AUTH_KEY_HEX_LEN + 1]);

/* HMAC(K, "guestd v1 client" || cn || sn) */
void gd_auth_client_proof(const uint8_t key[GD_AUTH_KEY_LEN],
			  const uint8_t cn[GD_AUTH_NONCE_LEN],
			  const uint8_t sn[GD_AUTH_NONCE_LEN],
			  uint8_t out[GD_AUTH_PROOF_LEN]);
/* HMAC(K, "guestd v1 session" || cn || sn) */
void gd_auth_session_key(const uint8_t key[GD_AUTH_KEY_LEN],
			 const uint8_t cn[GD_AUTH_NONCE_LEN],
			 const uint8_t sn[GD_AUTH_NONCE_LEN],
			 uint8_t out[GD_AUTH_KEY_LEN]);
/* HMAC(Ks, dir || seq || frame[len]); frame is header + payload as sent. */
void gd_auth_frame_mac(const uint8_t skey[GD_AUTH_KEY_LEN], uint8_t dir,
		       uint64_t seq, const uint8_t *frame, size_t len,
		       uint8_t out[GD_MAC_LEN]);

/* Nonzero when the proof matches (constant time). */
int gd_auth_proof_ok(const uint8_t key[GD_AUTH_KEY_LEN],
		     const uint8_t cn[GD_AUTH_NONCE_LEN],
		     const uint8_t sn[GD_AUTH_NONCE_LEN],
		     const uint8_t proof[GD_AUTH_PROOF_LEN]);

/*
 * Derive Ks from s->client_nonce and s->server_nonce and turn MACs on,
 * both sequence numbers at 0. is_agent picks the directions.
 */
void gd_auth_session_start(struct gd_auth_session *s,
			   const uint8_t key[GD_AUTH_KEY_LEN], int is_agent);
/*
 * MAC for the next frame sent (frame = header with GD_F_MAC + payload).
 * 0, or -1 when the sequence numbers are used up (close the connection).
 */
int gd_auth_seal(struct gd_auth_session *s, const uint8_t *frame, size_t len,
		 uint8_t mac[GD_MAC_LEN]);
/* Check a received frame's MAC at the next sequence number: 0 or -1. */
int gd_auth_open(struct gd_auth_session *s, const uint8_t *frame, size_t len,
		 const uint8_t mac[GD_MAC_LEN]);
/* Forget everything (wipes the session key). */
void gd_auth_session_clear(struct gd_auth_session *s);

/* Nonzero when a[n] == b[n]; time depends on n only. */
int gd_ct_equal(const void *a, const void *b, size_t n);
/* Zero memory in a way the compiler keeps. */
void gd_wipe(void *p, size_t n);

#endif
