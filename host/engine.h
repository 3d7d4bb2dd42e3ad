/*
 * guestctl's command engine.
 *
 * A command is a small state machine (struct gc_cmd): its step function
 * builds a request or consumes a response. The engine owns everything
 * else: connecting, HELLO, request ids, timeouts, reading and writing,
 * reporting, and running many targets at once from one poll loop with at
 * most ctx->parallel connections open. So every command works unchanged
 * against one target or a fleet.
 *
 * step(r, NULL) is called once after HELLO; then step(r, resp) for each
 * response to the request it sent, for each event while it waits
 * (resp->hdr.flags & GD_F_EVENT), and step(r, NULL) with r->woke set when
 * r->wake_at passes during GC_STEP_WAIT. It returns a gc_step.
 */
#ifndef GC_ENGINE_H
#define GC_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "decoder.h"
#include "target.h"

#define GC_SCRATCH_SIZE 2048    /* per-target command state */
#define GC_DEFAULT_TIMEOUT_MS 5000
#define GC_DEFAULT_PARALLEL 64
#define GC_MAX_PARALLEL 1024
#define GC_MAX_TARGETS 65536    /* targets in one run (flags + --targets) */
#define GC_HANDSHAKE_MAX 64     /* bytes of a hybrid relay's answer kept */
#define GC_RETRY_FIRST_MS 10    /* connect retry backoff: 10, 20, 40... */
#define GC_RETRY_MAX_MS 500     /* ...doubling up to this */
#define GC_MAX_TIMEOUT_MS 86400000

enum gc_step {
	GC_STEP_SEND = 1, /* a request was built with gc_req_begin */
	GC_STEP_WAIT = 2, /* stay connected; call back on an event or wake_at */
	GC_STEP_DONE = 3  /* finished; r->exit_code tells how */
};

struct gc_ctx;
struct gc_run;

struct gc_cmd {
	const char *name;
	const char *usage;   /* "name ARGS   what it does" for --help */
	/* Check the command's arguments once (argv[0] is the name). */
	int (*parse)(struct gc_ctx *ctx, int argc, char **argv);
	int (*step)(struct gc_run *r, const struct gd_frame *resp);
	/* Print the result; NULL prints r->result's fields (gc_report_run). */
	void (*report)(struct gc_run *r);
	/*
	 * Optional: an event that arrived while a request (HELLO included)
	 * was outstanding. The command may note it in its scratch, which is
	 * zeroed when a connection attempt starts; its step machine does not
	 * run.
	 */
	void (*event_while_busy)(struct gc_run *r, const struct gd_frame *ev);
	/* Commands that need no agent (keygen...): run instead of the engine. */
	int (*local)(struct gc_ctx *ctx, int argc, char **argv);
	/*
	 * Set for wait-ready: a failure before the agent answers HELLO (no
	 * socket yet, refused, relay closed, agent busy) is retried with
	 * backoff until ctx->timeout_ms after the target started.
	 */
	int retry_until_ready;
};

struct gc_ctx {
	struct gc_target *targets;
	size_t ntargets, targets_cap;
	int timeout_ms;
	int parallel;
	int json;
	const struct gc_cmd *cmd;
	int have_key;                    /* --key-file: authenticate */
	uint8_t key[GD_AUTH_KEY_LEN];
};

struct gc_run {
	const struct gc_ctx *ctx;
	const struct gc_target *target;
	int fd;
	int phase;                       /* engine-private */
	uint32_t next_id, want_id;
	uint64_t deadline;               /* mono ns of the pending I/O, 0 none */
	uint64_t wake_at;                /* mono ns to wake a waiting command */
	int woke;
	uint64_t started;                /* mono ns this target began */
	uint64_t sent_mono, sent_real;   /* stamps of the last request sent */
	uint64_t recv_mono, recv_real;   /* stamps of the last response read */
	int stamp_pending;               /* stamp sent_* at the next send */
	uint32_t agent_caps;             /* from HELLO */
	int exit_code;
	char error[160];
	uint16_t status;                 /* agent status when exit_code is 1 */
	uint16_t result_len;
	uint8_t result[GD_MAX_PAYLOAD];  /* payload gc_report_run prints */
	struct gd_buf out;
	struct gd_frame_writer w;
	struct gd_decoder dec;
	uint8_t outbuf[GD_MAX_FRAME];
	union {
		uint64_t align;
		uint8_t bytes[GC_SCRATCH_SIZE];
	} scratch;
	uint64_t give_up;                /* mono ns: started + timeout */
	uint64_t finished;               /* mono ns the target ended */
	uint32_t attempts;               /* connection attempts made */
	uint32_t backoff_ms;             /* next retry delay */
	uint8_t hs_len;                  /* bytes in hs_buf */
	uint8_t hs_buf[GC_HANDSHAKE_MAX]; /* hybrid relay's answer so far */
	struct gd_auth_session auth;     /* host/auth.c */
};

/* Run ctx->cmd over every target; returns the exit status for main. */
int gc_engine_run(struct gc_ctx *ctx);

/* For step functions. */
struct gd_frame_writer *gc_req_begin(struct gc_run *r, uint16_t op);
/* Finish with success, keeping resp's payload as the result to print. */
int gc_done_ok(struct gc_run *r, const struct gd_frame *resp);
/* Finish with the agent's error status (exit 1). */
int gc_done_agent_error(struct gc_run *r, const struct gd_frame *resp);
/* Finish with a guestctl-side failure: exit code and message. */
int gc_done_fail(struct gc_run *r, int exit_code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* report.c: default reporting and the fleet summary. */
void gc_report_run(struct gc_run *r);
void gc_report_summary(const struct gc_ctx *ctx, size_t ok, size_t failed,
		       uint64_t wall_ns);
/* A usage error as one JSON object on stdout (command may be NULL). */
void gc_json_usage_error(const char *command, const char *what,
			 const char *arg);

#endif
