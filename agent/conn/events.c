/* Event frames to every open connection. */
#include "conn.h"

int gd_event_broadcast(struct gd_agent *a, uint16_t op, const uint8_t *payload,
		       size_t len, const struct gd_conn *except)
{
	struct gd_hdr h = { .version = GD_PROTO_VERSION, .flags = GD_F_EVENT,
			    .op = op };
	int sent = 0;

	if (len > GD_MAX_PAYLOAD)
		return 0;
	for (int i = 0; i < GD_MAX_CONNS; i++) {
		struct gd_conn *c = &a->net->conns[i];

		if (c->fd < 0 || c->eof || c == except ||
		    c->sess.proto != GD_PROTO_NATIVE) /* no frames in QGA */
			continue;
		if (gd_out_frame(c, &h, payload, len)) { /* sealed when authed */
			gd_logf(&a->log, GD_LOG_DEBUG, "%s: output full, %s "
				"event dropped", c->peer, gd_op_name(op));
			continue;
		}
		sent++;
	}
	return sent;
}
