/* Route decoded frames to services and turn failures into error frames. */
#include <string.h>

#include "gate.h"
#include "native.h"

/*
 * The handlers by op number: one index, whatever the op. checks_tlvs: the
 * handler's first act is one walk of the whole payload that refuses, with
 * GD_S_BAD_TLV and GD_MSG_BAD_TLV, exactly what gd_tlv_check refuses (the
 * KV ops' read_fields), so request() does not walk the payload first.
 */
struct handler {
	gd_handler_fn fn;
	int checks_tlvs;
};

static const struct handler handlers[] = {
	[GD_OP_HELLO] = { gd_svc_hello, 0 },
	[GD_OP_PING] = { gd_svc_ping, 0 },
	[GD_OP_INFO] = { gd_svc_info, 0 },
	[GD_OP_TIME_GET] = { gd_svc_time_get, 0 },
	[GD_OP_TIME_SET] = { gd_svc_time_set, 0 },
	[GD_OP_SHUTDOWN] = { gd_svc_shutdown, 0 },
	[GD_OP_KV_GET] = { gd_svc_kv_get, 1 },
	[GD_OP_KV_SET] = { gd_svc_kv_set, 1 },
	[GD_OP_KV_DEL] = { gd_svc_kv_del, 1 },
	[GD_OP_KV_LIST] = { gd_svc_kv_list, 1 },
	[GD_OP_KV_WATCH] = { gd_svc_kv_watch, 1 },
};

static const struct handler *find_handler(uint16_t op)
{
	if (op >= sizeof handlers / sizeof handlers[0] || !handlers[op].fn)
		return NULL;
	return &handlers[op];
}

static void error_frame(struct gd_agent *a, struct gd_conn *c, uint16_t op,
			uint32_t id, uint16_t status, const char *msg)
{
	struct gd_frame_writer w;
	struct gd_hdr h = { .version = GD_PROTO_VERSION,
			    .flags = GD_F_RESPONSE, .op = op,
			    .status = status, .id = id };

	a->net->stats.errors++;
	if (gd_out_begin(c, &w, &h))
		return;
	if (msg && gd_tlv_str(&w, GD_T_MESSAGE, msg))
		gd_frame_abort(&w);
	else
		gd_out_end(c, &w);
	gd_logf(&a->log, GD_LOG_DEBUG, "%s: %s id %u: %s (%s)", c->peer,
		gd_op_name(op), id, gd_status_name(status), msg ? msg : "");
}

static const char *decode_error_message(uint16_t status)
{
	switch (status) {
	case GD_S_BAD_VERSION: return "protocol version not supported (1 is)";
	case GD_S_BAD_FLAGS: return "unknown header flags";
	case GD_S_TOO_BIG: return "payload length over the 8192-byte limit";
	default: return NULL;
	}
}

static void request(struct gd_agent *a, struct gd_conn *c,
		    const struct gd_frame *f)
{
	struct gd_frame_writer w;
	struct gd_hdr h = { .version = GD_PROTO_VERSION,
			    .flags = GD_F_RESPONSE, .op = f->hdr.op,
			    .id = f->hdr.id };
	struct gd_req r = { .agent = a, .conn = c, .frame = f, .w = &w };
	const struct handler *hd;
	int status;

	a->net->stats.frames++;
	status = gd_auth_gate(a, c, f, &r.errmsg);
	if (status != GD_S_OK) {
		error_frame(a, c, f->hdr.op, f->hdr.id, (uint16_t)status,
			    r.errmsg);
		return;
	}
	if (f->hdr.flags & (GD_F_RESPONSE | GD_F_EVENT)) {
		error_frame(a, c, f->hdr.op, f->hdr.id, GD_S_BAD_FLAGS,
			    "the agent takes requests only");
		return;
	}
	if (gd_local_op_refused(c, f->hdr.op)) {
		error_frame(a, c, f->hdr.op, f->hdr.id, GD_S_NOT_PERMITTED,
			    "op not available on the guest-local socket");
		return;
	}
	hd = find_handler(f->hdr.op);
	if (!hd) {
		error_frame(a, c, f->hdr.op, f->hdr.id, GD_S_UNKNOWN_OP,
			    "unknown op");
		return;
	}
	/* an empty payload (PING's) is a sequence of no TLVs */
	if (!hd->checks_tlvs && f->hdr.length &&
	    gd_tlv_check(f->payload, f->hdr.length)) {
		error_frame(a, c, f->hdr.op, f->hdr.id, GD_S_BAD_TLV,
			    GD_MSG_BAD_TLV);
		return;
	}
	if (gd_out_begin(c, &w, &h)) {
		error_frame(a, c, f->hdr.op, f->hdr.id, GD_S_INTERNAL,
			    "no room for the answer");
		return;
	}
	status = hd->fn(&r);
	if (status == GD_S_OK) {
		gd_out_end(c, &w);
		return;
	}
	gd_frame_abort(&w);
	error_frame(a, c, f->hdr.op, f->hdr.id, (uint16_t)status, r.errmsg);
}

void gd_dispatch(struct gd_agent *a, struct gd_conn *c, int dec_result,
		 const struct gd_frame *f)
{
	if (dec_result != GD_DEC_FRAME && gd_auth_stream_damaged(c)) {
		int hdr = dec_result == GD_DEC_ERROR;

		error_frame(a, c, hdr ? f->hdr.op : 0, hdr ? f->hdr.id : 0,
			    GD_S_AUTH_FAILED, "not a whole MAC'd frame on an "
			    "authenticated connection");
		return;
	}
	switch (dec_result) {
	case GD_DEC_FRAME:
		request(a, c, f);
		break;
	case GD_DEC_ERROR:
		error_frame(a, c, f->hdr.op, f->hdr.id, f->status,
			    decode_error_message(f->status));
		break;
	case GD_DEC_GARBAGE:
		a->net->stats.garbage_bytes += f->skipped;
		error_frame(a, c, 0, 0, GD_S_BAD_FRAME,
			    "skipped bytes that are not a frame");
		break;
	default:
		break;
	}
}
