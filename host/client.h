/*
 * guestctl's connection to one agent: connect with a timeout, send a
 * request, wait for the response with the same id (events are skipped).
 */
#ifndef GC_CLIENT_H
#define GC_CLIENT_H

#include <stdint.h>

#include "decoder.h"
#include "proto.h"

/* guestctl exit codes (docs and README list them). */
enum gc_exit {
	GC_EXIT_OK = 0,
	GC_EXIT_AGENT = 1,    /* the agent answered with an error status */
	GC_EXIT_USAGE = 2,
	GC_EXIT_CONNECT = 3,  /* could not reach the agent */
	GC_EXIT_TIMEOUT = 4,
	GC_EXIT_PROTOCOL = 5  /* the peer broke the protocol or hung up */
};

enum gc_target_kind { GC_T_UNIX, GC_T_VSOCK };

struct gc_target {
	enum gc_target_kind kind;
	char path[108];
	uint32_t cid, port;
	char desc[140]; /* "unix:/run/x.sock", "vsock:3:2761" */
};

struct gc_client {
	int fd;
	int timeout_ms;
	uint64_t deadline; /* CLOCK_MONOTONIC ns for the current call */
	uint32_t next_id;
	char error[160];   /* why the last call failed */
	struct gd_decoder dec;
};

/* Parse "PATH" for unix, "CID[:PORT]" for vsock into t; -1 if malformed. */
int gc_target_unix(struct gc_target *t, const char *path);
int gc_target_vsock(struct gc_target *t, const char *spec);

/* Connect within the timeout; GC_EXIT_OK or an exit code with c->error. */
int gc_connect(struct gc_client *c, const struct gc_target *t, int timeout_ms);
void gc_close(struct gc_client *c);

/*
 * Send the request in req (a frame built by the caller with id 0; the id
 * is assigned here) and wait for its response into *resp, valid until the
 * next call. Returns GC_EXIT_OK when a response arrived (whatever its
 * status), or a transport exit code with c->error set.
 */
int gc_call(struct gc_client *c, uint8_t *req, size_t req_len,
	    struct gd_frame *resp);

/* Build and send a request with no TLVs. */
int gc_call_simple(struct gc_client *c, uint16_t op, struct gd_frame *resp);

/* HELLO: negotiate version; GC_EXIT_OK or an exit code. */
int gc_hello(struct gc_client *c, uint32_t *caps);

#endif
