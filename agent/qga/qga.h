/*
 * guestd's second front end: the QEMU guest agent protocol (JSON texts,
 * one request each, answered one line each) on connection slots whose
 * proto is GD_PROTO_QGA. qga.c turns framer events and requests into
 * response lines; qga_cmds.c holds the commands, which call the same
 * facts and services as the native protocol. docs/qga.md lists them.
 */
#ifndef GD_QGA_H
#define GD_QGA_H

#include "conn.h"
#include "json_out.h"
#include "qga_req.h"

#define GD_QGA_RESP_MAX GD_OUT_CAP /* longest response line: the whole buffer */

/*
 * Answer the QGA texts buffered on c while its output has room; 1 when it
 * stopped for lack of room (texts may be left), 0 when all are answered.
 */
/* qga.c: what a slot speaking GD_PROTO_QGA runs (conn.h). */
extern const struct gd_proto_ops gd_qga_ops;

/* One command call: the handler writes its "return" value with j. */
struct gd_qga_call {
	struct gd_agent *agent;
	struct gd_conn *conn;
	struct gd_qga_req *req;
	struct gd_json *j;
	const char *err_class;            /* on failure: QMP error class */
	char err_desc[GD_QGA_DESC_MAX];   /* on failure: its desc */
	int no_response;                  /* success answered by silence */
};

/* 0 when the return value was written, -1 after gd_qga_fail. */
typedef int (*gd_qga_fn)(struct gd_qga_call *call);

struct gd_qga_cmd {
	const char *name;
	gd_qga_fn fn;
	const struct gd_qga_param *params;
	size_t nparams;
	uint8_t success_response; /* as guest-info reports it */
	uint8_t delimited;        /* response preceded by 0xFF */
	uint8_t enabled;          /* served by this build */
};

/* The commands, in the order guest-info lists them (as qemu-ga does). */
const struct gd_qga_cmd *gd_qga_cmds(size_t *count);

/* qga_net.c: guest-network-get-interfaces. */
int gd_qga_cmd_interfaces(struct gd_qga_call *call);
/* qga_time.c: guest-set-time. */
int gd_qga_cmd_set_time(struct gd_qga_call *call);
/* qga_shutdown.c: guest-shutdown. */
int gd_qga_cmd_shutdown(struct gd_qga_call *call);

/* Record an error for the call; returns -1. */
int gd_qga_fail(struct gd_qga_call *call, const char *err_class,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
