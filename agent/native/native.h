/*
 * The native front end (protocol v1 frames, docs/protocol.md): its ops on
 * a connection (serve.c), the dispatcher, and the service interface: a
 * handler gets a decoded request and a frame writer whose response header
 * (op, id, RESPONSE flag) is already begun. It appends TLVs and returns a
 * GD_S_* status; on a non-zero status the dispatcher discards what it
 * wrote and answers with the status and req->errmsg instead. Handlers
 * never see the transport.
 */
#ifndef GD_NATIVE_H
#define GD_NATIVE_H

#include "conn.h"

/* serve.c: what a slot speaking GD_PROTO_NATIVE runs (conn.h). */
extern const struct gd_proto_ops gd_native_ops;

/* dispatch.c: answer one decoder event on c, appending to c->out. */
void gd_dispatch(struct gd_agent *a, struct gd_conn *c, int dec_result,
		 const struct gd_frame *f);

struct gd_req {
	struct gd_agent *agent;
	struct gd_conn *conn;
	const struct gd_frame *frame;
	struct gd_frame_writer *w;
	const char *errmsg;
};

typedef int (*gd_handler_fn)(struct gd_req *r);

/* The message of a GD_S_BAD_TLV answer to a payload that is not TLVs. */
#define GD_MSG_BAD_TLV "payload is not a well-formed TLV sequence"

int gd_svc_hello(struct gd_req *r);
int gd_svc_ping(struct gd_req *r);
int gd_svc_info(struct gd_req *r);
/* svc_conns.c: INFO's slot table and per-peer counters; 0 or -1. */
int gd_svc_conns_info(struct gd_req *r);
/* svc_kv.c: the ops, and KV facts for INFO. */
int gd_svc_kv_get(struct gd_req *r);
int gd_svc_kv_set(struct gd_req *r);
int gd_svc_kv_del(struct gd_req *r);
int gd_svc_kv_list(struct gd_req *r);
int gd_svc_kv_watch(struct gd_req *r);
int gd_kv_info(struct gd_req *r);

int gd_svc_time_get(struct gd_req *r);
int gd_svc_time_set(struct gd_req *r);
int gd_svc_shutdown(struct gd_req *r);
/* svc_shutdown.c: workload and shutdown TLVs; full adds INFO's extras. */
int gd_svc_put_pid1_state(struct gd_req *r, int full);
/* A value that changes whenever what gd_svc_put_pid1_state(r, 0) writes does. */
uint64_t gd_svc_pid1_state_key(const struct gd_agent *a);

/* time_stamp.c: the t2 and t3 stamps of TIME_GET, taken at the edges. */
/* Record that bytes just arrived on c (call right after read()). */
void gd_time_rx_stamp(struct gd_conn *c);
/*
 * The TIME_SEND TLV (u64) was just appended to c->out as the last TLV of
 * the frame beginning at frame_start: refill it right before the write.
 */
void gd_time_tx_mark(struct gd_conn *c, size_t frame_start);
/* Refill a marked send stamp with the time now (call before write()). */
void gd_time_tx_patch(struct gd_conn *c);
/* n bytes were written from the front of c->out (call after consuming). */
void gd_time_tx_sent(struct gd_conn *c, size_t n);

/* kv_events.c: a pending KV overflow notice, sent once there is room. */
void gd_kv_conn_io(struct gd_agent *a, struct gd_conn *c);

/* Capabilities this build serves (GD_CAP_*). */
uint32_t gd_agent_caps(const struct gd_agent *a);

#endif
