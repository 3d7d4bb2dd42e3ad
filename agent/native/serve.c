/* The native front end's ops: decode and answer one connection's frames. */
#include <time.h>

#include "conn.h"
#include "native.h"
#include "sysinfo.h"

/*
 * The deadline clock restarts whenever a whole frame (or a whole refused
 * header) came through, so a peer streaming pipelined frames is never cut
 * off; bytes that never make a frame, garbage included, do not restart it.
 */
static int native_process(struct gd_agent *a, struct gd_conn *c)
{
	struct gd_frame f;
	int framed = 0, full = 0;

	while (!c->sess.closing) {
		int r;

		if (gd_out_room(c) < GD_MAX_FRAME) {
			full = 1;
			break;
		}
		r = gd_dec_next(&c->sess.in->dec, &f);
		if (r == GD_DEC_NEED)
			break;
		framed |= r != GD_DEC_GARBAGE;
		gd_dispatch(a, c, r, &f);
	}
	if (!gd_dec_partial(&c->sess.in->dec))
		c->sess.partial_since = 0;
	else if (!c->sess.partial_since || framed)
		c->sess.partial_since = gd_clock_ns(CLOCK_MONOTONIC);
	return full;
}

static void native_in_reset(union gd_conn_in *in)
{
	gd_dec_init(&in->dec);
}

static uint8_t *native_in_space(union gd_conn_in *in, size_t *room)
{
	return gd_dec_space(&in->dec, room);
}

static void native_in_commit(struct gd_conn *c, size_t n)
{
	gd_time_rx_stamp(c);
	gd_dec_commit(&c->sess.in->dec, n);
}

const struct gd_proto_ops gd_native_ops = {
	.answer_max = GD_MAX_FRAME,
	.in_reset = native_in_reset,
	.in_space = native_in_space,
	.in_commit = native_in_commit,
	.process = native_process,
	.out_write = gd_time_tx_patch,
	.out_sent = gd_time_tx_sent,
	.io_turn = gd_kv_conn_io,
};
