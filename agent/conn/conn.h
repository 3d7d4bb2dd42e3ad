/*
 * The connection area: listeners, connection slots with their sessions
 * and buffers, and the serial ports, in one struct gd_net (a->net).
 * Transports (transport/) fill slots; protocol front ends (native/,
 * qga/) read a slot's input and answer through its output queue
 * (conn_out.h). Services never include this header.
 */
#ifndef GD_CONN_H
#define GD_CONN_H

#include <stdint.h>

#include "agent.h"
#include "conn_out.h"
#include "decoder.h"
#include "jsonframe.h"
#include "peerstats.h"
#include "proto.h"
#include "slots.h"

#define GD_MAX_LISTENERS 8

enum gd_listener_kind { GD_LK_UNIX, GD_LK_VSOCK };

/*
 * A listener's policy: GD_LP_HOST for the host's sockets (the peer gate:
 * allow-cid, allow-uid, allow-gid; the host's KV role), GD_LP_LOCAL for
 * the guest-local socket `guestd kv` uses (gate/local_gate.c: root or
 * kv-allow-uid/gid, the guest's KV role, KV and basic ops only).
 */
enum gd_listen_policy { GD_LP_HOST = 0, GD_LP_LOCAL = 1 };

/* What a connection speaks; transports only move its bytes. */
enum gd_proto {
	GD_PROTO_NATIVE = 0, /* protocol v1 frames (proto.h) */
	GD_PROTO_QGA = 1     /* QEMU guest agent JSON (qga.h) */
};

struct gd_listener {
	int fd;
	enum gd_listener_kind kind;
	char desc[GD_CFG_PATH_MAX + 16];
	enum gd_proto proto; /* given to the connections it accepts */
	enum gd_listen_policy policy; /* who may connect, and as what */
};

/*
 * What one peer's conversation holds, protocol and services alike. It is
 * reset as a whole (gd_session_reset) on every attach, close, hang-up and
 * refusal, so nothing of one peer reaches the next on the same slot.
 */
struct gd_session {
	enum gd_proto proto;
	int closing;            /* answer nothing more; close once flushed */
	struct gd_auth_session auth;
	uint64_t partial_since; /* CLOCK_MONOTONIC ns a partial frame began */
	uint64_t stalled_since; /* answers pending and none written since (ns) */
	uint64_t rx_real;       /* CLOCK_REALTIME ns of the last read with data */
	size_t tx_stamp_frame;  /* time_stamp.c: marked TIME_GET answer queued */
	size_t tx_stamp_at;
	int tx_stamp_pending;
	uint8_t kv_role;        /* GD_KV_ROLE_*: which pool it may write */
	uint8_t kv_watch;       /* bit (1 << pool) per watched pool */
	uint32_t kv_dropped;    /* KV_CHANGED events dropped, not yet announced */
	int served;             /* an answer was queued: a client, not a squatter */
	/* Last, kept by a reset: the slot's input buffer (gd_conn_bufs), and
	 * the front end that reads it (set by the reset from proto). */
	union gd_conn_in *in;
	const struct gd_proto_ops *ops;
};

/* What a slot reads into: only the member in use is initialised. */
union gd_conn_in {
	struct gd_decoder dec; /* GD_PROTO_NATIVE */
	struct gd_jf qga;      /* GD_PROTO_QGA: texts being received */
};

/*
 * A slot's buffers, kept apart from the slots (conn.c, one per slot, set
 * by gd_conns_init): the slot table stays a few pages, so a slot never
 * used never touches its buffers' pages, and a small exchange touches
 * the first page of each buffer only. A closed slot's pages go back to
 * the kernel (gd_conn_release).
 */
struct gd_conn_bufs {
	union gd_conn_in in;
	struct gd_outq out;
};

/*
 * A protocol front end (native/, qga/): what a slot's bytes mean. The
 * connection area only moves bytes into in and out of out; the front end
 * owns in, and says how much output room one answer may need.
 */
struct gd_proto_ops {
	size_t answer_max;
	void (*in_reset)(union gd_conn_in *in);
	/* Where the next read goes (*room bytes); c's read just put n there. */
	uint8_t *(*in_space)(union gd_conn_in *in, size_t *room);
	void (*in_commit)(struct gd_conn *c, size_t n);
	/*
	 * Answer the whole requests in c's input while c->out has room for
	 * one answer and c is not closing. 1 when it stopped for lack of room
	 * (requests may be left), else 0.
	 */
	int (*process)(struct gd_agent *a, struct gd_conn *c);
	/*
	 * Optional (NULL: nothing to do). Right before each write(2) of c's
	 * queue, and after one took n bytes from its front: what must be
	 * stamped at the wire (native: TIME_GET's send time).
	 */
	void (*out_write)(struct gd_conn *c);
	void (*out_sent)(struct gd_conn *c, size_t n);
	/* Optional: after each turn of answering and before the flush
	 * (native: a KV overflow notice that waited for room). */
	void (*io_turn)(struct gd_agent *a, struct gd_conn *c);
};

/* core/protos.c: the front end speaking proto in this build. */
const struct gd_proto_ops *gd_proto_ops(enum gd_proto proto);

#define GD_READ_BUDGET (2 * GD_MAX_FRAME) /* bytes read per wakeup and peer */

/* session.c: a fresh session speaking proto, host role, nothing watched. */
void gd_session_reset(struct gd_session *s, enum gd_proto proto);

/* A slot: the transport's fd and names, the session, the output queue. */
struct gd_conn {
	int fd;                 /* -1 when the slot is free */
	int eof;                /* peer closed its side; close once flushed */
	char peer[64];          /* for logs: "unix", "vsock:3:1025" */
	int serial;             /* serial port index + 1: kept open, never closed */
	int hung;               /* serial with no host: not polled until one comes */
	int slot_class;         /* GD_SC_* (slots.h): what it may hold */
	uint64_t peer_key;      /* gd_peer_key(): uid, CID or serial port */
	uint64_t quiet_since;   /* CLOCK_MONOTONIC ns of its last byte in or out */
	struct gd_session sess;
	struct gd_outq *out;    /* conn_out.c only; in gd_conn_bufs */
};

#define GD_SERIAL_PORTS 2 /* the native port (serial=) and QGA's (qga-serial=) */

/* One serial port (serial.c): its config, protocol and retry state. */
struct gd_serial_port {
	const char *spec;      /* port name or tty path; "" for none */
	enum gd_proto proto;
	int quiet;             /* a default that may be absent: no logs, backoff */
	int open;
	int logged, missing_logged;
	int async;             /* hung, and SIGIO will say when a host is back */
	unsigned retry_ms;     /* wait before the next attempt */
	unsigned long long retry_at; /* CLOCK_MONOTONIC ns, 0 none */
};

struct gd_stats {
	uint64_t accepted, refused_busy, evicted, frames, errors, garbage_bytes;
	struct gd_peer_stats peers; /* accepted, refused, evicted per peer */
};

/* What a->net points at (core/main.c holds the one instance). */
struct gd_net {
	int nlisteners;
	struct gd_listener listeners[GD_MAX_LISTENERS];
	struct gd_conn conns[GD_MAX_CONNS];
	/* conn.c: a bit per slot that may be open (gd_conn_attach sets it, a
	 * walk that finds the slot closed clears it): scans visit these only. */
	uint32_t live[(GD_MAX_CONNS + 31) / 32];
	int warm_slot; /* conn.c: the free slot that kept its first pages */
	struct gd_stats stats;
	struct gd_serial_port serial[GD_SERIAL_PORTS];
};

/* conn.c */
void gd_conns_init(struct gd_agent *a);
void gd_conn_accept(struct gd_agent *a, struct gd_listener *l);
/* Put an open stream fd speaking proto into the free slot c (peer names
 * it in logs). */
void gd_conn_attach(struct gd_agent *a, struct gd_conn *c, int fd,
		    const char *peer, enum gd_proto proto);
/* Start c over: a fresh session, an empty queue (fd and names kept). */
void gd_conn_fresh(struct gd_conn *c, enum gd_proto proto);
/* Handle poll events on a connection. */
void gd_conn_io(struct gd_agent *a, struct gd_conn *c, short revents);
/* Poll events a connection waits for (0 when it should not be polled). */
short gd_conn_events(const struct gd_conn *c);
/*
 * The open slots in turn: *pos starts at 0; NULL after the last. Every
 * open slot got there through gd_conn_attach.
 */
struct gd_conn *gd_conn_next(struct gd_agent *a, int *pos);
/* Poll entries for the open slots that are not hung, owner[i] the slot of
 * pfd[i]; returns how many. */
struct pollfd;
int gd_conns_pollfds(struct gd_agent *a, struct pollfd *pfd,
		     struct gd_conn **owner);
/* Close c (a serial port's hangs up instead); its buffers' pages go back
 * to the kernel, but for the first pages of the lowest free slot's. */
void gd_conn_close(struct gd_agent *a, struct gd_conn *c, const char *why);
/*
 * Give c's buffer pages back to the kernel (madvise; a failure is logged
 * once). They read as zeros until gd_conn_attach or gd_conn_fresh: only
 * for a slot that is closed, or about to be made fresh.
 */
void gd_conn_release(struct gd_agent *a, struct gd_conn *c);
/* Close connections whose partial frame is older than the deadline. */
void gd_conns_expire(struct gd_agent *a, uint64_t now);
/* When the next connection deadline falls (GD_DUE_NEVER: none). */
uint64_t gd_conns_due(const struct gd_agent *a);

/* Decode and answer what c's input holds (its front end's process). */
static inline int gd_conn_process(struct gd_agent *a, struct gd_conn *c)
{
	return c->sess.ops->process(a, c);
}
/* The whole-frame deadline in ns (frame-deadline-ms or the built-in). */
uint64_t gd_frame_deadline_ns(const struct gd_agent *a);

#endif
