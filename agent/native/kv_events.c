/*
 * KV_CHANGED events. A watcher's output buffer always keeps room for one
 * full answer (GD_KV_EVENT_RESERVE), so events never stall its requests,
 * never block the loop and never overflow. An event that does not fit is
 * dropped and counted; later events are dropped too until a single
 * overflow event (CHANGE=overflow, DROPPED=n) has been queued, so the
 * watcher learns it missed changes before it sees any newer one, and
 * re-reads the pools.
 */
#include "conn.h"
#include "kv.h"
#include "native.h"

#define GD_KV_EVENT_RESERVE GD_MAX_FRAME
#define GD_KV_EVENT_MAX (GD_HDR_LEN + 3 * GD_TLV_HDR_LEN + 2 + GD_KV_KEY_MAX + \
			 GD_MAC_LEN)

/* An output buffer must hold the largest event besides the reserve, or
 * overflow notices could never be sent and the connection would spin. */
_Static_assert(GD_OUT_CAP >= GD_KV_EVENT_RESERVE + GD_KV_EVENT_MAX,
	       "GD_OUT_CAP too small for KV events");

/* Header + CHANGE u8 + either POOL u8 and KEY, or DROPPED u32 (+ MAC). */
static size_t event_size(size_t klen, int overflow)
{
	size_t n = GD_HDR_LEN + GD_TLV_HDR_LEN + 1 + GD_MAC_LEN;

	if (overflow)
		return n + GD_TLV_HDR_LEN + 4;
	return n + GD_TLV_HDR_LEN + 1 + GD_TLV_HDR_LEN + klen;
}

static int put_event(struct gd_conn *c, int pool, const char *key, size_t klen,
		     int change)
{
	struct gd_frame_writer w;
	struct gd_hdr h = { .version = GD_PROTO_VERSION, .flags = GD_F_EVENT,
			    .op = GD_EV_KV_CHANGED };
	int overflow = change == GD_KV_CHANGE_OVERFLOW;

	if (gd_out_room(c) < event_size(klen, overflow) + GD_KV_EVENT_RESERVE)
		return -1;
	if (gd_out_begin(c, &w, &h))
		return -1;
	if (overflow ? gd_tlv_u32(&w, GD_T_KV_DROPPED, c->sess.kv_dropped)
		     : gd_tlv_u8(&w, GD_T_KV_POOL, (uint8_t)pool) ||
			       gd_tlv_bytes(&w, GD_T_KV_KEY, key, klen)) {
		gd_frame_abort(&w);
		return -1;
	}
	if (gd_tlv_u8(&w, GD_T_KV_CHANGE, (uint8_t)change)) {
		gd_frame_abort(&w);
		return -1;
	}
	return gd_out_end(c, &w); /* sealed on an authenticated session */
}

void gd_kv_announce(struct gd_agent *a, const struct gd_conn *origin, int pool,
		    const char *key, size_t klen, int change)
{
	for (int i = 0; i < GD_MAX_CONNS; i++) {
		struct gd_conn *c = &a->net->conns[i];

		if (c->fd < 0 || c == origin || !(c->sess.kv_watch & (1u << pool)))
			continue;
		if (c->sess.kv_dropped) {
			if (c->sess.kv_dropped < UINT32_MAX)
				c->sess.kv_dropped++;
			continue;
		}
		if (put_event(c, pool, key, klen, change)) {
			c->sess.kv_dropped = 1;
			gd_logf(&a->log, GD_LOG_DEBUG,
				"%s: slow watcher, dropping KV events", c->peer);
		}
	}
}

void gd_kv_conn_io(struct gd_agent *a, struct gd_conn *c)
{
	if (!c->sess.kv_dropped)
		return;
	if (put_event(c, 0, NULL, 0, GD_KV_CHANGE_OVERFLOW) == 0) {
		gd_logf(&a->log, GD_LOG_DEBUG, "%s: %u KV events dropped",
			c->peer, c->sess.kv_dropped);
		c->sess.kv_dropped = 0;
	}
}
