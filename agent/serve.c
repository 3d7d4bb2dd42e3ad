/* Decode-and-answer for one connection, and the whole-frame deadline. */
#include <time.h>

#include "buildopts.h"
#include "qga.h"
#include "serve.h"
#include "sysinfo.h"

/*
 * The deadline clock restarts whenever a whole frame (or a whole refused
 * header) came through, so a peer streaming pipelined frames is never cut
 * off; bytes that never make a frame, garbage included, do not restart it.
 */
int gd_conn_process(struct gd_agent *a, struct gd_conn *c)
{
	struct gd_frame f;
	int framed = 0, full = 0;

#if GD_QGA
	if (c->sess.proto == GD_PROTO_QGA) /* no deadline: qemu-ga has none */
		return gd_qga_process(a, c);
#endif
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

uint64_t gd_frame_deadline_ns(const struct gd_agent *a)
{
	uint32_t ms = a->cfg.frame_deadline_ms ? a->cfg.frame_deadline_ms
					       : GD_FRAME_DEADLINE_MS;

	return (uint64_t)ms * 1000000u;
}
