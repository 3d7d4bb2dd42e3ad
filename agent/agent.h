/*
 * guestd's state: one static struct gd_agent owns every listener,
 * connection slot and buffer. Nothing is allocated at run time.
 */
#ifndef GD_AGENT_H
#define GD_AGENT_H

#include <stdint.h>

#include "auth.h"
#include "config.h"
#include "conn_out.h"
#include "decoder.h"
#include "fsfreeze_svc.h"
#include "jsonframe.h"
#include "kv.h"
#include "log.h"
#include "pid1.h"
#include "peer.h"
#include "peerstats.h"
#include "proto.h"
#include "slots.h"
#include "time_svc.h"
#include "sysinfo.h"

#define GD_AGENT_VERSION "0.1.0"
#ifndef GD_MAX_CONNS /* -DGD_MAX_CONNS=N to build with another count */
#define GD_MAX_CONNS 32          /* connection slots, all transports */
#endif
#define GD_MAX_LISTENERS 8
#define GD_FRAME_DEADLINE_MS 5000 /* a started frame must complete in time */

enum gd_listener_kind { GD_LK_UNIX, GD_LK_VSOCK };

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
	int local;              /* guest-local socket: peers are guest processes */
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
	/* Last, kept by a reset: the slot's input buffer (gd_conn_bufs). */
	union gd_conn_in *in;
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
 * the first page of each buffer only.
 */
struct gd_conn_bufs {
	union gd_conn_in in;
	struct gd_outq out;
};

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

/*
 * Timers: every subsystem says when it next needs the loop as an absolute
 * CLOCK_MONOTONIC time in ns (GD_DUE_NEVER: not at all; any time already
 * past: at once). The loop takes the soonest and converts it once.
 */
#define GD_DUE_NEVER UINT64_MAX

static inline uint64_t gd_due_min(uint64_t t1, uint64_t t2)
{
	return t1 < t2 ? t1 : t2;
}

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

struct gd_agent {
	struct gd_config cfg;
	struct gd_log log;
	int is_pid1;
	int sigfd;
	int uevent_fd; /* the kernel's uevents, shared (uevents.c); -1 if none */
	int stop;
	uint64_t start_ns; /* CLOCK_MONOTONIC at start */
	int nlisteners;
	struct gd_listener listeners[GD_MAX_LISTENERS];
	struct gd_conn conns[GD_MAX_CONNS];
	/* conn.c: a bit per slot that may be open (gd_conn_attach sets it, a
	 * walk that finds the slot closed clears it): scans visit these only. */
	uint32_t conn_live[(GD_MAX_CONNS + 31) / 32];
	struct gd_stats stats;
	struct gd_time_state time;
	struct gd_pid1 init; /* PID 1 duties, workload, shutdown (pid1.h) */
	int exit_code;       /* main's status once stop is set */
	/* Read once it can be (PID 1 mounts /proc first): it names the
	 * running kernel's boot, so it cannot change while guestd runs. */
	char boot_id[GD_BOOT_ID_LEN + 1];
	struct gd_serial_port serial[GD_SERIAL_PORTS];
	struct gd_kv kv;
	struct gd_peer_policy peers;
	int auth_on;            /* key-file set: only HELLO without a session */
	int key_ok;             /* key loaded (auth_on without it fails closed) */
	uint8_t key[GD_AUTH_KEY_LEN];
	int (*fill_random)(void *p, size_t n); /* nonces; NULL: gd_random */
	uint64_t refusals;        /* every refusal since start (refusal_log.c) */
	uint64_t refusals_window; /* CLOCK_MONOTONIC ns its log window began */
	unsigned refusals_logged, refusals_unlogged;
	struct gd_fsf_state fsfreeze; /* guest-fsfreeze-* (fsfreeze_svc.h) */
};

/* listen.c: open the listeners the config asks for; -1 on a fatal error. */
int gd_listeners_open(struct gd_agent *a);
void gd_listeners_close(struct gd_agent *a);

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
void gd_conn_close(struct gd_agent *a, struct gd_conn *c, const char *why);
/* Close connections whose partial frame is older than the deadline. */
void gd_conns_expire(struct gd_agent *a, uint64_t now);
/* When the next connection deadline falls (GD_DUE_NEVER: none). */
uint64_t gd_conns_due(const struct gd_agent *a);

/* dispatch.c: answer one decoder event on c, appending to c->out. */
void gd_dispatch(struct gd_agent *a, struct gd_conn *c, int dec_result,
		 const struct gd_frame *f);

/* loop.c */
int gd_signals_setup(struct gd_agent *a);
void gd_loop_run(struct gd_agent *a);

/* logsink.c */
void gd_log_setup(struct gd_agent *a);

#endif
