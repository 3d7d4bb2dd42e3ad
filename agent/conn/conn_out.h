/*
 * A connection's output queue: the one way out for every byte guestd
 * sends to a peer. Native frames are built in place between
 * gd_out_begin() and gd_out_end(), which seals the frame (GD_F_MAC and
 * the MAC) whenever the connection's session is authenticated; QGA lines
 * are built in a view and committed whole by gd_out_line_end();
 * gd_out_flush() writes what is queued. A refusal sent before a
 * connection is served (busy, peer not permitted) is gd_out_notice().
 *
 * The queue's memory is opaque outside conn_out.c (as sockaddr_storage
 * is): no other file can append, truncate or rewrite queued bytes except
 * through these functions, so no frame can leave unsealed.
 */
#ifndef GD_CONN_OUT_H
#define GD_CONN_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "proto.h"

#define GD_OUT_CAP (2 * GD_MAX_FRAME) /* bytes queued per connection */

struct gd_outq {
	union {
		unsigned char bytes[GD_OUT_CAP + 4 * sizeof(size_t)];
		uint64_t align;
	} opaque;
};

struct gd_agent;
struct gd_conn;

/* Empty the queue (a fresh connection, a hang-up). */
void gd_out_reset(struct gd_conn *c);
size_t gd_out_len(const struct gd_conn *c);
size_t gd_out_room(const struct gd_conn *c);
/* The queued bytes, read-only (tests and the time stamp check). */
const uint8_t *gd_out_data(const struct gd_conn *c);

/*
 * Begin a native frame in the queue; 0, or -1 when the header and a MAC
 * would not fit. Only gd_out_end() or gd_frame_abort() may finish it.
 */
int gd_out_begin(struct gd_conn *c, struct gd_frame_writer *w,
		 const struct gd_hdr *h);
/* Finish it, sealed on an authenticated session; -1: no room, dropped. */
int gd_out_end(struct gd_conn *c, struct gd_frame_writer *w);
/* A whole frame with a ready payload (events): 0, or -1 dropped. */
int gd_out_frame(struct gd_conn *c, const struct gd_hdr *h,
		 const uint8_t *payload, size_t len);

/* A QGA line: a view of at most max free bytes, then commit it whole. */
void gd_out_line_begin(struct gd_conn *c, struct gd_buf *view, size_t max);
int gd_out_line_end(struct gd_conn *c, struct gd_buf *view);

/*
 * Refill n bytes at offset at of a queued, unsealed native frame that
 * starts at frame (TIME_GET's send stamp); -1 when they are not that.
 */
int gd_out_patch(struct gd_conn *c, size_t frame, size_t at,
		 const uint8_t *bytes, size_t n);
/*
 * Write what is queued without blocking; 0 while the connection is
 * usable, -1 when it broke. Keeps the session's stalled_since.
 */
int gd_out_flush(struct gd_conn *c);

/* One best-effort refusal on fd before it is served (no session yet). */
void gd_out_notice(struct gd_agent *a, int fd, int qga, uint16_t status,
		   const char *msg);

#endif
