/*
 * guestd's gates: who may connect (peer_gate.c) and, when a key is
 * configured, which frames may be served (auth_gate.c). Both are
 * transport-agnostic above the accept: the auth gate sees only decoded
 * frames; sealing is the output queue's (conn_out.h).
 */
#ifndef GD_GATE_H
#define GD_GATE_H

#include <sys/socket.h>

#include "conn.h"

struct gd_req;

/*
 * A unix peer's credentials, read once at accept (SO_PEERCRED) for its
 * slot class and for the gate: err is 0, or why they could not be read.
 */
struct gd_peer_cred {
	struct ucred uc;
	int err;
};

void gd_peer_cred_read(int fd, struct gd_peer_cred *pc);

/* Load allow-cid/uid/gid; -1 (logged) on a bad list. */
int gd_peer_setup(struct gd_agent *a);
/*
 * Accept-time check of a new connection on listener l. Returns 0 to
 * serve it; otherwise it has been refused with a NOT_PERMITTED notice,
 * logged (rate-limited), closed, and 1 is returned. For host listeners
 * (GD_LP_HOST); the guest-local socket has gd_local_admit. pc: the
 * credentials of a unix peer (unused for vsock).
 */
int gd_peer_admit(struct gd_agent *a, const struct gd_listener *l, int fd,
		  const struct sockaddr_storage *ss,
		  const struct gd_peer_cred *pc);

/* local_gate.c: warn about kv-allow-uid/gid entries that are no ids. */
void gd_local_gate_setup(struct gd_agent *a);
/*
 * Accept-time check of a peer of the guest-local socket (GD_LP_LOCAL):
 * root or in kv-allow-uid/gid. 0 to serve it (peer[cap] then names it);
 * otherwise it was told NOT_PERMITTED, logged and closed, and -1 is
 * returned.
 */
int gd_local_admit(struct gd_agent *a, int fd, const struct gd_peer_cred *pc,
		   char *peer, size_t cap);
/* Nonzero when op may not be used on c (local peers: KV and basics only). */
int gd_local_op_refused(const struct gd_conn *c, uint16_t op);

#define GD_REFUSAL_LOG_BURST 5   /* refusal lines logged per window */
#define GD_REFUSAL_LOG_WINDOW_NS 1000000000u

/*
 * Log "refused <fmt...>" for any refusal, rate-limited: past the burst a
 * window's refusals are counted and summed in one line when it ends.
 */
void gd_refusal_log(struct gd_agent *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* When the pending summary is due (GD_DUE_NEVER: none). */
uint64_t gd_refusal_log_due(const struct gd_agent *a);
void gd_refusal_log_tick(struct gd_agent *a, uint64_t now);

/* Load key-file when set; -1 (logged) when it cannot be used. */
int gd_auth_setup(struct gd_agent *a);
/*
 * Gate a decoded request before anything else looks at it. GD_S_OK to
 * serve it, otherwise the status to answer with and *msg; after
 * GD_S_AUTH_FAILED the connection is closing. Guest processes on the
 * guest-local socket are not hosts: they need no key (local_gate.c limits
 * what they may do).
 */
int gd_auth_gate(struct gd_agent *a, struct gd_conn *c,
		 const struct gd_frame *f, const char **msg);
/* A frame that is not a frame arrived: on a session that ends it. */
int gd_auth_stream_damaged(struct gd_conn *c);
/* HELLO's auth part: AUTH_NONCE and AUTH_PROOF in, AUTH_NONCE out. */
int gd_auth_hello(struct gd_req *r);
/*
 * With a key set and the kernel's random pool not ready, fork a child that
 * blocks in getrandom(2) until it is (entropy_kick.c); reaped as any child.
 */
void gd_entropy_kick(struct gd_agent *a);
/* GD_CAP_AUTH when a key is configured. */
uint32_t gd_auth_caps(const struct gd_agent *a);

#endif
