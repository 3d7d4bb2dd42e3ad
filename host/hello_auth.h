/*
 * guestctl's side of authentication (docs/auth.md), inside the engine's
 * HELLO step so every command and every target of a fleet gets it. With
 * ctx->have_key, HELLO carries AUTH_NONCE; its answer must carry the
 * agent's nonce (an agent that does not authenticate is refused, never
 * talked to in clear); a second HELLO carries AUTH_PROOF; its answer and
 * every frame after it must have a MAC that verifies, and every request
 * gets one.
 */
#ifndef GC_HELLO_AUTH_H
#define GC_HELLO_AUTH_H

#include "engine.h"

enum gc_auth_result {
	GC_AUTH_DONE = 0,   /* go on to the command */
	GC_AUTH_SENT = 1,   /* a proof HELLO was built: queue it */
	GC_AUTH_FAILED = 2  /* r is done (exit code and error set) */
};

/* --key-file: load the key into ctx; -1 with the reason on stderr. */
int gc_auth_load_key(struct gc_ctx *ctx, const char *path);
/* Start r's handshake: AUTH_NONCE into the HELLO being built when keyed. */
int gc_auth_hello(struct gc_run *r, struct gd_frame_writer *w);
/* An OK answer to a HELLO arrived: a gc_auth_result. */
int gc_auth_on_hello(struct gc_run *r, const struct gd_frame *f);
/* The request just ended in r->out: add GD_F_MAC and its MAC if keyed. */
void gc_auth_seal(struct gc_run *r);
/* Check a frame from the agent before the engine uses it: 0, or -1 (done). */
int gc_auth_check(struct gc_run *r, const struct gd_frame *f);

#endif
