/*
 * guestd's state, as every area sees it: configuration, log and the
 * gates' keys in one struct gd_agent. Each service's own state (time,
 * PID 1 duties, KV, fsfreeze) and the connection area's (listeners,
 * slots, serial ports) hang off it by pointer, complete only where the
 * owner's header is included (time_svc.h, pid1.h, kv.h, fsfreeze_svc.h,
 * conn.h). All are static (core/main.c): nothing is allocated at run
 * time.
 *
 * This header is the core area's API (docs/architecture.md): what every
 * area may include. It also declares the few hooks one area calls in
 * another through the loop (listeners closed for shutdown, events).
 */
#ifndef GD_AGENT_H
#define GD_AGENT_H

#include <stdint.h>

#include "auth.h"
#include "config.h"
#include "log.h"
#include "peer.h"
#include "sysinfo.h"

#define GD_AGENT_VERSION "0.1.0"
#ifndef GD_MAX_CONNS /* -DGD_MAX_CONNS=N to build with another count */
#define GD_MAX_CONNS 32          /* connection slots, all transports */
#endif
#define GD_FRAME_DEADLINE_MS 5000 /* a started frame must complete in time */

struct gd_net;
struct gd_conn;
struct gd_time_state;
struct gd_pid1;
struct gd_kv;
struct gd_fsf_state;

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

struct gd_agent {
	struct gd_config cfg;
	struct gd_log log;
	int is_pid1;
	int sigfd;
	struct gd_net *net; /* listeners, slots, serial ports (conn/conn.h) */
	int uevent_fd; /* the kernel's uevents, shared (uevents.c); -1 if none */
	int stop;
	uint64_t start_ns; /* CLOCK_MONOTONIC at start */
	uint64_t woke_ns;  /* CLOCK_MONOTONIC when poll(2) last returned */
	unsigned poll_gen; /* gd_poll_changed() */
	struct gd_time_state *time; /* clock, discipline, jumps (time_svc.h) */
	struct gd_pid1 *init; /* PID 1 duties, workload, shutdown (pid1.h) */
	int exit_code;       /* main's status once stop is set */
	/* Read once it can be (PID 1 mounts /proc first): it names the
	 * running kernel's boot, so it cannot change while guestd runs. */
	char boot_id[GD_BOOT_ID_LEN + 1];
	struct gd_kv *kv; /* the three pools, persistence (kv.h) */
	struct gd_peer_policy peers;
	int auth_on;            /* key-file set: only HELLO without a session */
	int key_ok;             /* key loaded (auth_on without it fails closed) */
	uint8_t key[GD_AUTH_KEY_LEN];
	int (*fill_random)(void *p, size_t n); /* nonces; NULL: gd_random */
	uint64_t refusals;        /* every refusal since start (refusal_log.c) */
	uint64_t refusals_window; /* CLOCK_MONOTONIC ns its log window began */
	unsigned refusals_logged, refusals_unlogged;
	struct gd_fsf_state *fsfreeze; /* guest-fsfreeze-* (fsfreeze_svc.h) */
};

/* transport/listen.c: open the listeners the config asks for (-1 on a
 * fatal error); close them all (shutdown closes them before reboot(2)). */
int gd_listeners_open(struct gd_agent *a);
void gd_listeners_close(struct gd_agent *a);

/* conn/events.c: unsolicited event frames (GD_F_EVENT, id 0). */
/*
 * Queue one event frame with op and the TLVs in payload[len] on every
 * open protocol v1 connection but `except` (NULL for none) with room;
 * returns how many got it. A connection whose output is full misses the
 * event (logged at debug).
 */
int gd_event_broadcast(struct gd_agent *a, uint16_t op, const uint8_t *payload,
		       size_t len, const struct gd_conn *except);

/* loop.c */
int gd_signals_setup(struct gd_agent *a);
void gd_loop_run(struct gd_agent *a);
/*
 * The loop keeps its poll set between wake-ups: the connections' part is
 * refreshed every time, the rest (signalfd, listeners, the time, power
 * button and uevent fds) only after this was called. Whoever opens or
 * closes one of those fds calls it (exec's pipes count by their own,
 * gd_exec_pollgen()).
 */
static inline void gd_poll_changed(struct gd_agent *a)
{
	a->poll_gen++;
}

/* logsink.c */
void gd_log_setup(struct gd_agent *a);

#endif
