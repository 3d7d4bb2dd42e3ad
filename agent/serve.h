/*
 * Serving one connection's buffered bytes, with no socket in sight: the
 * poll loop (conn.c) reads into c->dec and writes c->out; the fuzzer
 * (tests/fuzz) drives the same function with a connection that has none.
 */
#ifndef GD_SERVE_H
#define GD_SERVE_H

#include "agent.h"

#define GD_READ_BUDGET (2 * GD_MAX_FRAME) /* bytes read per wakeup and peer */

/*
 * Decode and answer the whole frames in c->dec while c->out has room for
 * an answer and c is not closing; keeps c->partial_since for the deadline.
 * Returns 1 when it stopped for lack of room (frames may be left).
 */
int gd_conn_process(struct gd_agent *a, struct gd_conn *c);
/* The whole-frame deadline in ns (frame-deadline-ms or the built-in). */
uint64_t gd_frame_deadline_ns(const struct gd_agent *a);

#endif
