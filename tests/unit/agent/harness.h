/*
 * What the agent unit tests share: one struct gd_agent and struct gd_net
 * set up as guestd's main.c would (no listener, no socket, KV in memory),
 * connection slots whose fd is /dev/null, request frames built with
 * libmini's encoder and fed through the slot's real input buffer and
 * front end (gd_conn_process), and the answers decoded back from the
 * slot's output queue. Nothing here replaces agent code; fake_clock.c
 * stands in for agent/time/clock_set.c only, so that no test can move
 * this machine's clock.
 */
#ifndef GD_TEST_HARNESS_H
#define GD_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "conn.h"
#include "decoder.h"
#include "fsfreeze_svc.h"
#include "kv.h"
#include "pid1.h"
#include "proto.h"
#include "time_svc.h"

#define TH_MAX_ANSWERS 64

extern struct gd_agent th_agent;
extern struct gd_net th_net;
/* The services' state th_agent points at, as main.c's statics. */
extern struct gd_time_state th_time;
extern struct gd_pid1 th_pid1;
extern struct gd_kv th_kv;
extern struct gd_fsf_state th_fsfreeze;

/* A fresh agent: defaults, KV pools started (in memory), every slot free. */
void th_setup(void);
/* The same with a key configured (key bytes 0..31, nonces fixed). */
void th_setup_key(void);
/* Attach slot i (fd: /dev/null) speaking proto; returns it. */
struct gd_conn *th_attach(int i, enum gd_proto proto);
/* Close every attached slot (between tests). */
void th_teardown(void);
/* The three above as cmocka fixtures (state unused). */
int th_fixture_setup(void **state);
int th_fixture_setup_key(void **state);
int th_fixture_teardown(void **state);

/* The last log line at GD_LOG_INFO or more urgent ("" if none yet). */
const char *th_last_log(void);

/*
 * A request frame: header (magic, version, op, id, flags) and payload
 * built with libmini's encoder. th_req_begin, then gd_tlv_* on r->w,
 * then th_req_end gives the bytes in r->buf[0..r->len).
 */
struct th_req {
	uint8_t buf[GD_MAX_FRAME];
	struct gd_buf b;
	struct gd_frame_writer w;
	size_t len;
};
void th_req_begin(struct th_req *r, uint16_t op, uint32_t id, uint8_t flags);
size_t th_req_end(struct th_req *r);
/* A request with no TLVs into out[GD_HDR_LEN]; returns GD_HDR_LEN. */
size_t th_bare(uint8_t *out, uint16_t op, uint32_t id, uint8_t flags);

/*
 * Feed n bytes into c's input as a transport read would (in pieces of at
 * most the room the front end offers), calling gd_conn_process after
 * each piece. The output queue is not read meanwhile: the caller drains.
 */
void th_feed(struct gd_conn *c, const void *p, size_t n);
/* th_feed of a whole th_req. */
void th_send(struct gd_conn *c, struct th_req *r);

/* One frame taken from an output queue (payload copied). */
struct th_answer {
	struct gd_hdr hdr;
	uint8_t payload[GD_MAX_PAYLOAD];
	int has_mac;
	uint8_t mac[GD_MAC_LEN];
};
/*
 * Decode every frame queued on c into ans[max] and empty the queue, as
 * if the peer read it; returns how many. Bytes that are not whole,
 * well-formed frames fail the test.
 */
size_t th_drain(struct gd_conn *c, struct th_answer *ans, size_t max);
/* The one answer c holds (fails unless exactly one). */
void th_one(struct gd_conn *c, struct th_answer *ans);
/* A TLV of an answer: 0 with *tv, or -1 when absent. */
int th_tlv(const struct th_answer *a, uint16_t type, struct gd_tlv_view *tv);
/* The answer's MESSAGE TLV as a string ("" when absent). */
const char *th_message(const struct th_answer *a);

#endif
