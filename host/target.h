/*
 * Where guestctl connects: a unix socket path or an AF_VSOCK CID:PORT,
 * parsed from the same text forms the flags take.
 */
#ifndef GC_TARGET_H
#define GC_TARGET_H

#include <stdint.h>

#include "proto.h"

/* guestctl exit codes (README and docs/guestctl-json.md list them). */
enum gc_exit {
	GC_EXIT_OK = 0,
	GC_EXIT_AGENT = 1,    /* the agent answered with an error status */
	GC_EXIT_USAGE = 2,
	GC_EXIT_CONNECT = 3,  /* could not reach the agent */
	GC_EXIT_TIMEOUT = 4,
	GC_EXIT_PROTOCOL = 5  /* the peer broke the protocol or hung up */
};

enum gc_target_kind { GC_T_UNIX, GC_T_VSOCK };

#define GC_TARGET_DESC_MAX 140

struct gc_target {
	enum gc_target_kind kind;
	char path[108];
	uint32_t cid, port;
	char desc[GC_TARGET_DESC_MAX]; /* "unix:/run/x.sock", "vsock:3:2761" */
};

/* Parse "PATH" for unix, "CID[:PORT]" for vsock into t; -1 if malformed. */
int gc_target_unix(struct gc_target *t, const char *path);
int gc_target_vsock(struct gc_target *t, const char *spec);
/*
 * Start a non-blocking connect to t. Returns the fd (connection may still
 * be in progress: wait for POLLOUT and check SO_ERROR), or -1 with errno.
 */
int gc_target_connect(const struct gc_target *t);

#endif
