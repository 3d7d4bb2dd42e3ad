/*
 * TIME_GET's guest stamps, taken as close to the wire as the agent gets:
 * t2 when read(2) returned the bytes, t3 just before the write(2) that
 * sends them.
 *
 * The answer is queued in the output queue, so its TIME_SEND value is refilled in
 * place before every write attempt until those 8 bytes have left (a
 * peer that stops reading delays them). Only the header's CRC covers the
 * header, not the payload, so the frame stays valid. A frame carrying a
 * MAC is left alone (the MAC covers the payload), as is anything that no
 * longer looks like the marked TLV. Only the latest marked answer is
 * refilled; an earlier one keeps its handler-time stamp, merely less late.
 */
#include <time.h>

#include "conn.h"
#include "native.h"
#include "proto_time.h"
#include "sysinfo.h"

#define STAMP_LEN 8

void gd_time_rx_stamp(struct gd_conn *c)
{
	c->sess.rx_real = gd_clock_ns(CLOCK_REALTIME);
}

enum { TX_NONE, TX_MARKED, TX_CHECKED };

void gd_time_tx_mark(struct gd_conn *c, size_t frame_start)
{
	c->sess.tx_stamp_frame = frame_start;
	c->sess.tx_stamp_at = gd_out_len(c) - STAMP_LEN;
	c->sess.tx_stamp_pending = TX_MARKED;
}

static int still_marked(const struct gd_conn *c)
{
	const struct gd_session *s = &c->sess;
	const uint8_t *f = gd_out_data(c) + s->tx_stamp_frame;
	const uint8_t *tlv = gd_out_data(c) + s->tx_stamp_at - GD_TLV_HDR_LEN;

	if (s->tx_stamp_at + STAMP_LEN > gd_out_len(c) ||
	    s->tx_stamp_frame + GD_HDR_LEN + GD_TLV_HDR_LEN > s->tx_stamp_at)
		return 0;
	return f[0] == GD_MAGIC0 && f[1] == GD_MAGIC1 && !(f[3] & GD_F_MAC) &&
	       gd_get_u16(f + 4) == GD_OP_TIME_GET &&
	       gd_get_u16(tlv) == GD_T_TIME_SEND &&
	       gd_get_u16(tlv + 2) == STAMP_LEN;
}

/*
 * The frame is complete (its header written) by the first write attempt.
 * Once its header has left, the stamp keeps the value last written.
 */
void gd_time_tx_patch(struct gd_conn *c)
{
	struct gd_session *s = &c->sess;
	uint8_t stamp[STAMP_LEN];

	if (s->tx_stamp_pending == TX_MARKED)
		s->tx_stamp_pending = still_marked(c) ? TX_CHECKED : TX_NONE;
	if (s->tx_stamp_pending != TX_CHECKED)
		return;
	gd_set_u64(stamp, gd_clock_ns(CLOCK_REALTIME));
	if (gd_out_patch(c, s->tx_stamp_frame, s->tx_stamp_at, stamp,
			 sizeof stamp))
		s->tx_stamp_pending = TX_NONE;
}

void gd_time_tx_sent(struct gd_conn *c, size_t n)
{
	if (c->sess.tx_stamp_pending == TX_NONE)
		return;
	if (n > c->sess.tx_stamp_at) { /* the stamp went out, or began to */
		c->sess.tx_stamp_pending = TX_NONE;
		return;
	}
	c->sess.tx_stamp_at -= n;
	if (n > c->sess.tx_stamp_frame) /* the header left: stop refilling */
		c->sess.tx_stamp_pending = TX_NONE;
	else
		c->sess.tx_stamp_frame -= n;
}
