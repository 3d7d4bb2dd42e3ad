/*
 * guestd's gates: who may connect (peer_gate.c) and, when a key is
 * configured, which frames may be served (auth_gate.c). Both are
 * transport-agnostic above the accept: the auth gate sees only decoded
 * frames and the connection's output buffer.
 */
#ifndef GD_GATE_H
#define GD_GATE_H

#include <sys/socket.h>

#include "service.h"

/* Load allow-cid/uid/gid; -1 (logged) on a bad list. */
int gd_peer_setup(struct gd_agent *a);
/*
 * Accept-time check of a new connection on listener l. Returns 0 to
 * serve it; otherwise it has been refused with a NOT_PERMITTED notice,
 * logged (rate-limited), closed, and 1 is returned. The guest-local
 * socket (l->local) has its own policy (kv_local.c) and passes here.
 */
int gd_peer_admit(struct gd_agent *a, const struct gd_listener *l, int fd,
		  const struct sockaddr_storage *ss);

/* Load key-file when set; -1 (logged) when it cannot be used. */
int gd_auth_setup(struct gd_agent *a);
/*
 * Gate a decoded request before anything else looks at it. GD_S_OK to
 * serve it, otherwise the status to answer with and *msg; after
 * GD_S_AUTH_FAILED the connection is closing. Guest processes on the
 * guest-local socket are not hosts: they need no key (kv_local.c limits
 * what they may do).
 */
int gd_auth_gate(struct gd_agent *a, struct gd_conn *c,
		 const struct gd_frame *f, const char **msg);
/* A frame that is not a frame arrived: on a session that ends it. */
int gd_auth_stream_damaged(struct gd_conn *c);
/*
 * Finish a frame begun on c->out (instead of gd_frame_end): on an
 * authenticated connection it sets GD_F_MAC and appends the MAC. Every
 * frame guestd sends on a connection, events included, goes through it.
 * -1 when there was no room: the frame has been dropped.
 */
int gd_conn_frame_end(struct gd_conn *c, struct gd_frame_writer *w);
/* HELLO's auth part: AUTH_NONCE and AUTH_PROOF in, AUTH_NONCE out. */
int gd_auth_hello(struct gd_req *r);
/* GD_CAP_AUTH when a key is configured. */
uint32_t gd_auth_caps(const struct gd_agent *a);
/* Forget a connection's session (at close). */
void gd_conn_auth_reset(struct gd_conn *c);

#endif
